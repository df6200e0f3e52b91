"""The PaymentIntent lifecycle, as Stripe runs it for cards.

requires_payment_method → (confirm) → succeeded | requires_capture | requires_action
→ (3DS) → succeeded | requires_payment_method; a decline returns to
requires_payment_method so the shopper can retry; cancel/capture end the intent.
Each function takes the request context, mutates stored objects inside one
transaction, emits the events Stripe would, and returns the new PaymentIntent (or
the card error to raise after the changes are committed, as Stripe keeps them).
"""

import datetime

from server.money import MAX_AMOUNT, MIN_AMOUNT, SUPPORTED, format_amount

from . import cards, events, objects
from .errors import StripeAPIError, invalid, missing_param, no_such, unexpected_state
from .params import merge_metadata

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation", "requires_action", "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
RAW_CARD_MESSAGE = (
    "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens "
    "that map to the test card you are using, see https://stripe.com/docs/testing. To enable testing raw card data "
    "APIs, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."
)
AUTHENTICATION_FAILURE = (
    "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new "
    "PaymentMethod to attempt to fulfill this PaymentIntent again."
)
RETURN_URL_REQUIRED = (
    "This PaymentIntent is configured to accept payment methods enabled in your Dashboard, some of which may "
    "require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set "
    "`automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` "
    "when creating Setup Intents and Payment Intents. If you wish to accept redirect-based payment methods, "
    "please pass a `return_url` when confirming."
)
MISSING_PAYMENT_METHOD = (
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the "
    "PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment "
    "method."
)


def load(ctx, pi_id):
    pi = ctx.store.get(pi_id, "payment_intent")
    if pi is None:
        raise no_such("payment_intent", pi_id, "intent")
    return pi


# -- create / update ---------------------------------------------------------
def create(ctx, params):
    amount = params.integer("amount", required=True)
    currency = params.string("currency", required=True).lower()
    check_amount(amount, currency)
    automatic = params.mapping("automatic_payment_methods", allowed={"enabled", "allow_redirects"})
    method_types = params.string_list("payment_method_types")
    if method_types and automatic.get("enabled") == "true":
        raise invalid(
            "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
            param="automatic_payment_methods",
        )
    if method_types:
        unsupported = [t for t in method_types if t != "card"]
        if unsupported:
            raise invalid(
                f"The payment method type provided: {unsupported[0]} is invalid. This sandbox supports: card.",
                param="payment_method_types",
            )
        automatic_field = None
    else:
        automatic_field = {"allow_redirects": automatic.get("allow_redirects", "always"), "enabled": True}
        if automatic_field["allow_redirects"] not in ("always", "never"):
            raise invalid("Invalid automatic_payment_methods[allow_redirects]", param="automatic_payment_methods")
    pi = objects.payment_intent(
        amount=amount,
        currency=currency,
        automatic=automatic_field,
        payment_method_types=method_types or ["card"],
        capture_method=params.choice("capture_method", ("automatic", "automatic_async", "manual"), "automatic_async"),
        confirmation_method=params.choice("confirmation_method", ("automatic", "manual"), "automatic"),
        description=params.optional_string("description"),
        receipt_email=check_email(params.optional_string("receipt_email")),
        metadata=params.metadata(),
        setup_future_usage=params.choice("setup_future_usage", ("on_session", "off_session")),
        shipping=params.mapping("shipping") or None,
        statement_descriptor=params.optional_string("statement_descriptor"),
        statement_descriptor_suffix=params.optional_string("statement_descriptor_suffix"),
    )
    with ctx.store.transaction():
        if "payment_method" in params or "payment_method_data" in params:
            pi["payment_method"] = resolve_payment_method(ctx, params)["id"]
            pi["status"] = "requires_confirmation"
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.created", pi)
        if params.boolean("confirm"):
            return _confirm(ctx, pi, params)
    return pi, None


def update(ctx, pi_id, params):
    with ctx.store.transaction():
        pi = load(ctx, pi_id)
        money_fields = [f for f in ("amount", "currency", "payment_method", "capture_method") if f in params]
        if money_fields and pi["status"] not in CONFIRMABLE:
            raise unexpected_state(
                f"You cannot update this PaymentIntent's {money_fields[0]} because it has a status of "
                f"{pi['status']}. Only a PaymentIntent with one of the following statuses may be updated: "
                f"{', '.join(CONFIRMABLE)}.",
                param=money_fields[0],
            )
        if "amount" in params or "currency" in params:
            pi["amount"] = params.integer("amount", default=pi["amount"])
            pi["currency"] = params.string("currency", default=pi["currency"]).lower()
            check_amount(pi["amount"], pi["currency"])
        for field in ("description", "statement_descriptor", "statement_descriptor_suffix"):
            if field in params:
                pi[field] = params.optional_string(field)
        if "receipt_email" in params:
            pi["receipt_email"] = check_email(params.optional_string("receipt_email"))
        if "capture_method" in params:
            pi["capture_method"] = params.choice("capture_method", ("automatic", "automatic_async", "manual"))
        if "shipping" in params:
            pi["shipping"] = params.mapping("shipping") or None
        if "metadata" in params:
            pi["metadata"] = merge_metadata(pi["metadata"], params.metadata())
        if "payment_method" in params:
            pi["payment_method"] = resolve_payment_method(ctx, params)["id"]
            pi["status"] = "requires_confirmation"
        pi["last_payment_error"] = None  # Stripe clears it on any update
        ctx.store.put(pi)
    return pi


def check_amount(amount, currency):
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
            f"Amount must be no more than {format_amount(MAX_AMOUNT, currency)}", param="amount", code="amount_too_large"
        )


def check_email(email):
    if email is not None and ("@" not in email or " " in email):
        raise invalid(f"Invalid email address: {email}", param="receipt_email", code="email_invalid")
    return email


# -- payment methods ---------------------------------------------------------
def resolve_payment_method(ctx, params):
    """The PaymentMethod named by ``payment_method`` (a test id or ``pm_…``) or built from ``payment_method_data``."""
    pm_id = params.string("payment_method")
    if pm_id:
        test_card = cards.TEST_PAYMENT_METHODS.get(pm_id)
        if test_card:
            year = datetime.date.today().year + 1
            pm = objects.payment_method(test_card, exp_month=datetime.date.today().month, exp_year=year)
            return ctx.store.put(pm)
        pm = ctx.store.get(pm_id, "payment_method")
        if pm is None:
            raise no_such("PaymentMethod", pm_id, "payment_method")
        return pm
    data = params.mapping("payment_method_data")
    if not data:
        raise unexpected_state(MISSING_PAYMENT_METHOD)
    return create_card_payment_method(ctx, data, param_prefix="payment_method_data")


def create_card_payment_method(ctx, data, param_prefix):
    """A PaymentMethod from raw card data — accepted only from publishable-key (Stripe.js) calls."""
    def param(name):  # "payment_method_data[type]" inside confirm, "type" for POST /v1/payment_methods
        return f"{param_prefix}[{name}]" if param_prefix else name

    if "type" not in data:
        raise missing_param(param("type"))
    if data["type"] != "card":
        raise invalid(f"Invalid {param('type')}: this sandbox supports card", param=param("type"))
    card = data.get("card") or {}
    if not ctx.publishable:
        raise invalid(RAW_CARD_MESSAGE, param=param("card") + "[number]")
    number = "".join(ch for ch in str(card.get("number", "")) if ch.isdigit())
    if not number:
        raise missing_param(param("card") + "[number]")
    if not (12 <= len(number) <= 19) or not cards.luhn_valid(number):
        raise card_validation("incorrect_number", "Your card number is incorrect.", "number")
    exp_month, exp_year = _expiry(card)
    pm = objects.payment_method(
        cards.card_for_number(number),
        exp_month=exp_month,
        exp_year=exp_year,
        billing_details=data.get("billing_details") if isinstance(data.get("billing_details"), dict) else None,
    )
    return ctx.store.put(pm)


def _expiry(card):
    try:
        month, year = int(card.get("exp_month", "")), int(card.get("exp_year", ""))
    except ValueError:
        raise card_validation("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month") from None
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise card_validation("invalid_expiry_month", "Your card's expiration month is invalid.", "exp_month")
    today = datetime.date.today()
    if (year, month) < (today.year, today.month):
        raise card_validation("invalid_expiry_year", "Your card's expiration year is invalid.", "exp_year")
    return month, year


def card_validation(code, message, param):
    return StripeAPIError(402, message, type="card_error", code=code, param=param)


def test_card_of(pm):
    """The test card a stored PaymentMethod stands for (by last4 and brand)."""
    for card in cards.CARDS:
        if card.number.endswith(pm["card"]["last4"]) and card.brand == pm["card"]["brand"]:
            return card
    return cards.TestCard("0000" + pm["card"]["last4"], pm["card"]["brand"], decline=cards.LIVE_CARD_IN_TEST)


# -- confirm -----------------------------------------------------------------
def confirm(ctx, pi_id, params):
    with ctx.store.transaction():
        return _confirm(ctx, load(ctx, pi_id), params)


def _confirm(ctx, pi, params):
    if pi["status"] not in CONFIRMABLE:
        if pi["status"] == "succeeded":
            message = "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
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
    if pi["automatic_payment_methods"] and pi["automatic_payment_methods"]["allow_redirects"] == "always" and not return_url:
        raise invalid(RETURN_URL_REQUIRED, param="return_url")
    if "payment_method" in params or "payment_method_data" in params:
        pm = resolve_payment_method(ctx, params)
    elif pi["payment_method"]:
        pm = ctx.store.get(pi["payment_method"], "payment_method")
    else:
        raise unexpected_state(MISSING_PAYMENT_METHOD)
    if "receipt_email" in params:
        pi["receipt_email"] = check_email(params.optional_string("receipt_email"))
    pi["payment_method"] = pm["id"]
    pi["last_payment_error"] = None
    card = test_card_of(pm)
    if card.three_d_secure:
        pi["status"] = "requires_action"
        pi["next_action"] = ctx.authentication_action(pi, return_url)
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
    charge = ctx.store.put(objects.charge(pi, pm, status="succeeded", captured=not manual))
    pi["latest_charge"] = charge["id"]
    events.emit(ctx, "charge.succeeded", charge)
    if manual:
        pi.update(status="requires_capture", amount_capturable=pi["amount"])
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.amount_capturable_updated", pi)
    else:
        pi.update(status="succeeded", amount_received=pi["amount"])
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.succeeded", pi)
    return pi, None


def _decline(ctx, pi, pm, decline):
    charge = ctx.store.put(objects.charge(pi, pm, status="failed", decline=decline))
    error = {"charge": charge["id"], "code": decline.code, "decline_code": decline.decline_code,
             "doc_url": "https://stripe.com/docs/error-codes/" + decline.code.replace("_", "-"),
             "message": decline.message, "payment_method": pm, "type": "card_error"}  # fmt: skip
    if decline.param:
        error["param"] = decline.param
    pi.update(status="requires_payment_method", payment_method=None, latest_charge=charge["id"],
              last_payment_error=error)  # fmt: skip
    ctx.store.put(pi)
    events.emit(ctx, "charge.failed", charge)
    events.emit(ctx, "payment_intent.payment_failed", pi)
    extra = {k: v for k, v in error.items() if k not in ("message", "type", "code", "doc_url", "param")}
    failure = StripeAPIError(402, decline.message, type="card_error", code=decline.code, param=decline.param, **extra)
    failure.body["payment_intent"] = ctx.payment_intent_view(pi)
    return pi, failure


def finish_authentication(ctx, pi_id, succeeded):
    """The shopper completed or failed the 3D Secure challenge."""
    with ctx.store.transaction():
        pi = load(ctx, pi_id)
        if pi["status"] != "requires_action":
            return pi
        pm = ctx.store.get(pi["payment_method"], "payment_method")
        if succeeded:
            pi, _ = attempt_charge(ctx, pi, pm, test_card_of(pm))
            return pi
        pi.update(status="requires_payment_method", payment_method=None, next_action=None, last_payment_error={
            "code": "payment_intent_authentication_failure",
            "doc_url": "https://stripe.com/docs/error-codes/payment-intent-authentication-failure",
            "message": AUTHENTICATION_FAILURE,
            "payment_method": pm,
            "type": "invalid_request_error",
        })  # fmt: skip
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.payment_failed", pi)
        return pi


# -- cancel / capture --------------------------------------------------------
def cancel(ctx, pi_id, params):
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
        pi.update(status="canceled", canceled_at=objects.now(), cancellation_reason=reason, next_action=None,
                  amount_capturable=0)  # fmt: skip
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.canceled", pi)
    return pi


def capture(ctx, pi_id, params):
    with ctx.store.transaction():
        pi = load(ctx, pi_id)
        if pi["status"] != "requires_capture":
            raise unexpected_state(
                f"This PaymentIntent could not be captured because it has a status of {pi['status']}. Only a "
                "PaymentIntent with one of the following statuses may be captured: requires_capture."
            )
        amount = params.integer("amount_to_capture", default=pi["amount_capturable"])
        if amount > pi["amount_capturable"] or amount <= 0:
            raise invalid(
                f"The amount to capture must be a positive integer no greater than the amount capturable "
                f"({pi['amount_capturable']}).",
                param="amount_to_capture",
                code="amount_too_large",
            )
        charge = ctx.store.get(pi["latest_charge"], "charge")
        charge.update(captured=True, amount_captured=amount, amount_refunded=charge["amount"] - amount,
                      balance_transaction=objects.ids.new_id("txn"))  # fmt: skip
        ctx.store.put(charge)
        events.emit(ctx, "charge.captured", charge)
        pi.update(status="succeeded", amount_received=amount, amount_capturable=0)
        if "metadata" in params:
            pi["metadata"] = merge_metadata(pi["metadata"], params.metadata())
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.succeeded", pi)
    return pi
