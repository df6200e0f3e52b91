"""Where the browser that sent this request reaches the sandbox: the URLs the shop's pages hand it.

The shop itself needs nothing of the kind: after ``ProxyFix`` (``press_workbench.sandbox``'s
``init_behind_proxy``) ``url_for(..., _external=True)`` already names the address the
browser used.  The sandbox is another server, reached three ways:

* on a laptop, at ``SANDBOX_URL`` (its own loopback origin, which keeps the card frames
  out of the shop page's reach, as Stripe's own origin does);
* behind a Jupyter server's proxy, at ``SANDBOX_PROXY_PATH`` (``/user/alice/stripe``)
  on the origin of the page, which is the Jupyter server's;
* served to a network (``workbench serve --host 0.0.0.0`` with ``WORKBENCH_PUBLIC_HOST``),
  on its own port at the host name the browser used for the shop.

Stripe.js, its frames and API calls, the 3D Secure page and the console links all
start from ``sandbox_url``; in stripe mode they are Stripe's.
"""

from urllib.parse import urlsplit

from flask import request

from press_workbench.sandbox import came_through_proxy, is_loopback

from .security import origin

WILDCARD = ("0.0.0.0", "::", "")  # a server listening on every interface: no name a browser could use


def sandbox_url(config):
    """The sandbox's root URL for the browser of this request (no trailing slash)."""
    internal = config["SANDBOX_URL"].rstrip("/")
    if came_through_proxy() and config.get("SANDBOX_PROXY_PATH"):
        return origin(request.host_url) + "/" + config["SANDBOX_PROXY_PATH"].strip("/")
    parts, asked = urlsplit(internal), urlsplit(request.host_url)
    if not is_loopback(asked.hostname or "") and (is_loopback(parts.hostname or "") or parts.hostname in WILDCARD):
        name = f"[{asked.hostname}]" if ":" in asked.hostname else asked.hostname
        return f"{asked.scheme}://{name}:{parts.port}"
    return internal


def stripe_js_url(config):
    """The Stripe.js this request's checkout page loads: the sandbox's stand-in, or js.stripe.com."""
    return sandbox_url(config) + "/v3/" if config["MODE"] == "sandbox" else config["STRIPE_JS_URL"]
