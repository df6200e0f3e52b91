"""Our re-creation of Stripe's ``accept-a-payment/payment-element`` Python server (not its files).

Same routes and the same stripe-python calls as the sample: the module-level ``stripe``
API configured with a key and ``stripe.api_version = "2023-10-16"``, ``GET /config``,
``GET /create-payment-intent`` (a new 1400-cent PaymentIntent with automatic payment
methods on every page load), ``POST /webhook`` (signature checked with
``stripe.Webhook.construct_event``). Pointing it at the sandbox changes only what the
sample's users change: the keys, ``stripe.api_base`` and the Stripe.js URL.
"""

import os

import stripe
from flask import Flask, jsonify, render_template, request

STATIC = os.path.join(os.path.dirname(__file__), "static")


def configure_stripe(secret_key, api_base):
    """What the sample does at import time, plus the one line a sandbox user adds (``api_base``)."""
    stripe.api_key = secret_key
    stripe.api_version = "2023-10-16"
    stripe.api_base = api_base


def create_app(publishable_key, webhook_secret, stripe_js_url):
    app = Flask(__name__, static_folder=STATIC, static_url_path="", template_folder=STATIC)
    app.config["STRIPE_JS_URL"] = stripe_js_url
    app.extensions["events"] = []  # (type, PaymentIntent id) of every verified webhook event

    @app.get("/")
    def index():
        return render_template("index.html", stripe_js_url=stripe_js_url)

    @app.get("/return.html")
    def return_page():
        return render_template("return.html", stripe_js_url=stripe_js_url)

    @app.get("/config")
    def config():
        return jsonify(publishableKey=publishable_key)

    @app.get("/create-payment-intent")
    def create_payment_intent():
        try:
            intent = stripe.PaymentIntent.create(
                amount=1400, currency="usd", automatic_payment_methods={"enabled": True}
            )
        except stripe.StripeError as error:
            return jsonify(error={"message": str(error)}), 400
        return jsonify(clientSecret=intent.client_secret)

    @app.post("/webhook")
    def webhook():
        try:
            event = stripe.Webhook.construct_event(
                request.data, request.headers.get("Stripe-Signature"), webhook_secret
            )
        except (ValueError, stripe.SignatureVerificationError) as error:
            return jsonify(error={"message": str(error)}), 400
        app.extensions["events"].append((event["type"], event["data"]["object"]["id"]))
        return jsonify(status="success")

    return app
