"""Build a feature live, test first, in a scratch copy of this repository.

``ScratchCopy()`` copies the repository (the files git tracks, with your uncommitted
changes) into a temporary folder.  A lesson writes a test there, runs it and sees
it fail, changes the shop's code, runs it again and sees it pass, then serves the
changed shop to call the new route — and the repository itself never changes.
The copy is deleted when the kernel shuts down (or on ``close()``).

Every edit can be run twice: ``insert`` leaves code that is already in its place
alone and ``write`` of the same text changes nothing, so re-running a lesson cell
never inserts code twice.  ``reset()`` puts the copy back as it started, and
``copy()`` starts a fresh copy from this one as it is now (an exercise's own,
which its solution cannot overwrite).

    scratch = ScratchCopy()
    scratch.write("tests/test_cancel.py", TEST)       # the test first
    scratch.pytest("tests/test_cancel.py")            # 1 failed
    scratch.insert("server/press_workbench/shop/api.py", before="@bp.errorhandler(OrderError)", text=ROUTE)
    scratch.pytest("tests/test_cancel.py")            # 1 passed
    shop = scratch.serve()                            # a Workbench on the changed shop
"""

import atexit
import difflib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from html import escape
from pathlib import Path

from .display import NO_MATH, Card, CardView
from .errors import WorkbenchError

ROOT = Path(__file__).resolve().parents[3]
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "var", "__pycache__", "*.egg-info", ".pytest_cache", ".ipynb_checkpoints", "bench"
)
SUMMARY = re.compile(r"^=*\s*(?P<counts>(\d+ \w+(, )?)+) in [\d.]+s", re.MULTILINE)
DIFF_COLOURS = {"+": "#e3f5ea", "-": "#fdecea", "⋯": "#eef0f4"}
UNCHANGED = "(already so: nothing changed)"


class ScratchCopy:
    """A throwaway copy of the repository to change, test and serve (see the module docstring)."""

    def __init__(self, source=ROOT):
        self.source = Path(source)
        self.root = Path(tempfile.mkdtemp(prefix="workbench-build-"))
        self._copy()
        self.servers = []
        atexit.register(self.close)

    def copy(self):
        """A new scratch copy of this one as it is now (for an exercise: its own, changed by nothing else)."""
        return ScratchCopy(self.root)  # not a git checkout: copied whole, but for var/ and caches

    def reset(self):
        """Undo every change: the copy is again what the repository was when it was made; stops what ``serve`` ran."""
        self.stop_servers()
        shutil.rmtree(self.root)
        self.root.mkdir()
        self._copy()
        return self

    def _copy(self):
        """The files git tracks or would track (uncommitted changes included); everything but caches otherwise."""
        try:
            listed = subprocess.run(
                ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                cwd=self.source,
                capture_output=True,
                check=True,
            ).stdout
        except (OSError, subprocess.CalledProcessError):  # not a git checkout (a downloaded archive)
            shutil.copytree(self.source, self.root, ignore=NOT_COPIED, dirs_exist_ok=True)
            return
        for name in filter(None, listed.decode().split("\0")):
            if (self.source / name).is_file():
                (self.root / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.source / name, self.root / name)

    def path(self, name):
        """A file of the scratch copy, by its path in the repository."""
        return self.root / name

    def read(self, name):
        """A file of the scratch copy, as text."""
        return self.path(name).read_text()

    def write(self, name, text):
        """Create or replace a file; shows it (a second write of the same text changes nothing)."""
        before = self.read(name) if self.path(name).exists() else None
        self.path(name).parent.mkdir(parents=True, exist_ok=True)
        self.path(name).write_text(text)
        return Change(name, before, text)

    def insert(self, name, text, before=None, after=None):
        """Insert ``text`` just before or after the one place ``before``/``after`` appears; shows the diff.

        If ``text`` already sits there (the cell ran before), nothing changes.
        """
        anchor = before if before is not None else after
        placed = text + anchor if before is not None else anchor + text
        old = self.read(name)
        if placed in old:
            return Change(name, old, old)
        if old.count(anchor) != 1:
            found = "does not appear" if anchor not in old else f"appears {old.count(anchor)} times"
            raise WorkbenchError(f"{anchor!r} {found} in {name}: insert needs exactly one place to put the code.")
        new = old.replace(anchor, placed)
        self.path(name).write_text(new)
        return Change(name, old, new)

    def pytest(self, *args):
        """Run pytest in the copy (its own code, its own tests); shows what passed and what failed."""
        command = [
            sys.executable,
            "-m",
            "pytest",
            *args,
            "-q",
            "--no-header",
            "--color=no",
            "-rfE",
            "--tb=line",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:nbval",
            "-p",
            "no:playwright",
            "-p",
            "no:stripe_sandbox",
        ]
        # (only the plugins these tests use: a faster start)
        env = {**self._env(), "COLUMNS": "240"}  # wide enough that pytest's summary lines are not cut
        run = subprocess.run(command, cwd=self.root, capture_output=True, text=True, env=env, timeout=300, check=False)
        return TestRun(" ".join(args), run.returncode, run.stdout.replace(f"{self.root}{os.sep}", ""))

    def serve(self, timeout=30):
        """Start the copy's shop (and sandbox) in a process of its own; returns a ``Workbench`` on it."""
        from .workbench import Workbench

        token = secrets.token_urlsafe(24)  # the changed shop's operator token, for the Workbench on it
        env = {
            **self._env(),
            "SHOP_PORT": "0",
            "SANDBOX_PORT": "0",
            "WORKBENCH_DATA_DIR": str(self.root / "var"),
            "WORKBENCH_OPERATOR_TOKEN": token,
        }
        server = subprocess.Popen(
            [sys.executable, "-m", "press_workbench.launch.cli", "serve"],
            cwd=self.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.servers.append(server)
        deadline = time.monotonic() + timeout
        for line in server.stdout:  # the first line says where the shop listens
            match = re.search(r"shop \(\w+ mode\) on (http://\S+)", line)
            if match:
                return Workbench(match.group(1), operator_token=token)
            if time.monotonic() > deadline:
                break
        raise WorkbenchError(f"The changed shop did not start (exit code {server.poll()}): {line.strip()}")

    def _env(self):
        """The copy's code first on the path (its package and its tests), and sandbox mode (practice, not payment)."""
        return {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(self.root / "server"), str(self.root)]),
            "WORKBENCH_MODE": "sandbox",
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    def stop_servers(self):
        """Stop the shops ``serve`` started from this copy."""
        for server in self.servers:
            server.terminate()
            server.wait(10)
        self.servers = []

    def close(self):
        """Stop what ``serve`` started and delete the copy; calling it twice is harmless."""
        atexit.unregister(self.close)
        self.stop_servers()
        shutil.rmtree(self.root, ignore_errors=True)

    def __repr__(self):
        return "A scratch copy of the repository, in a temporary folder (the repository itself never changes)"


class Change(CardView):
    """A file changed in the scratch copy, shown as a diff (a new file: its whole text; no change: says so)."""

    def __init__(self, name, before, after):
        self.name, self.before, self.after = name, before, after

    @property
    def changed(self):
        return self.before != self.after

    def diff(self):
        """The changed lines with a line of context; all of a new file."""
        if not self.changed:
            return UNCHANGED
        if not self.before:
            return self.after.rstrip("\n")
        lines = difflib.unified_diff(self.before.splitlines(), self.after.splitlines(), lineterm="", n=1)
        # the hunks without the file names (in the title) or line numbers (which move as the file changes)
        return "\n".join("⋯" if line.startswith("@@") else line for line in list(lines)[2:])

    def _repr_html_(self):
        rows = "".join(
            f'<div style="background:{DIFF_COLOURS.get(line[:1], "transparent") if self.before else "transparent"}">'
            f"{escape(line) or '&nbsp;'}</div>"
            for line in self.diff().splitlines()
        )
        return (
            f'<div class="{NO_MATH}" style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px;'
            f'border:1px solid #d5dbe1;border-radius:8px;padding:8px 12px;white-space:pre;overflow-x:auto">'
            f'<div style="font-weight:600;margin-bottom:4px">{escape(self.name)}</div>{rows}</div>'
        )

    def __repr__(self):
        return f"{self.name}\n{self.diff()}"


class TestRun(CardView):
    """What pytest said: the counts, and for each failure its test and its one-line reason."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, what, returncode, output):
        self.what, self.returncode, self.output = what, returncode, output

    @property
    def passed(self):
        """Whether pytest passed, which is what the lesson's red-then-green step turns on."""
        return self.returncode == 0

    @property
    def summary(self):
        """pytest's own closing counts (``1 failed``), so the card says what the terminal would."""
        match = SUMMARY.search(self.output)
        return match.group("counts") if match else f"pytest exited with code {self.returncode}"

    def failures(self):
        """``(test, reason)`` for each failure or error, from pytest's short summary."""
        failed = []
        for line in self.output.splitlines():
            if line.startswith(("FAILED ", "ERROR ")):
                test, _, reason = line.split(" ", 1)[1].partition(" - ")
                failed.append((test, reason or "—"))
        return failed

    def card(self):
        """The run as a card: green or red, with each failure's reason."""
        return Card(f"pytest {self.what}", self.summary, self.failures(), tone="ok" if self.passed else "bad")
