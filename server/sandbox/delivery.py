"""Signed webhook delivery with retries, off the request path.

Each event is POSTed to every subscribed endpoint as the exact JSON bytes that were
signed: ``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>``, the
scheme ``stripe.Webhook.construct_event`` verifies.  A background thread drains a
queue persisted in SQLite; failures are retried with exponential backoff, so the
API call that caused an event never waits for (or fails with) a webhook.
"""

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request

from .pipeline.versions import API_VERSION, render_event
from .store import RESPONSE_EXCERPT, Attempt

log = logging.getLogger(__name__)


def sign(payload: bytes, secret: str, timestamp=None):
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class DeliveryWorker:
    """Delivers queued events; one per sandbox process, woken when events are queued."""

    def __init__(self, store, retry_base=1.0, max_attempts=6, timeout=10):
        self.store = store
        self.retry_base = retry_base
        self.max_attempts = max_attempts
        self.timeout = timeout
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def wake(self):
        self._wake.set()

    def stop(self):
        self._stop.set()
        self._wake.set()

    def _run(self):
        while not self._stop.is_set():
            try:
                for row in self.store.claim_due_deliveries():
                    self._deliver(*row)
            except Exception:  # the worker must outlive a bad row or a locked database
                log.exception("webhook delivery loop failed")
            self._wake.wait(0.25)
            self._wake.clear()

    def _deliver(self, delivery_id, event_id, endpoint_id, attempts):
        event = self.store.get(event_id, "event")
        endpoint = self.store.get(endpoint_id, "webhook_endpoint")
        if event is None or endpoint is None or endpoint["status"] != "enabled":
            self.store.give_up_delivery(delivery_id, "endpoint removed or disabled")
            return
        rendered = render_event(self.store, event, endpoint["api_version"] or API_VERSION)  # the endpoint's version
        status, error, body, started, duration_ms = post(endpoint, rendered, self.timeout)
        attempts += 1
        next_retry = None
        if error is not None and attempts < self.max_attempts:
            next_retry = time.time() + self.retry_base * 2 ** (attempts - 1)
        self.store.record_attempt(Attempt(delivery_id, event_id, endpoint_id, attempts, started, duration_ms, status,
                                          error, body, next_retry))  # fmt: skip


def post(endpoint, event, timeout):
    """POST one signed event; returns (status or None, error or None, answer excerpt, started, duration in ms)."""
    payload = json.dumps(event, indent=2).encode()
    request = urllib.request.Request(endpoint["url"], data=payload, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Stripe-Signature": sign(payload, endpoint["secret"]),
    })  # fmt: skip
    status, error, body = None, None, b""
    started, clock = time.time(), time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, body = response.status, response.read(RESPONSE_EXCERPT)
    except urllib.error.HTTPError as exc:
        status, error, body = exc.code, f"HTTP {exc.code}", exc.read(RESPONSE_EXCERPT)
    except urllib.error.URLError as exc:
        error = str(exc.reason)
    except (OSError, ValueError) as exc:
        error = str(exc) or type(exc).__name__
    duration_ms = round((time.monotonic() - clock) * 1000)
    return status, error, body.decode("utf-8", "replace")[:RESPONSE_EXCERPT], started, duration_ms
