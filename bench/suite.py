"""``make bench``: every figure of BENCHMARKS.md, in one run on this machine.

Each measurement is its own module (run alone with ``python -m bench.<module>``);
this runs them in turn, holds the machine's browser lock while Chromium, Voilà or
Jupyter kernels run, prints one table with every target judged, and writes
``bench/results/suite.json`` and ``bench/results/figures.md`` (``--write-doc`` also
puts the table into BENCHMARKS.md).

    .venv/bin/python -m bench.suite                      # everything but the fresh clone, ~15 minutes
    .venv/bin/python -m bench.suite --quick              # a smoke run of every module, ~3 minutes (targets not judged)
    .venv/bin/python -m bench.suite --fresh-clone        # also `make test` on a fresh clone (~10 more minutes)
    .venv/bin/python -m bench.suite --only shop_rate,settle --compare before=/tmp/old   # A/B against another checkout
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench import (
    bank_payments,
    checkout_browser,
    dashboard_first_card,
    fresh_clone,
    growth,
    install_alone,
    load_run,
    notebook_run,
    plugin_overhead,
    report,
    sandbox_rate,
    settle,
    shop_rate,
    workshop_capacity,
)
from bench.browser import browser_lock
from bench.common import RESULTS, ROOT, add_compare_option, compared, machine, write_result

STEPS = (
    "sandbox_rate",
    "install_alone",
    "plugin_overhead",
    "shop_rate",
    "settle",
    "checkout_browser",
    "bank_payments",
    "load_run",
    "dashboard",
    "notebook_run",
    "growth",
    "workshop_capacity",
    "fresh_clone",
)


def plan_steps(args):
    """{step: callable returning its figures}, in the order they run."""
    quick, compare = args.quick, compared(args)
    rate_args = ["--quick"] * quick + ["--no-localstripe"] * args.no_localstripe
    steps = {
        "sandbox_rate": lambda: sandbox_rate.run(sandbox_rate.parser().parse_args(rate_args)),
        "install_alone": lambda: install_alone.run(*((1, 3) if quick else ())),
        "plugin_overhead": lambda: plugin_overhead.run(10 if quick else 30),
        "shop_rate": lambda: shop_rate.run(shop_rate.QUICK if quick else shop_rate.Plan(), compare),
        "settle": lambda: settle.run(settle.QUICK if quick else settle.Plan(), compare),
        "checkout_browser": lambda: locked(
            checkout_browser.run, checkout_browser.QUICK if quick else checkout_browser.Plan()
        ),
        "bank_payments": lambda: locked(bank_payments.run, bank_payments.QUICK if quick else bank_payments.Plan()),
        "load_run": lambda: load_run.run(20 if quick else 200, 5, (0.5, 1.0) if quick else (2.0, 6.0)),
        "dashboard": lambda: locked(dashboard_first_card.run, 1 if quick else 3),
        "notebook_run": lambda: locked(notebook_run.run, 1 if quick else 3),
        "growth": lambda: growth.run(growth.QUICK if quick else growth.Plan()),
        "workshop_capacity": lambda: locked(
            workshop_capacity.run, workshop_capacity.QUICK if quick else workshop_capacity.Plan()
        ),
        "fresh_clone": fresh_clone.run,
    }
    chosen = args.only.split(",") if args.only else [s for s in STEPS if s != "fresh_clone" or args.fresh_clone]
    unknown = set(chosen) - set(STEPS)
    if unknown:
        raise SystemExit(f"unknown steps: {', '.join(sorted(unknown))} (choose from {', '.join(STEPS)})")
    return {step: steps[step] for step in STEPS if step in chosen}


def locked(function, *args):
    with browser_lock():
        return function(*args)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: few rounds, small stores")
    parser.add_argument("--fresh-clone", action="store_true", help="also time `make test` on a fresh clone")
    parser.add_argument("--only", help=f"comma-separated steps: {', '.join(STEPS)}")
    add_compare_option(parser)  # shop_rate and settle
    parser.add_argument("--no-localstripe", action="store_true", help="sandbox_rate without localstripe")
    parser.add_argument("--write-doc", action="store_true", help="put the table into BENCHMARKS.md")
    parser.add_argument("--growth-baseline", metavar="JSON", help="an earlier growth.json to draw beside this run's")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds: every server is stopped
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    started, facts, figures, durations = time.time(), machine(), {}, {}
    for step, measure in plan_steps(args).items():
        print(f"\n== {step}", flush=True)
        began = time.perf_counter()
        figures[step] = measure()
        durations[step] = round(time.perf_counter() - began, 1)
        write_result("suite", {"machine": facts, "commit": commit, "figures": figures, "durations": durations})
    facts["loadavg_at_end"] = os.getloadavg()
    packages = ", ".join(f"{name} {version}" for name, version in facts["packages"].items() if version)
    header = (
        f"{'Smoke run (--quick): targets not judged. ' if args.quick else ''}Measured {facts['date']} on commit "
        f"`{commit}`{' (with uncommitted changes)' if dirty else ''}: {facts['cores']} cores, Python "
        f"{facts['python']}, {facts['platform']}; {packages}. Load average {facts['loadavg'][0]:.1f} at the "
        f"start, {facts['loadavg_at_end'][0]:.1f} at the end; the suite took "
        f"{(time.time() - started) / 60:.1f} min."
    )
    table = report.markdown(figures, header)
    write_result(
        "suite", {"machine": facts, "commit": commit, "figures": figures, "durations": durations, "markdown": table}
    )
    (RESULTS / "figures.md").write_text(table)
    if "growth" in figures:
        where = RESULTS / "growth.png" if args.quick else growth.PLOT  # the committed plot comes from a full run
        baseline = json.loads(Path(args.growth_baseline).read_text()) if args.growth_baseline else None
        print(f"plotted {growth.plot(figures['growth'], where, baseline).relative_to(ROOT)}")
    if args.write_doc:
        report.write_doc(table)
        print("BENCHMARKS.md updated")
    print("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
