"""Webhook delivery: signed so stripe-python verifies it, retried on Stripe's schedule, sent by a bounded pool."""

import time

import pytest
import stripe

from press_workbench.launch.voila import free_port
from press_workbench.sandbox import SECRET_KEY
from press_workbench.sandbox.delivery import RetrySchedule
from press_workbench.sandbox.serving import start_sandbox
from tests.receiver import Receiver
from tests.sandbox.conftest import pay

pytestmark = pytest.mark.sandbox_only("delivers to local receivers from sandboxes of its own")


@pytest.fixture
def own_sandbox(tmp_path):
    running = start_sandbox(str(tmp_path), webhook_retry_base=0.2, webhook_max_attempts=3)
    yield running, stripe.StripeClient(SECRET_KEY, base_addresses={"api": running.url})
    running.stop()


def subscribe(client, receiver, events):
    return client.v1.webhook_endpoints.create(params={"url": receiver.url, "enabled_events": events})


def wait_until(condition, timeout=10):
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)
    return condition()


def test_events_are_signed_so_construct_event_accepts_them(own_sandbox, receiver):
    running, client = own_sandbox
    endpoint = subscribe(client, receiver, ["payment_intent.succeeded"])
    pi = pay(client, payment_method_types=["card"])
    ((_, body, signature),) = receiver.wait_for(1)
    event = stripe.Webhook.construct_event(body, signature, endpoint.secret)
    assert (event.type, event.data.object.id, event.data.object.status) == (
        "payment_intent.succeeded",
        pi.id,
        "succeeded",
    )
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_wrong")

    def all_delivered():  # every event of the payment, the balance transaction's late charge.updated too
        events = client.v1.events.list(params={"limit": 100}).data
        return "charge.updated" in {e.type for e in events} and all(e.pending_webhooks == 0 for e in events)

    assert wait_until(all_delivered)
    assert len(receiver.received) == 1  # only the subscribed type
    store = running.app.extensions["sandbox"].store
    assert [(a.event_id, a.status) for a in store.delivery_attempts(endpoint_id=endpoint.id)] == [(event.id, 200)]


def test_customer_and_payment_method_events_are_delivered_signed(own_sandbox, receiver):
    _, client = own_sandbox
    kinds = ["customer.created", "customer.updated", "customer.deleted"]
    kinds += ["payment_method.attached", "payment_method.detached"]
    endpoint = subscribe(client, receiver, kinds)
    customer = client.v1.customers.create(params={"email": "jenny@example.com", "payment_method": "pm_card_visa"})
    (pm,) = client.v1.customers.payment_methods.list(customer.id).data
    client.v1.customers.update(customer.id, params={"name": "Jenny Rosen"})
    client.v1.payment_methods.detach(pm.id)
    client.v1.customers.delete(customer.id)
    received = [
        stripe.Webhook.construct_event(body, signature, endpoint.secret) for _, body, signature in receiver.wait_for(5)
    ]
    assert sorted(event.type for event in received) == sorted(kinds)  # delivered concurrently: any order
    by_type = {event.type: event.data for event in received}
    assert by_type["payment_method.attached"].object.customer == customer.id
    assert by_type["payment_method.detached"].object.customer is None
    assert by_type["payment_method.detached"].previous_attributes.customer == customer.id
    assert by_type["customer.updated"].previous_attributes.to_dict() == {"name": None}
    assert by_type["customer.deleted"].object.name == "Jenny Rosen"


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
        event.id,
        endpoint.id,
        1,
        500,
        "HTTP 500",
        "try later",
    )
    assert first.started >= before and first.duration_ms >= 0 and first.next_retry >= first.started + 0.2
    assert (second.attempt, second.status, second.error, second.response_body, second.next_retry) == (
        2,
        200,
        None,
        "ok",
        None,
    )
    assert second.started >= first.next_retry
    assert store.delivery_attempts(endpoint_id="we_other") == []


def test_delivery_gives_up_after_max_attempts(own_sandbox, receiver):
    running, client = own_sandbox
    receiver.fail_first = 100
    endpoint = subscribe(client, receiver, ["payment_intent.created"])
    pi = client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    store = running.app.extensions["sandbox"].store
    assert wait_until(lambda: len(store.delivery_attempts(endpoint_id=endpoint.id)) == 3)
    last = store.delivery_attempts(endpoint_id=endpoint.id)[0]  # newest first
    assert (last.attempt, last.status, last.next_retry) == (3, 500, None)  # given up: no next attempt
    states = store.execute("SELECT state FROM deliveries WHERE endpoint_id = ?", (endpoint.id,)).fetchall()
    assert [state for (state,) in states] == ["failed"]
    assert len(receiver.received) == 3
    event = client.v1.events.list(params={"type": "payment_intent.created", "limit": 1}).data[0]
    assert event.data.object.id == pi.id and event.pending_webhooks == 1


def test_a_slow_endpoint_never_blocks_the_api(own_sandbox, receiver):
    _, client = own_sandbox
    receiver.delay = 1.0
    subscribe(client, receiver, ["payment_intent.succeeded"])
    started = time.monotonic()
    client.v1.payment_intents.create(
        params={
            "amount": 2300,
            "currency": "usd",
            "confirm": True,
            "payment_method": "pm_card_visa",
            "payment_method_types": ["card"],
        }
    )
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


def test_the_retry_schedule_is_stripes_backoff_for_three_days():
    schedule, created = RetrySchedule(), 1_000_000
    waits, now, attempts = [], created, 1
    while (retry_at := schedule.next_retry(attempts, created, now)) is not None:
        waits.append(retry_at - now)
        now, attempts = retry_at, attempts + 1
    assert waits[:6] == [1, 2, 4, 8, 16, 32] and max(waits) == 3600  # doubling, at most an hour apart
    assert 3 * 24 * 3600 - 3600 < now - created <= 3 * 24 * 3600  # until three days after the event
    assert RetrySchedule(first=0.2, max_attempts=3).next_retry(3, created, created) is None


def test_a_slow_endpoint_does_not_hold_up_another(own_sandbox, receiver):
    running, client = own_sandbox
    share = running.app.extensions["sandbox"].worker.per_endpoint  # half the pool
    slow = Receiver(delay=1.5)
    try:
        subscribe(client, slow, ["payment_intent.created"])
        subscribe(client, receiver, ["payment_intent.created"])
        started = time.monotonic()
        for _ in range(share + 2):
            client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
        assert len(receiver.wait_for(share + 2, timeout=1.4)) == share + 2  # before the slow one answered once
        assert receiver.received[-1][0] - started < 1.5 and slow.received == []
        assert slow.most_in_flight == share  # no more than its share of the pool
    finally:
        slow.server.stop()


def test_a_burst_is_delivered_concurrently(own_sandbox, receiver):
    _, client = own_sandbox
    receiver.delay = 0.1
    subscribe(client, receiver, ["payment_intent.created"])
    for _ in range(12):
        client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    assert len(receiver.wait_for(12)) == 12
    assert receiver.most_in_flight > 1


def test_a_redirect_is_a_failed_attempt(own_sandbox, receiver):
    running, client = own_sandbox
    receiver.answer = ("", 302, {"Location": "https://example.com/elsewhere"})
    endpoint = subscribe(client, receiver, ["payment_intent.created"])
    client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    store = running.app.extensions["sandbox"].store
    assert wait_until(lambda: len(store.delivery_attempts(endpoint_id=endpoint.id)) == 3)
    assert {(a.status, a.error) for a in store.delivery_attempts(endpoint_id=endpoint.id)} == {(302, "HTTP 302")}


def test_an_endpoint_that_answers_again_gets_its_waiting_deliveries_at_once(tmp_path):
    running = start_sandbox(str(tmp_path), webhook_retry_base=60)
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": running.url})
    port = free_port()
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": f"http://127.0.0.1:{port}/hook", "enabled_events": ["payment_intent.created"]}
    )
    store = running.app.extensions["sandbox"].store
    first = client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    assert wait_until(lambda: store.delivery_attempts(endpoint_id=endpoint.id))
    (refused,) = store.delivery_attempts(endpoint_id=endpoint.id)
    assert refused.status is None and "refused" in refused.error and refused.next_retry - refused.started >= 59
    back = Receiver(port=port)  # the shop is back on its port
    try:
        client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
        bodies = [body for _, body, _ in back.wait_for(2, timeout=5)]
        assert len(bodies) == 2 and any(first.id.encode() in body for body in bodies)  # not 60 s later
    finally:
        back.server.stop()
        running.stop()


def test_queued_deliveries_survive_a_sandbox_restart(tmp_path):
    port = free_port()
    first = start_sandbox(str(tmp_path), webhook_retry_base=0.3)
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": first.url})
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": f"http://127.0.0.1:{port}/hook", "enabled_events": ["payment_intent.created"]}
    )
    pi = client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    assert wait_until(lambda: first.app.extensions["sandbox"].store.delivery_attempts(endpoint_id=endpoint.id))
    first.stop()
    second = start_sandbox(str(tmp_path), webhook_retry_base=0.3)
    back = Receiver(port=port)
    try:
        ((_, body, signature),) = back.wait_for(1)
        assert stripe.Webhook.construct_event(body, signature, endpoint.secret).data.object.id == pi.id
        store = second.app.extensions["sandbox"].store
        assert wait_until(lambda: len(store.delivery_attempts(endpoint_id=endpoint.id)) >= 2)
        attempts = store.delivery_attempts(endpoint_id=endpoint.id)
        assert attempts[0].status == 200 and attempts[-1].status is None
    finally:
        back.server.stop()
        second.stop()
