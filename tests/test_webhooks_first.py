"""The shop's server answers a webhook before the page loads queued ahead of it (``WebhooksFirst``)."""

import threading
import time
import urllib.request

from flask import Flask

from press_workbench.sandbox.serving import serve_in_thread
from press_workbench.shop.serving import WebhooksFirst


def wait_until(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_webhook_jumps_the_queue_of_a_busy_shop():
    app, entered, release, handled = Flask(__name__), threading.Event(), threading.Event(), []

    @app.route("/<path:path>", methods=["GET", "POST"])
    def any_path(path):
        if path == "busy":
            entered.set()
            release.wait(10)  # the server's one thread is taken while the others queue up
        handled.append(path)
        return "ok"

    running = serve_in_thread(app, threads=1, dispatcher=WebhooksFirst())
    queue = running.server.task_dispatcher.queue
    clients = []

    def send(path, method="GET"):
        def request():
            body = b"{}" if method == "POST" else None
            urllib.request.urlopen(urllib.request.Request(f"{running.url}/{path}", data=body), timeout=10).close()

        clients.append(threading.Thread(target=request))
        clients[-1].start()

    try:
        send("busy")
        entered.wait(5)
        send("checkout/1")
        wait_until(lambda: len(queue) == 1)
        send("checkout/2")
        wait_until(lambda: len(queue) == 2)
        send("webhook", "POST")
        wait_until(lambda: len(queue) == 3)
        release.set()
        for client in clients:
            client.join(10)
        assert handled == ["busy", "webhook", "checkout/1", "checkout/2"]
    finally:
        release.set()
        running.stop()
