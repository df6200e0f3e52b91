"""Start the sandbox and the shop on loopback ports, in threads of the current process.

Used by ``workbench serve``, the notebook helper and the tests, so all three run
the servers the same way.  Port 0 picks a free port.
"""

import errno
import json
import logging
import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

import stripe
from waitress import wasyncore
from waitress.server import create_server
from waitress.task import ThreadedTaskDispatcher

from server import create_app
from server.config import load as load_config
from server.reconcile import reconcile_in_background
from server.sandbox import create_sandbox_app
from server.security import write_private
from server.webhooks import HANDLED

logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" notes under load
PORT_SETTINGS = {"shop": "SHOP_PORT", "sandbox": "SANDBOX_PORT"}
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


@dataclass
class RunningServer:
    url: str
    server: object
    thread: threading.Thread = None
    app: object = None
    stopping: bool = False

    def serve(self):
        """The serving loop; closing its sockets in ``stop`` makes ``select()`` fail, which is the way out."""
        try:
            self.server.run()
        except (OSError, ValueError):
            if not self.stopping:
                raise

    def stop(self):
        """Answer the requests in flight, then close every connection and the listening socket."""
        self.stopping = True
        self.server.accepting = False
        self.server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(self.server._map)
        self.thread.join(5)
        sandbox = self.app.extensions.get("sandbox") if self.app else None
        if sandbox:
            sandbox.worker.stop()


class WebhooksFirst(ThreadedTaskDispatcher):
    """waitress's thread pool, except that a request for ``/webhook`` goes to the front of the queue.

    A webhook is what settles an order; when shoppers keep every thread busy (the load run
    with no pause, BENCHMARKS.md), a webhook queued behind their page loads waited seconds,
    deliveries backed up at the sandbox, and orders stayed unpaid long after payment.
    waitress queues a connection (``HTTPChannel``) once its request is read, so its path is known.
    """

    def add_task(self, task):
        requests = getattr(task, "requests", None)
        if not (requests and requests[0].path == "/webhook"):
            return super().add_task(task)
        with self.lock:
            self.queue.appendleft(task)
            self.queue_cv.notify()
        return None


def serve_in_thread(app, host="127.0.0.1", port=0, name="server", threads=8, dispatcher=None):
    """Serve ``app`` with waitress (keep-alive, a thread pool) in a daemon thread.

    ``dispatcher``: the thread pool, e.g. the shop's ``WebhooksFirst`` (waitress's own by default).
    """
    if dispatcher is not None:
        dispatcher.set_thread_count(threads)
    try:
        server = create_server(app, host=host, port=port, threads=threads, ident="press-workbench",
                               _dispatcher=dispatcher)  # fmt: skip
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        setting = PORT_SETTINGS.get(name, "PORT")
        raise OSError(f"The {name} cannot listen on {host}:{port}: that port is already in use (by another program, "
                      f"or a shop or sandbox still running). Stop that program, or choose a free port, e.g. "
                      f"{setting}={port + 1} in .env or the environment.") from None  # fmt: skip
    running = RunningServer(f"http://{host}:{server.effective_port}", server, app=app)
    running.thread = threading.Thread(target=running.serve, name=name, daemon=True)
    running.thread.start()
    return running


def sandbox_answers(url, timeout=1.0):
    """True if a Press Workbench sandbox already runs at ``url``."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/", timeout=timeout) as response:
            return json.load(response).get("sandbox") is True
    except (OSError, ValueError, urllib.error.URLError):
        return False


def start_sandbox(data_dir, host="127.0.0.1", port=0, **options):
    return serve_in_thread(create_sandbox_app(data_dir, **options), host, port, "sandbox")


def start_shop(config, host="127.0.0.1", port=0, say=None):
    """Start the shop (and, in sandbox mode, the sandbox unless one already answers); returns (shop, sandbox).

    Open orders are then reconciled with Stripe in the background (``say`` hears how it went).
    """
    config = dict(config)
    settings = load_config(config)
    os.makedirs(settings["DATA_DIR"], mode=0o700, exist_ok=True)  # private before either server writes to it
    sandbox = None
    if settings["MODE"] == "sandbox" and not sandbox_answers(settings["SANDBOX_URL"]):
        sandbox = start_sandbox(settings["DATA_DIR"], host, settings["SANDBOX_PORT"])
        config["SANDBOX_URL"] = sandbox.url
    app = create_app(config)
    threads = SHOP_THREADS[app.config["MODE"]]
    shop = serve_in_thread(app, host, port, "shop", threads=threads, dispatcher=WebhooksFirst())
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
        endpoint = client.v1.webhook_endpoints.update(endpoint.id, params={"url": target, "disabled": False,
                                                                           **SHOP_ENDPOINT})  # fmt: skip
    for other in client.v1.webhook_endpoints.list(params={"limit": 100}).auto_paging_iter():
        if other.url == target and other.id != endpoint.id:
            client.v1.webhook_endpoints.delete(other.id)
    app.config["STRIPE_WEBHOOK_SECRET"] = secret
    return endpoint


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
