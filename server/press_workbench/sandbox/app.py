"""``create_sandbox_app(data_dir)``: the sandbox as one WSGI app.

It serves the ``/v1`` API (for stripe-python or any HTTP client), the Stripe.js
stand-in at ``/v3/``, the Payment Element frame, the 3D Secure test page and the
read-only console (a stand-in for Stripe's Dashboard) at ``/dashboard``.  State lives in SQLite under ``data_dir``
(with the request log); webhook events are delivered by a background worker.
"""

from dataclasses import dataclass

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import behind_proxy, console, request_log, resources, stripe_js
from .currencies import format_amount
from .delivery import DELIVERY_THREADS, DeliveryWorker, RetrySchedule
from .ids import request_id
from .keys import PUBLISHABLE_KEY, SECRET_KEY
from .pipeline.endpoint import MAX_BODY_BYTES, json_response
from .pipeline.errors import StripeAPIError, unrecognized_url
from .resources import balance_transactions, bank_payments
from .settlement import SettleDelays, Settlements, SettlementWorker
from .store import Store


@dataclass
class Sandbox:
    """What every sandbox view shares (store, webhook worker, request log, the bank debits' schedule and delays),
    kept on the app as Flask extensions are."""

    store: Store
    worker: DeliveryWorker
    requests: request_log.RequestLog
    settlements: Settlements
    settle_delays: SettleDelays
    settler: SettlementWorker = None

    def stop(self, wait=False):
        """Stop the background threads (``wait``: until they have ended, a webhook being sent finished); what they
        had left to do stays in SQLite for the next sandbox."""
        self.worker.stop(wait)
        if self.settler:
            self.settler.stop(wait)

    def close(self):
        """Stop the background threads, then close the store's connections (``RunningServer.stop`` calls this).

        It waits for the threads: a connection closed while its thread still used it would crash the process.
        """
        self.stop(wait=True)
        self.store.close()


def create_sandbox_app(
    data_dir,
    webhook_retry_base=1.0,
    webhook_max_attempts=None,
    webhook_threads=DELIVERY_THREADS,
    proxy_token=None,
    public_hosts=frozenset(),
    settle_delays=None,
):
    """The sandbox app; ``webhook_retry_base``/``webhook_max_attempts`` shorten Stripe's retry schedule (tests).

    ``proxy_token``/``public_hosts``: serving behind a Jupyter server's proxy, and the Host names answered
    besides loopback ones (``behind_proxy``).  ``settle_delays``: how long SEPA debits stay ``processing``
    (``settlement.SettleDelays``; by default what the environment says, else 3 s and 30 s).
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES  # the 3D Secure form too; /v1 answers its own 413 first
    behind_proxy.init_app(app, proxy_token, public_hosts)
    store = Store(data_dir)
    schedule = RetrySchedule(first=webhook_retry_base, max_attempts=webhook_max_attempts)
    # the shop behind the same proxy refuses webhooks without the token; it goes to loopback endpoints only
    worker = DeliveryWorker(
        store, schedule, threads=webhook_threads, local_headers=behind_proxy.proxy_headers(proxy_token)
    )
    worker.start()
    settlements = Settlements(store)
    running = Sandbox(
        store, worker, request_log.RequestLog(store), settlements, settle_delays or SettleDelays.from_env()
    )
    running.settler = SettlementWorker(settlements, lambda row: bank_payments.settle(running, row))
    if settlements.waiting():  # debits a stopped sandbox left processing settle now that one runs again
        running.settler.start()
    app.extensions["sandbox"] = running
    balance_transactions.settle_unsettled(app.extensions["sandbox"])
    request_log.init_app(app, app.extensions["sandbox"].requests)
    app.jinja_env.filters["money"] = format_amount
    for blueprint in resources.BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_blueprint(stripe_js.bp)
    app.register_blueprint(console.bp)

    @app.errorhandler(StripeAPIError)
    def stripe_error(exc):
        """Stripe's errors leave as Stripe's JSON body and status, with the request's id."""
        return json_response(exc.to_dict(), exc.status, g.get("request_id") or request_id())

    @app.errorhandler(HTTPException)
    def http_error(exc):
        """Under ``/v1`` even Flask's own errors answer as Stripe would; elsewhere they stay pages.

        Stripe routes on method and path together, so a method that a known path does not take (``PUT
        /v1/payment_intents``) is as unrecognized as an unknown path: a 404, not a 405 (stripe-mock, Stripe's own
        stand-in, looks its routes up per method and answers the same, ``server/server.go``).
        """
        if request.path.startswith("/v1/"):
            status = 404 if exc.code == 405 else exc.code
            return json_response(unrecognized_url(request.method, request.path).to_dict(), status, request_id())
        return exc

    @app.errorhandler(Exception)
    def api_error(exc):
        """A bug in the sandbox answers Stripe's ``api_error`` (logged here), so clients see a Stripe-shaped 500."""
        app.logger.exception("sandbox error")
        body = {"error": {"message": "An unknown error occurred in the sandbox.", "type": "api_error"}}
        return json_response(body, 500, request_id())

    @app.after_request
    def cors(response):
        """Any page may call /v1 with a publishable key, as with Stripe.js; ``Authorization`` is not allowed
        cross-origin, so a page cannot send a secret key (and one arriving with ``Origin`` is refused)."""
        if request.path.startswith("/v1/"):
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, Idempotency-Key, Stripe-Version"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE"
        return response

    @app.get("/")
    def about():
        """What answers here and the test keys to use: the first thing someone opening the sandbox's URL needs."""
        return jsonify(
            sandbox=True,
            description="Press Workbench offline Stripe sandbox",
            api="/v1",
            stripe_js="/v3/",
            dashboard="/dashboard",
            secret_key=SECRET_KEY,
            publishable_key=PUBLISHABLE_KEY,
        )

    return app
