"""``make mutation``: cosmic-ray mutates the guards that keep money and state safe, and their tests must notice.

Each guard function below is mutated on disk, one change at a time (a ``!=`` made ``==``, an ``or``
made ``and``, a constant changed, …), and the tests chosen for it run against the mutant: a mutant
they fail is *killed*; one they pass *survived*, a change to the guard no test notices.  cosmic-ray
runs a test command in a subprocess, so it sees the shop and sandbox that tests start as processes
of their own, where in-process tools (mutmut 3) see no coverage at all.

Where it runs: a scratch copy of this checkout (the files git tracks, uncommitted changes included),
never the working tree other test runs use, with a virtual environment of its own that holds an
editable install of the copy (its dependencies are this checkout's ``.venv``'s, read-only).  With
``--jobs 2`` (the default) two copies take turns on the targets, one per core.

Only the named functions are mutated (cosmic-ray's ``definition_name``: the innermost enclosing
function); every other mutant of their modules is marked skipped before the run.  Each target's
tests are the ones about that guard, run with ``-x`` and without the plugins they do not use, so
the whole run fits in 30 minutes on 2 cores.

    .venv/bin/python -m tests.mutation                   # everything: a report in var/mutation/
    .venv/bin/python -m tests.mutation --only check_belongs,sign   # some functions

The report (``var/mutation/report.md``, printed too) gives the score and every survivor with its
diff, ready to paste into docs/testing.md; ``var/mutation/results.json`` has every mutant.
"""

import argparse
import concurrent.futures
import json
import os
import queue
import subprocess
import sys
import sysconfig
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "mutation"
COSMIC_RAY = str(Path(sys.executable).with_name("cosmic-ray"))
# Plugins the guards' tests do not use: each costs every test run seconds to load.
UNUSED_PLUGINS = (
    "nbval",
    "playwright",
    "base_url",
    "schemathesis",
    "hypothesispytest",
    "anyio",
    "xdist",
    "cacheprovider",
)
TIMEOUT = 180  # seconds for one test run; a mutant that makes the tests hang is killed by the timeout


@dataclass(frozen=True)
class Target:
    """Guard functions of one module, and the tests that should notice any change to them."""

    module: str
    functions: tuple
    tests: tuple


TARGETS = (
    Target(
        "server/press_workbench/shop/orders.py",
        ("check_belongs", "first_time_event"),  # an order paid only by its own PaymentIntent; each event once
        ("tests/test_belongs.py", "tests/test_webhooks.py", "tests/test_reconcile.py"),
    ),
    Target(
        "server/press_workbench/shop/webhooks.py",
        # the signature checked on the raw body, de-duplication, a bank debit's events read as the PaymentIntent is now
        ("receive",),
        ("tests/test_webhooks.py", "tests/test_webhooks_first.py", "tests/test_shop_bank_payments.py"),
    ),
    Target(
        "server/press_workbench/shop/security.py",
        # the cross-origin refusal, the operator-token check (and the routes it guards), the idempotency scope
        ("refuse_cross_origin", "sent_operator_token", "guarded", "idempotency_scope"),
        ("tests/test_security.py", "tests/test_idempotency_scope.py", "tests/test_refunds.py"),
    ),
    Target(
        "server/press_workbench/sandbox/pipeline/idempotency.py",
        ("check_key", "idempotent"),  # replay of the same request, refusal of another with the same key
        ("tests/sandbox/test_idempotency_and_errors.py", "tests/sandbox/test_crash_recovery.py"),
    ),
    Target(
        "server/press_workbench/sandbox/pipeline/authentication.py",
        ("header_key", "authenticate"),  # which keys the sandbox accepts, and from where
        (
            "tests/sandbox/test_idempotency_and_errors.py",
            "tests/sandbox/test_request_limits.py",
            "tests/sandbox/test_payment_intents.py",
        ),
    ),
    Target(
        "server/press_workbench/sandbox/delivery.py",
        ("sign",),  # webhook signing, as stripe-python verifies it
        ("tests/sandbox/test_webhook_delivery.py::test_events_are_signed_so_construct_event_accepts_them",),
    ),
)


class Scratch:
    """A copy of the checkout with its own venv and editable install, where mutants are written."""

    def __init__(self, number):
        from press_workbench.notebook.build import ScratchCopy

        self.copy = ScratchCopy(ROOT)
        self.root = self.copy.root
        self.python = str(self.root / ".venv-mutation" / "bin" / "python")
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.root / ".venv-mutation")], check=True)
        purelib = subprocess.run(
            [self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # This checkout's .venv's packages, as a plain path: its .pth files (our own editable install's finder,
        # which would import this checkout's code) are not run.
        Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
        subprocess.run(
            [sys.executable, "-m", "pip", "--python", self.python, "install", "--quiet", "--no-deps"]
            + ["--editable", str(self.root)],
            check=True,
            capture_output=True,
        )
        probe = subprocess.run(
            [self.python, "-c", "import press_workbench; print(press_workbench.__file__)"],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        )
        if not probe.stdout.startswith(str(self.root)):
            raise SystemExit(f"scratch copy {number}: press_workbench imports from {probe.stdout.strip()}")

    def test_command(self, target):
        plugins = " ".join(f"-p no:{name}" for name in UNUSED_PLUGINS)
        return f"{self.python} -m pytest -x -q -o addopts= {plugins} {' '.join(target.tests)}"

    def run(self, target, say):
        """Mutate ``target``'s functions here, one mutant at a time; returns its mutants' results."""
        from cosmic_ray.work_db import WorkDB, use_db
        from cosmic_ray.work_item import WorkerOutcome, WorkResult

        name = Path(target.module).stem
        config, session = self.root / f"mutation-{name}.toml", self.root / f"mutation-{name}.sqlite"
        config.write_text(
            "[cosmic-ray]\n"
            f'module-path = "{target.module}"\n'
            f"timeout = {TIMEOUT}\n"
            "excluded-modules = []\n"
            f'test-command = "{self.test_command(target)}"\n'
            '[cosmic-ray.distributor]\nname = "local"\n'
        )
        cosmic_ray = [COSMIC_RAY, "--verbosity", "ERROR"]
        subprocess.run([*cosmic_ray, "init", str(config), str(session)], cwd=self.root, check=True)
        with use_db(str(session), WorkDB.Mode.open) as db:
            skipped = [
                item.job_id for item in db.work_items if item.mutations[0].definition_name not in target.functions
            ]
            db.set_multiple_results(skipped, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
            mutants = db.num_work_items - len(skipped)
        for _ in range(2):  # once more if they fail: a test that fails now and then under load is not a verdict
            baseline = subprocess.run(
                self.test_command(target).split(), cwd=self.root, capture_output=True, text=True, timeout=TIMEOUT
            )
            if baseline.returncode == 0:
                break
        else:
            say(f"{name}: its tests fail before any mutation, so it was not mutated:\n{baseline.stdout[-3000:]}")
            return {"module": target.module, "seconds": 0, "mutants": [], "not_run": "its tests fail unmutated"}
        say(f"{name}: {mutants} mutants of {', '.join(target.functions)}")
        started = time.monotonic()
        subprocess.run([*cosmic_ray, "exec", str(config), str(session)], cwd=self.root, check=True)
        results = []
        with use_db(str(session), WorkDB.Mode.open) as db:
            for item, result in db.completed_work_items:
                if result.worker_outcome == WorkerOutcome.SKIPPED:
                    continue
                mutation = item.mutations[0]
                results.append(
                    {
                        "module": target.module,
                        "function": mutation.definition_name,
                        "line": mutation.start_pos[0],
                        "operator": mutation.operator_name,
                        "outcome": result.test_outcome or result.worker_outcome,
                        "diff": result.diff,
                    }
                )
        killed = sum(r["outcome"] == "killed" for r in results)
        say(f"{name}: {killed} of {len(results)} killed in {(time.monotonic() - started) / 60:.1f} min")
        return {"module": target.module, "seconds": time.monotonic() - started, "mutants": results}

    def close(self):
        self.copy.close()


def run(targets, jobs, say=print):
    """Every target in one of ``jobs`` scratch copies (each takes the next target when done); the results."""
    pending = queue.Queue()
    for target in sorted(targets, key=lambda t: -len(t.functions)):  # the longest first, so both finish together
        pending.put(target)

    def work(number):
        scratch = Scratch(number)
        done = []
        try:
            while True:
                try:
                    target = pending.get_nowait()
                except queue.Empty:
                    return done
                done.append(scratch.run(target, say))
        finally:
            scratch.close()

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        return [result for done in pool.map(work, range(min(jobs, len(targets)))) for result in done]


def report(results, minutes, jobs):
    """The markdown for docs/testing.md: the score per module, then every survivor with its diff."""
    mutants = [m for r in results for m in r["mutants"]]
    killed = [m for m in mutants if m["outcome"] == "killed"]
    survivors = [m for m in mutants if m["outcome"] == "survived"]
    other = [m for m in mutants if m["outcome"] not in ("killed", "survived")]
    lines = [
        f"cosmic-ray {cosmic_ray_version()}, {len(mutants)} mutants of {len(results)} modules' guard functions, "
        f"{minutes:.0f} min with {jobs} scratch copies on {os.cpu_count()} cores: **{len(killed)} killed "
        f"({100 * len(killed) / max(len(mutants), 1):.0f}%)**, {len(survivors)} survived"
        + (f", {len(other)} neither (incompetent, or no test ran)" if other else "")
        + ".",
        "",
        "| module | functions | mutants | killed | survived |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        if result.get("not_run"):
            lines.append(f"| `{result['module'].removeprefix('server/')}` | not run: {result['not_run']} | | | |")
            continue
        ms = result["mutants"]
        functions = sorted({m["function"] for m in ms})
        lines.append(
            f"| `{result['module'].removeprefix('server/')}` | {', '.join(f'`{f}`' for f in functions)} | {len(ms)} | "
            f"{sum(m['outcome'] == 'killed' for m in ms)} | {sum(m['outcome'] == 'survived' for m in ms)} |"
        )
    for survivor in survivors:
        lines += [
            "",
            f"Survived: `{survivor['module'].removeprefix('server/')}` line {survivor['line']}, "
            f"`{survivor['function']}`, {survivor['operator']}:",
            "",
            "```diff",
            "\n".join(line for line in survivor["diff"].splitlines() if not line.startswith(("---", "+++"))),
            "```",
        ]
    return "\n".join(lines) + "\n"


def cosmic_ray_version():
    from importlib.metadata import version

    return version("cosmic-ray")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated function names (default: every guard)")
    parser.add_argument("--jobs", type=int, default=2, help="scratch copies mutated at once (default 2)")
    args = parser.parse_args(argv)
    targets = list(TARGETS)
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {f for t in TARGETS for f in t.functions}
        if unknown:
            raise SystemExit(f"no such guard function: {', '.join(sorted(unknown))}")
        targets = [Target(t.module, tuple(f for f in t.functions if f in wanted), t.tests) for t in TARGETS]
        targets = [t for t in targets if t.functions]
    started = time.monotonic()
    results = run(targets, args.jobs)
    text = report(results, (time.monotonic() - started) / 60, min(args.jobs, len(targets)))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (OUT / "report.md").write_text(text)
    print("\n" + text)
    print(f"Wrote {(OUT / 'report.md').relative_to(ROOT)} and results.json", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
