#!/usr/bin/env python3
"""What the ``stripe_sandbox`` plugin costs every pytest run of an environment that has Press Workbench.

Installing the package registers the plugin (entry point ``pytest11``), so pytest loads it in every
project of that environment, including one that never uses its fixtures.  This measures that cost:

- a fresh virtual environment in a temporary folder, with a ``git archive`` of the committed HEAD
  and pytest installed offline from ``.venv/wheelhouse`` (``make install`` downloads it), as
  ``tests/plugin/test_installed_alone.py`` builds it: nothing else that could load with pytest;
- a project there with one test that uses no fixture;
- ``python -m pytest -q`` in it, with the plugin and with ``-p no:stripe_sandbox``, alternating,
  so load from elsewhere lands on both sides.  Each run's CPU time (user + system, the process's
  own work) and wall-clock time, start to exit.

The overhead is the median of the per-round differences in CPU time, the ratio the median of
per-round ratios of CPU time: on a machine shared with other jobs, wall-clock starts of a few hundred
milliseconds move by more than the plugin costs (pairs measured 0.4–1.7 s at load average 6), while
CPU time moves by a few tens of milliseconds; on an idle machine the two agree.  The wall-clock
medians are reported too.  The same venv also times the import itself (``import
press_workbench.pytest_plugin`` after ``import pytest``, in a process of its own each time).

    .venv/bin/python -m bench.plugin_overhead            # 30 rounds: under a minute
    .venv/bin/python -m bench.plugin_overhead --quick    # 10 rounds

Results: printed and ``bench/results/plugin_overhead.json``.
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, BenchError, machine, quick_main, write_result
from bench.install_alone import source_of_head

WHEELHOUSE = ROOT / ".venv" / "wheelhouse"
SIDES = {"with the plugin": (), "-p no:stripe_sandbox": ("-p", "no:stripe_sandbox")}
PYTEST = ("-m", "pytest", "-p", "no:cacheprovider")
IMPORT_PLUGIN = (
    "import time, pytest; started = time.perf_counter(); import press_workbench.pytest_plugin; "
    "print(time.perf_counter() - started)"
)


def fresh_venv(work):
    """A venv with this repository (no extras) and pytest, offline from the wheelhouse; returns its python."""
    if not WHEELHOUSE.is_dir():
        raise BenchError(f"{WHEELHOUSE} is missing: `make install` downloads the wheels this bench installs")
    source, commit = source_of_head(work)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    python = str(work / "venv" / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")} | {"PIP_CONFIG_FILE": os.devnull}
    install = [sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-index"]
    done = subprocess.run(
        [*install, "--find-links", str(WHEELHOUSE), str(source), "pytest"], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise BenchError(f"installing into the fresh venv failed:\n{done.stderr[-2000:]}")
    return python, commit


def cpu_seconds():
    """User + system CPU seconds of the children this process has waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pytest_run(python, project, options, quiet=True):
    """One ``python -m pytest`` in ``project``: {"cpu", "wall"} seconds, start to exit; and what it printed."""
    env = {"PATH": f"{Path(python).parent}:/usr/bin:/bin", "HOME": str(project), "LANG": "C.UTF-8"}
    cpu, started = cpu_seconds(), time.perf_counter()
    done = subprocess.run(
        [python, *PYTEST, *(["-q"] if quiet else []), *options], cwd=project, env=env, capture_output=True, text=True
    )
    spent = {"cpu": cpu_seconds() - cpu, "wall": time.perf_counter() - started}
    if done.returncode or "1 passed" not in done.stdout:
        raise BenchError(f"pytest {' '.join(options)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return spent, done.stdout


def check_sides(python, project):
    """The plugin is loaded on one side and not on the other, or the difference would mean nothing."""
    for side, options in SIDES.items():
        _, output = pytest_run(python, project, options, quiet=False)
        plugins = next((line for line in output.splitlines() if line.startswith("plugins:")), "")
        if ("press-workbench" in plugins) != (side == "with the plugin"):
            raise BenchError(f"{side}: pytest's plugins line is {plugins!r}")


def run(rounds=30, say=print):
    """Measure; print the figures; write ``bench/results/plugin_overhead.json``; return the results."""
    with tempfile.TemporaryDirectory(prefix="bench-plugin-") as tmp:
        work = Path(tmp)
        python, commit = fresh_venv(work)
        project = work / "project"
        project.mkdir()
        (project / "test_nothing.py").write_text("def test_nothing_of_stripe():\n    assert True\n")
        check_sides(python, project)
        pytest_run(python, project, ())  # the first run writes the venv's .pyc files: not a start anyone repeats
        say(f"  {rounds} rounds of pytest starts, with and without the plugin, alternating …")
        times = {side: [] for side in SIDES}
        for _ in range(rounds):
            for side, options in SIDES.items():
                times[side].append(pytest_run(python, project, options)[0])
        imports = [float(subprocess.check_output([python, "-c", IMPORT_PLUGIN], text=True)) for _ in range(rounds)]
    cpu = {side: [spent["cpu"] for spent in runs] for side, runs in times.items()}
    pairs = list(zip(cpu["with the plugin"], cpu["-p no:stripe_sandbox"], strict=True))
    results = {
        "commit": commit,
        "rounds": rounds,
        "machine": machine(),
        "median_cpu_seconds": {side: statistics.median(values) for side, values in cpu.items()},
        "median_wall_seconds": {side: statistics.median(s["wall"] for s in runs) for side, runs in times.items()},
        "overhead_seconds": statistics.median(a - b for a, b in pairs),
        "ratio": statistics.median(a / b for a, b in pairs),
        "import_seconds": statistics.median(imports),
        "runs": times,
    }
    medians, wall = results["median_cpu_seconds"], results["median_wall_seconds"]
    say(
        f"  pytest start → exit, CPU median: {1000 * medians['with the plugin']:.0f} ms with the plugin, "
        f"{1000 * medians['-p no:stripe_sandbox']:.0f} ms with -p no:stripe_sandbox (wall clock "
        f"{1000 * wall['with the plugin']:.0f} / {1000 * wall['-p no:stripe_sandbox']:.0f} ms); overhead "
        f"{1000 * results['overhead_seconds']:.1f} ms, ratio {results['ratio']:.3f}; importing the plugin "
        f"after pytest: {1000 * results['import_seconds']:.1f} ms"
    )
    say(f"Wrote {write_result('plugin_overhead', results).relative_to(ROOT)}")
    return results


def main(argv=None):
    return quick_main(argv, __doc__, "10 rounds", lambda quick: run(10 if quick else 30))


if __name__ == "__main__":
    sys.exit(main())
