"""Run the notebooks with nobody at the keyboard, as CI does.

``UNATTENDED_ENV`` is what each notebook kernel gets under ``make test`` (see
``notebooks/conftest.py``) and here: sandbox mode even if ``.env`` holds Stripe
keys, a shop of its own on free ports (``SHOP_URL`` port 0) even if ``make demo``
runs, and a test shopper who types the card each lesson asks for
(``WORKBENCH_AUTOPAY``), silently, so the stored outputs read as a live session's.
Widget state is stored too, so the picker and the status panels show in JupyterLab;
its checkout frames are stored still (``still_checkouts``).

    python -m press_workbench.notebook.unattended [notebooks/01_….ipynb …]

re-executes notebooks (default: all lessons) and stores their outputs; the
committed outputs are made this way.  Run it from the project root after changing
a notebook or anything it shows, then check the diff.  ``IdNumbers`` is how nbval
compares those outputs with a new run's (``notebooks/conftest.py``).

A lesson run top to bottom shows no error card (``display.error_card``: a Stripe error or a
``WorkbenchError`` drawn instead of a traceback) except in a cell that shows one on purpose,
tagged ``shows-error``.  A card is a display, not a failed cell, so nbval would pass over an
unexpected one in a cell whose output it does not compare; ``unexpected_error_cards`` finds
them, for ``notebooks/conftest.py`` (a lesson's run fails) and for this runner (nothing is stored).
"""

import glob
import os
import re
import sys
from collections import Counter

from .display import ERROR_CARD
from .shopper import AUTOPAY

UNATTENDED_ENV = {"WORKBENCH_MODE": "sandbox", "SHOP_URL": "http://127.0.0.1:0", AUTOPAY: "1"}
LESSONS = "notebooks/0*.ipynb"
LIVE_CHECKOUT = re.compile(  # as presenter.checkout_frame_html writes it: its new-tab link, then the frame
    r'(?:<div [^>]*><a href="[^"]*" [^>]*>Open the (?:checkout|bank confirmation) for order [^<]*</a></div>)?'
    r'<iframe srcdoc="[^"]*" (title="(?:Checkout|Bank confirmation) for order [^"]*") [^>]*height="(\d+)"[^>]*>'
    r"</iframe>"
)
STILL_CHECKOUT = (
    '<div {} style="height:{}px;box-sizing:border-box;border:1px dashed #c1c9d2;border-radius:8px;display:flex;'
    'align-items:center;justify-content:center;color:#697386;font:14px system-ui,sans-serif">'
    "The checkout opens here when you run the cell.</div>"
)
SHOWS_ERROR = "shows-error"  # the tag of a lesson cell that shows an error card on purpose
STRIPE_AND_SHOP_ID = re.compile(r"\b(pi|pm|ch|re|evt|ord|req|we|whsec|txn|py|cus|seti|pmc)_[A-Za-z0-9]{8,}")


class IdNumbers:
    """Ids numbered per notebook and per kind, in order of first appearance, for comparing two runs.

    Ids differ on every run, so nbval cannot compare them as they are; but one
    placeholder for all would let a mix-up pass (the wrong PaymentIntent in a
    confirmation).  Numbered, the stored outputs' ``pi_3Ab…`` and a new run's
    ``pi_3Xy…`` both become ``pi_#1`` if each is the first PaymentIntent its run
    shows, and a second, different one ``pi_#2`` on both sides.  The two runs are
    counted separately; their ids never coincide.
    """

    def __init__(self):
        self.numbers = {}
        self.counts = {"stored": Counter(), "run": Counter()}

    def register(self, outputs, side):
        """Number the ids in ``outputs`` not seen before, in a fixed order (outputs, then MIME types sorted)."""
        for text in _texts(outputs):
            for match in STRIPE_AND_SHOP_ID.finditer(text):
                if match.group(0) not in self.numbers:
                    kind = match.group(1)
                    self.counts[side][kind] += 1
                    self.numbers[match.group(0)] = f"{kind}_#{self.counts[side][kind]}"

    def replace(self, match):
        """An id's number; an id never registered stays as it is, so a missed ``register`` fails the comparison."""
        return self.numbers.get(match.group(0), match.group(0))


def unexpected_error_cards(cell, outputs):
    """The titles of the error cards among ``outputs`` of ``cell`` (a notebook cell), unless it is tagged so."""
    if SHOWS_ERROR in cell.get("metadata", {}).get("tags", []):
        return []
    return [
        output["data"].get("text/plain", "").partition("\n")[0]
        for output in outputs
        if ERROR_CARD in output.get("data", {}).get("text/html", "")
    ]


class UnexpectedErrorCard(Exception):
    """A lesson showed an error card in a cell not tagged ``shows-error``: its outputs are not stored."""


def _texts(outputs):
    for output in outputs:
        if isinstance(output.get("text"), str):
            yield output["text"]
        for mime in sorted(output.get("data", {})):
            if isinstance(output["data"][mime], str):
                yield output["data"][mime]


def execute(path):
    """Run every cell of the notebook at ``path`` in a fresh kernel (in its own folder) and save the outputs."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        record_timing=False,
        store_widget_state=True,
        resources={"metadata": {"path": os.path.dirname(path)}},
    )
    client.execute(env={**os.environ, **UNATTENDED_ENV})
    for number, cell in enumerate(notebook.cells):
        shown = unexpected_error_cards(cell, cell.get("outputs", []))
        if shown:
            raise UnexpectedErrorCard(f"cell {number} shows {', '.join(shown)} (tag it {SHOWS_ERROR} if on purpose)")
        if "outputs" in cell:
            cell.outputs = joined_streams(cell.outputs)
    still_checkouts(notebook)
    nbformat.write(notebook, path)


def joined_streams(outputs):
    """Consecutive prints to one stream as one output, as a person sees them (a busy kernel flushes in pieces)."""
    joined = []
    for output in outputs:
        previous = joined[-1] if joined else {}
        if output.get("output_type") == previous.get("output_type") == "stream" and previous["name"] == output["name"]:
            previous["text"] += output["text"]
        else:
            joined.append(output)
    return joined


def still_checkouts(notebook):
    """The stored widget state's checkout frames (and their new-tab links), each now a box that says to run the cell.

    A live frame first asks its shop whether it answers, and the shop of an unattended run is long gone
    by the time someone opens the notebook: on a hub or Binder that request would go to the learner's
    own laptop (``127.0.0.1:<a port of the CI run>``), and locally it would say the shop is gone.
    """
    states = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in states.get("state", {}).values():
        value = model.get("state", {}).get("value")
        if isinstance(value, str) and "<iframe" in value:
            model["state"]["value"] = LIVE_CHECKOUT.sub(lambda m: STILL_CHECKOUT.format(*m.groups()), value)


def main(argv=None):
    """Run the lessons unattended and write their outputs; the first failing cell stops it with its error."""
    from nbclient.exceptions import CellExecutionError

    paths = (sys.argv[1:] if argv is None else argv) or sorted(glob.glob(LESSONS))
    for path in paths:
        print(f"executing {path}", flush=True)
        try:
            execute(path)
        except CellExecutionError as exc:  # its text lacks the error when press_workbench.notebook hid the traceback
            print(f"{path}: {exc.ename}: {exc.evalue}\n{exc}", file=sys.stderr)
            return 1
        except UnexpectedErrorCard as exc:
            print(f"{path}: {exc}; nothing was stored", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
