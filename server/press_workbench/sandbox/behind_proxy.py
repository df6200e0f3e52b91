"""Serving behind jupyter-server-proxy, and answering only to the names a server is served as.

Both Flask apps (the sandbox, and the shop on top of it) call ``init_app``, so they
follow the same three rules:

* **Where the browser is.**  On a Jupyter server, JupyterHub or Binder the browser
  reaches the apps only through the Jupyter server, under a prefix such as
  ``/user/alice/shop/``; jupyter-server-proxy strips it and says so in
  ``X-Forwarded-Prefix``, and passes on the browser's ``Host`` and the hub's
  ``X-Forwarded-Proto``/``-Host``/``-Port``.  werkzeug's ``ProxyFix`` turns those into
  the request's URL, so ``url_for`` and ``request.host_url`` name the address the
  browser used.  Whoever can reach the port could send those headers too, so they are
  trusted only on a request that carries the **proxy token**
  (``X-Workbench-Proxy-Token``): a random secret the Jupyter server makes at start-up
  (``server/press_workbench/launch/proxy.py``) and adds to every request it proxies.  Everywhere else
  they are removed before the app sees them.
* **Only through the proxy.**  An app configured with the token (``WORKBENCH_PROXY_TOKEN``)
  refuses every request without it (403), including those of other users of the
  machine, who can reach a loopback port but cannot read the token.  The notebook
  helper, the shop (calling its sandbox, and the sandbox delivering to the shop's
  webhook) and the ``workbench`` commands send it, from the same variable.
* **Host allowlist** (DNS rebinding).  A request without the token is answered only
  if its ``Host`` is a loopback name or a configured public host
  (``WORKBENCH_PUBLIC_HOST``, for a shop served to a network with ``--host``): a web
  page whose name was re-pointed at 127.0.0.1 gets a 400 and changes nothing.  Behind
  the proxy the Host is the Jupyter server's, which the token vouches for.

Without a token (a laptop, ``make lab``) the apps behave as they always did, on
their own loopback origins.
"""

import hmac
import ipaddress
import os
from urllib.parse import urlsplit

from flask import abort, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

PROXY_TOKEN_HEADER = "X-Workbench-Proxy-Token"
PROXY_TOKEN_ENV = "WORKBENCH_PROXY_TOKEN"
PUBLIC_HOST_ENV = "WORKBENCH_PUBLIC_HOST"
PROXIED = "press_workbench.proxied"  # environ key: the request came through the proxy, with its prefix
VOUCHED = "press_workbench.vouched"  # environ key: the request carried the proxy token
TOKEN_KEY = "HTTP_" + PROXY_TOKEN_HEADER.upper().replace("-", "_")
FORWARDED = tuple(f"HTTP_X_FORWARDED_{name}" for name in ("FOR", "PROTO", "HOST", "PORT", "PREFIX", "CONTEXT")) + (
    "HTTP_X_PROXYCONTEXTPATH",
    "HTTP_FORWARDED",
)


def is_loopback(host):
    """True for ``localhost`` and loopback addresses (``127.0.0.1``, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def hostname(host_header):
    """The name in a ``Host`` header, without its port and brackets, lowercased."""
    return (urlsplit("//" + host_header).hostname or "") if host_header else ""


def public_hosts(value):
    """The names in ``WORKBENCH_PUBLIC_HOST`` (comma-separated, ports ignored)."""
    return frozenset(hostname(part.strip()) for part in (value or "").split(",") if part.strip())


def proxy_token():
    """This user's proxy token, from the environment (set by the Jupyter server it runs under), or None."""
    return os.environ.get(PROXY_TOKEN_ENV, "").strip() or None


def proxy_headers(token=None):
    """The header a local client sends so that an app behind the proxy answers it (nothing without a token)."""
    token = token or proxy_token()
    return {PROXY_TOKEN_HEADER: token} if token else {}


def came_through_proxy():
    """True if this request came from a browser through jupyter-server-proxy (its URL names the proxy's path)."""
    return bool(request.environ.get(PROXIED))


class _TrustForwardedFromProxy:
    """WSGI: ``ProxyFix`` for requests carrying the token; the forwarded headers removed from any other."""

    def __init__(self, app, token):
        self.app, self.token = app, token
        # x_for=0: the client's address stays the proxy's (loopback); nothing here decides by a browser's address.
        self.fixed = ProxyFix(app, x_for=0, x_proto=1, x_host=1, x_port=1, x_prefix=1)

    def __call__(self, environ, start_response):
        sent = environ.get(TOKEN_KEY, "")
        if self.token and sent and hmac.compare_digest(sent.encode(), self.token.encode()):
            environ[VOUCHED], environ[PROXIED] = True, "HTTP_X_FORWARDED_PREFIX" in environ
            return self.fixed(environ, start_response)
        for name in FORWARDED:
            environ.pop(name, None)
        return self.app(environ, start_response)


def init_app(app, token=None, hosts=frozenset()):
    """Make ``app`` follow the module's rules; ``token`` and ``hosts`` come from its configuration."""
    app.wsgi_app = _TrustForwardedFromProxy(app.wsgi_app, token)
    app.extensions["behind_proxy"] = {"token": token, "hosts": frozenset(hosts)}
    app.before_request(_admit)
    app.after_request(_absolute_redirects)


def _admit():
    """``before_request``: the token when one is configured, else a Host this app is served as."""
    rules = current_app.extensions["behind_proxy"]
    if rules["token"]:
        if not request.environ.get(VOUCHED):
            abort(
                403,
                description="This server answers only through its Jupyter server's proxy, or to clients that send "
                f"its {PROXY_TOKEN_HEADER}: open it from JupyterLab, or run the command in a terminal of that server.",
            )
        return
    name = hostname(request.host)
    if name and not is_loopback(name) and name not in rules["hosts"]:
        abort(
            400,
            description=f"This server is not served as {name!r}, so it refused the request. To reach it under that "
            f"name from other machines, start it with {PUBLIC_HOST_ENV}={name}.",
        )


def _absolute_redirects(response):
    """Behind the proxy, redirects name the full URL: jupyter-server-proxy would prefix a bare path a second time."""
    if came_through_proxy():
        response.autocorrect_location_header = True
    return response
