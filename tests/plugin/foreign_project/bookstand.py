"""Bookstand: a small Flask shop that takes card payments with Stripe — not Press Workbench, one of its users.

It stands for any project testing its Stripe integration with the ``stripe_sandbox`` pytest
plugin (``tests/``): nothing here knows about the sandbox; the configuration says where Stripe is.
"""

import stripe
from flask import Flask, abort, jsonify, request

BOOKS = {"poor-charlies-almanack": 2900, "the-art-of-doing-science": 2400}  # prices in cents, decided here
SETTLES = {"payment_intent.succeeded": "paid", "payment_intent.payment_failed": "failed"}


def create_app(config):
    """The shop for ``config``: ``STRIPE_SECRET_KEY``, ``STRIPE_WEBHOOK_SECRET``, ``STRIPE_API_BASE`` (Stripe's)."""
    app = Flask(__name__)
    app.config.update({"STRIPE_API_BASE": "https://api.stripe.com", "STRIPE_WEBHOOK_SECRET": None, **config})
    client = stripe.StripeClient(app.config["STRIPE_SECRET_KEY"], base_addresses={"api": app.config["STRIPE_API_BASE"]})
    orders = {}  # order id → {"payment_intent", "status"}; a real shop keeps them in its database

    @app.post("/orders")
    def create_order():
        """An order for one book: the amount comes from here, the browser confirms with Stripe.js."""
        amount = BOOKS.get((request.get_json(silent=True) or {}).get("book"))
        if amount is None:
            abort(404)
        intent = client.v1.payment_intents.create(
            params={
                "amount": amount,
                "currency": "usd",
                "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
            }
        )
        order_id = f"order_{len(orders) + 1}"
        orders[order_id] = {"payment_intent": intent.id, "status": "awaiting_payment"}
        return jsonify(id=order_id, payment_intent=intent.id, client_secret=intent.client_secret), 201

    @app.get("/orders/<order_id>")
    def order(order_id):
        """An order's status, which only a verified webhook changes."""
        if order_id not in orders:
            abort(404)
        return jsonify(id=order_id, **orders[order_id])

    @app.post("/webhook")
    def webhook():
        """Settle orders from Stripe's signed events; anything unsigned is refused."""
        try:
            event = stripe.Webhook.construct_event(
                request.get_data(), request.headers.get("Stripe-Signature"), app.config["STRIPE_WEBHOOK_SECRET"]
            )
        except (ValueError, stripe.SignatureVerificationError):
            abort(400)
        for placed in orders.values():
            if event.type in SETTLES and placed["payment_intent"] == event.data.object.id:
                placed["status"] = SETTLES[event.type]
        return "", 204

    return app
