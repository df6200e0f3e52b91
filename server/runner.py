"""Start the sandbox and the shop on loopback ports, in threads of the current process.

Used by ``workbench serve``, the notebook helper and the tests, so all three run
the servers the same way.  Port 0 picks a free port.
"""

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from waitress import wasyncore
from waitress.server import create_server

from server import create_app
from server.config import load as load_config
from server.reconcile import reconcile_in_background
from server.sandbox import create_sandbox_app

logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" notes under load


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


def serve_in_thread(app, host="127.0.0.1", port=0, name="server", threads=8):
    """Serve ``app`` with waitress (keep-alive, a thread pool) in a daemon thread."""
    server = create_server(app, host=host, port=port, threads=threads, ident="press-workbench")
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
    shop = serve_in_thread(app, host, port, "shop")
    if host not in ("0.0.0.0", "::"):  # on every interface, SHOP_URL says which address shoppers use
        app.config["SHOP_URL"] = shop.url  # return URLs and the same-origin check use it
    if app.config["MODE"] == "sandbox":
        register_sandbox_webhook(app, shop.url)
    reconcile_in_background(app.extensions["shop"], say)
    return shop, sandbox


def register_sandbox_webhook(app, shop_url):
    """Subscribe the shop's /webhook to the sandbox and keep the returned ``whsec_`` secret."""
    client = app.extensions["shop"].stripe
    target = shop_url.rstrip("/") + "/webhook"
    for endpoint in client.v1.webhook_endpoints.list(params={"limit": 100}).data:
        if endpoint.url == target:
            client.v1.webhook_endpoints.delete(endpoint.id)
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": target, "enabled_events": ["*"], "description": "Press Workbench shop (sandbox)"}
    )
    app.config["STRIPE_WEBHOOK_SECRET"] = endpoint.secret
    return endpoint
