"""The commands that start things: ``workbench`` (the CLI), ``make lab``, the Voilà launcher and ``workbench check``."""
