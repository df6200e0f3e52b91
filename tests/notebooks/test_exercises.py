"""Exercises a learner can check: right for the right answers, not yet (with a hint) otherwise; folded solutions.

The right answers are found live against the sandbox, as the lessons find them;
these tests pin down that ``check`` tells a wrong answer from a right one.  The
guard that keeps Run All off a folded solution is tested here with the metadata
JupyterLab sends, and in a real JupyterLab in ``test_lessons_in_jupyterlab.py``.
"""

import pytest

from press_workbench.notebook import Workbench, WorkbenchError
from press_workbench.notebook import exercises as exercises_module

OWN_SHOP = "http://127.0.0.1:0"
FOLDED = {"tags": ["solution"], "jupyter": {"source_hidden": True, "outputs_hidden": True}}


@pytest.fixture(scope="module")
def wb(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("exercises"))
        patch.setenv("WORKBENCH_MODE", "sandbox")
        patch.delenv("WORKBENCH_AUTOPAY", raising=False)
        with Workbench(OWN_SHOP) as workbench:
            yield workbench


def test_a_wrong_answer_is_not_yet_with_a_hint_and_no_giveaway(wb):
    check = wb.exercises("01")
    verdict = check(1, code="card_declined", decline_code="generic_decline", shopper_sees=...)
    assert not verdict.right and verdict.marks == {
        "code": "right",
        "decline_code": "wrong",
        "shopper_sees": "not answered",
    }
    shown = repr(verdict)
    assert "Exercise 1: a lost card · not yet" in shown
    assert "✗ not 'generic_decline'. Hint: `error.error.decline_code`: the bank's reason." in shown
    assert "lost_card" not in shown and "Why:" not in shown  # neither the answer nor the explanation


def test_the_right_answers_are_right_and_explained(wb):
    check = wb.exercises("01")
    verdict = check(1, code=" Card_Declined ", decline_code="lost_card", shopper_sees="Your card was declined.")
    assert verdict.right and "Why: the bank says the card was reported lost" in repr(verdict)
    assert check(4, events=("charge.captured", "payment_intent.amount_capturable_updated")).right  # any order
    assert check(5, without_key=2, with_key=1).right
    assert not check(5, without_key=1, with_key=1).right  # the lost create did reach Stripe


def test_lesson_02_checks_the_webhook_answers(wb):
    check = wb.exercises("02")
    assert check(2, forged="400", replayed=200, order_changed="false").right
    assert check(2, forged=400, replayed=400, order_changed=False).marks["replayed"] == "wrong"


def test_asking_for_an_answer_the_exercise_does_not_take_says_which_it_takes(wb):
    with pytest.raises(WorkbenchError, match="Exercise 2 takes status, error_code; got state"):
        wb.exercises("01")(2, state="canceled")


@pytest.mark.parametrize(
    ("metadata", "autopay", "runs"),
    [
        (FOLDED, None, False),  # Run All in JupyterLab: the folded solution is left alone
        ({**FOLDED, "jupyter": {"source_hidden": False}}, None, True),  # opened by the learner: it runs
        ({"tags": ["solution"]}, None, True),  # never folded (or another client, which sends no metadata)
        (FOLDED, "1", True),  # nbval and the unattended runs check every solution
        ({"jupyter": {"source_hidden": True}}, None, True),  # folded, but not a solution
    ],
)
def test_a_folded_solution_is_not_run_until_opened(monkeypatch, metadata, autopay, runs):
    monkeypatch.setattr(exercises_module, "_cell_metadata", lambda: metadata)
    if autopay:
        monkeypatch.setenv("WORKBENCH_AUTOPAY", autopay)
    else:
        monkeypatch.delenv("WORKBENCH_AUTOPAY", raising=False)
    code = ["answer = 42\n"]
    assert (exercises_module._guard(code) == code) is runs
