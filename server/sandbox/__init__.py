"""Offline Stripe sandbox: a local stand-in for the slice of Stripe the shop and lessons use.

``create_sandbox_app(data_dir)`` returns a WSGI app serving the ``/v1`` API (for
stripe-python or any HTTP client), the Stripe.js stand-in at ``/v3/``, the Payment
Element frame and the 3D Secure test page.  State lives in SQLite under
``data_dir``; webhook events are delivered by a background thread.
"""

from dataclasses import dataclass

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from server.money import format_amount

from . import api, browser
from .errors import StripeAPIError
from .http import json_response
from .ids import request_id
from .store import Store
from .webhooks import DeliveryWorker

SECRET_KEY = "sk_test_sandbox_press_workbench"
PUBLISHABLE_KEY = "pk_test_sandbox_press_workbench"


@dataclass
class Sandbox:
    store: Store
    worker: DeliveryWorker


def create_sandbox_app(data_dir, webhook_retry_base=1.0, webhook_max_attempts=6):
    app = Flask(__name__)
    store = Store(data_dir)
    worker = DeliveryWorker(store, retry_base=webhook_retry_base, max_attempts=webhook_max_attempts)
    worker.start()
    app.extensions["sandbox"] = Sandbox(store, worker)
    app.jinja_env.filters["money"] = format_amount
    app.register_blueprint(api.bp)
    app.register_blueprint(browser.bp)

    @app.errorhandler(StripeAPIError)
    def stripe_error(exc):
        return json_response(exc.to_dict(), exc.status, g.get("request_id") or request_id())

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if request.path.startswith("/v1/"):
            message = f"Unrecognized request URL ({request.method}: {request.path})."
            return json_response({"error": {"message": message, "type": "invalid_request_error"}}, exc.code,
                                 request_id())  # fmt: skip
        return exc

    @app.errorhandler(Exception)
    def api_error(exc):
        app.logger.exception("sandbox error")
        body = {"error": {"message": "An unknown error occurred in the sandbox.", "type": "api_error"}}
        return json_response(body, 500, request_id())

    @app.after_request
    def cors(response):
        if request.path.startswith("/v1/"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Idempotency-Key, Stripe-Version"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
        return response

    @app.get("/")
    def about():
        return jsonify(
            sandbox=True,
            description="Press Workbench offline Stripe sandbox",
            api="/v1",
            stripe_js="/v3/",
            secret_key=SECRET_KEY,
            publishable_key=PUBLISHABLE_KEY,
        )

    return app
