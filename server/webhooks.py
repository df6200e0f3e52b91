"""``POST /webhook``: verify Stripe's signature on the raw body, then settle the order once per event."""

import stripe
from flask import Blueprint, jsonify, request

from server.orders import OrderError
from server.shop import current_shop

bp = Blueprint("webhooks", __name__)
HANDLED = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.canceled", "charge.refunded"}


def _reject(message):
    return jsonify(error={"code": "invalid_webhook", "message": message}), 400


@bp.post("/webhook")
def receive():
    shop = current_shop()
    secret = shop.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        return _reject("Webhooks are not configured: set STRIPE_WEBHOOK_SECRET.")
    payload = request.get_data()  # the exact bytes Stripe signed
    try:
        event = stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature", ""), secret)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        return _reject(f"Signature verification failed: {exc}")
    if event.type not in HANDLED:
        return jsonify(received=True, handled=False)
    with shop.orders.transaction():  # recorded as processed only together with its effect
        if not shop.orders.first_time_event(event.id, event.type):
            return jsonify(received=True, duplicate=True)
        handle(shop, event.type, event.data.object.to_dict())
    return jsonify(received=True, handled=True)


def handle(shop, event_type, obj):
    """Apply a verified event to its order (events for unknown or foreign intents change nothing)."""
    if event_type == "charge.refunded":
        order = shop.orders.by_payment_intent(obj.get("payment_intent"))
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
