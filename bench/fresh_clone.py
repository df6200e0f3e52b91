"""``make test`` on a fresh clone: what CI and a new contributor wait for (minutes; the suite's ``--fresh-clone``).

``git clone`` this repository (its committed HEAD: commit first) into a temporary
folder and time ``make test`` there, under the shared browser lock, from creating
``.venv`` (pip's cache makes that quick on a machine that installed before) to the
last test.  pytest's closing line is kept with the time.
"""

import argparse
import re
import subprocess
import tempfile
import time
from pathlib import Path

from bench.browser import LOCK
from bench.common import ROOT, machine, write_result

TARGET = 600.0  # seconds (issue 13: under 10 minutes)
SUMMARY = re.compile(r"=+ (.*(passed|failed).*) in [\d.]+s")


def run(say=print):
    with tempfile.TemporaryDirectory(prefix="bench-clone-") as tmp:
        clone = Path(tmp) / "press-workbench"
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        say(f"  make test on a fresh clone of {commit[:10]} (several minutes) …")
        started = time.perf_counter()
        finished = subprocess.run(
            ["flock", LOCK, "make", "test"], cwd=clone, capture_output=True, text=True, check=False
        )  # a failure is a finding
        seconds = time.perf_counter() - started
    output = finished.stdout + finished.stderr
    summary = SUMMARY.findall(output)
    result = {
        "commit": commit,
        "seconds": seconds,
        "exit_code": finished.returncode,
        "target_seconds": TARGET,
        "pytest_summary": summary[-1][0] if summary else None,
        "machine": machine(),
        "output_tail": output[-3000:],
    }
    write_result("fresh_clone", result)
    return result


def main():
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    result = run()
    print(
        f"make test on a fresh clone: {result['seconds'] / 60:.1f} min, exit {result['exit_code']}: "
        f"{result['pytest_summary']}"
    )


if __name__ == "__main__":
    main()
