"""``make workshop``: a real JupyterHub on this machine, for a class.

The hub's whole configuration is ``deploy/jupyterhub/jupyterhub_config.py``, readable on
its own; this launcher only gets the machine ready for it and passes what it found in
``WORKSHOP_*`` environment variables: the workshop password (generated and printed if
``WORKSHOP_PASSWORD`` is unset), free internal ports, the proxy npm installed, and an
interpreter every learner account can run.  It prints the one URL to hand out, and
Ctrl-C stops the hub, which stops the proxy and every learner's server, and with each
server its kernels, shop and sandbox.

As root, each learner runs as a Unix account of their own (``wb-<name>``, home 0700);
otherwise every learner runs as the instructor's account, and this launcher says so.

    python -m press_workbench.launch.workshop [--ip IP] [--port N]   # what make workshop runs
"""

import argparse
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from .lab import check_port_free, write_setting_overrides
from .voila import answers, free_port

ROOT = Path(__file__).resolve().parents[3]  # the repository
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
PROXY = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"  # where make workshop puts it
MIN_PASSWORD = 8  # JupyterHub's SharedPasswordAuthenticator refuses shorter ones
LEARNER_IMPORTS = "import jupyterhub.singleuser, jupyter_server_proxy, voila, press_workbench.notebook"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="make workshop", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--ip",
        default=os.environ.get("WORKSHOP_IP") or "127.0.0.1",
        help="address the hub listens on (WORKSHOP_IP; default 127.0.0.1, this machine only; "
        "0.0.0.0 for a class on other machines)",
    )
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("WORKSHOP_PORT") or 8000), help="WORKSHOP_PORT (8000)"
    )
    return parser.parse_args(argv)


def workshop_password():
    """``WORKSHOP_PASSWORD``, or a new one easy to read aloud (12 letters, no l/i/o); and whether it is new."""
    password = os.environ.get("WORKSHOP_PASSWORD")
    if password is None:
        letters = "abcdefghjkmnpqrstuvwxyz"
        return "-".join("".join(secrets.choice(letters) for _ in range(4)) for _ in range(3)), True
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"WORKSHOP_PASSWORD must be at least {MIN_PASSWORD} characters (JupyterHub's rule)")
    return password, False


def learner_error(python):
    """Why an unprivileged account (nobody) cannot import a learner server's packages with ``python``, or None."""
    nobody = pwd.getpwnam("nobody")
    try:
        check = subprocess.run(
            [str(python), "-c", LEARNER_IMPORTS],
            user=nobody.pw_uid,
            group=nobody.pw_gid,
            extra_groups=[],
            cwd="/",
            env={"PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
    except PermissionError as exc:  # the interpreter itself is out of its reach
        return str(exc)
    return (check.stderr.strip().splitlines() or ["failed"])[-1] if check.returncode else None


def learner_python():
    """An interpreter learners' accounts can run, with this venv's packages.

    This venv's own when they can.  When its interpreter sits where they cannot (pyenv under /root,
    0700), a venv of the system's Python of the same version whose site-packages, ``etc`` and ``share``
    are this venv's (``.venv/workshop-python``): the same packages, Jupyter extensions and settings.
    """
    if learner_error(sys.executable) is None:
        return sys.executable
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    overlay = Path(sys.prefix) / "workshop-python"
    if not (overlay / "pyvenv.cfg").exists():
        system = shutil.which(f"python{version}", path="/usr/local/bin:/usr/bin")
        if system is None:
            raise OSError(
                f"Learners' accounts cannot run {sys.executable}, and there is no system python{version} to "
                f"give them: install python{version} (apt-get install python{version}-venv), or create .venv "
                "with a Python every account can run."
            )
        subprocess.run([system, "-m", "venv", "--without-pip", str(overlay)], check=True)
        site_packages = overlay / "lib" / f"python{version}" / "site-packages"
        site_packages.rmdir()
        site_packages.symlink_to(sysconfig.get_path("purelib"))
        for folder in ("etc", "share"):  # Jupyter's config (enabled extensions) and data (lab extensions, kernels)
            (overlay / folder).symlink_to(Path(sys.prefix) / folder)
    python = overlay / "bin" / "python"
    error = learner_error(python)
    if error:
        raise OSError(f"Learners' accounts cannot run their servers with {python} ({LEARNER_IMPORTS}): {error}")
    return str(python)


def proxy_command():
    """configurable-http-proxy: the one ``make workshop`` installed with npm, else one on PATH."""
    found = str(PROXY) if PROXY.exists() else shutil.which("configurable-http-proxy")
    if found is None:
        raise OSError("configurable-http-proxy is not installed: run make workshop, which installs it with npm")
    return found


def hand_out_url(ip, port):
    """The URL learners open: this machine's name when the hub listens on every interface."""
    host = socket.getfqdn() if ip in ("0.0.0.0", "::", "") else ip
    return f"http://{host}:{port}/"


def start_hub(env, log_path, probe_url, timeout=60):
    """``jupyterhub -f CONFIG`` (in this process group, so Ctrl-C reaches it too), once it answers."""
    with open(log_path, "ab") as log:
        hub = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=log_path.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while not answers(probe_url):
        if hub.poll() is not None or time.monotonic() > deadline:
            hub.terminate()
            tail = "".join(log_path.read_text(errors="replace").splitlines(keepends=True)[-20:])
            raise OSError(f"JupyterHub did not start; see {log_path}:\n{tail}")
        time.sleep(0.25)
    return hub


def wait_for(hub):
    """Until the hub exits.  Ctrl-C reaches it directly; SIGTERM to this launcher is passed on to it."""
    signal.signal(signal.SIGTERM, lambda *_: hub.terminate())
    while hub.poll() is None:
        try:
            hub.wait()
        except KeyboardInterrupt:
            print("\nStopping the hub, the proxy and every learner's server…", flush=True)
    return hub.returncode


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    state = Path(os.environ.get("WORKSHOP_DIR") or ROOT / "var" / "workshop").resolve()
    accounts = os.geteuid() == 0
    try:
        password, generated = workshop_password()
        check_port_free(args.port, lambda port: f"make workshop WORKSHOP_PORT={port}")
        (state / "hub").mkdir(mode=0o700, parents=True, exist_ok=True)  # the hub's database and secrets
        env = {
            **os.environ,
            "WORKSHOP_DIR": str(state),
            "WORKSHOP_PASSWORD": password,
            "WORKSHOP_IP": args.ip,
            "WORKSHOP_PORT": str(args.port),
            "WORKSHOP_HUB_PORT": str(free_port()),
            "WORKSHOP_PROXY_API_PORT": str(free_port()),
            "WORKSHOP_PROXY": proxy_command(),
            "WORKSHOP_PYTHON": learner_python() if accounts else sys.executable,
            # beside the packages, where every learner's account can read it (the state folder is the hub's alone)
            "WORKSHOP_LAB_SETTINGS": str(write_setting_overrides(Path(sys.prefix) / "workshop-lab-settings")),
        }
        log_path = state / "hub" / "jupyterhub.log"
        probe_host = "127.0.0.1" if args.ip in ("0.0.0.0", "::", "") else args.ip
        hub = start_hub(env, log_path, f"http://{probe_host}:{args.port}/hub/health")
    except (ValueError, OSError, subprocess.CalledProcessError) as exc:
        print(f"make workshop: {exc}", file=sys.stderr)
        return 1
    idle = int(os.environ.get("WORKSHOP_IDLE_TIMEOUT") or 3600)
    print(f"Press Workbench workshop: JupyterHub on http://{probe_host}:{args.port}/ (log: {log_path})")
    print(f"Hand this URL to your learners: {hand_out_url(args.ip, args.port)}")
    if generated:
        print(f"Workshop password: {password}   (generated; set WORKSHOP_PASSWORD to choose your own)")
    print("Learners sign in with any name and the workshop password: each gets JupyterLab on lesson 01,")
    print("their own copy of the lessons, and their own shop and offline Stripe sandbox (test cards only).")
    if accounts:
        homes = os.environ.get("WORKSHOP_HOMES") or "/home"
        print(f"Each learner runs as a Unix account of their own (wb-<name>), with a private home in {homes}.")
    else:
        print(
            f"Not root: every learner runs as {pwd.getpwuid(os.geteuid()).pw_name}, so learners share one Unix "
            "account and can read each other's files. Run as root for an account per learner."
        )
    print(f"Idle servers stop after {idle // 60} min. Press Ctrl-C to stop the hub and every learner's server.")
    sys.stdout.flush()
    return wait_for(hub)


if __name__ == "__main__":
    sys.exit(main())
