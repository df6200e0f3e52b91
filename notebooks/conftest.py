"""How ``make test`` runs these notebooks: nbval executes each one and compares the outputs.

Each notebook's kernel starts with ``UNATTENDED_ENV`` (sandbox mode, a shop of its
own, a test shopper who types the card the lesson asks for), and only that
kernel: the environment of the test process is restored as soon as the kernel has
started.

Ids are numbered in order of appearance (``IdNumbers``: ``pi_#1``, ``pi_#2``), so
a mix-up between two ids of one kind still fails.  nbval's ``sanitize.cfg`` is
regular expressions only, so the numbering is hooked in here, as a replacement
function put first among the notebook's sanitizing patterns, fed with each cell's
stored and new outputs just before nbval compares them.

A cell that shows an error card fails, whatever its output tags, unless it is tagged
``shows-error`` (it shows one on purpose): nbval fails only cells that raise, and a card
is a display (``press_workbench.notebook.unattended.unexpected_error_cards``).
"""

import os
from collections import OrderedDict

import pytest
from nbval.plugin import IPyNbCell

from press_workbench.notebook.unattended import (
    SHOWS_ERROR,
    STRIPE_AND_SHOP_ID,
    UNATTENDED_ENV,
    IdNumbers,
    unexpected_error_cards,
)


def _number_ids(cell):
    """Make ``cell`` number ids (one ``IdNumbers`` per notebook) before nbval's patterns run."""
    notebook = cell.parent
    if not hasattr(notebook, "id_numbers"):
        notebook.id_numbers = IdNumbers()
        # nbval adds the sanitize.cfg patterns to this dict when the notebook is set up, after this one
        notebook.sanitize_patterns = OrderedDict([(STRIPE_AND_SHOP_ID.pattern, notebook.id_numbers.replace)])
    compare = cell.compare_outputs

    def numbered_compare(test, ref, skip_compare=None):
        notebook.id_numbers.register(ref, "stored")
        notebook.id_numbers.register(test, "run")
        return compare(test, ref, skip_compare)

    cell.compare_outputs = numbered_compare


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """nbval starts a notebook's kernel while setting up its first cell."""
    if isinstance(item, IPyNbCell):
        _number_ids(item)
    saved = {name: os.environ.get(name) for name in UNATTENDED_ENV}
    os.environ.update(UNATTENDED_ENV)
    try:
        return (yield)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After nbval ran a cell (and compared its outputs, if it does), fail it for an error card nobody meant."""
    result = yield
    if isinstance(item, IPyNbCell):
        shown = unexpected_error_cards(item.cell, item.test_outputs or [])
        if shown:
            item.raise_cell_error(f"The cell showed {', '.join(shown)}: tag it {SHOWS_ERROR} if on purpose")
    return result
