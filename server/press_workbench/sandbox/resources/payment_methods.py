"""PaymentMethods: Stripe's test ids (``pm_card_visa``…) and cards typed into the Payment Element.

Raw card numbers are accepted only from publishable-key calls (Stripe.js), as at
Stripe; server-side code uses the test ids.
"""

import datetime
import functools

from flask import Blueprint

from .. import cards, ids, payment_method_types
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import StripeAPIError, invalid, missing_param, no_such, unexpected_state
from ..pipeline.params import one_of
from . import bank_methods
from .common import get_object, now

bp = Blueprint("payment_methods", __name__, url_prefix="/v1")

RAW_CARD_MESSAGE = (
    "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens "
    "that map to the test card you are using, see https://stripe.com/docs/testing. To enable testing raw card data "
    "APIs, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."
)
MISSING_PAYMENT_METHOD = (
    "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the "
    "PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment "
    "method."
)


def payment_method(card, *, exp_month, exp_year, billing_details=None, metadata=None):
    """A card PaymentMethod shaped as Stripe's, fingerprinted by the whole number so test cards keep their outcome."""
    details = {
        "brand": card.brand,
        "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": card.cvc_check},
        "country": card.country,
        "display_brand": card.brand,
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": cards.card_fingerprint(card.number),
        "funding": card.funding,
        "generated_from": None,
        "last4": card.number[-4:],
        "networks": {"available": [card.brand], "preferred": None},
        "regulated_status": "unregulated",
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
    }
    return new_payment_method("card", details, billing_details, metadata)


def new_payment_method(method_type, details, billing_details=None, metadata=None):
    """A PaymentMethod of ``method_type`` whose hash of that name is ``details``, with every field Stripe's has."""
    return {
        "id": ids.new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": billing_details_of(billing_details),
        method_type: details,
        "created": now(),
        "customer": None,
        "customer_account": None,
        "livemode": False,
        "metadata": metadata or {},
        "type": method_type,
    }


def billing_details_of(given):
    """``billing_details`` as Stripe stores them: every field present, what was given filled in."""
    details = {
        "address": {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None},
        "email": None,
        "name": None,
        "phone": None,
        "tax_id": None,
    }
    for key, value in (given if isinstance(given, dict) else {}).items():
        if key == "address" and isinstance(value, dict):
            details["address"].update({k: v for k, v in value.items() if k in details["address"]})
        elif key in details:
            details[key] = value
    return details


@bp.post("/payment_methods")
@endpoint({"type", "card", "billing_details", "metadata", *bank_methods.BUILDERS}, publishable=True)
def create(ctx, params):
    """``POST /v1/payment_methods``, as Stripe.js's ``createPaymentMethod`` calls it with what an Element collected."""
    fields = ("type", "card", "billing_details", *bank_methods.BUILDERS)
    data = {key: params.values[key] for key in fields if key in params}
    with ctx.store.transaction():
        return from_data(ctx, data, param_prefix=None, metadata=params.metadata())


@bp.get("/payment_methods/<pm_id>")
@endpoint()
def retrieve(ctx, params, pm_id):
    """``GET /v1/payment_methods/:id``."""
    return get_object(ctx, pm_id, "payment_method", "PaymentMethod", "payment_method")


def resolve(ctx, params):
    """The PaymentMethod named by ``payment_method`` (a test id or ``pm_…``) or built from ``payment_method_data``."""
    pm_id = params.string("payment_method")
    if pm_id:
        return by_id(ctx, pm_id, "payment_method")
    data = params.mapping("payment_method_data")
    if not data:
        raise unexpected_state(MISSING_PAYMENT_METHOD)
    return from_data(ctx, data, param_prefix="payment_method_data")


def prefixed(param_prefix, name):
    """A parameter's name as the caller sent it: ``payment_method_data[type]`` inside confirm, ``type`` for
    ``POST /v1/payment_methods``."""
    return f"{param_prefix}[{name}]" if param_prefix else name


def from_data(ctx, data, param_prefix, metadata=None):
    """A PaymentMethod from ``payment_method_data`` or ``POST /v1/payment_methods``: a bank's details, or card data."""
    param = functools.partial(prefixed, param_prefix)
    if "type" not in data:
        raise missing_param(param("type"))
    method_type = data["type"]
    if method_type not in payment_method_types.MODELLED:
        modelled = one_of(payment_method_types.MODELLED)
        raise invalid(f"Invalid {param('type')}: must be one of {modelled}", param=param("type"))
    if method_type in bank_methods.BUILDERS:
        details = bank_methods.BUILDERS[method_type](data, param)
        return ctx.store.put(new_payment_method(method_type, details, data.get("billing_details"), metadata))
    return from_card_data(ctx, data, param_prefix, metadata)


def by_id(ctx, pm_id, param):
    """A stored ``pm_…``, or a new PaymentMethod for a test id (``pm_card_visa`` makes a new one each time, as at
    Stripe), or Stripe's 404 naming ``param``."""
    test_card = cards.TEST_PAYMENT_METHODS.get(pm_id)
    if test_card:
        today = datetime.date.today()
        return ctx.store.put(payment_method(test_card, exp_month=today.month, exp_year=today.year + 1))
    pm = ctx.store.get(pm_id, "payment_method")
    if pm is None:
        raise no_such("PaymentMethod", pm_id, param)
    return pm


def from_card_data(ctx, data, param_prefix, metadata=None):
    """A card PaymentMethod from raw card data — accepted only from publishable-key (Stripe.js) calls."""
    param = functools.partial(prefixed, param_prefix)
    card = data.get("card") or {}
    if not isinstance(card, dict):
        raise invalid(f"Invalid hash: {param('card')}", param=param("card"))
    if not ctx.publishable:
        raise invalid(RAW_CARD_MESSAGE, param=param("card") + "[number]")
    number = card.get("number", "")
    if not isinstance(number, str):
        raise invalid(f"Invalid string: {param('card')}[number]", param=param("card") + "[number]")
    number = "".join(ch for ch in number if ch in "0123456789")  # spaces go; so does "²", which isdigit() passes
    if not number:
        raise missing_param(param("card") + "[number]")
    if not (12 <= len(number) <= 19) or not cards.luhn_valid(number):
        raise card_validation("incorrect_number", "Your card number is incorrect.", "number")
    exp_month, exp_year = _expiry(card)
    pm = payment_method(
        cards.card_for_number(number),
        exp_month=exp_month,
        exp_year=exp_year,
        billing_details=data.get("billing_details"),
        metadata=metadata,
    )
    return ctx.store.put(pm)


def _expiry(card):
    try:
        month, year = int(card.get("exp_month", "")), int(card.get("exp_year", ""))
    except (TypeError, ValueError):  # missing, not a number, or not a string at all (exp_month[x]=1)
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
    """A card error Stripe answers before any charge (a bad number or date), as a 402 ``card_error``."""
    return StripeAPIError(402, message, type="card_error", code=code, param=param)


def test_card_of(pm):
    """The test card a stored PaymentMethod stands for, found by its fingerprint (the whole number, not only
    its last four: a live card ending 4242 is still a live card)."""
    card = cards.BY_FINGERPRINT.get(pm["card"]["fingerprint"])
    return card or cards.TestCard("0000" + pm["card"]["last4"], pm["card"]["brand"], decline=cards.LIVE_CARD_IN_TEST)
