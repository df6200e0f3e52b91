"""The integration's code shown in lessons from its files: the right lines, and a loud failure once they move away."""

import ast
import json
import shutil
from pathlib import Path

import pytest

from press_workbench.notebook import WorkbenchError
from press_workbench.notebook.source import MARK, StaleExcerpt, excerpt, stripe_calls
from tests.processes import ROOT

LESSONS = sorted(Path(ROOT, "notebooks").glob("0*.ipynb"))


def test_a_function_is_shown_whole_with_its_decorators_and_marked_lines():
    shown = excerpt("server/press_workbench/shop/webhooks.py", function="receive", mark=("first_time_event",))
    assert shown.lines[0] == '@bp.post("/webhook")' and shown.lines[1] == "def receive():"
    assert shown.lines[-1].strip() == "return jsonify(received=True, handled=True)"
    marked = [line for line in repr(shown).splitlines() if line.startswith("▶")]
    assert len(marked) == 1 and "first_time_event" in marked[0]
    html = shown._repr_html_()
    assert "server/press_workbench/shop/webhooks.py · lines" in html and html.count(f"background:{MARK}") == 1


def test_lines_between_markers_end_at_the_line_that_is_exactly_the_end(tmp_path):
    (tmp_path / "checkout.js").write_text(
        'form.addEventListener("submit", async (event) => {\n'
        "  await new Promise((resolve) => {\n"
        "    resolve();\n"
        "  });\n"
        "  stripe.confirmPayment({});\n"
        "});\n"
        "after();\n"
    )
    shown = excerpt("checkout.js", start='form.addEventListener("submit"', end="});", root=tmp_path)
    assert "confirmPayment" in "\n".join(shown.lines)  # the inner "  });" did not end it
    assert (shown.first, shown.last, shown.lines[-1]) == (1, 6, "});")


def test_an_excerpt_whose_code_moved_away_fails_instead_of_showing_other_lines():
    with pytest.raises(
        StaleExcerpt, match="server/press_workbench/shop/service.py has no Shop.vanished: update the lesson"
    ):
        excerpt("server/press_workbench/shop/service.py", function="Shop.vanished")
    with pytest.raises(StaleExcerpt, match="no longer hold 'verify_header'"):
        excerpt("server/press_workbench/shop/service.py", function="Shop.settle", mark=("verify_header",))


def test_the_shops_stripe_calls_are_read_from_its_code():
    calls = stripe_calls("server/press_workbench/shop")
    assert ("payment_intents", "create") in calls and ("refunds", "create") in calls
    assert calls == sorted(set(calls))


def lesson_excerpts(lesson):
    """(cell number, keyword arguments) of every ``excerpt(...)`` call in a lesson's code cells, as written there."""
    for number, cell in enumerate(json.loads(lesson.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "excerpt":
                (path,) = (ast.literal_eval(arg) for arg in node.args)
                yield number, {"path": path} | {k.arg: ast.literal_eval(k.value) for k in node.keywords}


def check_lesson(lesson, root):
    """Each excerpt of ``lesson`` read from the files under ``root``; a stale one fails naming the lesson's cell."""
    for number, call in lesson_excerpts(lesson):
        try:
            excerpt(**call, root=root)
        except StaleExcerpt as exc:
            raise AssertionError(f"{lesson.name} cell {number}: {exc}") from None


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.stem)
def test_every_lesson_excerpt_holds_what_the_lesson_marks(lesson):
    check_lesson(lesson, ROOT)


def test_an_excerpt_of_a_changed_copy_fails_naming_the_lesson_and_the_line(tmp_path):
    """The issue's experiment: lesson 02 marks ``claimed != order.payment_intent``; the same test, written the
    other way round in a copy of the shop, fails the lesson's check, and the lesson's run under nbval (the
    cell raises ``StaleExcerpt``, which shows as a traceback)."""
    shutil.copytree(Path(ROOT, "server"), tmp_path / "server", ignore=shutil.ignore_patterns("__pycache__"))
    pages = tmp_path / "server/press_workbench/shop/pages.py"
    pages.write_text(pages.read_text().replace("claimed != order.payment_intent", "order.payment_intent != claimed"))
    lesson = Path(ROOT, "notebooks/02_checkout_round_trip.ipynb")
    check_lesson(lesson, ROOT)  # the repository's own file still holds it
    shown = excerpt("server/press_workbench/shop/pages.py", function="complete", root=tmp_path)
    with pytest.raises(AssertionError) as stale:
        check_lesson(lesson, tmp_path)
    assert str(stale.value) == (
        f"02_checkout_round_trip.ipynb cell 15: server/press_workbench/shop/pages.py lines {shown.first}–{shown.last} "
        "no longer hold 'claimed != order.payment_intent': update the lesson."
    )
    assert not issubclass(StaleExcerpt, WorkbenchError), "a card would hide it from nbval"
