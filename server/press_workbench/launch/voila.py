"""The Voilà launcher: serve the dashboard (``notebooks/dashboard.ipynb``) from a child process.

``workbench dashboard`` and ``make demo`` use it.  Voilà reads ``voila.json`` from
its working directory (the repository root) and the ``workbench`` template from
``server/press_workbench/notebook/voila/templates/`` (``JUPYTER_PATH`` points at ``server/press_workbench/notebook``);
the kernels it starts (one per browser tab) find the shop through ``SHOP_URL``.  Readiness is probed on a static file,
because every ``GET /`` starts a kernel.  Voilà, JupyterLab and ipywidgets come with the
``notebook`` extra: without it, or outside a checkout, the launchers say what to install.
"""

import importlib.util
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the repository
NOTEBOOK = ROOT / "notebooks" / "dashboard.ipynb"
TEMPLATES = ROOT / "server" / "press_workbench" / "notebook"  # Voilà looks in <JUPYTER_PATH>/voila/templates/
READY_PATH = "voila/static/voila.js"
NOTEBOOK_PACKAGES = ("jupyterlab", "voila", "ipywidgets")
_PORTS = random.SystemRandom()  # not `random`'s shared generator: pytest-randomly seeds it alike in each worker


@dataclass
class RunningVoila:
    """A Voilà process started by the launcher, with its URL and a clean way to stop it and its kernels."""

    url: str
    process: subprocess.Popen

    def stop(self, timeout=20):
        """SIGTERM: Voilà shuts its kernels down and exits; SIGKILL only if it does not within ``timeout``."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def free_port(host="127.0.0.1"):
    """A port free right now, for a server that binds it seconds later (the dashboard's port must be
    known before Voilà starts, as the shop's CSP names it; the workshop's hub and proxy are told theirs).

    Not one the kernel hands out for port 0: until the server binds it, any connection's own end may
    take such a port (a JupyterLab in a test run failed to start that way).  Ports below the ephemeral
    range are only ever taken on purpose, and above 10080 none is one that browsers refuse.
    """
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as ports:
            ephemeral = int(ports.read().split()[0])
    except OSError:  # not Linux: 32768 is below the BSDs' and macOS's range too
        ephemeral = 32768
    while True:
        port = _PORTS.randrange(15000, ephemeral)
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:  # taken
                continue
            return port


def require_notebook_extra(what):
    """Refuse to start ``what`` (with the install command) when this install lacks the notebook parts.

    Without this, a shop-and-sandbox-only install (``pip install`` with no extras) would fail later
    with a bare ``No module named voila`` in a child process's log.
    """
    missing = [name for name in NOTEBOOK_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise OSError(
            f"{what} cannot start: {', '.join(missing)} not installed. JupyterLab, Voilà and ipywidgets come with "
            "the notebook extra: `pip install -e '.[notebook]'` in a checkout (`make install` does this)."
        )
    if not NOTEBOOK.exists():
        raise OSError(f"{what} cannot start outside a checkout of Press Workbench (no {NOTEBOOK} here).")


def start_voila(shop_url, port, log_path, extra_args=(), timeout=60):
    """Start Voilà on ``port`` for the shop at ``shop_url``, logging to ``log_path``; returns once it serves."""
    require_notebook_extra("the dashboard")
    env = {
        **os.environ,
        "SHOP_URL": shop_url,
        "JUPYTER_PATH": os.pathsep.join(filter(None, [str(TEMPLATES), os.environ.get("JUPYTER_PATH")])),
    }
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "voila", str(NOTEBOOK), f"--port={port}", *extra_args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = RunningVoila(f"http://127.0.0.1:{port}/", process)
    deadline = time.monotonic() + timeout
    while not answers(running.url + READY_PATH):
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            raise OSError(f"The Voilà dashboard did not start on port {port}; see {log_path}:\n{_tail(log_path)}")
        time.sleep(0.1)
    return running


def _tail(path, lines=15):
    with open(path, encoding="utf-8", errors="replace") as fh:
        return "".join(fh.readlines()[-lines:])


def answers(url):
    """True if ``url`` answers with a success status."""
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False
