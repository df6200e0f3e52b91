"""Start the shop (and, in sandbox mode, its sandbox) on loopback ports, in threads of the current process.

Used by ``workbench serve``, ``make lab``, the notebook helper and the tests, so all
of them run the shop the same way, with its webhook registered at the sandbox.
"""

import json
import os
import urllib.request
from urllib.parse import urlparse

import stripe
from waitress.task import ThreadedTaskDispatcher

from press_workbench.sandbox import proxy_headers, public_hosts, sandbox_answers, serve_in_thread, start_sandbox

from .app import create_app
from .config import defaults as config_defaults
from .config import load as load_config
from .reconcile import reconcile_in_background
from .security import write_private
from .webhooks import HANDLED

# The shop's threads, by mode.  Against the sandbox on this machine a request needs CPU, not waiting: in the load run
# with no pause, 32 threads fought over the GIL (settle p95 1.7 s, orders late) where 8 settled at p95 0.16 s, as
# many orders/s; WebhooksFirst keeps webhooks from waiting behind page loads.  Against Stripe a request mostly waits
# on the network, so more threads serve more shoppers at once (BENCHMARKS.md).
SHOP_THREADS = {"sandbox": 8, "stripe": 32}
WEBHOOK_FILE = "sandbox-webhook.json"  # the shop's endpoint at the sandbox: {"id": "we_…", "secret": "whsec_…"}
# Only the events /webhook acts on, as Stripe advises: with "*" every payment also sent created, charge.succeeded,
# charge.updated… that the shop answered and ignored, and under load those deliveries queued ahead of the ones that
# settle orders (BENCHMARKS.md).  The lessons read other events through the events API, not through the shop.
HANDLED_EVENTS = sorted(HANDLED)
SHOP_ENDPOINT = {"enabled_events": HANDLED_EVENTS, "description": "Press Workbench shop (sandbox)"}


class WebhooksFirst(ThreadedTaskDispatcher):
    """waitress's thread pool, except that a request for ``/webhook`` goes to the front of the queue.

    A webhook is what settles an order; when shoppers keep every thread busy (the load run
    with no pause, BENCHMARKS.md), a webhook queued behind their page loads waited seconds,
    deliveries backed up at the sandbox, and orders stayed unpaid long after payment.
    waitress queues a connection (``HTTPChannel``) once its request is read, so its path is known.
    """

    def add_task(self, task):
        """Queue ``/webhook`` ahead of page loads, so orders settle in time even when shoppers saturate the server."""
        requests = getattr(task, "requests", None)
        if not (requests and requests[0].path == "/webhook"):
            return super().add_task(task)
        with self.lock:
            self.queue.appendleft(task)
            self.queue_cv.notify()
        return None


def probe_shop(url, timeout=1.0, token=None):
    """The ``/api/health`` answer of a Press Workbench shop at ``url``, or None if none answers there.

    Port 0 in the URL means "pick a free port" (as in every port setting), so nothing is looked for.  A shop
    behind a Jupyter server's proxy answers only with its proxy token (``token``, else ``WORKBENCH_PROXY_TOKEN``).
    """
    if urlparse(url).port == 0:
        return None
    request = urllib.request.Request(url.rstrip("/") + "/api/health", headers=proxy_headers(token))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            health = json.load(response)
    except (OSError, ValueError):
        return None
    if isinstance(health, dict) and health.get("ok") is True and health.get("mode") in ("sandbox", "stripe"):
        return health
    return None


def start_shop(config, host="127.0.0.1", port=0, say=None):
    """Start the shop (and, in sandbox mode, the sandbox unless one already answers); returns (shop, sandbox).

    Open orders are then reconciled with Stripe in the background (``say`` hears how it went).
    """
    config = dict(config)
    settings = load_config(config)
    os.makedirs(settings["DATA_DIR"], mode=0o700, exist_ok=True)  # private before either server writes to it
    sandbox = None
    token = settings["PROXY_TOKEN"]
    if settings["MODE"] == "sandbox" and not sandbox_answers(settings["SANDBOX_URL"], token=token):
        behind = {"proxy_token": token, "public_hosts": public_hosts(settings["PUBLIC_HOST"])}
        sandbox = start_sandbox(settings["DATA_DIR"], host, settings["SANDBOX_PORT"], **behind)
        config["SANDBOX_URL"] = sandbox.url
    app = create_app(config)
    threads = SHOP_THREADS[app.config["MODE"]]
    shop = serve_in_thread(
        app, host, port, "shop", threads=threads, dispatcher=WebhooksFirst(), port_setting="SHOP_PORT"
    )
    if host not in ("0.0.0.0", "::"):  # on every interface, SHOP_URL says which address shoppers use
        app.config["SHOP_URL"] = shop.url  # return URLs and the same-origin check use it
    if app.config["MODE"] == "sandbox":
        register_sandbox_webhook(app, shop.url)
    reconcile_in_background(app.extensions["shop"], say)
    return shop, sandbox


def register_sandbox_webhook(app, shop_url):
    """Subscribe the shop's /webhook to the sandbox once, and reuse that endpoint and its ``whsec_`` ever after.

    It listens to the events the shop handles (an endpoint saved by an older version, listening to ``*``, is
    narrowed).  A new endpoint at every start would strand the deliveries queued for the old one
    (payments made while the shop was down), so the endpoint's id and secret are kept
    in the data dir, readable by this user only.  A shop restarted on another port
    moves its endpoint there; other endpoints for the same URL (older shops) are removed.
    """
    client = app.extensions["shop"].stripe
    target = shop_url.rstrip("/") + "/webhook"
    path = os.path.join(app.config["DATA_DIR"], WEBHOOK_FILE)
    endpoint, secret = _saved_endpoint(client, path)
    if endpoint is None:
        endpoint = client.v1.webhook_endpoints.create(params={"url": target, **SHOP_ENDPOINT})
        secret = endpoint.secret
        write_private(path, json.dumps({"id": endpoint.id, "secret": secret}))
    elif (endpoint.url, endpoint.status, endpoint.enabled_events) != (target, "enabled", HANDLED_EVENTS):
        endpoint = client.v1.webhook_endpoints.update(
            endpoint.id, params={"url": target, "disabled": False, **SHOP_ENDPOINT}
        )
    for other in client.v1.webhook_endpoints.list(params={"limit": 100}).auto_paging_iter():
        if other.url == target and other.id != endpoint.id:
            client.v1.webhook_endpoints.delete(other.id)
    app.config["STRIPE_WEBHOOK_SECRET"] = secret
    return endpoint


def client_webhook_secret(mode):
    """A local client's copy of the shop's ``whsec_``, to sign test events as Stripe does (notebook 02); else None.

    In sandbox mode the shop registered its own endpoint and keeps the secret in its data
    dir (``WORKBENCH_DATA_DIR``, as ``make lab`` gives the kernels); in stripe mode it is
    ``STRIPE_WEBHOOK_SECRET``, from the environment or ``.env``.
    """
    if mode == "stripe":
        return os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    path = os.path.join(os.environ.get("WORKBENCH_DATA_DIR") or config_defaults()["DATA_DIR"], WEBHOOK_FILE)
    try:
        with open(path) as fh:
            return json.load(fh).get("secret")
    except (OSError, ValueError, AttributeError):
        return None


def _saved_endpoint(client, path):
    """(endpoint, secret) registered by an earlier start if the sandbox still has it, else (None, None)."""
    try:
        with open(path) as fh:
            saved = json.load(fh)
        if isinstance(saved["secret"], str):
            return client.v1.webhook_endpoints.retrieve(saved["id"]), saved["secret"]
    except (OSError, ValueError, KeyError, TypeError, stripe.InvalidRequestError):
        pass  # first start, another sandbox, or `workbench reset`
    return None, None
