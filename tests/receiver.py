"""A webhook endpoint for tests: a real HTTP server on loopback that keeps what the sandbox POSTs to it."""

import threading
import time

from flask import Flask, request

from press_workbench.sandbox.serving import serve_in_thread


class Receiver:
    """A webhook endpoint that records what it gets and can fail or stall on purpose."""

    def __init__(self, port=0, delay=0.0):
        self.received = []
        self.fail_first = 0
        self.delay = delay
        self.answer = ("ok", 200)
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = 0
        app = Flask(__name__)
        app.add_url_rule("/hook", "hook", self.hook, methods=["POST"])
        self.server = serve_in_thread(app, port=port, name="receiver", threads=16)
        self.url = self.server.url + "/hook"

    def hook(self):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
            self.received.append((time.monotonic(), request.get_data(), request.headers.get("Stripe-Signature")))
            if len(self.received) <= self.fail_first:
                return "try later", 500
        return self.answer

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received
