"""Where the browser reaches the shop, as a kernel sees it: on its loopback port, or through the Jupyter server.

On a laptop (``make lab``, ``workbench dashboard``, nbval) the browser runs beside the
servers and opens ``http://127.0.0.1:<port>`` as the kernel does.  On JupyterHub,
Binder or any remote Jupyter it reaches only the Jupyter server, which serves the shop
at ``<base_url>shop/`` and the sandbox at ``<base_url>stripe/`` (``server/press_workbench/launch/proxy.py``
decides, once, in the server's process, and tells every kernel in ``SHOP_PROXY_PATH``
and ``SANDBOX_PROXY_PATH``).  HTML outputs then use those paths: they are on the page's
own origin, so no public host name is needed, and the same notebook works in both places.

The kernel itself keeps talking to the shop on loopback (``SHOP_URL``) with the proxy
token.  If no shop answers yet, it asks its own Jupyter server for the shop's health,
which makes jupyter-server-proxy start the shop, and waits for it.
"""

import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from jupyter_server.serverapp import list_running_servers

from press_workbench.shop import origin, probe_shop

from .errors import WorkbenchError

START_TIMEOUT = 90  # seconds: jupyter-server-proxy waits up to 60 s for `workbench serve`, and the kernel a little more


@dataclass(frozen=True)
class BrowserRoute:
    """The URLs a browser opens: a path on the Jupyter server's origin behind its proxy, else the loopback URLs."""

    shop: str
    sandbox: str | None
    proxied: bool = False


def browser_route(shop_url, sandbox_url, environ=os.environ):
    """How a browser reaches the shop at ``shop_url`` and its sandbox: through the proxy if it serves that shop."""
    path = environ.get("SHOP_PROXY_PATH", "").rstrip("/")
    if path and environ.get("SHOP_URL", "").rstrip("/") == shop_url:
        sandbox = environ.get("SANDBOX_PROXY_PATH", "").rstrip("/") or None
        return BrowserRoute(path, sandbox if sandbox_url else None, proxied=True)
    return BrowserRoute(shop_url, sandbox_url)


def own_jupyter_server(environ=os.environ):
    """(URL, headers) of the Jupyter server this kernel belongs to, authenticated as this kernel's user.

    On a hub the single-user server's own API token (``JUPYTERHUB_API_TOKEN``, scoped to
    that server); elsewhere the token in the ``jpserver-<pid>.json`` of the kernel's parent,
    or of the running server whose base URL leads to the shop.
    """
    if environ.get("JUPYTERHUB_SERVICE_URL") and environ.get("JUPYTERHUB_API_TOKEN"):
        return environ["JUPYTERHUB_SERVICE_URL"], {"Authorization": f"token {environ['JUPYTERHUB_API_TOKEN']}"}
    path = environ.get("SHOP_PROXY_PATH", "")
    servers = [info for info in list_running_servers() if path.startswith(info.get("base_url", "/"))]
    servers.sort(key=lambda info: info.get("pid") != os.getppid())  # the kernel's parent first
    if not servers:
        raise WorkbenchError(
            "This kernel was told to reach the shop through its Jupyter server's proxy, but finds no running "
            "Jupyter server to ask. Restart the kernel from JupyterLab, or set WORKBENCH_PROXY=off there."
        )
    info = servers[0]
    return info["url"], ({"Authorization": f"token {info['token']}"} if info.get("token") else {})


def start_shop(shop_url, timeout=START_TIMEOUT, environ=os.environ):
    """The health of the shop at ``shop_url``, started through this kernel's Jupyter server if need be."""
    server, headers = own_jupyter_server(environ)
    through = origin(server) + environ["SHOP_PROXY_PATH"].rstrip("/") + "/api/health"
    try:
        urllib.request.urlopen(urllib.request.Request(through, headers=headers), timeout=timeout).close()
    except urllib.error.HTTPError as exc:
        raise WorkbenchError(
            f"The Jupyter server could not start the shop ({through} answered HTTP {exc.code}); its log says why."
        ) from None
    except OSError as exc:
        raise WorkbenchError(f"This kernel's Jupyter server at {server} did not answer ({exc}).") from None
    deadline = time.monotonic() + timeout
    while (health := probe_shop(shop_url)) is None:
        if time.monotonic() > deadline:
            raise WorkbenchError(f"The shop started by the Jupyter server does not answer at {shop_url}.")
        time.sleep(0.2)
    return health
