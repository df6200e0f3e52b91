"""What every measurement shares: the machine it ran on, percentiles, timed loops and the results files.

Every figure the suite prints carries its N, and every results file the machine (cores, Python,
package versions), the load average and the date, so figures from different runs are never
compared blind.
"""

import argparse
import datetime
import importlib.metadata
import itertools
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PACKAGES = (
    "stripe",
    "flask",
    "werkzeug",
    "waitress",
    "requests",
    "voila",
    "jupyter_server",
    "nbclient",
    "ipykernel",
    "playwright",
)


class BenchError(RuntimeError):
    """A server answered something other than what it should: the figures would be meaningless."""


def machine():
    """Where and when: cores, Python, platform, the versions that shape the figures, load average, date."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": versions,
        "loadavg": os.getloadavg(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def percentile(values, q):
    """The q-th percentile (inclusive method, as the load run has always used)."""
    values = list(values)
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def distribution(values, digits=3):
    """``{"n", "p50", "p95", "max"}`` of a list of seconds (None when empty)."""
    values = list(values)
    if not values:
        return None
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), digits),
        "p95": round(percentile(values, 95), digits),
        "max": round(max(values), digits),
    }


def run_ops(make_worker, count, workers=1, seconds=60.0):
    """Run ``count`` operations over ``workers`` threads, each with its own ``make_worker()`` callable.

    Stops at ``seconds`` if not done; the first exception stops every thread and is raised
    here.  Returns (operations done, elapsed seconds).
    """
    tickets, done, errors = itertools.count(), itertools.count(), []
    start = time.perf_counter()
    deadline = start + seconds

    def work():
        operation = None
        try:
            operation = make_worker()
            while not errors and next(tickets) < count and time.perf_counter() < deadline:
                operation()
                next(done)
        except Exception as exc:  # noqa: BLE001 — handed to the main thread, which raises it
            errors.append(exc)
        finally:
            if hasattr(operation, "close"):
                operation.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return next(done), elapsed


def quick_main(argv, doc, quick_help, measure):
    """A measurement module's command line: ``measure(quick)`` with ``--quick`` or not; a ``BenchError`` is one line."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args(argv)
    try:
        measure(args.quick)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    return 0


def add_compare_option(parser):
    """``--compare LABEL=DIR`` (repeatable): also measure the checkout in DIR, in the same alternating rounds."""
    parser.add_argument(
        "--compare",
        metavar="LABEL=DIR",
        action="append",
        default=[],
        help="also measure the checkout in DIR (e.g. git archive REF | tar -x -C DIR), same rounds",
    )


def compared(args):
    """{label: checkout dir} from ``--compare``."""
    return dict(spec.split("=", 1) for spec in args.compare)


def write_result(name, data):
    """``bench/results/<name>.json`` (git-ignored); returns its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def load_result(name):
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
