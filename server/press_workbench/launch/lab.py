"""``make lab`` and ``workbench lab``: JupyterLab on the lessons, with the shop running outside the kernel.

The shop (and in sandbox mode the sandbox) runs in this process, not in a kernel,
and the kernels find it through ``SHOP_URL``; so a kernel restart keeps every
checkout frame working, and several notebooks share one shop.  A shop already
answering at ``SHOP_URL`` (``make demo``) is used as it is.  JupyterLab gets
``SETTING_OVERRIDES`` as its defaults (no "Jupyter news?" popup, no update check:
nothing to click away in front of an audience, no request off this machine).  A
port already in use is named, with the fix.

    python -m press_workbench.launch.lab [DIR]   # make lab (DIR: notebooks/); LAB_PORT (8888): JupyterLab's port
    workbench lab [DIR] [--port N]               # the same without make (--port: LAB_PORT)

It uses no POSIX-only call (no process group, no signal a platform lacks), so the
path without ``make`` stays open on any laptop; it is tested on Linux.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from press_workbench.shop import ConfigError, load_config, probe_shop, start_shop

from .voila import require_notebook_extra

ROOT = Path(__file__).resolve().parents[3]  # the repository
DEFAULT_LAB_PORT = 8888
SETTING_OVERRIDES = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}


def write_setting_overrides(folder):
    """``overrides.json`` in ``folder``, the application settings directory ``lab_command`` points JupyterLab to."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    Path(folder, "overrides.json").write_text(json.dumps(SETTING_OVERRIDES, indent=2))
    return folder


def lab_command(port, notebook_dir, settings_dir):
    """The ``jupyter lab`` command line: loopback only, exactly ``port``, setting overrides from ``settings_dir``."""
    jupyter = shutil.which("jupyter", path=os.path.dirname(sys.executable)) or "jupyter"
    command = [
        jupyter,
        "lab",
        "--no-browser",
        f"--notebook-dir={notebook_dir}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--LabApp.app_settings_dir={settings_dir}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses root without it (containers, CI)
    return command


def check_port_free(port, another):
    """Refuse early, naming the port and the fix (``another(port)``: how to ask for one), rather than let
    JupyterLab hop to another port."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise OSError(
                f"Port {port} is already in use, so JupyterLab cannot start there. Stop the program "
                f"using it, or choose another port: {another(port + 1)}"
            ) from None


def start_or_find_shop(settings):
    """The shop's URL and the servers started here (none if a shop already answers at ``SHOP_URL``)."""
    health = probe_shop(settings["SHOP_URL"])
    if health is not None:
        print(f"Using the Press Workbench shop ({health['mode']} mode) already running at {settings['SHOP_URL']}")
        return settings["SHOP_URL"], ()
    shop, sandbox = start_shop(
        {}, port=settings["SHOP_PORT"]
    )  # it lets JupyterLab frame it (server/press_workbench/shop/framing.py)
    print(f"Press Workbench shop ({shop.app.config['MODE']} mode) on {shop.url}, outside the notebook kernels")
    return shop.url, tuple(server for server in (shop, sandbox) if server)


def main(argv=None):
    """``make lab`` (``python -m press_workbench.launch.lab [DIR]``); LAB_PORT names JupyterLab's port."""
    argv = sys.argv[1:] if argv is None else argv
    return run(Path(argv[0]) if argv else None, command="make lab", another=lambda port: f"make lab LAB_PORT={port}")


def run(notebook_dir=None, port=None, command="workbench lab", another=lambda port: f"workbench lab --port {port}"):
    """JupyterLab on ``notebook_dir`` (the lessons), with the shop running beside it, outside the kernels.

    So restarting a kernel never takes a checkout down.  ``port``: JupyterLab's (else LAB_PORT, else 8888); one in
    use is named with ``another(port)``, how ``command`` asks for another.
    """
    notebook_dir = notebook_dir or ROOT / "notebooks"
    try:
        require_notebook_extra("JupyterLab")
        settings = load_config({})  # reads .env too, where LAB_PORT may be set
        lab_port = port or int(os.environ.get("LAB_PORT") or DEFAULT_LAB_PORT)
        check_port_free(lab_port, another)
        shop_url, servers = start_or_find_shop(settings)
    except (ConfigError, ValueError) as exc:
        print(f"{command}: configuration error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="workbench-lab-settings-") as settings_dir:
        command = lab_command(lab_port, notebook_dir, write_setting_overrides(settings_dir))
        # The kernels run in notebooks/: they find the shop by SHOP_URL and its operator token in this data dir
        # (a relative ./var would point them at notebooks/var).
        data_dir = os.path.abspath(settings["DATA_DIR"])
        lab = subprocess.Popen(command, env={**os.environ, "SHOP_URL": shop_url, "WORKBENCH_DATA_DIR": data_dir})
        signal.signal(signal.SIGTERM, lambda *_: lab.terminate())
        try:
            while lab.poll() is None:
                try:
                    lab.wait()
                except KeyboardInterrupt:  # JupyterLab gets the Ctrl-C too, and asks or shuts down
                    continue
        finally:
            for server in servers:
                server.stop()
    return lab.returncode


if __name__ == "__main__":
    sys.exit(main())
