"""The lifecycle path (from a payment's events, drawn without overlaps) and how nbval compares notebook outputs."""

import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from nbval.plugin import IPyNbCell, get_sanitize_patterns

from press_workbench.notebook import Workbench
from press_workbench.notebook.lifecycle_svg import (
    BOX_H,
    LABEL_PX,
    SANS_ADVANCE,
    describe,
    layout,
    lifecycle_svg,
    text_width,
)
from press_workbench.notebook.unattended import STRIPE_AND_SHOP_ID, IdNumbers

ROOT = Path(__file__).resolve().parents[2]
DECLINED_THEN_3DS = [
    ("requires_payment_method", "created"),
    ("requires_payment_method", "declined"),
    ("requires_action", "confirm"),
    ("requires_payment_method", "authentication failed"),
    ("requires_action", "confirm"),
    ("succeeded", "authenticated"),
]


def test_the_path_is_read_from_the_payments_events(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_MODE", "sandbox")
    with Workbench("http://127.0.0.1:0") as wb:
        order = wb.create_order(["working-in-public"])
        wb.pay_as_shopper(order, card="4000 0000 0000 0002")
        wb.pay_as_shopper(order, card="4000 0027 6000 3184", authenticate="fail")
        wb.pay_as_shopper(order, card="4000 0027 6000 3184")
        confirmation = order.wait(timeout=10)
        assert confirmation.path == DECLINED_THEN_3DS
        pi = confirmation.payment_intent
        assert wb.path_of(pi) == DECLINED_THEN_3DS
        other = wb.stripe.v1.payment_intents.create(params={"amount": 999, "currency": "usd"})
        canceled = wb.stripe.v1.payment_intents.cancel(other.id)
        assert wb.path_of(canceled) == [("requires_payment_method", "created"), ("canceled", "cancel")]


def test_the_diagram_fills_only_where_the_payment_is_now_and_names_every_step():
    svg = lifecycle_svg(DECLINED_THEN_3DS)
    filled = re.findall(r'fill="#635bff"[^>]*/><text[^>]*>([a-z_]+)</text>', svg)
    assert filled == ["succeeded"]
    boxes = re.findall(r"<rect [^>]*/><text[^>]*>([a-z_]+)</text>", svg)
    assert boxes == [status for status, _ in DECLINED_THEN_3DS]
    for cause in ("declined", "confirm", "authentication failed", "authenticated"):
        assert f">{cause}</text>" in svg
    assert describe(DECLINED_THEN_3DS) in svg  # its title and aria-label, for screen readers


@pytest.mark.parametrize("max_width", [340, 760])
def test_the_diagram_wraps_before_its_width_and_nothing_overlaps(max_width):
    boxes, arrows, width, _ = layout(DECLINED_THEN_3DS * 2, max_width)
    assert width <= max_width
    shapes = [(x, y, x + w, y + BOX_H) for x, y, w, _ in boxes]
    shapes += [(x1, y - 1, x2, y + 1) for x1, x2, y, _, _ in arrows]  # the arrow's line
    shapes += [
        (left, y - 26 - LABEL_PX, left + text_width(cause, SANS_ADVANCE), y - 22)  # its label, descenders too
        for _, _, y, cause, left in arrows
    ]
    for index, (left, top, right, bottom) in enumerate(shapes):
        for other_left, other_top, other_right, other_bottom in shapes[index + 1 :]:
            assert right <= other_left or other_right <= left or bottom <= other_top or other_bottom <= top


def sanitize(text, numbers):
    patterns = [(STRIPE_AND_SHOP_ID.pattern, numbers.replace)]
    patterns += get_sanitize_patterns((ROOT / "notebooks" / "sanitize.cfg").read_text())
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def compared(stored, run):
    """Both texts as nbval compares them, ids numbered as in notebooks/conftest.py."""
    numbers = IdNumbers()
    numbers.register([{"text": stored}], "stored")
    numbers.register([{"text": run}], "run")
    return sanitize(stored, numbers), sanitize(run, numbers)


def test_distinct_ids_stay_distinct_after_sanitizing():
    first, second, third, fourth = (f"pi_3{letter * 23}" for letter in "ABCD")
    same_story = compared(f"{first} then {second}, {first}", f"{third} then {fourth}, {third}")
    assert same_story[0] == same_story[1] == "pi_#1 then pi_#2, pi_#1"
    mixed_up = compared(f"{first} then {second}", f"{third} then {third}")
    assert mixed_up[0] != mixed_up[1]


@pytest.mark.parametrize("status, pi_status", [("paid", "succeeded"), ("processing", "processing")])
def test_only_the_races_of_the_return_page_and_the_webhook_are_blanked(status, pi_status):
    """A paid order, and a bank debit's processing one, are told by whichever of the two arrives first."""
    row = "12:00:0{}    {}            pi_3{} {}  {}"
    stored, run = (
        row.format(1, status, "A" * 23, pi_status, "return page"),
        row.format(2, status, "B" * 23, pi_status, "webhook"),
    )
    assert compared(stored, run)[0] == compared(stored, run)[1]
    stored, run = (
        row.format(1, "failed", "A" * 23, "requires_payment_method", "webhook"),
        row.format(1, "failed", "B" * 23, "requires_payment_method", "return page"),
    )
    assert compared(stored, run)[0] != compared(stored, run)[1]
    html = '<tr style="x"><td style="y">{}</td><td style="y">{} {}</td><td style="y">{}</td></tr>'
    stored = html.format(status, "pi_3" + "A" * 23, pi_status, "return page")
    run = html.format(status, "pi_3" + "B" * 23, pi_status, "webhook")
    assert compared(stored, run)[0] == compared(stored, run)[1]


def test_secrets_ports_and_times_are_blanked_and_prefixes_kept():
    text = "pi_3abcdefghijklmnopqrstuvw_secret_XyZ123 http://127.0.0.1:41234/x 12:34:56"
    assert compared(text, text)[0] == "pi_#1_secret_<SECRET> http://127.0.0.1:<PORT>/x <HH:MM:SS>"


def notebooks_conftest():
    """``notebooks/conftest.py`` loaded as a module of its own (``notebooks`` is no package)."""
    spec = importlib.util.spec_from_file_location("notebooks_conftest", ROOT / "notebooks" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class StubCell:
    """What ``_number_ids`` uses of an nbval cell: its notebook, and a comparison that sanitizes with nbval's code."""

    def __init__(self, notebook):
        self.parent = notebook
        self.compared = None

    def compare_outputs(self, test, ref, skip_compare=None):
        self.compared = [[IPyNbCell.sanitize(self, output["text"]) for output in outputs] for outputs in (ref, test)]
        return self.compared[0] == self.compared[1]


def stream(text):
    return [{"output_type": "stream", "name": "stdout", "text": text}]


def test_the_notebook_hook_numbers_ids_per_notebook_before_nbvals_patterns():
    number_ids = notebooks_conftest()._number_ids
    notebook = SimpleNamespace()
    stored_a, stored_b, run_a, run_b = (f"pi_3{letter * 23}" for letter in "ABCD")
    first = StubCell(notebook)
    number_ids(first)
    notebook.sanitize_patterns.update(get_sanitize_patterns((ROOT / "notebooks" / "sanitize.cfg").read_text()))
    assert first.compare_outputs(stream(f"{run_a} at 12:00:01"), stream(f"{stored_a} at 11:00:00"))
    assert first.compared == [["pi_#1 at <HH:MM:SS>"], ["pi_#1 at <HH:MM:SS>"]]
    second = StubCell(notebook)
    number_ids(second)  # a later cell of the same notebook: the numbering goes on
    assert second.compare_outputs(stream(f"{run_b}, {run_a}"), stream(f"{stored_b}, {stored_a}"))
    assert second.compared == [["pi_#2, pi_#1"], ["pi_#2, pi_#1"]]
    mixed_up = StubCell(notebook)
    number_ids(mixed_up)
    assert not mixed_up.compare_outputs(stream(run_a), stream(stored_b))  # the other PaymentIntent than stored
    never_registered = "pi_3" + "E" * 23
    assert IPyNbCell.sanitize(first, never_registered) == never_registered  # a miss shows, rather than pi_#?
    another = SimpleNamespace()
    number_ids(StubCell(another))
    assert another.id_numbers is not notebook.id_numbers  # each notebook counts from 1
