"""``GET /v1/elements/sessions``: what a Payment Element offers, asked by Stripe.js on mount and ``fetchUpdates``.

The endpoint is Stripe.js's own (undocumented; ``key`` is the publishable key), so the sandbox answers only what its
Stripe.js stand-in reads: ``payment_method_preference.ordered_payment_method_types``, and the intent itself.

- ``type=payment_intent`` or ``setup_intent`` with the ``client_secret`` of ``elements({clientSecret})``: the
  intent's own types, and the intent under its type's name, as Stripe's mobile SDKs read it
  (``payment_method_preference.payment_intent``).  That intent is the publishable-key view plus its
  ``payment_method_options``: the Payment Element shows its card terms when ``card.setup_future_usage`` is set there.
- ``type=deferred_intent`` for ``elements({mode: 'payment', amount, currency})``, whose tabs show before the server
  has created the PaymentIntent: the list ``automatic_payment_methods`` would give a PaymentIntent in that currency
  (``payment_method_types.offered``), or the page's own ``deferred_intent[payment_method_types]`` once checked as a
  PaymentIntent's would be.
"""

from flask import Blueprint

from .. import ids
from ..payment_method_types import check_types, offered
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, missing_param
from . import payment_intents, setup_intents

bp = Blueprint("elements_sessions", __name__, url_prefix="/v1")
MODES = ("payment", "setup", "subscription")
INTENTS = {"payment_intent": ("pi_", payment_intents), "setup_intent": ("seti_", setup_intents)}  # id prefix, resource
TYPES = (*INTENTS, "deferred_intent")


@bp.get("/elements/sessions")
@endpoint({"type", "client_secret", "deferred_intent", "locale"}, publishable=True)
def retrieve(ctx, params):
    """The group's payment methods, in the order the Payment Element shows them as tabs, and its intent if any."""
    kind = params.string("type")
    if not kind:
        raise missing_param("type")
    if kind not in TYPES:
        raise invalid(f"Invalid type: must be one of {', '.join(TYPES)}", param="type")
    if kind in INTENTS:
        return intent_session(ctx, params, kind)
    return deferred_session(params)


def intent_session(ctx, params, kind):
    """The session of ``elements({clientSecret})``: the intent the secret names, checked as a retrieve checks it."""
    secret = params.string("client_secret")
    if not secret:
        raise missing_param("client_secret")
    intent_id = ids.object_id_of(secret)
    prefix, resource = INTENTS[kind]
    if not (intent_id or "").startswith(prefix):
        raise invalid(f"Invalid client_secret for type={kind}: {secret}", param="client_secret")
    intent = resource.load_for_caller(ctx, params, intent_id)
    return preference(
        kind,
        intent["payment_method_types"],
        **{kind: {**resource.view(ctx, intent), "payment_method_options": intent["payment_method_options"]}},
    )


def deferred_session(params):
    """The session of ``elements({mode, …})``: what the sandbox offers for the currency, or the page's own types."""
    deferred = params.mapping("deferred_intent")
    if not deferred:
        raise missing_param("deferred_intent")
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
    return preference("deferred_intent", types)


def preference(kind, types, **intent):
    """The elements session Stripe.js reads: the tabs' types in order, and (``intent``) the intent under its type."""
    return {
        "object": "elements_session",
        "payment_method_preference": {
            "object": "payment_method_preference",
            "type": kind,
            "ordered_payment_method_types": types,
            **intent,
        },
    }
