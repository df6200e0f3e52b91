"""The ``/v1`` API, one module per Stripe resource, each with its routes and its objects' shapes.

Top-level keys follow Stripe's own example objects (``openapi/fixtures3.json``);
``tests/sandbox/stripe_object_keys.json`` pins them and a test compares.
"""

from flask import Blueprint, request

from ..pipeline.errors import unrecognized_url
from . import (
    balance_transactions,
    charges,
    customers,
    disputes,
    elements_sessions,
    events,
    mandates,
    payment_intents,
    payment_methods,
    refunds,
    saved_payment_methods,
    setup_intents,
    webhook_endpoints,
)

unknown = Blueprint("unknown_routes", __name__, url_prefix="/v1")


@unknown.route("/<path:path>", methods=["GET", "POST", "DELETE"])
def unrecognized(path):
    """Any other ``/v1`` path gets Stripe's "Unrecognized request URL" 404, never Flask's HTML page."""
    raise unrecognized_url(request.method, request.path)


BLUEPRINTS = [
    module.bp
    for module in (
        payment_intents,
        payment_methods,
        saved_payment_methods,
        customers,
        setup_intents,
        charges,
        refunds,
        disputes,
        mandates,
        elements_sessions,
        balance_transactions,
        events,
        webhook_endpoints,
    )
] + [unknown]
