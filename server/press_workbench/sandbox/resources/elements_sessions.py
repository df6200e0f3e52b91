"""``GET /v1/elements/sessions``: the payment methods a deferred Payment Element offers, before any PaymentIntent.

Stripe.js asks it when a page makes ``elements({mode: 'payment', amount, currency})``: the Payment Element shows
its tabs before the server has created the PaymentIntent it will confirm.  The endpoint is Stripe.js's own
(undocumented; ``key`` is the publishable key), so the sandbox answers only what its Stripe.js stand-in reads:
``payment_method_preference.ordered_payment_method_types``, the same list ``automatic_payment_methods`` would give a
PaymentIntent in that currency (``payment_method_types.offered``), or the page's own
``deferred_intent[payment_method_types]`` once checked as a PaymentIntent's would be.
"""

from flask import Blueprint

from ..payment_method_types import check_types, offered
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, missing_param

bp = Blueprint("elements_sessions", __name__, url_prefix="/v1")
MODES = ("payment", "setup", "subscription")


@bp.get("/elements/sessions")
@endpoint({"type", "deferred_intent", "locale"}, publishable=True)
def retrieve(ctx, params):
    """The deferred group's payment methods, in the order the Payment Element shows them as tabs."""
    deferred = params.mapping("deferred_intent")
    if params.string("type") != "deferred_intent" or not deferred:
        raise invalid("The sandbox answers elements/sessions for deferred intents only (type=deferred_intent).")
    if not deferred.get("mode"):
        raise missing_param("deferred_intent[mode]")
    if deferred["mode"] not in MODES:
        raise invalid(f"Invalid deferred_intent[mode]: {deferred['mode']}", param="deferred_intent[mode]")
    setup = deferred["mode"] == "setup"  # setting up takes no currency, and the sandbox saves cards only
    if not setup and not deferred.get("currency"):
        raise missing_param("deferred_intent[currency]")
    currency = None if setup else str(deferred["currency"]).lower()
    chosen = deferred.get("payment_method_types")
    if isinstance(chosen, str):
        chosen = [chosen]
    if chosen:
        types = check_types(chosen, currency, "deferred_intent[payment_method_types]")
    else:
        types = ["card"] if setup else offered(currency)
    return {
        "object": "elements_session",
        "payment_method_preference": {
            "object": "payment_method_preference",
            "type": "deferred_intent",
            "ordered_payment_method_types": types,
        },
    }
