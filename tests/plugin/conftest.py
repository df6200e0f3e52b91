"""``foreign_project/`` is another project's code: it runs in a virtual environment of its own
(``test_installed_alone.py``), not in this suite."""

collect_ignore = ["foreign_project"]
