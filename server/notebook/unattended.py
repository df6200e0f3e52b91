"""Run the notebooks with nobody at the keyboard, as CI does.

``UNATTENDED_ENV`` is what each notebook kernel gets under ``make test`` (see
``notebooks/conftest.py``) and here: sandbox mode even if ``.env`` holds Stripe
keys, a shop of its own on free ports (``SHOP_URL`` port 0) even if ``make demo``
runs, and a test shopper who pays at once (``WORKBENCH_AUTOPAY``).

    python -m server.notebook.unattended [notebooks/01_….ipynb …]

re-executes notebooks (default: all lessons) and stores their outputs; the
committed outputs are made this way.  Run it from the project root after changing
a notebook or anything it shows, then check the diff.
"""

import glob
import os
import sys

UNATTENDED_ENV = {"WORKBENCH_MODE": "sandbox", "SHOP_URL": "http://127.0.0.1:0", "WORKBENCH_AUTOPAY": "1"}
LESSONS = "notebooks/0*.ipynb"


def execute(path):
    """Run every cell of the notebook at ``path`` in a fresh kernel (in its own folder) and save the outputs."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", record_timing=False,
                            store_widget_state=False, resources={"metadata": {"path": os.path.dirname(path)}})  # fmt: skip
    client.execute(env={**os.environ, **UNATTENDED_ENV})
    nbformat.write(notebook, path)


def main(argv=None):
    from nbclient.exceptions import CellExecutionError

    paths = (sys.argv[1:] if argv is None else argv) or sorted(glob.glob(LESSONS))
    for path in paths:
        print(f"executing {path}", flush=True)
        try:
            execute(path)
        except CellExecutionError as exc:  # its text lacks the error when server.notebook hid the traceback
            print(f"{path}: {exc.ename}: {exc.evalue}\n{exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
