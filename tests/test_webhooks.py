"""Webhooks: verified on the raw body, processed once, and enough on their own to settle an order."""

import json
import time

import pytest
import stripe

from tests.shop_helpers import WEBHOOK_SECRET as SECRET
from tests.shop_helpers import event_for, new_order, pay, post_event, status_of


def test_signed_event_settles_the_order_once(signed_app, stripe_client):
    client = signed_app.test_client()
    order = new_order(client, ("working-in-public", 1))
    pay(stripe_client, order)
    event = event_for(stripe_client, order["payment_intent"], "payment_intent.succeeded")

    first = post_event(client, event)
    second = post_event(client, event)
    assert first.get_json() == {"received": True, "handled": True}
    assert second.get_json() == {"received": True, "duplicate": True}
    settled = status_of(client, order)
    assert (settled["status"], settled["amount_received"]) == ("paid", 2800)
    assert [h["source"] for h in settled["history"]] == ["shop", "webhook"]


@pytest.fixture
def unsettled(signed_app, stripe_client):
    """An order whose payment succeeded at Stripe, and the real event for it, not yet delivered."""
    client = signed_app.test_client()
    order = new_order(client, ("working-in-public", 1))
    pay(stripe_client, order)
    return client, order, event_for(stripe_client, order["payment_intent"], "payment_intent.succeeded")


@pytest.mark.parametrize(
    "forgery",
    [
        {"header": ""},
        {"header": "t=1,v1=deadbeef"},
        {"header": "garbage"},
        {"secret": "whsec_someone_else"},
    ],
)
def test_unsigned_or_forged_events_change_nothing(unsettled, forgery):
    client, order, event = unsettled
    response = post_event(client, event, **forgery)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_webhook"
    assert status_of(client, order)["status"] == "awaiting_payment"


def test_tampered_amount_in_a_signed_event_does_not_settle(unsettled):
    """Even a correctly signed event must match the order (id, metadata, amount) to settle it."""
    client, order, event = unsettled
    event["data"]["object"]["amount"] = 1
    assert post_event(client, event).status_code == 200
    assert status_of(client, order)["status"] == "awaiting_payment"


def test_decline_and_refund_events(signed_app, stripe_client):
    client = signed_app.test_client()
    order = new_order(client, ("high-growth-handbook", 1))
    with pytest.raises(stripe.CardError):
        pay(stripe_client, order, "pm_card_visa_chargeDeclined")
    post_event(client, event_for(stripe_client, order["payment_intent"], "payment_intent.payment_failed"))
    assert status_of(client, order)["status"] == "failed"

    pay(stripe_client, order)
    post_event(client, event_for(stripe_client, order["payment_intent"], "payment_intent.succeeded"))
    stripe_client.v1.refunds.create(params={"payment_intent": order["payment_intent"]})
    refunded = [
        e
        for e in stripe_client.v1.events.list(params={"type": "charge.refunded"}).data
        if e.data.object.payment_intent == order["payment_intent"]
    ]
    post_event(client, refunded[0].to_dict())
    assert [h["status"] for h in status_of(client, order)["history"]] == [
        "awaiting_payment",
        "failed",
        "paid",
        "refunded",
    ]


def test_a_decline_reported_by_the_return_page_and_the_webhook_is_recorded_once(signed_app, stripe_client):
    """A failed order may fail again (a retry), so the lifecycle allows it; the same failure twice is one entry."""
    client = signed_app.test_client()
    order = new_order(client, ("high-growth-handbook", 1))
    with pytest.raises(stripe.CardError):
        pay(stripe_client, order, "pm_card_visa_chargeDeclined")
    assert client.get(f"/checkout/{order['id']}/complete?payment_intent={order['payment_intent']}").status_code == 302
    post_event(client, event_for(stripe_client, order["payment_intent"], "payment_intent.payment_failed"))
    history = status_of(client, order)["history"]
    assert [(h["status"], h["source"]) for h in history] == [("awaiting_payment", "shop"), ("failed", "return page")]

    with pytest.raises(stripe.CardError):  # a second decline, with another reason: recorded
        pay(stripe_client, order, "pm_card_visa_chargeDeclinedInsufficientFunds")
    post_event(client, event_for(stripe_client, order["payment_intent"], "payment_intent.payment_failed"))
    assert [h["status"] for h in status_of(client, order)["history"]] == ["awaiting_payment", "failed", "failed"]


def test_sandbox_delivers_events_to_the_running_shop(live_shop, stripe_client):
    """The shopper closed the tab: no return page, the webhook alone marks the order paid."""
    client = live_shop.app.test_client()
    order = new_order(client, ("art-of-doing-science", 1))
    pay(stripe_client, order)
    deadline = time.monotonic() + 10
    while status_of(client, order)["status"] != "paid" and time.monotonic() < deadline:
        time.sleep(0.05)
    settled = status_of(client, order)
    assert settled["status"] == "paid" and settled["history"][-1]["source"] == "webhook"


def test_webhook_without_configured_secret_is_refused(client):
    response = client.post("/webhook", data=b"{}", headers={"Stripe-Signature": "t=1,v1=x"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "mangle",
    [
        lambda e: e["data"]["object"].pop("status"),
        lambda e: e["data"]["object"].pop("amount_received"),
        lambda e: e["data"]["object"].update(amount="2800"),
        lambda e: e["data"]["object"].update(last_payment_error="declined"),
        lambda e: e["data"].pop("object"),
        lambda e: e.pop("data"),
        lambda e: e.update(id=7),
    ],
)
def test_signed_event_lacking_fields_is_a_400_not_a_500(unsettled, mangle):
    client, order, event = unsettled
    mangle(event)
    response = post_event(client, event)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_webhook"
    assert status_of(client, order)["status"] == "awaiting_payment"


def test_signed_charge_event_lacking_fields_is_a_400(signed_app):
    event = {"id": "evt_1", "type": "charge.refunded", "data": {"object": {"id": "ch_1", "refunded": "yes"}}}
    response = post_event(signed_app.test_client(), event)
    assert response.status_code == 400 and response.get_json()["error"]["message"].endswith("mistypes refunded.")


def test_signed_deep_or_non_object_bodies_are_400s(signed_app):
    client = signed_app.test_client()
    for body in (["not", "an", "event"], "[" * 3000 + "]" * 3000):
        payload = body if isinstance(body, str) else json.dumps(body)
        header = stripe.WebhookSignature.generate_signature_header(payload, SECRET)
        response = client.post(
            "/webhook", data=payload, headers={"Stripe-Signature": header}, content_type="application/json"
        )
        assert response.status_code == 400 and response.get_json()["error"]["code"] in (
            "invalid_webhook",
            "invalid_json",
        )


def test_events_bigger_than_shop_requests_are_accepted(signed_app):
    """A 100 kB event (an invoice with many lines, say) is not a 413: Stripe would retry it for days."""
    event = {"id": "evt_big", "type": "invoice.created", "data": {"object": {"id": "in_1", "lines": "x" * 100_000}}}
    assert post_event(signed_app.test_client(), event).get_json() == {"received": True, "handled": False}


def test_stale_signatures_are_refused(unsettled):
    client, order, event = unsettled
    payload = json.dumps(event)
    old = stripe.WebhookSignature.generate_signature_header(payload, SECRET, timestamp=int(time.time()) - 3600)
    assert post_event(client, event, header=old).status_code == 400
    assert status_of(client, order)["status"] == "awaiting_payment"
