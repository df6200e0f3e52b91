"""``foreign_*/`` are other projects' code: they run in a virtual environment of their own
(``test_installed_alone.py``), not in this suite."""

collect_ignore = ["foreign_project", "foreign_server_module", "foreign_server_package"]
