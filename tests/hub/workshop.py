"""``make workshop`` as an instructor starts it, and learners' browsers, for tests/hub and bench/workshop_capacity.py.

The hub keeps its state in one temporary folder and the learners' homes in another; as
root each learner is a Unix account of their own (``wb-<name>``), removed again by
``stop``.  ``processes`` finds everything the workshop runs: the hub's processes by their
environment, the learners' by their accounts.  A learner's browser context reaches only
the hub (``only_the_hub``) and signs in as a learner does (``sign_in``).
"""

import os
import pwd
import queue
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from press_workbench.launch.voila import free_port

ROOT = Path(__file__).resolve().parents[2]
FIRST_LESSON = "01_payment_intents_step_by_step.ipynb"
START_TIMEOUT = 600  # make workshop installs what is missing first (pip, npm): minutes on a fresh machine


def account(name):
    """The Unix account the hub gives learner ``name`` (``account`` in deploy/jupyterhub/jupyterhub_config.py)."""
    return f"wb-{name}"


def remove_accounts(names):
    """Delete the learners' accounts (their homes are in the workshop's temporary folder)."""
    for name in names:
        try:
            pwd.getpwnam(account(name))
        except KeyError:
            continue
        subprocess.run(["userdel", account(name)], check=True)


@dataclass
class Workshop:
    url: str  # the URL make workshop says to hand out
    password: str
    make: subprocess.Popen
    printed: list
    state: Path
    homes: Path
    learners: tuple  # the names the accounts are removed for

    @property
    def netloc(self):
        return urlsplit(self.url).netloc

    def processes(self):
        """Every process of this workshop still running: the hub's (by their environment) and the learners'."""
        accounts = {account(name) for name in self.learners}
        found = []
        for process in psutil.process_iter(["pid", "username", "cmdline"]):
            if process.pid == self.make.pid:
                continue
            try:
                if process.info["username"] in accounts or process.environ().get("WORKSHOP_DIR") == str(self.state):
                    found.append(process)
            except psutil.Error:  # gone meanwhile
                continue
        return found

    def learner_processes(self, name):
        return [p for p in self.processes() if p.info["username"] == account(name)]

    def ctrl_c(self, timeout=60):
        """What Ctrl-C in the terminal does: SIGINT to the foreground process group, make and all it started."""
        os.killpg(self.make.pid, signal.SIGINT)
        try:
            self.make.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.make.pid, signal.SIGKILL)
            raise

    def wait_until_stopped(self, timeout=30):
        """The processes still running after up to ``timeout`` s (kernels exit a moment after their server)."""
        deadline = time.monotonic() + timeout
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.5)
        return self.processes()

    def stop(self):
        """Ctrl-C if it still runs; once its processes are gone, the learners' accounts and both folders go."""
        try:
            if self.make.poll() is None:
                self.ctrl_c(timeout=120)  # a class of ten: the hub stops their servers in about 40 s on 2 cores
            self.wait_until_stopped(timeout=90)
            remove_accounts(self.learners)
        finally:
            shutil.rmtree(self.state, ignore_errors=True)
            shutil.rmtree(self.homes, ignore_errors=True)


def forward_lines(stream, lines):
    """Every line ``stream`` prints, then None at its end (reading on keeps a full pipe from blocking make)."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def read_until(lines, pattern, printed, timeout):
    """The first printed line matching ``pattern`` (its match), keeping every line read in ``printed``."""
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"make workshop said nothing like {pattern!r}:\n{''.join(printed)}") from None
        if line is None:
            raise AssertionError(f"make workshop stopped:\n{''.join(printed)}")
        printed.append(line)
        match = re.search(pattern, line)
        if match:
            return match


def ctrl_c_as_in_a_terminal():
    """SIGINT back to its default in make and all it starts, as in a terminal's foreground job.

    A test run started in the background (``make test &``, some CI runners) ignores SIGINT, and
    its children inherit that: the hub's idle culler then ignored the hub's SIGINT and held every
    Ctrl-C for 30 s, until the hub gave up on it.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(learners, **env):
    """``make workshop`` on a free port with a new password, once it prints the URL to hand out."""
    remove_accounts(learners)  # left by an interrupted run
    state = Path(tempfile.mkdtemp(prefix="workshop-state-"))
    homes = Path(tempfile.mkdtemp(prefix="workshop-homes-"))
    homes.chmod(0o755)  # the learners' accounts pass through to their own homes
    password = secrets.token_urlsafe(12)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_", "SHOP_", "SANDBOX_"))}
    environ.update(
        WORKSHOP_DIR=str(state),
        WORKSHOP_HOMES=str(homes),
        WORKSHOP_PORT=str(free_port()),
        WORKSHOP_PASSWORD=password,
        PYTHONUNBUFFERED="1",
        **env,
    )
    make = subprocess.Popen(
        ["make", "--no-print-directory", "workshop"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal's job: Ctrl-C goes to all of it
        preexec_fn=ctrl_c_as_in_a_terminal,
    )
    lines, printed = queue.Queue(), []
    threading.Thread(target=forward_lines, args=(make.stdout, lines), daemon=True).start()
    workshop = Workshop("", password, make, printed, state, homes, tuple(learners))
    try:
        workshop.url = read_until(lines, r"Hand this URL to your learners: (\S+)", printed, START_TIMEOUT).group(1)
        read_until(lines, r"Press Ctrl-C", printed, 10)
    except BaseException:
        workshop.stop()
        raise
    return workshop


def only_the_hub(context, workshop, elsewhere):
    """Abort and count every request and WebSocket the learner's browser sends to another host:port than the hub's."""

    def other(url):
        parts = urlsplit(url)
        return parts.scheme not in ("data", "blob", "about") and parts.netloc != workshop.netloc

    def abort(route):
        elsewhere.append(route.request.url)
        route.abort()

    def websocket(ws):
        if other(ws.url):
            elsewhere.append(ws.url)
            ws.close()
        else:
            ws.connect_to_server()

    context.route(other, abort)
    context.route_web_socket(re.compile(".*"), websocket)


def sign_in(page, name, workshop):
    """The hub's sign-in page: any name, the workshop password."""
    page.goto(workshop.url)
    page.locator("#username_input").fill(name)
    page.locator("#password_input").fill(workshop.password)
    page.locator("#login_submit").click()
