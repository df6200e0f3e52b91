"""The integration's code shown in lessons from its files: the right lines, and a loud failure once they move away."""

import pytest

from press_workbench.notebook import WorkbenchError
from press_workbench.notebook.source import MARK, excerpt, stripe_calls


def test_a_function_is_shown_whole_with_its_decorators_and_marked_lines():
    shown = excerpt("server/press_workbench/shop/webhooks.py", function="receive", mark=("first_time_event",))
    assert shown.lines[0] == '@bp.post("/webhook")' and shown.lines[1] == "def receive():"
    assert shown.lines[-1].strip() == "return jsonify(received=True, handled=True)"
    marked = [line for line in repr(shown).splitlines() if line.startswith("▶")]
    assert len(marked) == 1 and "first_time_event" in marked[0]
    html = shown._repr_html_()
    assert "server/press_workbench/shop/webhooks.py · lines" in html and html.count(f"background:{MARK}") == 1


def test_lines_between_markers_end_at_the_line_that_is_exactly_the_end():
    shown = excerpt(
        "server/press_workbench/shop/static/js/checkout.js", start='form.addEventListener("submit"', end="  });"
    )
    assert "confirmPayment" in "\n".join(shown.lines)  # the inner "    });" did not end it
    assert shown.lines[-1] == "  });"


def test_an_excerpt_whose_code_moved_away_fails_instead_of_showing_other_lines():
    with pytest.raises(
        WorkbenchError, match="server/press_workbench/shop/service.py has no Shop.vanished: update the lesson"
    ):
        excerpt("server/press_workbench/shop/service.py", function="Shop.vanished")
    with pytest.raises(WorkbenchError, match="no longer hold 'verify_header'"):
        excerpt("server/press_workbench/shop/service.py", function="Shop.settle", mark=("verify_header",))


def test_the_shops_stripe_calls_are_read_from_its_code():
    calls = stripe_calls("server/press_workbench/shop")
    assert ("payment_intents", "create") in calls and ("refunds", "create") in calls
    assert calls == sorted(set(calls))
