"""The fidelity report: written from the sandbox alone in ``make test``, from both sides in ``make verify-stripe``.

Offline, this runs every scenario on the sandbox and checks the harness itself:
each scenario ran to its end (or was skipped with its reason), and comparing two
runs ignores ids and timestamps but catches a changed status, code, key or state.
"""

import copy
import os

import pytest

from press_workbench.sandbox.serving import start_sandbox
from tests.fidelity.report import build, compare, mattering, verdict, write
from tests.fidelity.scenarios import SCENARIOS, run_all
from tests.fidelity.target import sandbox_target

REPORT_DIR = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "var", "fidelity")


@pytest.fixture(scope="module")
def sandbox_run(api_target):
    """One offline run of every scenario: the report's, and one side of the comparison (a run takes seconds)."""
    return None if api_target.is_stripe else run_all(api_target)


def test_fidelity_report(api_target, sandbox_run, tmp_path_factory):
    if api_target.is_stripe:
        local = start_sandbox(str(tmp_path_factory.mktemp("fidelity")))
        try:
            runs = {"stripe": run_all(api_target), "sandbox": run_all(sandbox_target(local.url))}
        finally:
            local.stop()
        report = build(runs)
        path = write(report, REPORT_DIR, "report-stripe")
        print(f"fidelity report: {os.path.abspath(path)}")
        assert not mattering(report), f"the sandbox differs from Stripe in {mattering(report)}; see {path}"
        return
    report = build({"sandbox": sandbox_run})
    path = write(report, REPORT_DIR, "report-sandbox")
    by_name = {entry["scenario"]: entry for entry in report["scenarios"]}
    assert list(by_name) == [item.name for item in SCENARIOS]
    for item in SCENARIOS:
        result = by_name[item.name]["results"]["sandbox"]
        if item.stripe_only:
            assert result["skipped"].startswith("needs Stripe (skipped offline)"), item.name
            continue
        labels = [step["step"] for step in result["steps"]]
        assert labels and "aborted" not in labels, (item.name, result["steps"][-1])
    stripe_only = sum(1 for item in SCENARIOS if item.stripe_only)
    assert report["summary"]["not compared"] == len(SCENARIOS) - stripe_only
    assert report["summary"]["skipped"] == stripe_only
    with open(path) as markdown:
        text = markdown.read()
    assert "| A card payment: create, confirm with pm_card_visa, read the charge | both | not run |" in text
    assert "| 3D Secure completed on the challenge page | sandbox-only |" in text


def test_comparing_two_runs_ignores_ids_and_times_but_not_what_code_relies_on(api_target, sandbox_run):
    if api_target.is_stripe:
        pytest.skip("the harness is tested offline; against Stripe the report itself is the result")
    first, second = sandbox_run, run_all(api_target)  # two runs: other ids, other times, the same behaviour
    report = build({"stripe": first, "sandbox": second})
    verdicts = {entry["scenario"]: verdict(entry) for entry in report["scenarios"]}
    assert verdicts == {item.name: "skipped" if item.stripe_only else "same" for item in SCENARIOS}, report

    steps = first[SCENARIOS[1].name]["steps"]  # the declines
    changed = copy.deepcopy(steps)
    changed[0]["error"]["decline_code"] = "do_not_honor"
    changed[1]["error"]["message"] = "Reworded."
    changed[-1]["keys"] = changed[-1]["keys"] + ["brand_new_field"]
    differences = {(d["field"], d["matters"]) for d in compare(changed, steps)}
    assert differences == {("error.decline_code", True), ("error.message", False), ("keys", True)}
    assert compare(changed, steps)[-1]["stripe"] == ["brand_new_field"]  # keys: what only one side has
