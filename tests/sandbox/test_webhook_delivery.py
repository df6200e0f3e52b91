"""Webhook delivery: signed so stripe-python verifies it, retried with backoff, never blocking the API."""

import threading
import time

import pytest
import stripe
from flask import Flask, request

from server.runner import serve_in_thread, start_sandbox
from server.sandbox import SECRET_KEY

pytestmark = pytest.mark.sandbox_only("delivers to local receivers from sandboxes of its own")


class Receiver:
    """A webhook endpoint that records what it gets and can fail or stall on purpose."""

    def __init__(self):
        self.received = []
        self.fail_first = 0
        self.delay = 0.0
        self.lock = threading.Lock()
        app = Flask(__name__)
        app.add_url_rule("/hook", "hook", self.hook, methods=["POST"])
        self.server = serve_in_thread(app, name="receiver")
        self.url = self.server.url + "/hook"

    def hook(self):
        time.sleep(self.delay)
        with self.lock:
            self.received.append((time.monotonic(), request.get_data(), request.headers.get("Stripe-Signature")))
            if len(self.received) <= self.fail_first:
                return "try later", 500
        return "ok"

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@pytest.fixture
def own_sandbox(tmp_path):
    running = start_sandbox(str(tmp_path), webhook_retry_base=0.2, webhook_max_attempts=3)
    yield running, stripe.StripeClient(SECRET_KEY, base_addresses={"api": running.url})
    running.stop()


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.server.stop()


def subscribe(client, receiver, events):
    return client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": events})


def test_events_are_signed_so_construct_event_accepts_them(own_sandbox, receiver):
    _, client = own_sandbox
    endpoint = subscribe(client, receiver, ["payment_intent.succeeded"])
    pi = client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "confirm": True,
                                                  "payment_method": "pm_card_visa", "payment_method_types": ["card"]})  # fmt: skip
    (_, body, signature), = receiver.wait_for(1)
    event = stripe.Webhook.construct_event(body, signature, endpoint.secret)
    assert (event.type, event.data.object.id, event.data.object.status) == ("payment_intent.succeeded", pi.id,
                                                                            "succeeded")  # fmt: skip
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_wrong")
    time.sleep(0.3)
    assert len(receiver.received) == 1  # only the subscribed type
    assert client.v1.events.retrieve(event.id).pending_webhooks == 0


def test_failed_deliveries_are_retried_with_backoff(own_sandbox, receiver):
    _, client = own_sandbox
    receiver.fail_first = 2
    subscribe(client, receiver, ["payment_intent.created"])
    client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    attempts = receiver.wait_for(3)
    assert len(attempts) == 3 and attempts[0][1] == attempts[2][1]  # the same bytes every time
    first_gap, second_gap = attempts[1][0] - attempts[0][0], attempts[2][0] - attempts[1][0]
    assert first_gap >= 0.15 and second_gap >= 0.35 and second_gap > first_gap


def test_every_attempt_is_logged_per_endpoint_and_per_event(own_sandbox, receiver):
    running, client = own_sandbox
    receiver.fail_first = 1
    endpoint = subscribe(client, receiver, ["payment_intent.created"])
    before = time.time()
    client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    receiver.wait_for(2)
    store = running.app.extensions["sandbox"].store
    deadline = time.monotonic() + 5
    while len(store.delivery_attempts(endpoint_id=endpoint.id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    second, first = store.delivery_attempts(endpoint_id=endpoint.id)  # newest first
    event = client.v1.events.list(params={"type": "payment_intent.created", "limit": 1}).data[0]
    assert store.delivery_attempts(event_id=event.id) == [second, first]
    assert (first.event_id, first.endpoint_id, first.attempt, first.status, first.error, first.response_body) == (
        event.id, endpoint.id, 1, 500, "HTTP 500", "try later")
    assert first.started >= before and first.duration_ms >= 0 and first.next_retry >= first.started + 0.2
    assert (second.attempt, second.status, second.error, second.response_body, second.next_retry) == (
        2, 200, None, "ok", None)
    assert second.started >= first.next_retry
    assert store.delivery_attempts(endpoint_id="we_other") == []


def test_delivery_gives_up_after_max_attempts(own_sandbox, receiver):
    running, client = own_sandbox
    receiver.fail_first = 100
    subscribe(client, receiver, ["payment_intent.created"])
    pi = client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    receiver.wait_for(3)
    time.sleep(1.2)  # a fourth attempt would have come 0.8 s after the third
    assert len(receiver.received) == 3
    event = client.v1.events.list(params={"type": "payment_intent.created", "limit": 1}).data[0]
    assert event.data.object.id == pi.id and event.pending_webhooks == 1


def test_a_slow_endpoint_never_blocks_the_api(own_sandbox, receiver):
    _, client = own_sandbox
    receiver.delay = 1.0
    subscribe(client, receiver, ["payment_intent.succeeded"])
    started = time.monotonic()
    client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "confirm": True,
                                             "payment_method": "pm_card_visa", "payment_method_types": ["card"]})  # fmt: skip
    assert time.monotonic() - started < 0.5
    assert len(receiver.wait_for(1)) == 1


def test_webhook_endpoint_crud(own_sandbox, receiver):
    _, client = own_sandbox
    endpoint = subscribe(client, receiver, ["charge.succeeded"])
    assert [e.id for e in client.v1.webhook_endpoints.list().data] == [endpoint.id]
    updated = client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    assert updated.status == "disabled"
    deleted = client.v1.webhook_endpoints.delete(endpoint.id)
    assert deleted.deleted is True
    assert client.v1.webhook_endpoints.list().data == []
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.webhook_endpoints.create(params={"url": "ftp://nope", "enabled_events": ["*"]})
