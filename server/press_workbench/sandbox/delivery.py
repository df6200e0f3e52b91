"""Signed webhook delivery on Stripe's retry schedule, off the request path, by a bounded pool.

Each event is POSTed to every subscribed endpoint as the exact JSON bytes that were
signed: ``Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>``, the
scheme ``stripe.Webhook.construct_event`` verifies.  The queue lives in SQLite, so
deliveries survive a restart of the sandbox (a delivery leased by a process that
died is taken up again when its lease runs out) and of the endpoint (it is retried).

Retries follow Stripe's live mode: exponential backoff for up to three days after
the event.  The sandbox starts the backoff at one second instead of minutes, and
retries a delivery that found its endpoint unreachable as soon as that endpoint
answers another one, so a shop restarted on a laptop settles within seconds.
Only explicit configuration (tests) shortens the three days.

A pool of threads sends concurrently, at most half of them to one endpoint, so a
slow endpoint or a burst of events does not hold up the rest.  32 threads, so 16 to
one shop: with 8, a shop under full load (answering each webhook in 30–300 ms) could
take only about 75 deliveries a second and its orders settled seconds late (BENCHMARKS.md).
"""

import hashlib
import hmac
import http.client
import logging
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from .behind_proxy import is_loopback
from .pipeline.versions import API_VERSION, render_event
from .store import RESPONSE_EXCERPT, Attempt, to_json

log = logging.getLogger(__name__)
MAX_ANSWER = 64 * 1024  # read past the excerpt to reuse the connection; a longer answer closes it instead
DELIVERY_THREADS = 32  # see the module docstring
POLL_SECONDS = 0.25  # how often the queue is read when nothing wakes the worker (other processes may enqueue)


def sign(payload: bytes, secret: str, timestamp=None):
    """The ``Stripe-Signature`` header, computed as Stripe does, so ``stripe.Webhook.construct_event`` accepts it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class RetrySchedule:
    """When to try a failed delivery again: ``first`` seconds, doubling, at most ``cap`` apart, for ``retry_for``."""

    first: float = 1.0
    cap: float = 3600.0
    retry_for: float = 3 * 24 * 3600.0  # Stripe: "for up to three days with an exponential back off" (live mode)
    max_attempts: int | None = None  # only tests set this

    def next_retry(self, attempts, event_created, now):
        """The time of the next attempt after ``attempts`` failed ones, or None to give up."""
        if self.max_attempts is not None and attempts >= self.max_attempts:
            return None
        retry_at = now + min(self.first * 2 ** (attempts - 1), self.cap)
        return retry_at if retry_at <= event_created + self.retry_for else None


class DeliveryWorker:
    """Delivers queued events; one per sandbox process, woken when events are queued.

    The pool's threads keep their connections to endpoints open between events: under
    load, a new connection per event waits behind every other client in a busy
    endpoint's accept queue before its request is even read.
    """

    def __init__(self, store, schedule=RetrySchedule(), threads=DELIVERY_THREADS, timeout=10, local_headers=None):
        self.store = store
        self.local_headers = local_headers or {}  # sent to endpoints on loopback only (the proxy token)
        self.schedule = schedule
        self.threads = threads
        self.per_endpoint = max(1, threads // 2)
        self.timeout = timeout
        self.lease_seconds = timeout + 5  # longer than any POST can take
        self._in_flight = Counter()  # endpoint id → deliveries being sent by this worker
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="sandbox-webhook")
        self._thread = None

    def start(self):
        """Start sending; a second call is harmless, as the app and its tests may both start it."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
            self._thread.start()

    def wake(self):
        """Look for due deliveries now, rather than at the next poll: a request just queued some."""
        self._wake.set()

    def stop(self, wait=False):
        """Stop sending (``wait``: until the deliveries in flight have ended, each within its timeout); undelivered
        rows stay in SQLite and go out when a sandbox runs again."""
        self._stop.set()
        self._wake.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)
        if wait and self._thread is not None:
            self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            try:
                self._dispatch()
            except Exception:  # the worker must outlive a bad row or a locked database
                log.exception("webhook delivery loop failed")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def _dispatch(self):
        """Hand due deliveries to free pool threads, keeping each endpoint within its share."""
        with self._lock:
            free = self.threads - sum(self._in_flight.values())
            in_flight = dict(self._in_flight)
        if free <= 0 or self._stop.is_set():
            return
        for row in self.store.claim_due_deliveries(self.lease_seconds, free, in_flight, self.per_endpoint):
            with self._lock:
                self._in_flight[row[2]] += 1
            self._pool.submit(self._send, *row)

    def _send(self, delivery_id, event_id, endpoint_id, attempts):
        try:
            self._deliver(delivery_id, event_id, endpoint_id, attempts)
        except Exception:  # the lease runs out and the delivery is tried again
            log.exception("webhook delivery %s failed", delivery_id)
        finally:
            with self._lock:
                self._in_flight[endpoint_id] -= 1
                if not self._in_flight[endpoint_id]:
                    del self._in_flight[endpoint_id]
            self._wake.set()

    def _deliver(self, delivery_id, event_id, endpoint_id, attempts):
        event = self.store.get(event_id, "event")
        endpoint = self.store.get(endpoint_id, "webhook_endpoint")
        if event is None or endpoint is None or endpoint["status"] != "enabled":
            # Stripe: "If your endpoint has been disabled or deleted when Stripe attempts a retry, future
            # retries of that event are prevented."
            self.store.give_up_delivery(delivery_id, "endpoint removed or disabled")
            return
        rendered = render_event(self.store, event, endpoint["api_version"] or API_VERSION)  # the endpoint's version
        status, error, body, started, duration_ms = post(endpoint, rendered, self.timeout, self.local_headers)
        attempts += 1
        next_retry = None if error is None else self.schedule.next_retry(attempts, event["created"], time.time())
        self.store.record_attempt(
            Attempt(delivery_id, event_id, endpoint_id, attempts, started, duration_ms, status, error, body, next_retry)
        )
        if error is None:
            self.store.retry_unreachable_now(endpoint_id)


def post(endpoint, event, timeout, local_headers=None):
    """POST one signed event; returns (status or None, error or None, answer excerpt, started, duration in ms).

    ``local_headers`` go only to an endpoint on this machine: the proxy token must never leave it.
    """
    payload = to_json(event).encode()  # compact, as the API answers (pipeline/endpoint.py)
    url = urlsplit(endpoint["url"])
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        "Stripe-Signature": sign(payload, endpoint["secret"]),
        **(local_headers if local_headers and is_loopback(url.hostname or "") else {}),
    }
    started, clock = time.time(), time.monotonic()
    try:
        status, body = _exchange(url, payload, headers, timeout)
        error = None if 200 <= status < 300 else f"HTTP {status}"  # a redirect too: Stripe does not follow it
    except (OSError, http.client.HTTPException, ValueError) as exc:
        status, error, body = None, str(exc) or type(exc).__name__, b""
    duration_ms = round((time.monotonic() - clock) * 1000)
    return status, error, body.decode("utf-8", "replace")[:RESPONSE_EXCERPT], started, duration_ms


class _Connections(threading.local):
    """Each pool thread's idle keep-alive connections, one per endpoint origin."""

    def __init__(self):
        self.idle = {}


_connections = _Connections()


def _exchange(url, payload, headers, timeout):
    """(status, first bytes of the answer) for one POST, on a kept connection when there is one."""
    if not url.hostname:  # stored before URLs were checked: a failed attempt, retried and given up as any other
        raise ValueError(f"no host in the endpoint's URL {url.geturl()!r}")
    origin, target = (url.scheme, url.netloc), (url.path or "/") + (f"?{url.query}" if url.query else "")
    kept = _connections.idle.pop(origin, None)
    for connection in (kept, None) if kept else (None,):
        if connection is None:
            kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
            connection = kind(url.hostname, url.port, timeout=timeout)
        try:
            connection.request("POST", target, payload, headers)
            response = connection.getresponse()
            body = response.read(RESPONSE_EXCERPT)
            drained = len(response.read(MAX_ANSWER)) < MAX_ANSWER
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            connection.close()
            if connection is kept:
                continue  # the endpoint closed it while idle: once more on a new connection
            raise
        except BaseException:
            connection.close()
            raise
        if drained and not response.will_close:
            _connections.idle[origin] = connection
        else:
            connection.close()
        return response.status, body
