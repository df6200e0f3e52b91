"""JupyterHub for a Press Workbench class: any name and one workshop password, a server of their own per learner.

Each learner signs in with a name of their choosing and the workshop password and gets their own
JupyterLab, opened on lesson 01, in a home folder seeded with the lessons and the dashboard notebook.
Their shop and offline Stripe sandbox start on demand behind their own server (the jupyter-server-proxy
entries ``<base_url>shop/`` and ``<base_url>stripe/`` that Press Workbench registers), so the hub's
sign-in guards every path to them, and only test cards ever go through it.

``make workshop`` (``server/press_workbench/launch/workshop.py``) runs this file and passes paths and ports in
``WORKSHOP_*`` environment variables; every one has a default, so it also runs by hand:

    WORKSHOP_PASSWORD=... jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

On The Littlest JupyterHub copy sections 1 and 2 (TLJH brings its own accounts, proxy and culler:
sections 3 and 4); Kubernetes: ``deploy/z2jh/values.yaml``; both in docs/workshop.md.
"""

import asyncio
import hashlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner

c = get_config()  # noqa: F821 -- JupyterHub defines it for its config files

REPO = Path(__file__).resolve().parents[2]
STATE = Path(os.environ.get("WORKSHOP_DIR") or REPO / "var" / "workshop")  # the hub's database and secrets
LESSONS = Path(os.environ.get("WORKSHOP_LESSONS") or REPO / "notebooks")
FIRST_LESSON = "01_payment_intents_step_by_step.ipynb"
# The interpreter that runs learners' servers and kernels: one every learner account can execute.
PYTHON = os.environ.get("WORKSHOP_PYTHON") or sys.executable
ACCOUNTS = os.geteuid() == 0  # as root: a Unix account per learner; otherwise they all share the hub's own
HOMES = Path(os.environ.get("WORKSHOP_HOMES") or ("/home" if ACCOUNTS else STATE / "home"))


# 1. Who signs in: any name, and the workshop password (JupyterHub asks for 8 characters or more).
#    Anyone who has the password can sign in under any name, a classmate's too: the password keeps
#    strangers out, it does not prove who is who (use per-learner passwords or OAuth where that matters).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("WORKSHOP_PASSWORD")
c.Authenticator.allow_all = True
c.JupyterHub.template_vars = {"announcement_login": "Choose any name, and type the workshop password."}


# 2. What each learner's server runs: JupyterLab on lesson 01, the offline sandbox only.
c.Spawner.default_url = f"/lab/tree/{FIRST_LESSON}"
c.Spawner.environment = {"WORKBENCH_MODE": "sandbox"}  # test cards only: never a real key through a shared hub
# Servers start in 13–15 s when a class signs in at once on 2 cores: give them time.
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 180


# 3. Idle servers stop (kernels, shop and sandbox with them) after WORKSHOP_IDLE_TIMEOUT seconds.
IDLE_TIMEOUT = int(os.environ.get("WORKSHOP_IDLE_TIMEOUT") or 3600)
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={IDLE_TIMEOUT}",
            f"--cull-every={max(5, min(300, IDLE_TIMEOUT // 4))}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]


# 4. This machine: a Unix account and a private home with the lessons per learner (as root), their Python;
#    where the hub listens, its state, and the proxy (configurable-http-proxy from npm).
def account(name):
    """The Unix account (and home folder name) for hub user ``name``.

    A prefix keeps learners out of system accounts (a learner named "root" is ``wb-root``); names useradd
    would refuse keep their safe characters plus a hash, so two names never share an account.
    """
    safe = re.sub(r"[^a-z0-9_-]", "", name.lower())[:20]
    if safe == name:
        return f"wb-{safe}"
    return f"wb-{safe}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def home_of(name):
    """The learner's home: their account's, or a folder of their own in ``HOMES``."""
    if ACCOUNTS:
        return Path(pwd.getpwnam(account(name)).pw_dir)
    return HOMES / account(name)


async def prepare_home(spawner):
    """Before each start: the learner's account and home, both made at their first sign-in.

    In a thread: making them takes a second or two (useradd, signing the lessons), and the hub goes on
    answering everyone else meanwhile, its sign-in pages and its servers' progress included.
    """
    if not ACCOUNTS:
        spawner.home_dir = str(home_of(spawner.user.name))
    await asyncio.to_thread(make_home, spawner.user.name)


USERADD = threading.Lock()  # two useradds at once: one can fail to lock /etc/passwd


def make_home(name):
    """The Unix account (as root) and the home seeded with the lessons, if they are not there yet.

    The home is seeded only when it is made: what is in it afterwards is the learner's own work (and,
    being theirs, nothing this root process should write to or change the owner of).
    """
    unix = account(name)
    if ACCOUNTS:
        with USERADD:
            try:
                pwd.getpwnam(unix)
            except KeyError:
                subprocess.run(
                    ["useradd", "--home-dir", HOMES / unix, "--shell", "/bin/bash", "--comment", name, unix],
                    check=True,
                )
    home = home_of(name)
    if home.exists():
        return
    home.mkdir(mode=0o700, parents=True)
    notebooks = sorted(LESSONS.glob("0*.ipynb")) + [LESSONS / "dashboard.ipynb"]
    for notebook in notebooks:
        shutil.copy(notebook, home)
    if ACCOUNTS:
        for path in [home, *home.iterdir()]:
            shutil.chown(path, unix, unix)
    # Trusted, as the learner: their outputs as committed (diagrams and cards) show in full before a cell runs.
    subprocess.run(
        [PYTHON, "-m", "nbformat.sign", *(notebook.name for notebook in notebooks)],
        cwd=home,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        user=unix if ACCOUNTS else None,
        group=unix if ACCOUNTS else None,
        extra_groups=[] if ACCOUNTS else None,
        check=True,
        capture_output=True,
    )


class LearnerAccountSpawner(LocalProcessSpawner):
    """JupyterHub's LocalProcessSpawner, run as the learner's ``wb-…`` account rather than one named as they are."""

    def make_preexec_fn(self, name):
        return super().make_preexec_fn(account(name))

    def user_env(self, env):
        entry = pwd.getpwnam(account(self.user.name))
        env.update(USER=entry.pw_name, HOME=entry.pw_dir, SHELL=entry.pw_shell)
        return env


def end_leftovers(spawner):
    """After a learner's server stops (idle, or the hub stopping): whatever their account still runs goes too.

    The server stops its kernels, shop and sandbox itself, but under a class's load it can be killed first,
    and what it started would then run on where no one sees it.
    """
    if ACCOUNTS:
        subprocess.run(["pkill", "--signal", "KILL", "--uid", account(spawner.user.name)], check=False)


c.JupyterHub.spawner_class = LearnerAccountSpawner if ACCOUNTS else SimpleLocalProcessSpawner
c.Spawner.pre_spawn_hook = prepare_home
c.Spawner.post_stop_hook = end_leftovers
c.Spawner.cmd = [PYTHON, "-m", "jupyterhub.singleuser"]
c.Spawner.environment["PATH"] = os.pathsep.join([str(Path(PYTHON).parent), "/usr/local/bin", "/usr/bin", "/bin"])
if os.environ.get("WORKSHOP_LAB_SETTINGS"):  # JupyterLab without its news pop-up or update check
    c.Spawner.args = [f"--LabApp.app_settings_dir={os.environ['WORKSHOP_LAB_SETTINGS']}"]

c.JupyterHub.ip = os.environ.get("WORKSHOP_IP") or "127.0.0.1"
c.JupyterHub.port = int(os.environ.get("WORKSHOP_PORT") or 8000)
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("WORKSHOP_HUB_PORT") or 8081)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'hub' / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "hub" / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [os.environ.get("WORKSHOP_PROXY") or "configurable-http-proxy"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('WORKSHOP_PROXY_API_PORT') or 8001}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "hub" / "proxy.pid")
(STATE / "hub").mkdir(mode=0o700, parents=True, exist_ok=True)  # tokens and the cookie secret: the hub's alone
