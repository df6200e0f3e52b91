"""The payment routes: a PaymentIntent per product, priced here."""

import stripe
from flask import Blueprint, abort, current_app, jsonify, request

PRICES = {"tote-bag": 1400, "poster": 900}  # cents
bp = Blueprint("payments", __name__)


@bp.post("/create-payment-intent")
def create_payment_intent():
    """A PaymentIntent for one product at this server's price; the browser confirms it with its client secret."""
    amount = PRICES.get((request.get_json(silent=True) or {}).get("product")) or abort(404)
    config = current_app.config
    client = stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses={"api": config["STRIPE_API_BASE"]})
    params = {"amount": amount, "currency": "usd", "automatic_payment_methods": {"enabled": True}}
    return jsonify(clientSecret=client.v1.payment_intents.create(params=params).client_secret)
