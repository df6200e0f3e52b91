"""The fidelity report: Stripe's answers beside the sandbox's, scenario by scenario, step by step.

``compare`` lines the two runs up by step label and lists what differs.  A
difference *matters* when it changes what code can rely on: the HTTP status, an
error's type/code/param/decline_code, an object's type, keys or state fields, or a
noted fact.  A different error message is listed as *wording* only.  ``write``
saves the report as JSON (for tools) and Markdown (for people); a run on the
sandbox alone has the same format, with the Stripe column empty.
"""

import datetime
import json
import os

import stripe

from press_workbench.sandbox.pipeline.versions import API_VERSION
from tests.fidelity.scenarios import SCENARIOS

WORDING = {"error.message"}


def build(runs, scenarios=None):
    """The report for ``runs`` ({"stripe": results, "sandbox": results}, either may be missing)."""
    entries = []
    for item in scenarios or SCENARIOS:
        results = {side: run.get(item.name) for side, run in runs.items()}
        entry = {"scenario": item.name, "kind": kind_of(item), "results": results}
        if {"stripe", "sandbox"} <= set(runs) and all("steps" in (r or {}) for r in results.values()):
            entry["differences"] = compare(results["stripe"]["steps"], results["sandbox"]["steps"])
        entries.append(entry)
    return {
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "sides": sorted(runs),
        "sandbox_api_version": API_VERSION,
        "client": f"stripe-python {stripe.VERSION}, Stripe-Version {stripe.api_version}",
        "scenarios": entries,
        "summary": summarize(entries),
    }


def kind_of(item):
    return "sandbox-only" if item.sandbox_only else "stripe-only" if item.stripe_only else "both"


def compare(stripe_steps, sandbox_steps):
    """Differences between two runs of one scenario, in step order."""
    stripe_by, sandbox_by = ({s["step"]: s for s in steps} for steps in (stripe_steps, sandbox_steps))
    labels = list(stripe_by) + [label for label in sandbox_by if label not in stripe_by]
    differences = []
    for label in labels:
        left, right = flatten(stripe_by.get(label)), flatten(sandbox_by.get(label))
        for path in sorted(set(left) | set(right)):
            mine, theirs = left.get(path, MISSING), right.get(path, MISSING)
            if mine == theirs or (path == "item_keys" and None in (mine, theirs)):  # an empty list: nothing to compare
                continue
            if path in KEY_LISTS and isinstance(mine, list) and isinstance(theirs, list):
                mine, theirs = sorted(set(mine) - set(theirs)), sorted(set(theirs) - set(mine))
            differences.append(
                {"step": label, "field": path, "stripe": mine, "sandbox": theirs, "matters": path not in WORDING}
            )
    return differences


MISSING = "(absent)"
KEY_LISTS = {"keys", "item_keys"}  # reported as the keys only one side has


def flatten(step):
    """A step as {dotted field: value}; keys lists are compared as sets and reported as what is extra."""
    if step is None:
        return {"step": MISSING}
    flat = {}
    for name, value in step.items():
        if name == "step":
            continue
        if isinstance(value, dict) and name in ("error", "fields"):
            flat.update({f"{name}.{k}": v for k, v in value.items()})
        else:
            flat[name] = value
    return flat


def summarize(entries):
    counts = {"scenarios": len(entries), "same": 0, "wording only": 0, "differ": 0, "skipped": 0, "not compared": 0}
    for entry in entries:
        counts[verdict(entry)] += 1
    return counts


def verdict(entry):
    if any("skipped" in (r or {}) for r in entry["results"].values()):
        return "skipped"
    if "differences" not in entry:
        return "not compared"
    if any(d["matters"] for d in entry["differences"]):
        return "differ"
    return "wording only" if entry["differences"] else "same"


def mattering(report):
    """The scenarios whose differences matter."""
    return [e["scenario"] for e in report["scenarios"] if verdict(e) == "differ"]


def write(report, directory, name):
    """Save ``<name>.json`` and ``<name>.md`` under ``directory``; returns the Markdown path."""
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, f"{name}.json"), "w") as out:
        json.dump(report, out, indent=2, default=str)
    path = os.path.join(directory, f"{name}.md")
    with open(path, "w") as out:
        out.write(markdown(report))
    return path


def markdown(report):
    lines = [
        "# Sandbox fidelity report",
        "",
        (
            f"Generated {report['generated']}; compared: {' and '.join(report['sides'])}; "
            f"sandbox API version {report['sandbox_api_version']}; client {report['client']}."
        ),
        "",
        "Summary: " + ", ".join(f"{n} {k}" for k, n in report["summary"].items()),
        "",
        "| scenario | kind | Stripe | sandbox | verdict |",
        "|---|---|---|---|---|",
    ]
    for entry in report["scenarios"]:
        cells = [_cell(entry["results"].get(side)) for side in ("stripe", "sandbox")]
        lines.append(f"| {entry['scenario']} | {entry['kind']} | {cells[0]} | {cells[1]} | {verdict(entry)} |")
    for entry in report["scenarios"]:
        lines += ["", f"## {entry['scenario']}", ""]
        for side, result in entry["results"].items():
            if result and "skipped" in result:
                lines.append(f"- {side}: skipped — {result['skipped']}")
        for difference in entry.get("differences", []):
            tag = "**differs**" if difference["matters"] else "wording"
            lines.append(
                f"- {tag} at `{difference['step']}` `{difference['field']}`: Stripe "
                f"`{_short(difference['stripe'])}`, sandbox `{_short(difference['sandbox'])}`"
            )
        for side, result in entry["results"].items():
            for step in (result or {}).get("steps", []):
                lines.append(f"- {side} `{step['step']}`: {_summary(step)}")
    return "\n".join(lines) + "\n"


def _cell(result):
    if result is None:
        return "not run"
    if "skipped" in result:
        return "skipped"
    statuses = [str(step.get("status", "·")) for step in result["steps"]]
    return " ".join(statuses)


def _summary(step):
    if "error" in step:
        error = step["error"]
        parts = [
            str(step["status"]),
            error.get("type"),
            error.get("code"),
            error.get("param"),
            error.get("decline_code"),
        ]
        return " / ".join(str(p) for p in parts if p) + f" — {_short(error.get('message'), 160)}"
    if "value" in step:
        return f"`{_short(step['value'])}`"
    fields = step.get("fields", {})
    state = ", ".join(f"{k}={_short(v)}" for k, v in fields.items() if k in ("status", "capture_method", "type"))
    return f"{step.get('status')} {step.get('object')}" + (f" ({state})" if state else "")


def _short(value, limit=90):
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 1] + "…"
