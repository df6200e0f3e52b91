"""Refunds (full, partial, over-refund) and the events every change leaves behind."""

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, pay


@pytest.fixture
def paid(stripe_client):
    return pay(stripe_client, expand=[])


def test_partial_then_full_refund_and_over_refund(stripe_client, paid):
    first = stripe_client.v1.refunds.create(
        params={"payment_intent": paid.id, "amount": 800, "reason": "requested_by_customer"}
    )
    assert (first.status, first.amount, first.charge, first.payment_intent) == (
        "succeeded",
        800,
        paid.latest_charge,
        paid.id,
    )
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 2000})
    assert caught.value.code == "amount_too_large" and caught.value.param == "amount"
    assert caught.value.user_message == "Refund amount ($20.00) is greater than unrefunded amount on charge ($15.00)"
    rest = stripe_client.v1.refunds.create(params={"charge": paid.latest_charge})
    assert rest.amount == 1500
    charge = stripe_client.v1.charges.retrieve(paid.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (2300, True)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": paid.id})
    assert caught.value.code == "charge_already_refunded"
    listed = stripe_client.v1.refunds.list(params={"payment_intent": paid.id})
    assert [r.id for r in listed.data] == [rest.id, first.id]


def test_refund_needs_a_successful_payment(stripe_client):
    pi = stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.refunds.create(params={"payment_intent": pi.id})
    assert "does not have a successful charge to refund" in caught.value.user_message


def events_for(stripe_client, object_id):
    events = stripe_client.v1.events.list(params={"limit": 100}).data
    return [
        e.type
        for e in reversed(events)
        if object_id in (e.data.object.id, getattr(e.data.object, "payment_intent", None))
    ]


def test_events_for_a_successful_payment_and_refund(stripe_client, paid):
    stripe_client.v1.refunds.create(params={"payment_intent": paid.id})
    assert events_for(stripe_client, paid.id) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "charge.updated",  # balance transaction
        "refund.created",
        "charge.refunded",
    ]


def test_events_for_a_decline_3ds_and_cancel(stripe_client):
    declined = stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    with pytest.raises(stripe.CardError):
        stripe_client.v1.payment_intents.confirm(
            declined.id, params={"payment_method": "pm_card_chargeDeclined", "return_url": RETURN_URL}
        )
    assert events_for(stripe_client, declined.id) == [
        "payment_intent.created",
        "charge.failed",
        "payment_intent.payment_failed",
    ]
    stripe_client.v1.payment_intents.confirm(
        declined.id, params={"payment_method": "pm_card_authenticationRequired", "return_url": RETURN_URL}
    )
    stripe_client.v1.payment_intents.cancel(declined.id)
    assert events_for(stripe_client, declined.id)[-2:] == ["payment_intent.requires_action", "payment_intent.canceled"]


def test_event_retrieve_list_and_type_filter(stripe_client, paid):
    succeeded = stripe_client.v1.events.list(params={"type": "payment_intent.succeeded", "limit": 5})
    assert succeeded.data and all(e.type == "payment_intent.succeeded" for e in succeeded.data)
    event = stripe_client.v1.events.retrieve(succeeded.data[0].id)
    assert event.data.object.object == "payment_intent" and event.request.id.startswith("req_")
    assert event.request.idempotency_key  # stripe-python sends one with every POST
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.events.retrieve("evt_nope")
    assert caught.value.http_status == 404
