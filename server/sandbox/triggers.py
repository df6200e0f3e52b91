"""``workbench trigger EVENT``: create the real objects that make Stripe emit an event, as ``stripe trigger`` does.

Nothing is faked: each recipe makes ordinary API calls with stripe-python (a
PaymentIntent confirmed with a test card, a refund…), and the event comes out of
the sandbox's own lifecycle — the same event your webhook would get from Stripe.
The PaymentIntent parameters are those of the Stripe CLI's fixtures (``$20.00``, a
test card, ``payment_method_types=[card]``), with a description saying where it came from.
"""

import stripe

from server.sandbox.currencies import format_amount

FIXTURE = {
    "amount": 2000,
    "currency": "usd",
    "payment_method_types": ["card"],
    "description": "(created by workbench trigger)",
}


def _payment(client, card=None, **params):
    """A PaymentIntent, confirmed with ``card`` if given; a declined one is returned as the API left it."""
    body = {**FIXTURE, **params}
    if card:
        body.update(payment_method=card, confirm=True)
    try:
        return [client.v1.payment_intents.create(params=body)]
    except stripe.CardError as exc:  # a decline still created the PaymentIntent and its failed charge
        return [client.v1.payment_intents.retrieve(exc.error.payment_intent.id)]


def _succeeded(client):
    return _payment(client, "pm_card_visa")


def _declined(client):
    return _payment(client, "pm_card_chargeDeclined")


def _requires_action(client):
    return _payment(client, "pm_card_threeDSecure2Required")


def _canceled(client):
    (pi,) = _payment(client)
    return [client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "requested_by_customer"})]


def _authorised(client):
    return _payment(client, "pm_card_visa", capture_method="manual")


def _captured(client):
    (pi,) = _authorised(client)
    return [client.v1.payment_intents.capture(pi.id)]


def _refunded(client):
    (pi,) = _succeeded(client)
    return [pi, client.v1.refunds.create(params={"payment_intent": pi.id})]


TRIGGERS = {
    "payment_intent.created": _payment,
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": _declined,
    "payment_intent.requires_action": _requires_action,
    "payment_intent.canceled": _canceled,
    "payment_intent.amount_capturable_updated": _authorised,
    "charge.succeeded": _succeeded,
    "charge.failed": _declined,
    "charge.captured": _captured,
    "charge.refunded": _refunded,
    "refund.created": _refunded,
}


def trigger(client, event_type):
    """Run the recipe for ``event_type``; return (the objects it created, the event it made, or None)."""
    created = TRIGGERS[event_type](client)
    ids = {obj.id for obj in created}
    for event in client.v1.events.list(params={"type": event_type, "limit": 10}).data:
        about = event.data.object.to_dict()
        if about.get("id") in ids or about.get("payment_intent") in ids:
            return created, event
    return created, None


def describe(obj):
    """One line about a created object: ``payment_intent pi_… succeeded $20.00``."""
    state = getattr(obj, "status", "")
    return f"{obj.object} {obj.id} {state} {format_amount(obj.amount, obj.currency)}".replace("  ", " ")
