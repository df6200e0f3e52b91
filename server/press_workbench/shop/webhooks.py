"""``POST /webhook``: verify Stripe's signature on the raw body, then settle the order once per event.

Only a verified event is parsed, and only an event whose object has the fields the
shop reads is applied; anything else is a 400 (Stripe retries those, and nothing
changed).  Events are bigger than shop requests, so this route has its own body limit.
"""

import stripe
from flask import Blueprint, jsonify, request

from .errors import ShopError
from .orders import OrderError
from .service import current_shop
from .validation import parse_json

bp = Blueprint("webhooks", __name__)
MAX_EVENT_BYTES = 512 * 1024  # Stripe's largest objects (invoices with many lines) stay well below this
MAX_EVENT_DEPTH = 64  # expanded Stripe objects nest a few levels; this only stops pathological bodies
NULLABLE_STR, NULLABLE_DICT = (str, type(None)), (dict, type(None))
# The fields ``handle`` reads, per object type, with the JSON types they must have.
FIELDS = {
    "payment_intent": {
        "id": str,
        "status": str,
        "amount": int,
        "amount_received": int,
        "currency": str,
        "metadata": NULLABLE_DICT,
        "last_payment_error": NULLABLE_DICT,
    },
    "charge": {"id": str, "refunded": bool, "payment_intent": NULLABLE_STR},
}
HANDLED = {
    "payment_intent.processing": "payment_intent",
    "payment_intent.succeeded": "payment_intent",
    "payment_intent.payment_failed": "payment_intent",
    "payment_intent.canceled": "payment_intent",
    "charge.refunded": "charge",
}


def invalid(message):
    """A webhook we refuse: a 400 with a message that says why, so the sender's log explains the failure."""
    return ShopError("invalid_webhook", message)


@bp.post("/webhook")
def receive():
    """Stripe's events: the signature is checked on the raw bytes before anything is parsed.

    Each event id is processed once, in the same transaction as its effect, so retries and replays are harmless.
    """
    shop = current_shop()
    secret = shop.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise invalid("Webhooks are not configured: set STRIPE_WEBHOOK_SECRET.")
    request.max_content_length = MAX_EVENT_BYTES
    payload = request.get_data()  # the exact bytes Stripe signed
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"),
            request.headers.get("Stripe-Signature", ""),
            secret,
            stripe.Webhook.DEFAULT_TOLERANCE,
        )
    except (UnicodeDecodeError, stripe.SignatureVerificationError) as exc:
        raise invalid(f"Signature verification failed: {exc}") from None
    event = parse_json(payload, MAX_EVENT_DEPTH)
    event_id, event_type, obj = envelope(event)
    if event_type not in HANDLED:
        return jsonify(received=True, handled=False)
    check_fields(obj, HANDLED[event_type])
    if HANDLED[event_type] == "payment_intent":
        obj = as_it_is_now(shop, obj)  # before the transaction: no lock is held while Stripe answers
    with shop.orders.transaction():  # recorded as processed only together with its effect
        if not shop.orders.first_time_event(event_id, event_type):
            return jsonify(received=True, duplicate=True)
        handle(shop, event_type, obj)
    return jsonify(received=True, handled=True)


def envelope(event):
    """(id, type, data.object) of an event, or a 400 saying what is missing."""
    event = event if isinstance(event, dict) else {}
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not (isinstance(event.get("id"), str) and isinstance(event.get("type"), str) and isinstance(obj, dict)):
        raise invalid("An event needs a string id and type and an object in data.object.")
    if len(event["id"]) > 255 or len(event["type"]) > 255:
        raise invalid("The event's id or type is too long.")
    return event["id"], event["type"], obj


def check_fields(obj, kind):
    """Refuse a signed event whose object lacks the fields the shop reads, with a 400 rather than a crash."""
    missing = [name for name, types in FIELDS[kind].items() if not _has_type(obj.get(name), types)]
    if missing:
        raise invalid(f"The event's {kind} lacks or mistypes {', '.join(missing)}.")


def _has_type(value, types):
    """JSON types as Python sees them, except that true and false are not numbers."""
    return types is bool if isinstance(value, bool) else isinstance(value, types)


def as_it_is_now(shop, pi):
    """The PaymentIntent to apply: the event's copy, or Stripe's own now when the event may be out of date.

    A bank debit sends two events per attempt (``processing``, then the outcome), events
    arrive in no guaranteed order, and a failed order may be paid again.  So an event
    that would move an order into or out of ``processing`` is checked against the
    PaymentIntent retrieved with the secret key: only that tells a late ``processing``
    (after its failure) from a new attempt.
    """
    order = shop.orders.by_payment_intent(pi["id"])
    if order is None or "processing" not in (order.status, pi["status"]):
        return pi
    return shop.stripe.v1.payment_intents.retrieve(pi["id"]).to_dict()


def handle(shop, event_type, obj):
    """Apply a verified event to its order (events for unknown or foreign intents change nothing)."""
    if event_type == "charge.refunded":
        order = shop.orders.by_payment_intent(obj["payment_intent"])
        if order and obj["refunded"]:
            shop.orders.transition(order.id, "refunded", "webhook", f"{obj['id']} refunded")
        return
    order = shop.orders.by_payment_intent(obj["id"])
    if order is None:
        return
    try:
        shop.orders.apply_payment_intent(order, obj, "webhook")
    except OrderError:
        pass  # a verified event that does not match the order's amount or metadata never settles it
