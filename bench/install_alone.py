#!/usr/bin/env python3
"""``pip install <this repository>`` (no extras) vs ``pip install localstripe``, and their servers' start → ready.

What someone who wants the sandbox in their own tests pays, next to the one other
stateful Python stand-in.  Everything happens in fresh virtual environments in a
temporary folder outside the repository:

- **Install**: ``python -m venv``, then ``pip install`` timed alone, of a ``git archive``
  of the committed HEAD (as a git URL would give it; pip builds the wheel) or of
  ``localstripe==1.15.10``.  Twice per round: ``--no-cache-dir`` (a first install:
  downloads from the machine's indexes included) and again from pip's cache.  Size is
  what the install added under the venv (file sizes, ``.pyc`` included), and the
  distributions it added.  Rounds alternate between the two; the first round also
  installs ``<repo>[notebook]``, what a plain install gave before the notebook extra.
- **Start → ready**: ``workbench sandbox`` and ``localstripe`` from those venvs, each
  start with fresh data, until ``GET /v1/payment_intents?limit=1`` answers 200 (polled
  every 10 ms); starts alternate.

    .venv/bin/python -m bench.install_alone            # 3 install rounds, 10 starts each: about 5 minutes
    .venv/bin/python -m bench.install_alone --quick    # 1 round, 3 starts

Results: a table on stdout and ``bench/results/install_alone.json``.
"""

import http.client
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, BenchError, machine, quick_main, write_result
from bench.sandbox_rate import LOCALSTRIPE_PICKLE, LOCALSTRIPE_REQUIREMENT, STRIPE_HEADERS
from tests.processes import free_port

NOTEBOOK_DISTRIBUTIONS = ("jupyterlab", "voila", "ipywidgets")


def tree_bytes(path):
    """The sizes of every file under ``path`` (what ``du --apparent-size`` counts)."""
    return sum(entry.stat().st_size for entry in Path(path).rglob("*") if entry.is_file() and not entry.is_symlink())


def distributions(python):
    listed = subprocess.run(
        [python, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    return {item["name"].lower() for item in json.loads(listed)}


def install(requirement, venv, cache):
    """Seconds ``pip install requirement`` takes in a new venv at ``venv``; bytes and distributions it added."""
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, capture_output=True)
    python = str(venv / "bin" / "python")
    before_bytes, before = tree_bytes(venv), distributions(python)
    command = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement]
    started = time.perf_counter()
    done = subprocess.run(command + ([] if cache else ["--no-cache-dir"]), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise BenchError(f"pip install {requirement} failed:\n{done.stderr[-2000:]}")
    added = distributions(python) - before
    return {"seconds": seconds, "bytes": tree_bytes(venv) - before_bytes, "distributions": sorted(added)}


def time_to_ready(command, cwd, env):
    """Seconds from starting ``command`` until it answers the API (the server is then stopped)."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "--port", str(port)], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        while True:
            if process.poll() is not None:
                raise BenchError(f"{command[0]} exited with {process.returncode} before answering")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            try:
                connection.request("GET", "/v1/payment_intents?limit=1", headers=STRIPE_HEADERS)
                if connection.getresponse().status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            finally:
                connection.close()
            if time.perf_counter() - started > 60:
                raise BenchError(f"{command[0]} did not answer within 60 s")
            time.sleep(0.01)
    finally:
        process.terminate()
        process.wait(10)


def source_of_head(work):
    """A ``git archive`` of the committed HEAD, as pip gets it from a git URL; (path, commit)."""
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    source = work / "press-workbench"
    source.mkdir()
    archive = subprocess.Popen(["git", "archive", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(source)], stdin=archive.stdout, check=True)
    archive.wait()
    return source, commit.stdout.strip()


def median(rows, key):
    return statistics.median(row[key] for row in rows)


def run(rounds=3, starts=10, say=print):
    """Measure; print the table; write ``bench/results/install_alone.json``; return the results."""
    pickle_was_there = LOCALSTRIPE_PICKLE.exists()
    with tempfile.TemporaryDirectory(prefix="bench-install-") as tmp:
        work = Path(tmp)
        source, commit = source_of_head(work)
        requirements = {
            "press-workbench": str(source),
            "localstripe": LOCALSTRIPE_REQUIREMENT,
            "press-workbench[notebook]": f"{source}[notebook]",  # what the base install was before it was split
        }
        installs = {name: {"first": [], "cached": []} for name in requirements}
        for number in range(rounds):
            for name, requirement in requirements.items():
                if name.endswith("[notebook]") and number:
                    continue  # once is enough to see its size and time, and it takes minutes
                say(f"  round {number + 1}/{rounds}: pip install {name} (first, then from the cache) …")
                for kind in ("first", "cached"):
                    installs[name][kind].append(install(requirement, work / f"venv-{name}", kind == "cached"))
        ours = installs["press-workbench"]["cached"][-1]["distributions"]
        notebook = [name for name in NOTEBOOK_DISTRIBUTIONS if name in ours]
        if notebook:
            raise BenchError(f"pip install <repo> installed {', '.join(notebook)}: the notebook parts are an extra")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "LANG": "C.UTF-8"}  # nothing of this checkout
        commands = {
            "press-workbench": [str(work / "venv-press-workbench" / "bin" / "workbench"), "sandbox", "--data-dir"],
            "localstripe": [str(work / "venv-localstripe" / "bin" / "localstripe"), "--from-scratch"],
        }
        ready = {name: [] for name in commands}
        say(f"  {starts} starts each, alternating …")
        for number in range(starts):
            for name, command in commands.items():
                data = [str(work / f"data-{number}")] if name == "press-workbench" else []
                ready[name].append(time_to_ready(command + data, work, env))
    if not pickle_was_there:
        LOCALSTRIPE_PICKLE.unlink(missing_ok=True)  # localstripe's store, at a path of its own choosing
    results = {
        "commit": commit,
        "rounds": rounds,
        "starts": starts,
        "machine": machine(),
        "install": {
            name: {
                kind: {
                    "median_seconds": median(rows, "seconds"),
                    "median_bytes": median(rows, "bytes"),
                    "distributions": rows[-1]["distributions"],
                    "rounds": rows,
                }
                for kind, rows in kinds.items()
            }
            for name, kinds in installs.items()
        },
        "start_to_ready": {name: {"median": statistics.median(s), "seconds": s} for name, s in ready.items()},
    }
    print_table(results)
    say(f"\nWrote {write_result('install_alone', results).relative_to(ROOT)}")
    return results


def print_table(results):
    print(f"\n{'':<28}{'first install':>15}{'from cache':>12}{'size':>10}{'packages':>10}{'start → ready':>15}")
    for name, kinds in results["install"].items():
        first, cached = kinds["first"], kinds["cached"]
        ready = results["start_to_ready"].get(name)
        print(
            f"{name:<28}{first['median_seconds']:>14.1f}s{cached['median_seconds']:>11.1f}s"
            f"{first['median_bytes'] / 1e6:>8.1f}MB{len(first['distributions']):>10}"
            + (f"{ready['median']:>14.2f}s" if ready else "")
        )


def main(argv=None):
    return quick_main(
        argv, __doc__, "one install round and three starts each", lambda quick: run(*((1, 3) if quick else ()))
    )


if __name__ == "__main__":
    sys.exit(main())
