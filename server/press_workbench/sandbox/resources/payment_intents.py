"""PaymentIntents and their lifecycle, as Stripe runs it for cards.

requires_payment_method → (confirm) → succeeded | requires_capture | requires_action
→ (3DS) → succeeded | requires_payment_method; a decline returns to
requires_payment_method so the shopper can retry; cancel/capture end the intent.
Each function takes the request context, mutates stored objects inside one
transaction, emits the events Stripe would, and returns the new PaymentIntent (or
the card error to raise after the changes are committed, as Stripe keeps them).
"""

from urllib.parse import urlencode

from flask import Blueprint, request

from .. import cards, ids
from ..currencies import MAX_AMOUNT, MIN_AMOUNT, SUPPORTED, format_amount
from ..payment_method_types import check_allowed, check_types, offered, options_for
from ..pipeline import versions
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import DOCS, StripeAPIError, invalid, missing_param, unexpected_state, unknown_param
from ..pipeline.params import one_of, parse_boolean
from . import balance_transactions, bank_payments, charges, events, payment_methods, saved_payment_methods
from .common import LIST_CREATED, check_client_secret, get_object, list_objects, now

bp = Blueprint("payment_intents", __name__, url_prefix="/v1")

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
AUTHENTICATION_FAILURE = (
    "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new "
    "PaymentMethod to attempt to fulfill this PaymentIntent again."
)
OFF_SESSION_NEEDS_CONFIRM = "The parameter `off_session` can only be used with `confirm=true`."
OFF_SESSION_WITH_SETUP_FUTURE_USAGE = (
    "You cannot confirm with the `off_session` parameter when `setup_future_usage` is also set on the "
    "PaymentIntent because you cannot set up future usages when processing payments off-session."
)
CAPTURE_METHODS = ("automatic", "automatic_async", "manual")
SETUP_FUTURE_USAGES = ("off_session", "on_session")
REDIRECTS = ("always", "never")
RETURN_URL_REQUIRED = (
    "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may "
    "require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set "
    "`automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` "
    "when creating Setup Intents and Payment Intents. If you wish to accept redirect-based payment methods, "
    "please pass a `return_url` when confirming."
)

# The fields Stripe returns for a PaymentIntent fetched with a publishable key
# (the client-side type in stripe-js: types/api/payment-intents.d.ts).
PUBLISHABLE_FIELDS = (
    "id",
    "object",
    "amount",
    "automatic_payment_methods",
    "canceled_at",
    "cancellation_reason",
    "capture_method",
    "client_secret",
    "confirmation_method",
    "created",
    "currency",
    "description",
    "last_payment_error",
    "livemode",
    "next_action",
    "payment_method",
    "payment_method_types",
    "receipt_email",
    "setup_future_usage",
    "shipping",
    "status",
)
SHIPPING_FIELDS = ("address", "carrier", "name", "phone", "tracking_number")
SHIPPING_ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")
CREATE_PARAMS = {
    "amount",
    "currency",
    "customer",
    "automatic_payment_methods",
    "payment_method_types",
    "payment_method",
    "payment_method_data",
    "confirm",
    "return_url",
    "capture_method",
    "confirmation_method",
    "description",
    "receipt_email",
    "metadata",
    "setup_future_usage",
    "shipping",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "payment_method_options",
    "off_session",
    "error_on_requires_action",
    "use_stripe_sdk",
    "mandate_data",
}
UPDATE_PARAMS = {
    "amount",
    "currency",
    "customer",
    "payment_method",
    "capture_method",
    "description",
    "receipt_email",
    "metadata",
    "setup_future_usage",
    "shipping",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "payment_method_types",
    "payment_method_options",
}
CONFIRM_PARAMS = {
    "payment_method",
    "payment_method_data",
    "return_url",
    "receipt_email",
    "setup_future_usage",
    "shipping",
    "payment_method_options",
    "off_session",
    "error_on_requires_action",
    "use_stripe_sdk",
    "mandate_data",
    "capture_method",
    "save_payment_method",
}


def payment_intent(
    *,
    amount,
    currency,
    automatic,
    payment_method_types,
    capture_method,
    confirmation_method,
    description,
    receipt_email,
    metadata,
    setup_future_usage=None,
    shipping=None,
    statement_descriptor=None,
    statement_descriptor_suffix=None,
):
    """A new PaymentIntent with every field Stripe's object has, so shape checks and client code see no difference."""
    pi_id = ids.new_id("pi")
    return {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": automatic,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": capture_method,
        "client_secret": ids.client_secret_for(pi_id),
        "confirmation_method": confirmation_method,
        "created": now(),
        "currency": currency,
        "customer": None,
        "customer_account": None,
        "description": description,
        "excluded_payment_method_types": None,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "managed_payments": {"enabled": False},
        "metadata": metadata,
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": ({"id": "pmc_sandbox_default", "parent": None} if automatic else None),
        "payment_method_options": options_for(payment_method_types),
        "payment_method_types": payment_method_types,
        "processing": None,
        "receipt_email": receipt_email,
        "review": None,
        "setup_future_usage": setup_future_usage,
        "shipping": shipping,
        "source": None,
        "statement_descriptor": statement_descriptor,
        "statement_descriptor_suffix": statement_descriptor_suffix,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }


def view(ctx, pi):
    """The full object for a secret key, Stripe.js's subset for a publishable key."""
    return {key: pi[key] for key in PUBLISHABLE_FIELDS} if ctx.publishable else pi


# -- routes ------------------------------------------------------------------
@bp.post("/payment_intents")
@endpoint(CREATE_PARAMS)
def create_route(ctx, params):
    """``POST /v1/payment_intents``."""
    return create(ctx, params)


@bp.get("/payment_intents")
@endpoint(LIST_CREATED)
def list_route(ctx, params):
    """``GET /v1/payment_intents``, newest first, with Stripe's cursors and ``created`` filters."""
    return list_objects(ctx, params, "payment_intent", "payment_intent", "/v1/payment_intents")


@bp.get("/payment_intents/<pi_id>")
@endpoint(publishable=True)
def retrieve_route(ctx, params, pi_id):
    """``GET /v1/payment_intents/:id``, also for Stripe.js with a publishable key and the client secret."""
    return view(ctx, load_for_caller(ctx, params, pi_id))


@bp.post("/payment_intents/<pi_id>")
@endpoint(UPDATE_PARAMS)
def update_route(ctx, params, pi_id):
    """``POST /v1/payment_intents/:id``."""
    return update(ctx, pi_id, params)


@bp.post("/payment_intents/<pi_id>/confirm")
@endpoint(CONFIRM_PARAMS, publishable=True)
def confirm_route(ctx, params, pi_id):
    """``POST /v1/payment_intents/:id/confirm``, from the server or from Stripe.js.

    A decline is stored, then answered as Stripe's 402: the PaymentIntent and its events record the failed attempt.
    """
    load_for_caller(ctx, params, pi_id)
    pi, failure = confirm(ctx, pi_id, params)
    return view(ctx, pi), failure


@bp.post("/payment_intents/<pi_id>/cancel")
@endpoint({"cancellation_reason"})
def cancel_route(ctx, params, pi_id):
    """``POST /v1/payment_intents/:id/cancel``."""
    return cancel(ctx, pi_id, params)


@bp.post("/payment_intents/<pi_id>/capture")
@endpoint({"amount_to_capture", "metadata", "final_capture", "statement_descriptor"})
def capture_route(ctx, params, pi_id):
    """``POST /v1/payment_intents/:id/capture``, partial captures included."""
    return capture(ctx, pi_id, params)


def load(ctx, pi_id):
    """A stored PaymentIntent, or Stripe's 404 for its id."""
    return get_object(ctx, pi_id, "payment_intent", "payment_intent", "intent")


def load_for_caller(ctx, params, pi_id):
    """The PaymentIntent, if the caller may see it: a secret key, or a publishable key with its client secret."""
    return check_client_secret(ctx, params, load(ctx, pi_id), "PaymentIntent")


# -- create / update ---------------------------------------------------------
def create(ctx, params):
    """Create a PaymentIntent with the defaults of the caller's API version, and confirm it at once when asked."""
    amount = params.integer("amount", required=True, minimum=1)
    currency = params.string("currency", required=True).lower()
    check_amount(amount, currency)
    defaults = versions.creation_defaults(ctx.api_version)
    automatic_field, method_types = payment_method_choice(params, defaults["automatic_payment_methods"], currency)
    confirm_now = params.boolean("confirm")
    if "off_session" in params and not confirm_now:
        raise invalid(OFF_SESSION_NEEDS_CONFIRM, param="off_session")
    pi = payment_intent(
        amount=amount,
        currency=currency,
        automatic=automatic_field,
        payment_method_types=method_types,
        capture_method=params.choice("capture_method", CAPTURE_METHODS, defaults["capture_method"]),
        confirmation_method=params.choice("confirmation_method", ("automatic", "manual"), "automatic"),
        description=params.optional_string("description"),
        receipt_email=check_email(params.optional_string("receipt_email")),
        metadata=params.metadata(),
        setup_future_usage=params.choice("setup_future_usage", SETUP_FUTURE_USAGES),
        shipping=shipping_of(params),
        statement_descriptor=params.optional_string("statement_descriptor"),
        statement_descriptor_suffix=params.optional_string("statement_descriptor_suffix"),
    )
    with ctx.store.transaction():
        pi["customer"] = saved_payment_methods.customer_param(ctx, params)
        pi["payment_method_options"] = saved_payment_methods.card_future_usage(params, pi["payment_method_options"])
        if "payment_method" in params or "payment_method_data" in params:
            pm = payment_methods.resolve(ctx, params)
            check_allowed(pi, pm)
            pi.update(payment_method=pm["id"], status="requires_confirmation")
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.created", pi)
        if confirm_now:
            return _confirm(ctx, pi, params)
    return pi, None


def payment_method_choice(params, automatic_by_default, currency):
    """(``automatic_payment_methods``, ``payment_method_types``) for a new PaymentIntent.

    Explicit ``payment_method_types`` limit the intent to those (``payment_method_types.check_types``); otherwise
    automatic payment methods — by default only from API version 2023-08-16 on — offer what the account has for
    the currency (``allow_redirects=never`` leaves out the methods that redirect), and without them it is card-only.
    """
    automatic = params.mapping("automatic_payment_methods", allowed={"enabled", "allow_redirects"})
    method_types = params.string_list("payment_method_types")
    if automatic and method_types:
        raise invalid(
            "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
            param="automatic_payment_methods",
            code="parameters_exclusive",
        )
    if method_types:
        return None, check_types(method_types, currency)
    if automatic:
        if "enabled" not in automatic:
            raise missing_param("automatic_payment_methods[enabled]")
        enabled = parse_boolean("automatic_payment_methods[enabled]", automatic["enabled"])
        redirects = automatic.get("allow_redirects", "always")
        if redirects not in REDIRECTS:
            raise invalid(
                f"Invalid automatic_payment_methods[allow_redirects]: must be one of {one_of(REDIRECTS)}",
                param="automatic_payment_methods[allow_redirects]",
            )
    else:
        enabled, redirects = automatic_by_default, "always"
    if not enabled:
        return None, ["card"]
    return {"allow_redirects": redirects, "enabled": True}, offered(currency, redirects)


def update(ctx, pi_id, params):
    """Update a PaymentIntent; amounts and methods change only while Stripe allows it (before confirmation)."""
    with ctx.store.transaction():
        pi = load(ctx, pi_id)
        changing = ("amount", "currency", "payment_method", "capture_method", "payment_method_types")
        money_fields = [f for f in changing if f in params]
        if money_fields and pi["status"] not in CONFIRMABLE:
            raise unexpected_state(
                f"You cannot update this PaymentIntent's {money_fields[0]} because it has a status of "
                f"{pi['status']}. Only a PaymentIntent with one of the following statuses may be updated: "
                f"{', '.join(CONFIRMABLE)}.",
                param=money_fields[0],
            )
        if "amount" in params or "currency" in params:
            pi["amount"] = params.integer("amount", default=pi["amount"], minimum=1)
            pi["currency"] = params.string("currency", default=pi["currency"]).lower()
            check_amount(pi["amount"], pi["currency"])
        if "currency" in params or "payment_method_types" in params:
            choose_methods(pi, params.string_list("payment_method_types"))
        for field in ("description", "statement_descriptor", "statement_descriptor_suffix"):
            if field in params:
                pi[field] = params.optional_string(field)
        if "receipt_email" in params:
            pi["receipt_email"] = check_email(params.optional_string("receipt_email"))
        if "capture_method" in params:
            pi["capture_method"] = params.choice("capture_method", CAPTURE_METHODS)
        if "setup_future_usage" in params:
            pi["setup_future_usage"] = params.choice("setup_future_usage", SETUP_FUTURE_USAGES)
        if "shipping" in params:
            pi["shipping"] = shipping_of(params)
        if "metadata" in params:
            pi["metadata"] = params.metadata(pi["metadata"])
        if "customer" in params:
            pi["customer"] = saved_payment_methods.customer_param(ctx, params)
        if "payment_method_options" in params:
            pi["payment_method_options"] = saved_payment_methods.card_future_usage(params, pi["payment_method_options"])
        if "payment_method" in params:
            pm = payment_methods.resolve(ctx, params)
            check_allowed(pi, pm)
            pi.update(
                payment_method=pm["id"], status="requires_confirmation", next_action=None
            )  # the new method has not been tried yet
        pi["last_payment_error"] = None  # Stripe clears it on any update
        ctx.store.put(pi)
    return pi


def choose_methods(pi, explicit):
    """Set the methods ``pi`` offers after its currency or its ``payment_method_types`` change, as at Stripe:
    explicit types end automatic payment methods and must suit the currency; automatic ones follow the currency."""
    if explicit:
        pi.update(automatic_payment_methods=None, payment_method_configuration_details=None)
        pi["payment_method_types"] = check_types(explicit, pi["currency"])
    elif pi["automatic_payment_methods"]:
        pi["payment_method_types"] = offered(pi["currency"], pi["automatic_payment_methods"]["allow_redirects"])
    else:
        pi["payment_method_types"] = check_types(pi["payment_method_types"], pi["currency"])
    pi["payment_method_options"] = options_for(pi["payment_method_types"])


def off_session_of(params):
    """``off_session``: ``true``/``false``, or ``one_off``/``recurring`` (which mean true)."""
    value = params.string("off_session")
    if value in ("one_off", "recurring"):
        return True
    return value is not None and parse_boolean("off_session", value)


def check_amount(amount, currency):
    """Refuse an amount Stripe refuses (unknown currency, under the minimum, over the maximum), in its words."""
    if currency not in SUPPORTED:
        raise invalid(
            f"Invalid currency: {currency}. Stripe currently supports these currencies: {', '.join(SUPPORTED)}",
            param="currency",
        )
    if amount < MIN_AMOUNT:
        raise invalid(
            f"Amount must be at least {format_amount(MIN_AMOUNT, currency)} {currency}",
            param="amount",
            code="amount_too_small",
        )
    if amount > MAX_AMOUNT:
        raise invalid(
            f"Amount must be no more than {format_amount(MAX_AMOUNT, currency)}",
            param="amount",
            code="amount_too_large",
        )


def shipping_of(params):
    """``shipping`` as Stripe stores it: every field present; ``name`` and ``address`` required."""
    given = params.mapping("shipping", allowed=SHIPPING_FIELDS)
    if not given:
        return None
    for field in ("address", "name"):
        if field not in given:
            raise missing_param(f"shipping[{field}]")
    address = given["address"]
    if not isinstance(address, dict):
        raise invalid("Invalid hash: shipping[address]", param="shipping[address]")
    unknown = [key for key in address if key not in SHIPPING_ADDRESS_FIELDS]
    if unknown:
        raise unknown_param(f"shipping[address][{unknown[0]}]")
    shipping = {field: given.get(field) or None for field in SHIPPING_FIELDS}
    shipping["address"] = {field: address.get(field) or None for field in SHIPPING_ADDRESS_FIELDS}
    return shipping


def check_email(email):
    """Refuse a receipt email Stripe would refuse, so a shop that skips its own check fails here too."""
    if email is not None and ("@" not in email or " " in email):
        raise invalid(f"Invalid email address: {email}", param="receipt_email", code="email_invalid")
    return email


# -- confirm -----------------------------------------------------------------
def confirm(ctx, pi_id, params):
    """Confirm in one transaction: the new state, the charge and the events are stored together or not at all."""
    with ctx.store.transaction():
        return _confirm(ctx, load(ctx, pi_id), params)


def _confirm(ctx, pi, params):
    if pi["status"] not in CONFIRMABLE:
        if pi["status"] == "succeeded":
            message = (
                "You cannot confirm this PaymentIntent because it has already succeeded after being previously "
                "confirmed."
            )
        else:
            message = (
                f"You cannot confirm this PaymentIntent because it has a status of {pi['status']}. Only a "
                f"PaymentIntent with one of the following statuses may be confirmed: {', '.join(CONFIRMABLE)}."
            )
        raise unexpected_state(message)
    if ctx.publishable and pi["confirmation_method"] == "manual":
        raise invalid(
            "This PaymentIntent has confirmation_method `manual`: it can only be confirmed with your secret key.",
            code="payment_intent_unexpected_state",
        )
    return_url = params.string("return_url")
    if (
        pi["automatic_payment_methods"]
        and pi["automatic_payment_methods"]["allow_redirects"] == "always"
        and not return_url
    ):
        raise invalid(RETURN_URL_REQUIRED, param="return_url")
    if "payment_method" in params or "payment_method_data" in params:
        pm = payment_methods.resolve(ctx, params)
    elif pi["payment_method"]:
        pm = ctx.store.get(pi["payment_method"], "payment_method")
    else:
        pm = saved_payment_methods.default_for(ctx, pi, payment_methods.MISSING_PAYMENT_METHOD)
    saved_payment_methods.check_usable(ctx, pm, pi["customer"], view(ctx, pi))
    if "receipt_email" in params:
        pi["receipt_email"] = check_email(params.optional_string("receipt_email"))
    if "shipping" in params:
        pi["shipping"] = shipping_of(params)
    if "setup_future_usage" in params:
        pi["setup_future_usage"] = params.choice("setup_future_usage", SETUP_FUTURE_USAGES)
    off_session = off_session_of(params)
    if off_session and pi["setup_future_usage"]:
        raise invalid(OFF_SESSION_WITH_SETUP_FUTURE_USAGE)
    check_allowed(pi, pm)
    pi["payment_method"] = pm["id"]
    pi["last_payment_error"] = None
    saved_payment_methods.save_on_success(ctx, pi, pm, params)
    if pm["type"] != "card":
        return bank_payments.confirm(ctx, pi, pm, params, return_url)
    card = payment_methods.test_card_of(pm)
    if off_session and saved_payment_methods.needs_authentication_off_session(ctx, pm, card):
        pi["next_action"] = None  # nobody is there to authenticate: the issuer declines before any charge
        return _decline(ctx, pi, pm, cards.AUTHENTICATION_REQUIRED, charged=False)
    if card.three_d_secure and not off_session:
        pi["status"] = "requires_action"
        pi["next_action"] = authentication_action(pi, return_url, params.boolean("use_stripe_sdk"))
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.requires_action", pi)
        return pi, None
    return attempt_charge(ctx, pi, pm, card)


def attempt_charge(ctx, pi, pm, card):
    """Authorise (and capture unless manual) the card; a decline sends the intent back for another method."""
    pi["next_action"] = None
    if card.decline:
        return _decline(ctx, pi, pm, card.decline)
    manual = pi["capture_method"] == "manual"
    charge = charges.charge(pi, pm, status="succeeded", captured=not manual)
    if pi["capture_method"] == "automatic":
        balance_transactions.for_charge(ctx, charge)
    elif pi["capture_method"] == "automatic_async":
        balance_transactions.settle_after_response(charge["id"])
    ctx.store.put(charge)
    pi["latest_charge"] = charge["id"]
    events.emit(ctx, "charge.succeeded", charge)
    saved_payment_methods.save_after_payment(ctx, pi, pm)
    if manual:
        pi.update(status="requires_capture", amount_capturable=pi["amount"])
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.amount_capturable_updated", pi)
    else:
        pi.update(status="succeeded", amount_received=pi["amount"])
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.succeeded", pi)
    return pi, None


def _decline(ctx, pi, pm, decline, charged=True):
    """``charged=False``: the bank refused before any charge was made (off-session, it needs authentication)."""
    charge = ctx.store.put(charges.charge(pi, pm, status="failed", decline=decline)) if charged else None
    failure = StripeAPIError(
        402,
        decline.message,
        type="card_error",
        code=decline.code,
        param=decline.param,
        **({"charge": charge["id"]} if charge else {}),
        decline_code=decline.decline_code,
        payment_method=pm,
    )
    pi.update(
        status="requires_payment_method",
        payment_method=None,
        latest_charge=charge["id"] if charge else pi["latest_charge"],
        last_payment_error=dict(failure.body),
    )  # the error the 402 answers, as the intent keeps it
    ctx.store.put(pi)
    if charge:
        events.emit(ctx, "charge.failed", charge)
    events.emit(ctx, "payment_intent.payment_failed", pi)
    failure.body["payment_intent"] = view(ctx, pi)
    return pi, failure


def finish_authentication(ctx, pi_id, succeeded):
    """The shopper completed or failed the 3D Secure challenge."""
    with ctx.store.transaction():
        pi = load(ctx, pi_id)
        if pi["status"] != "requires_action" or bank_payments.awaiting_redirect(ctx, pi):
            return pi  # a redirect method's PaymentIntent is finished by its bank's page, not this one
        pm = ctx.store.get(pi["payment_method"], "payment_method")
        if succeeded:
            pi, _ = attempt_charge(ctx, pi, pm, payment_methods.test_card_of(pm))
            return pi
        pi.update(
            status="requires_payment_method",
            payment_method=None,
            next_action=None,
            last_payment_error={
                "code": "payment_intent_authentication_failure",
                "doc_url": DOCS + "payment-intent-authentication-failure",
                "message": AUTHENTICATION_FAILURE,
                "payment_method": pm,
                "type": "invalid_request_error",
            },
        )
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.payment_failed", pi)
        return pi


# -- cancel / capture --------------------------------------------------------
def cancel(ctx, pi_id, params):
    """Cancel a PaymentIntent; an authorised but uncaptured charge is refunded in full, as Stripe releases it."""
    reason = params.choice("cancellation_reason", CANCELLATION_REASONS)
    with ctx.store.transaction():
        pi = load(ctx, pi_id)
        if pi["status"] not in CANCELABLE:
            raise unexpected_state(
                f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. Only a "
                f"PaymentIntent with one of the following statuses may be canceled: {', '.join(CANCELABLE)}."
            )
        if pi["status"] == "requires_capture":
            charge = ctx.store.get(pi["latest_charge"], "charge")
            charge.update(amount_refunded=charge["amount"], refunded=True)
            ctx.store.put(charge)
        pi.update(
            status="canceled", canceled_at=now(), cancellation_reason=reason, next_action=None, amount_capturable=0
        )
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.canceled", pi)
    return pi


def capture(ctx, pi_id, params):
    """Capture an authorised PaymentIntent, up to what was authorised; the rest counts as refunded, as at Stripe."""
    with ctx.store.transaction():
        pi = load(ctx, pi_id)
        if pi["status"] != "requires_capture":
            raise unexpected_state(
                f"This PaymentIntent could not be captured because it has a status of {pi['status']}. Only a "
                "PaymentIntent with one of the following statuses may be captured: requires_capture."
            )
        amount = params.integer("amount_to_capture", default=pi["amount_capturable"], minimum=1)
        if amount > pi["amount_capturable"]:
            raise invalid(
                f"The amount to capture must be a positive integer no greater than the amount capturable "
                f"({pi['amount_capturable']}).",
                param="amount_to_capture",
                code="amount_too_large",
            )
        charge = ctx.store.get(pi["latest_charge"], "charge")
        charge.update(captured=True, amount_captured=amount, amount_refunded=charge["amount"] - amount)
        balance_transactions.for_charge(ctx, charge)
        ctx.store.put(charge)
        events.emit(ctx, "charge.captured", charge)
        pi.update(status="succeeded", amount_received=amount, amount_capturable=0)
        if "metadata" in params:
            pi["metadata"] = params.metadata(pi["metadata"])
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.succeeded", pi)
    return pi


def authentication_action(pi, return_url, use_stripe_sdk=False):
    """``next_action`` for a card that needs 3D Secure: the sandbox's challenge page (``stripe_js``).

    Stripe.js confirms with ``use_stripe_sdk=true`` and shows the challenge in a modal
    (``use_stripe_sdk``); a server-side confirm with a ``return_url`` gets a page to
    redirect to (``redirect_to_url``).
    """
    query = {"client_secret": pi["client_secret"]}
    if return_url:
        query["return_url"] = return_url
    url = f"{request.url_root}3ds/authenticate/{pi['id']}?{urlencode(query)}"  # behind a proxy: its path
    if return_url and not use_stripe_sdk:
        return {"type": "redirect_to_url", "redirect_to_url": {"return_url": return_url, "url": url}}
    return {
        "type": "use_stripe_sdk",
        "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": url, "source": pi["id"]},
    }
