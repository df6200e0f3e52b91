"""A lesson's run fails on what would otherwise show quietly: a stale excerpt, or an error card nobody meant.

nbval fails a cell only when it raises, and ``press_workbench.notebook`` shows Stripe errors and
``WorkbenchError``s as cards instead of tracebacks; in a cell tagged ``nbval-ignore-output`` such a
card passed every run.  Now a stale excerpt raises ``StaleExcerpt`` (a traceback), and
``notebooks/conftest.py`` fails a cell that shows an error card unless it is tagged ``shows-error``.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from press_workbench.notebook import WorkbenchError
from press_workbench.notebook.display import error_card
from press_workbench.notebook.unattended import SHOWS_ERROR, unexpected_error_cards
from tests.processes import ROOT

LESSONS = sorted(Path(ROOT, "notebooks").glob("0*.ipynb"))
IGNORE_OUTPUT = {"tags": ["nbval-ignore-output"]}
ANSI_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
CELLS = [  # (source, metadata) of a notebook run under nbval with the lessons' conftest.py
    ("from press_workbench.notebook.display import install\ninstall()", {}),
    (
        "from press_workbench.notebook.source import excerpt\n"
        "excerpt('server/press_workbench/shop/pages.py', function='complete', mark=('a line never written',))",
        IGNORE_OUTPUT,
    ),
    (
        "from press_workbench.notebook import WorkbenchError\nraise WorkbenchError('the shop is not answering')",
        IGNORE_OUTPUT,
    ),
    ("raise WorkbenchError('shown on purpose')", {"tags": ["nbval-ignore-output", SHOWS_ERROR]}),
]


def html(card):
    return {"output_type": "display_data", "data": {"text/html": card._repr_html_(), "text/plain": repr(card)}}


def test_an_error_card_is_unexpected_unless_its_cell_is_tagged():
    shown = [html(error_card(WorkbenchError("the shop is not answering")))]
    assert unexpected_error_cards({"metadata": {}}, shown) == ["WorkbenchError · error"]
    assert unexpected_error_cards({"metadata": {"tags": [SHOWS_ERROR]}}, shown) == []


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.stem)
def test_committed_outputs_show_error_cards_only_in_cells_tagged_shows_error(lesson):
    cells = nbformat.read(lesson, as_version=4).cells
    shown = {number: unexpected_error_cards(cell, cell.get("outputs", [])) for number, cell in enumerate(cells)}
    assert {number: cards for number, cards in shown.items() if cards} == {}
    tagged = [cell for cell in cells if SHOWS_ERROR in cell.metadata.get("tags", [])]
    assert all(unexpected_error_cards({"metadata": {}}, cell.outputs) for cell in tagged), "a tag with no card"


def test_nbval_fails_a_stale_excerpt_and_an_unmeant_card_whatever_the_output_tags(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source, metadata=metadata) for source, metadata in CELLS]
    nbformat.write(notebook, tmp_path / "lesson.ipynb")
    shutil.copy(Path(ROOT, "notebooks", "conftest.py"), tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env", "lesson.ipynb"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = ANSI_COLOURS.sub("", result.stdout)  # IPython colours the kernel's traceback
    assert "lesson.ipynb .FF." in report and "2 failed, 2 passed" in report, report + result.stderr
    stale = r"StaleExcerpt: server/press_workbench/shop/pages.py lines \d+–\d+ no longer hold 'a line never written'"
    assert re.search(stale, report)
    assert "Cell 2: The cell showed WorkbenchError · error: tag it shows-error if on purpose" in report
