"""SetupIntents: saving a card for later without a payment, as Stripe runs them for cards.

requires_payment_method → (confirm) → succeeded | requires_action → (3D Secure) → succeeded |
requires_payment_method; a decline returns to requires_payment_method with ``last_setup_error``, so the customer
can try another card; cancel ends it.  Success attaches the PaymentMethod to the SetupIntent's customer and sets it
up for off-session payments (``saved_payment_methods``).  Each confirmation is a SetupAttempt (``latest_attempt``,
which ``expand[]`` shows).  Stripe.js reads and confirms a SetupIntent with the publishable key and its client
secret, and sees only the fields of stripe-js's ``SetupIntent`` type.
"""

from flask import Blueprint

from .. import ids, payment_method_types
from ..pipeline import versions
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import DOCS, StripeAPIError, invalid
from . import events, payment_intents, payment_methods, saved_payment_methods
from .common import LIST_CREATED, check_client_secret, get_object, list_objects, now

bp = Blueprint("setup_intents", __name__, url_prefix="/v1")

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
USAGES = ("off_session", "on_session")
CANCELLATION_REASONS = ("abandoned", "duplicate", "requested_by_customer")
THREE_D_SECURE_REQUESTS = ("any", "automatic", "challenge")
# The fields Stripe returns for a SetupIntent fetched with a publishable key (stripe-js: types/api/setup-intents.d.ts).
PUBLISHABLE_FIELDS = (
    "id",
    "object",
    "cancellation_reason",
    "client_secret",
    "created",
    "description",
    "last_setup_error",
    "livemode",
    "next_action",
    "payment_method",
    "payment_method_types",
    "status",
    "usage",
)
CONFIRM_PARAMS = {
    "payment_method",
    "payment_method_data",
    "payment_method_options",
    "return_url",
    "use_stripe_sdk",
    "mandate_data",
}
CREATE_PARAMS = CONFIRM_PARAMS | {
    "automatic_payment_methods",
    "confirm",
    "customer",
    "description",
    "metadata",
    "payment_method_types",
    "usage",
}
UPDATE_PARAMS = {"customer", "description", "metadata", "payment_method", "payment_method_options"}
MISSING_PAYMENT_METHOD = (
    "You cannot confirm this SetupIntent because it's missing a payment method. You can either update the "
    "SetupIntent with a payment method and then confirm it again, or confirm it again directly with a payment method "
    "or ConfirmationToken."
)
AUTHENTICATION_FAILURE = "The latest attempt to set up the payment method has failed because authentication failed."


def setup_intent(*, customer, automatic, payment_method_types, usage, description, metadata):
    """A new SetupIntent with every field of Stripe's object, its card options as Stripe sets them by default."""
    seti_id = ids.new_id("seti")
    return {
        "id": seti_id,
        "object": "setup_intent",
        "application": None,
        "automatic_payment_methods": automatic,
        "cancellation_reason": None,
        "client_secret": ids.client_secret_for(seti_id),
        "created": now(),
        "customer": customer,
        "description": description,
        "excluded_payment_method_types": None,
        "flow_directions": None,
        "last_setup_error": None,
        "latest_attempt": None,
        "livemode": False,
        "mandate": None,
        "metadata": metadata,
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": ({"id": "pmc_sandbox_default", "parent": None} if automatic else None),
        "payment_method_options": {
            "card": {"mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
        },
        "payment_method_types": payment_method_types,
        "single_use_mandate": None,
        "status": "requires_payment_method",
        "usage": usage,
    }


def setup_attempt(si, pm):
    """The SetupAttempt of one confirmation, with the card it tried (``latest_attempt``)."""
    card = pm["card"]
    return {
        "id": ids.new_id("setatt"),
        "object": "setup_attempt",
        "application": None,
        "created": now(),
        "customer": si["customer"],
        "customer_account": None,
        "flow_directions": None,
        "livemode": False,
        "on_behalf_of": None,
        "payment_method": pm["id"],
        "payment_method_details": {
            "card": {
                "brand": card["brand"],
                "checks": card["checks"],
                "country": card["country"],
                "exp_month": card["exp_month"],
                "exp_year": card["exp_year"],
                "fingerprint": card["fingerprint"],
                "funding": card["funding"],
                "last4": card["last4"],
                "network": card["brand"],
                "three_d_secure": None,
                "wallet": None,
            },
            "type": "card",
        },
        "setup_error": None,
        "setup_intent": si["id"],
        "status": "processing",
        "usage": si["usage"],
    }


def view(ctx, si):
    """The full object for a secret key, Stripe.js's subset for a publishable key."""
    return {key: si[key] for key in PUBLISHABLE_FIELDS} if ctx.publishable else si


def refusal(ctx, si, message):
    """Stripe's ``setup_intent_unexpected_state``, with the SetupIntent as it stands on the error."""
    return StripeAPIError(400, message, code="setup_intent_unexpected_state", setup_intent=view(ctx, si))


def load(ctx, seti_id):
    """A stored SetupIntent, or Stripe's 404 (which spells it ``setupintent``)."""
    return get_object(ctx, seti_id, "setup_intent", "setupintent", "intent")


def load_for_caller(ctx, params, seti_id):
    """The SetupIntent, if the caller may see it: a secret key, or a publishable key with its client secret."""
    return check_client_secret(ctx, params, load(ctx, seti_id), "SetupIntent")


# -- routes ------------------------------------------------------------------
@bp.post("/setup_intents")
@endpoint(CREATE_PARAMS)
def create_route(ctx, params):
    """``POST /v1/setup_intents``, confirmed at once with ``confirm=true``."""
    automatic, method_types = payment_intents.payment_method_choice(  # no currency: the sandbox saves cards only
        params, versions.creation_defaults(ctx.api_version)["automatic_payment_methods"], currency=None
    )
    with ctx.store.transaction():
        si = setup_intent(
            customer=saved_payment_methods.customer_param(ctx, params),
            automatic=automatic,
            payment_method_types=method_types,
            usage=params.choice("usage", USAGES, "off_session"),
            description=params.optional_string("description"),
            metadata=params.metadata(),
        )
        si["payment_method_options"] = three_d_secure_request(params, si["payment_method_options"])
        pm = None
        if "payment_method" in params or "payment_method_data" in params:
            pm = payment_methods.resolve(ctx, params)
            payment_method_types.check_allowed(si, pm)
            saved_payment_methods.check_usable(ctx, pm, si["customer"], None)
            si.update(payment_method=pm["id"], status="requires_confirmation")
        ctx.store.put(si)
        events.emit(ctx, "setup_intent.created", si)
        if params.boolean("confirm"):
            return confirm(ctx, si, params, pm)
    return si


@bp.get("/setup_intents")
@endpoint(LIST_CREATED | {"customer", "payment_method"})
def list_route(ctx, params):
    """``GET /v1/setup_intents``, newest first, optionally one customer's or one PaymentMethod's."""
    where = {name: params.string(name) for name in ("customer", "payment_method") if name in params}
    return list_objects(ctx, params, "setup_intent", "setup_intent", "/v1/setup_intents", where)


@bp.get("/setup_intents/<seti_id>")
@endpoint(publishable=True)
def retrieve_route(ctx, params, seti_id):
    """``GET /v1/setup_intents/:id``, also for Stripe.js (``retrieveSetupIntent``) with the client secret."""
    return view(ctx, load_for_caller(ctx, params, seti_id))


@bp.post("/setup_intents/<seti_id>")
@endpoint(UPDATE_PARAMS)
def update_route(ctx, params, seti_id):
    """``POST /v1/setup_intents/:id``: customer, description and metadata any time; the PaymentMethod until done."""
    with ctx.store.transaction():
        si = load(ctx, seti_id)
        if "customer" in params:
            si["customer"] = saved_payment_methods.customer_param(ctx, params)
        if "description" in params:
            si["description"] = params.optional_string("description")
        if "metadata" in params:
            si["metadata"] = params.metadata(si["metadata"])
        si["payment_method_options"] = three_d_secure_request(params, si["payment_method_options"])
        if "payment_method" in params:
            if si["status"] == "succeeded":
                raise refusal(ctx, si, "You cannot update this SetupIntent because it has already succeeded.")
            if si["status"] == "canceled":
                raise refusal(ctx, si, "You cannot update this SetupIntent because it has been canceled.")
            pm = payment_methods.resolve(ctx, params)
            saved_payment_methods.check_usable(ctx, pm, si["customer"], view(ctx, si))
            si.update(payment_method=pm["id"], status="requires_confirmation", next_action=None)
        ctx.store.put(si)
    return si


@bp.post("/setup_intents/<seti_id>/confirm")
@endpoint(CONFIRM_PARAMS, publishable=True)
def confirm_route(ctx, params, seti_id):
    """``POST /v1/setup_intents/:id/confirm``, from the server or from Stripe.js (``confirmSetup``,
    ``confirmCardSetup``); a decline is stored, then answered as Stripe's 402."""
    with ctx.store.transaction():
        si, failure = confirm(ctx, load_for_caller(ctx, params, seti_id), params)
    return view(ctx, si), failure


@bp.post("/setup_intents/<seti_id>/cancel")
@endpoint({"cancellation_reason"})
def cancel_route(ctx, params, seti_id):
    """``POST /v1/setup_intents/:id/cancel``; the PaymentMethod stays on it, as at Stripe."""
    reason = params.choice("cancellation_reason", CANCELLATION_REASONS)
    with ctx.store.transaction():
        si = load(ctx, seti_id)
        if si["status"] == "canceled":
            raise refusal(ctx, si, "You cannot cancel this SetupIntent because it is already canceled.")
        if si["status"] not in CONFIRMABLE:
            raise refusal(
                ctx,
                si,
                f"You cannot cancel this SetupIntent because it has a status of {si['status']}. Only a SetupIntent "
                "with one of the following statuses may be canceled: `requires_payment_method`, "
                "`requires_confirmation`, or `requires_action`.",
            )
        si.update(status="canceled", cancellation_reason=reason, next_action=None)
        ctx.store.put(si)
        events.emit(ctx, "setup_intent.canceled", si)
    return si


@bp.get("/setup_attempts")
@endpoint(LIST_CREATED | {"setup_intent"})
def attempts_route(ctx, params):
    """``GET /v1/setup_attempts?setup_intent=…``: one SetupIntent's attempts, newest first (Stripe lists no others)."""
    seti_id = params.string("setup_intent", required=True)
    return list_objects(ctx, params, "setup_attempt", "setup_attempt", "/v1/setup_attempts", {"setup_intent": seti_id})


def three_d_secure_request(params, options):
    """``payment_method_options[card][request_three_d_secure]`` kept as asked; the test card decides what happens."""
    card = params.mapping("payment_method_options").get("card")
    if not isinstance(card, dict) or "request_three_d_secure" not in card:
        return options
    name = "payment_method_options[card][request_three_d_secure]"
    if card["request_three_d_secure"] not in THREE_D_SECURE_REQUESTS:
        raise invalid(f"Invalid {name}: must be one of any, automatic, or challenge", param=name)
    return {**options, "card": {**options["card"], "request_three_d_secure": card["request_three_d_secure"]}}


# -- confirm -----------------------------------------------------------------
def confirm(ctx, si, params, pm=None):
    """Try the PaymentMethod: succeeded, requires_action (3D Secure) or declined.  Returns (SetupIntent, failure).

    ``pm``: the PaymentMethod a create with ``confirm=true`` has just made.  The missing-method check comes before
    the status check, as at Stripe.
    """
    if pm is None and ("payment_method" in params or "payment_method_data" in params):
        pm = payment_methods.resolve(ctx, params)
    elif pm is None and si["payment_method"]:
        pm = ctx.store.get(si["payment_method"], "payment_method")
    if pm is None:
        raise refusal(ctx, si, MISSING_PAYMENT_METHOD)
    payment_method_types.check_allowed(si, pm)
    if si["status"] == "succeeded":
        raise refusal(ctx, si, "You cannot confirm this SetupIntent because it has already succeeded.")
    if si["status"] == "canceled":
        raise refusal(ctx, si, "You cannot confirm this SetupIntent because it has been canceled.")
    return_url = params.string("return_url")
    automatic = si["automatic_payment_methods"]
    if automatic and automatic["allow_redirects"] == "always" and not return_url:
        raise invalid(payment_intents.RETURN_URL_REQUIRED, param="return_url")
    saved_payment_methods.check_usable(ctx, pm, si["customer"], view(ctx, si))
    attempt = setup_attempt(si, pm)
    si.update(payment_method=pm["id"], last_setup_error=None, latest_attempt=attempt["id"], next_action=None)
    card = payment_methods.test_card_of(pm)
    if card.three_d_secure:
        si.update(
            status="requires_action",
            next_action=payment_intents.authentication_action(si, return_url, params.boolean("use_stripe_sdk")),
        )
        ctx.store.put(dict(attempt, status="requires_action"))
        ctx.store.put(si)
        events.emit(ctx, "setup_intent.requires_action", si)
        return si, None
    return settle(ctx, si, pm, attempt, card)


def settle(ctx, si, pm, attempt, card):
    """The bank's answer to the setup: a card that declines fails it, any other is saved."""
    if card.decline and not card.attaches_when_declining:
        decline = card.decline
        failure = StripeAPIError(
            402,
            decline.message,
            type="card_error",
            code=decline.code,
            param=decline.param,
            decline_code=decline.decline_code or decline.code,
            payment_method=pm,
        )
        return fail(ctx, si, attempt, failure.body), failure
    saved_payment_methods.save_after_setup(ctx, pm, si["customer"])
    ctx.store.put(dict(attempt, status="succeeded"))
    si.update(status="succeeded", next_action=None)
    ctx.store.put(si)
    events.emit(ctx, "setup_intent.succeeded", si)
    return si, None


def fail(ctx, si, attempt, error):
    """Back to ``requires_payment_method`` with ``error`` as ``last_setup_error``; the failure's 402 carries the
    SetupIntent too (``error`` is the failure's own body, so it gains ``setup_intent`` here)."""
    ctx.store.put(dict(attempt, status="failed", setup_error=dict(error)))
    si.update(status="requires_payment_method", payment_method=None, next_action=None, last_setup_error=dict(error))
    ctx.store.put(si)
    events.emit(ctx, "setup_intent.setup_failed", si)
    error["setup_intent"] = view(ctx, si)
    return si


def finish_authentication(ctx, seti_id, succeeded):
    """The customer completed or failed the 3D Secure challenge of a SetupIntent (the sandbox's challenge page)."""
    with ctx.store.transaction():
        si = load(ctx, seti_id)
        if si["status"] != "requires_action":
            return si
        pm = ctx.store.get(si["payment_method"], "payment_method")
        attempt = ctx.store.get(si["latest_attempt"], "setup_attempt")
        if succeeded:
            si, _ = settle(ctx, si, pm, attempt, payment_methods.test_card_of(pm))
            return si
        error = {
            "code": "setup_intent_authentication_failure",
            "doc_url": DOCS + "setup-intent-authentication-failure",
            "message": AUTHENTICATION_FAILURE,
            "payment_method": pm,
            "type": "invalid_request_error",
        }
        return fail(ctx, si, attempt, error)
