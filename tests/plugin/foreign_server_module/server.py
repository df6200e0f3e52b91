"""A project shaped as Stripe's samples are: its Flask app in ``server.py``, configured from the environment.

Not Press Workbench: a project whose own module is named ``server``, which installing Press Workbench
in its environment must not shadow (``tests/plugin/test_installed_alone.py`` runs its tests there).
"""

import os

import stripe
from flask import Flask, jsonify

app = Flask(__name__)
app.config.update(
    STRIPE_SECRET_KEY=os.environ.get("STRIPE_SECRET_KEY"),
    STRIPE_PUBLISHABLE_KEY=os.environ.get("STRIPE_PUBLISHABLE_KEY"),
    STRIPE_API_BASE=os.environ.get("STRIPE_API_BASE", "https://api.stripe.com"),
)


@app.get("/config")
def config():
    """What the checkout page needs first: the publishable key."""
    return jsonify(publishableKey=app.config["STRIPE_PUBLISHABLE_KEY"])


@app.post("/create-payment-intent")
def create_payment_intent():
    """A PaymentIntent for the sample's one product; the browser confirms it with its client secret."""
    client = stripe.StripeClient(app.config["STRIPE_SECRET_KEY"], base_addresses={"api": app.config["STRIPE_API_BASE"]})
    params = {"amount": 1400, "currency": "usd", "automatic_payment_methods": {"enabled": True}}
    return jsonify(clientSecret=client.v1.payment_intents.create(params=params).client_secret)
