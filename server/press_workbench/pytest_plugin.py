"""The ``stripe_sandbox`` pytest plugin: the offline sandbox in any project's tests, with no conftest to write.

Installing Press Workbench registers it (entry point ``pytest11``), so every pytest run of that
environment has these fixtures; ``-p no:stripe_sandbox`` turns the plugin off.

- ``stripe_sandbox`` (session): a sandbox on a free loopback port with its own temporary data
  directory, stopped when the session ends.  Its ``api_base``, ``secret_key``, ``publishable_key``,
  ``js_url`` and ``dashboard_url`` are what a project's configuration needs; ``reset()`` forgets
  every payment; ``trigger(event_type)`` plays a ``stripe trigger`` scenario; ``settle_delays(normal,
  delayed)`` and ``settle_now(payment_intent)`` say when SEPA Direct Debits settle.
- ``stripe_sandbox_client``: a ``stripe.StripeClient`` bound to it with the secret key.
- ``stripe_webhooks`` (one test): every event the test causes, delivered signed and verified, with
  ``wait_for(event_type)``; ``forward_to(url or WSGI app)`` subscribes the project's own endpoint,
  as ``stripe listen --forward-to`` does, and returns its ``whsec_`` secret.

With pytest-xdist each worker process starts its own sandbox (session fixtures live in one
process), so tests in different workers never see each other's payments or events.

The sandbox is imported only when a test asks for a fixture: every pytest run in an environment
that has the package loads this module, and Flask plus stripe-python take half a second to import.
That is why the plugin is here, beside the packages rather than in ``press_workbench.sandbox``:
loading a module runs its packages' ``__init__`` first, and the sandbox's imports Flask, while
``press_workbench``'s imports nothing.  It uses the sandbox through its public API alone
(an import-linter contract in ``pyproject.toml``).
"""

import threading
import time
from dataclasses import dataclass

import pytest


@dataclass
class StripeSandbox:
    """A running sandbox and what a project's configuration needs to use it instead of Stripe."""

    api_base: str
    secret_key: str
    publishable_key: str
    data_dir: str

    @property
    def js_url(self):
        """The Stripe.js stand-in, for a checkout page's ``<script src>`` (instead of https://js.stripe.com/v3/)."""
        return f"{self.api_base}/v3/"

    @property
    def dashboard_url(self):
        """The sandbox console: Stripe's Dashboard for these payments, events and webhook deliveries."""
        return f"{self.api_base}/dashboard"

    def client(self, key=None, **options):
        """A ``stripe.StripeClient`` for this sandbox (the secret key unless ``key``; StripeClient ``options``)."""
        import stripe

        return stripe.StripeClient(key or self.secret_key, base_addresses={"api": self.api_base}, **options)

    def reset(self):
        """Forget every payment, event and logged request, as a fresh account; webhook endpoints stay subscribed.

        Endpoints stay so that a ``stripe_webhooks`` subscription (or your own) keeps receiving
        the events of the rest of the test.
        """
        from press_workbench.sandbox import reset

        reset(self.data_dir, keep_webhook_endpoints=True)

    def settle_delays(self, normal=None, delayed=None):
        """How long SEPA debits stay ``processing`` from now on, in seconds (``None``: until ``settle_now``).

        The session's sandbox settles them after 3 s (normal test IBANs) and 30 s (the delayed ones) unless told.
        """
        from press_workbench.sandbox import set_settle_delays

        set_settle_delays(self.data_dir, normal=normal, delayed=delayed)

    def settle_now(self, payment_intent=None):
        """Let the bank answer at once for the SEPA debits and refunds still pending (or ``payment_intent``'s)."""
        from press_workbench.sandbox import settle_now

        return settle_now(self.data_dir, payment_intent)

    def trigger(self, event_type):
        """Create the objects that make Stripe emit ``event_type``, as ``stripe trigger`` does; return that event.

        Nothing is faked: a PaymentIntent is confirmed with a test card, refunded…, and the
        event is the one the sandbox's lifecycle emitted (and delivered to every endpoint).
        """
        from press_workbench.sandbox import TRIGGERS, trigger

        if event_type not in TRIGGERS:
            raise ValueError(f"cannot trigger {event_type!r}; these can be: {', '.join(sorted(TRIGGERS))}")
        _, event = trigger(self.client(), event_type)
        if event is None:
            raise AssertionError(f"the sandbox did not emit {event_type}; see {self.dashboard_url}/events")
        return event


@dataclass
class _Delivery:
    """One POST the capture endpoint received: the verified event, or why it did not verify."""

    event: object = None
    error: str = None


class StripeWebhooks:
    """One test's webhooks: a capture endpoint for every event, and the project's endpoints (``forward_to``)."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.client = sandbox.client()
        self._secret = None  # the capture endpoint's
        self._deliveries, self._endpoints, self._servers = [], [], []
        self._arrived = threading.Condition()

    @property
    def events(self):
        """The verified events received so far, in arrival order."""
        with self._arrived:
            return [delivery.event for delivery in self._deliveries if delivery.event]

    def start(self):
        """Serve the capture endpoint on a free loopback port and subscribe it to every event."""
        from press_workbench.sandbox import serve_in_thread

        server = serve_in_thread(self._capture, name="stripe_webhooks capture", threads=4)
        self._servers.append(server)
        endpoint = self._subscribe(f"{server.url}/stripe_webhooks", ["*"], "stripe_webhooks capture")
        self._secret = endpoint.secret
        return self

    def forward_to(self, target, path="/webhook", events=("*",)):
        """Subscribe the project's webhook endpoint for this test; return its ``whsec_`` signing secret.

        ``target`` is a URL the project's test server listens on, or a WSGI app (a Flask app),
        which is then served on a free loopback port until the test ends, with ``path`` as its route.
        """
        if callable(target):
            from press_workbench.sandbox import serve_in_thread

            server = serve_in_thread(target, name="stripe_webhooks forward_to")
            self._servers.append(server)
            target = server.url + path
        return self._subscribe(target, list(events), "stripe_webhooks forward_to").secret

    def wait_for(self, event_type, about=None, timeout=10.0):
        """The first event of ``event_type`` (about the object id ``about``, if given) this test received.

        It returns once every endpoint subscribed to the event (``forward_to``'s too) has
        accepted it (``pending_webhooks`` is 0), so what the project's handler did is done.
        Raises ``AssertionError``, saying what did arrive, after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._arrived:
            event = self._arrived.wait_for(lambda: self._match(event_type, about), max(deadline - time.monotonic(), 0))
        if event is None:
            raise AssertionError(self._missing(event_type, about, timeout))
        while self.client.v1.events.retrieve(event.id).pending_webhooks:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{event.id} ({event_type}) arrived, but not every webhook endpoint accepted it within "
                    f"{timeout} s: see its deliveries at {self.sandbox.dashboard_url}/events/{event.id}"
                )
            time.sleep(0.02)
        return event

    def close(self):
        """Unsubscribe every endpoint of this test (unless the test did), then stop the servers it started."""
        import stripe

        try:
            for endpoint in self._endpoints:
                try:
                    self.client.v1.webhook_endpoints.delete(endpoint.id)
                except stripe.InvalidRequestError as exc:
                    if exc.code != "resource_missing":
                        raise
        finally:
            for server in self._servers:
                server.stop()

    def _subscribe(self, url, events, description):
        endpoint = self.client.v1.webhook_endpoints.create(
            params={"url": url, "enabled_events": events, "description": description}
        )
        self._endpoints.append(endpoint)
        return endpoint

    def _match(self, event_type, about):
        for delivery in self._deliveries:
            event = delivery.event
            if event and event.type == event_type and about in (None, *_subjects(event)):
                return event
        return None

    def _missing(self, event_type, about, timeout):
        with self._arrived:
            seen = [f"{d.event.type} {d.event.id}" if d.event else f"unverified ({d.error})" for d in self._deliveries]
        wanted = event_type + (f" about {about}" if about else "")
        return f"no {wanted} arrived within {timeout} s; received: {', '.join(seen) or 'nothing'}"

    def _capture(self, environ, start_response):
        """The capture endpoint (plain WSGI): verify the signature as a project would, keep the event."""
        import stripe

        payload = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        signature = environ.get("HTTP_STRIPE_SIGNATURE")
        try:
            delivery = _Delivery(self.client.construct_event(payload, signature, self._secret))
        except (ValueError, stripe.SignatureVerificationError) as exc:
            delivery = _Delivery(error=str(exc))
        with self._arrived:
            self._deliveries.append(delivery)
            self._arrived.notify_all()
        start_response("400 Bad Request" if delivery.error else "200 OK", [("Content-Type", "text/plain")])
        return [b"not verified" if delivery.error else b"ok"]


def _subjects(event):
    """The ids an event is about: its object's, and the PaymentIntent's of a charge or refund."""
    obj = event.data.object
    return [value for value in (obj.id, getattr(obj, "payment_intent", None)) if value]


@pytest.fixture(scope="session")
def stripe_sandbox(tmp_path_factory):
    """A sandbox for this test session (this xdist worker): free loopback port, own data dir, stopped at the end."""
    from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY, start_sandbox

    data_dir = str(tmp_path_factory.mktemp("stripe_sandbox"))
    running = start_sandbox(data_dir)
    yield StripeSandbox(running.url, SECRET_KEY, PUBLISHABLE_KEY, data_dir)
    running.stop()


@pytest.fixture
def stripe_sandbox_client(stripe_sandbox):
    """A ``stripe.StripeClient`` bound to the sandbox with its secret key."""
    return stripe_sandbox.client()


@pytest.fixture
def stripe_webhooks(stripe_sandbox):
    """This test's webhooks: deliveries captured and verified (``wait_for``), ``forward_to`` the project's endpoint."""
    webhooks = StripeWebhooks(stripe_sandbox).start()
    yield webhooks
    webhooks.close()
