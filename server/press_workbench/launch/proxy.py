"""The shop and the sandbox behind a Jupyter server: jupyter-server-proxy's ``shop`` and ``stripe`` entries.

On JupyterHub, Binder, Codespaces or any remote Jupyter the learner's browser reaches
only the Jupyter server, so the shop is served at ``<base_url>shop/`` and the sandbox
at ``<base_url>stripe/`` on the Jupyter server's origin, behind its sign-in.
jupyter-server-proxy calls ``shop()`` and ``stripe()`` (the ``jupyter_serverproxy_servers``
entry points in ``pyproject.toml``) once, in the Jupyter server's process, as it starts.
They settle, once for the process (``plan``):

* **proxy or direct.**  Proxy on a hub (``JUPYTERHUB_SERVICE_PREFIX``: JupyterHub and
  Binder), in Codespaces, or on a server listening beyond loopback; direct on a laptop
  (``make lab``, a plain ``jupyter lab``), where the separate loopback origins stay.
  ``WORKBENCH_PROXY=on|off`` decides instead (``auto`` by default).
* **ports and secrets.**  ``SHOP_PORT``/``SANDBOX_PORT`` if set, else free ports that
  this process holds until the shop starts (``claim_port``); a random proxy token that
  jupyter-server-proxy adds to every request it passes on, and without which the shop
  and sandbox answer nobody (``server/press_workbench/sandbox/behind_proxy.py``).

They also give Voilà's server extension (``<base_url>voila/render/dashboard.ipynb``, which
ignores ``voila.json``) the dashboard's offline ``workbench`` template, as the Voilà
launcher does: jupyter-server-proxy loads before ``voila`` (extensions load in
alphabetical order), so ``configure_voila`` runs before Voilà reads its configuration.

In proxy mode they export, into this process's environment and so into every kernel,
terminal and Voilà page it starts: ``SHOP_URL``/``SANDBOX_URL`` (loopback, for programs),
``WORKBENCH_PROXY_TOKEN``, ``SHOP_PROXY_PATH``/``SANDBOX_PROXY_PATH`` (the paths browsers
use) and an absolute ``WORKBENCH_DATA_DIR``.  The ``shop`` entry starts ``workbench serve``
(which runs the sandbox too) on the first request, such as the one ``Workbench()`` sends
through this server when no shop answers yet; ``stripe`` passes requests to the sandbox's
port.  In direct mode nothing is exported, and the entries merely pass through to the ports
of ``SHOP_URL`` and ``SANDBOX_URL``.
"""

import functools
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

from jupyter_server.serverapp import ServerApp

from press_workbench.sandbox import PROXY_TOKEN_ENV, PROXY_TOKEN_HEADER, is_loopback
from press_workbench.shop import config_defaults

from .voila import TEMPLATES

PROXY_ENV = "WORKBENCH_PROXY"  # auto (default), on or off
SHOP_ENTRY, SANDBOX_ENTRY = "shop", "stripe"  # the paths under the Jupyter server's base URL
START_TIMEOUT = 60  # seconds for `workbench serve` to answer (on 2 busy cores it takes a few)


@dataclass(frozen=True)
class Plan:
    proxied: bool
    shop_port: int
    sandbox_port: int
    token: str | None = None


def running_server():
    """The Jupyter server (or jupyterhub-singleuser) this process runs, or None outside one."""
    return ServerApp.instance() if ServerApp.initialized() else None


def use_proxy(server=None, environ=os.environ):
    """True if browsers reach this Jupyter server from elsewhere, so they must reach the shop through it."""
    choice = environ.get(PROXY_ENV, "auto").strip().lower()
    if choice in ("on", "1", "yes", "true"):
        return True
    if choice in ("off", "0", "no", "false"):
        return False
    if choice not in ("auto", ""):
        raise ValueError(f"{PROXY_ENV} must be auto, on or off, not {choice!r}")
    if environ.get("JUPYTERHUB_SERVICE_PREFIX") or environ.get("CODESPACES") == "true":
        return True
    ip = getattr(server, "ip", "localhost") or ""
    return not is_loopback(ip)


HELD = {}  # port -> the socket that keeps it, until the shop's command lets it go


def claim_port():
    """A free loopback port, held by this Jupyter server (bound, not listening) until the shop starts.

    The shop starts on demand, minutes later. Meanwhile every kernel this server starts binds five
    ports the OS picks, and a port that was merely free at start-up was picked for a kernel when a
    class of ten signed in at once (jupyter-server-proxy then met a kernel's ZeroMQ socket at the
    shop's port, and that learner's shop never started). Held, no one else can bind it.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    HELD[port] = sock
    return port


def release_ports():
    """Let the held ports go: ``workbench serve`` binds them a moment later."""
    while HELD:
        HELD.popitem()[1].close()


def port_of(name, proxied, environ=os.environ):
    """``SHOP_PORT``/``SANDBOX_PORT`` when set; else a free one behind the proxy, or where ``*_URL`` says (direct)."""
    configured = environ.get(f"{name}_PORT", "").strip()
    if configured not in ("", "0"):
        return int(configured)
    if proxied:
        return claim_port()
    url = environ.get(f"{name}_URL") or config_defaults()[f"{name}_URL"]
    return urlsplit(url).port if url else config_defaults()[f"{name}_PORT"]


def configure_voila(server, environ=os.environ):
    """Voilà's extension renders with the ``workbench`` template (no CDN stylesheets) unless told otherwise."""
    environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES), environ.get("JUPYTER_PATH")]))
    if server is not None and "template" not in server.config.VoilaConfiguration:
        server.config.VoilaConfiguration.template = "workbench"


@functools.cache
def plan():
    """This Jupyter server's choice (see the module docstring), exported to its environment once."""
    server = running_server()
    configure_voila(server)
    proxied = use_proxy(server)
    shop_port, sandbox_port = port_of("SHOP", proxied), port_of("SANDBOX", proxied)
    if not proxied:
        return Plan(False, shop_port, sandbox_port)
    base = (getattr(server, "base_url", None) or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")).strip("/")
    prefix = f"/{base}/" if base else "/"
    data_dir = os.environ.get("WORKBENCH_DATA_DIR") or config_defaults()["DATA_DIR"]
    token = secrets.token_urlsafe(32)
    os.environ.update(
        {
            "SHOP_URL": f"http://127.0.0.1:{shop_port}",
            "SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}",
            PROXY_TOKEN_ENV: token,
            "SHOP_PROXY_PATH": prefix + SHOP_ENTRY,
            "SANDBOX_PROXY_PATH": prefix + SANDBOX_ENTRY,
            "WORKBENCH_DATA_DIR": os.path.abspath(data_dir),  # the kernels run elsewhere (the notebook's folder)
        }
    )
    return Plan(True, shop_port, sandbox_port, token)


def _entry(port, title):
    """What both entries share: a fixed port, no launcher tile, and the proxy token on every request."""
    current = plan()
    entry = {"port": port, "launcher_entry": {"enabled": False, "title": title}}
    if current.proxied:
        entry["request_headers_override"] = {PROXY_TOKEN_HEADER: current.token}
    return entry


def shop():
    """``<base_url>shop/``: the shop, started on the first request (``workbench serve``, its sandbox with it)."""
    current = plan()
    entry = _entry(current.shop_port, "Press Workbench shop")
    if current.proxied:
        entry.update(command=serve_command, timeout=START_TIMEOUT)
    return entry


def serve_command():
    """``workbench serve`` on the held ports, let go just now: jupyter-server-proxy calls this to start the shop."""
    release_ports()
    command = [sys.executable, "-m", "press_workbench.launch.cli", "serve", "--port", "{port}"]
    return [*command, "--sandbox-port", str(plan().sandbox_port)]


def stripe():
    """``<base_url>stripe/``: the offline Stripe sandbox that the shop's ``workbench serve`` runs."""
    return _entry(plan().sandbox_port, "Press Workbench Stripe sandbox")
