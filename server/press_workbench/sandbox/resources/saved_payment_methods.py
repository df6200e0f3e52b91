"""PaymentMethods saved to Customers: attach, detach, the lists, and what a saved or detached method may still do.

Stripe's rules, which code written from its "save and reuse" guides relies on:

- attaching checks the card with its bank first: a card that declines is refused (402) and stays unattached, except
  4000 0000 0000 0341, which attaches and declines only when charged; a ``pm_card_*`` test id attached is a new
  ``pm_…`` of its own;
- a PaymentMethod belongs to one customer: an intent of another customer, or of none, may not use it;
- a detached PaymentMethod may never be used again, by anyone;
- a card that asks for 3D Secure "unless set up" stops asking off-session once a SetupIntent, or a payment with
  ``setup_future_usage``, has set it up with an authentication.

The last two are facts Stripe keeps to itself, so the sandbox records them beside the PaymentMethod, in an object
of its own (``STATE``) that no API route returns.
"""

from flask import Blueprint

from .. import cards
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import StripeAPIError, invalid, no_such, unexpected_state
from . import events, payment_methods
from .common import LIST, get_customer, get_object, list_objects, list_of

bp = Blueprint("saved_payment_methods", __name__, url_prefix="/v1")

STATE = "sandbox.payment_method_state"
FUTURE_USAGES = ("none", "off_session", "on_session")  # payment_method_options[card][setup_future_usage]
MUST_NAME_CUSTOMER = "Must provide customer or customer_account."
ALREADY_ATTACHED = "The payment method you provided has already been attached to a customer."
NOT_ATTACHED = "The payment method you provided is not attached to a customer so detachment is impossible."
DETACHED_ATTACH = (
    "This PaymentMethod was previously used without being attached to a Customer or was detached from a Customer, "
    "and may not be used again."
)
DETACHED_USE = (
    "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a "
    "connected account without Customer attachment, or was detached from a Customer. It may not be used again. To "
    "use a PaymentMethod multiple times, you must attach it to a Customer first."
)
SAVE_NEEDS_CUSTOMER = (
    "You cannot save a PaymentMethod on a PaymentIntent without a customer: set `customer` on the PaymentIntent first."
)


# -- what the sandbox remembers about a PaymentMethod -------------------------
def state(ctx, pm):
    """``detached``, ``set_up`` (authenticated for off-session use) and ``save_for`` (the PaymentIntent whose success
    saves it, from Stripe.js's ``save_payment_method``) for one PaymentMethod."""
    return ctx.store.get("pmstate_" + pm["id"], STATE) or {
        "id": "pmstate_" + pm["id"],
        "object": STATE,
        "created": pm["created"],
        "detached": False,
        "set_up": False,
        "save_for": None,
    }


def remember(ctx, pm, **facts):
    """Record facts about ``pm`` (see ``state``) in the request's transaction."""
    ctx.store.put({**state(ctx, pm), **facts})


# -- attach and detach -------------------------------------------------------
def attach(ctx, pm, customer):
    """Attach ``pm`` to ``customer`` as ``POST /v1/payment_methods/:id/attach`` does, and emit
    ``payment_method.attached``; attaching it to the customer it belongs to already changes nothing."""
    if pm["customer"] == customer["id"]:
        return pm
    if state(ctx, pm)["detached"]:
        raise invalid(DETACHED_ATTACH)
    if pm["customer"]:
        raise invalid(ALREADY_ATTACHED)
    card = payment_methods.test_card_of(pm) if pm["type"] == "card" else None
    if card and card.decline and not card.attaches_when_declining:  # the bank refuses the card before it is saved
        decline = card.decline
        raise StripeAPIError(
            402, decline.message, type="card_error", code=decline.code, decline_code=decline.decline_code
        )
    return _link(ctx, pm, customer["id"])


def _link(ctx, pm, customer_id):
    pm["customer"] = customer_id
    ctx.store.put(pm)
    events.emit(ctx, "payment_method.attached", pm)
    return pm


def detach(ctx, pm):
    """Detach ``pm`` for good: ``payment_method.detached``, and the customer's default cleared if it was this one."""
    if not pm["customer"]:
        raise invalid(NOT_ATTACHED)
    owner = pm["customer"]
    pm["customer"] = None
    ctx.store.put(pm)
    remember(ctx, pm, detached=True)
    events.emit(ctx, "payment_method.detached", pm, previous_attributes={"customer": owner})
    customer = ctx.store.get(owner, "customer")
    if customer and not customer.get("deleted") and customer["invoice_settings"]["default_payment_method"] == pm["id"]:
        customer["invoice_settings"]["default_payment_method"] = None
        ctx.store.put(customer)
        events.emit(
            ctx,
            "customer.updated",
            customer,
            previous_attributes={"invoice_settings": {"default_payment_method": pm["id"]}},
        )
    return pm


@bp.post("/payment_methods/<pm_id>/attach")
@endpoint({"customer"})
def attach_route(ctx, params, pm_id):
    """``POST /v1/payment_methods/:id/attach``; a test id (``pm_card_visa``) attaches a new ``pm_…`` of its own."""
    customer_id = params.string("customer")
    with ctx.store.transaction():
        pm = payment_methods.by_id(ctx, pm_id, "payment_method")
        if not customer_id:
            raise invalid(MUST_NAME_CUSTOMER, code="parameter_missing")
        return attach(ctx, pm, get_customer(ctx, customer_id, "customer"))


@bp.post("/payment_methods/<pm_id>/detach")
@endpoint()
def detach_route(ctx, params, pm_id):
    """``POST /v1/payment_methods/:id/detach``."""
    with ctx.store.transaction():
        return detach(ctx, get_object(ctx, pm_id, "payment_method", "PaymentMethod", "payment_method"))


# -- lists -------------------------------------------------------------------
def _list_of_customer(ctx, params, customer_id, url):
    where = {"customer": customer_id}
    for name in ("type", "allow_redisplay"):
        if name in params:
            where[name] = params.string(name)
    return list_objects(ctx, params, "payment_method", "payment_method", url, where)


@bp.get("/payment_methods")
@endpoint(LIST | {"customer", "type", "allow_redisplay"})
def list_route(ctx, params):
    """``GET /v1/payment_methods?customer=…&type=card``: a customer's methods; without a customer, none (Stripe lists
    PaymentMethods only per customer)."""
    customer_id = params.string("customer")
    if not customer_id:
        return list_of([], "/v1/payment_methods", False)
    get_customer(ctx, customer_id, "customer")
    return _list_of_customer(ctx, params, customer_id, "/v1/payment_methods")


@bp.get("/customers/<customer_id>/payment_methods")
@endpoint(LIST | {"type", "allow_redisplay"})
def customer_list_route(ctx, params, customer_id):
    """``GET /v1/customers/:id/payment_methods``, newest first."""
    get_customer(ctx, customer_id, "id")
    return _list_of_customer(ctx, params, customer_id, f"/v1/customers/{customer_id}/payment_methods")


@bp.get("/customers/<customer_id>/payment_methods/<pm_id>")
@endpoint()
def customer_retrieve_route(ctx, params, customer_id, pm_id):
    """``GET /v1/customers/:id/payment_methods/:pm``: one of the customer's own methods, and no other."""
    get_customer(ctx, customer_id, "id")
    pm = ctx.store.get(pm_id, "payment_method")
    if pm is None or pm["customer"] != customer_id:
        raise no_such("PaymentMethod", pm_id, "payment_method")
    return pm


# -- what intents may do with a PaymentMethod --------------------------------
def customer_param(ctx, params):
    """The ``customer`` of an intent being created or updated: a live customer's id, ``None`` for ``""``."""
    customer_id = params.optional_string("customer")
    return get_customer(ctx, customer_id, "customer")["id"] if customer_id else None


def check_usable(ctx, pm, customer_id, intent_view):
    """Refuse a PaymentMethod the intent may not use, as Stripe words it, with the intent on the error.

    ``intent_view`` is the PaymentIntent or SetupIntent as the caller sees it (its ``object`` names which), or
    ``None`` when the intent is not stored yet (a create refused before it exists).
    """
    kind = intent_view["object"] if intent_view else None
    carried = {kind: intent_view} if intent_view else {}
    if state(ctx, pm)["detached"]:
        raise StripeAPIError(400, DETACHED_USE, param="payment_method", **carried)
    owner = pm["customer"]
    if owner is None or owner == customer_id:
        return
    if customer_id:
        message = (
            f"The PaymentMethod {pm['id']} does not belong to the Customer you supplied {customer_id}. Please use "
            "this PaymentMethod with the Customer that it belongs to instead."
        )
        raise StripeAPIError(400, message, param="payment_method", **carried)
    if kind == "payment_intent":
        message = (
            f"The `payment_method` parameter supplied {pm['id']} belongs to the Customer {owner}. Please include the "
            "Customer in the `customer` parameter on the PaymentIntent."
        )
        raise StripeAPIError(400, message, code="parameter_missing", param="source", **carried)
    message = (
        f"The payment method supplied ({pm['id']}) belongs to the Customer {owner}. Please include the Customer in "
        "the `customer` parameter on the SetupIntent."
    )
    raise StripeAPIError(400, message, param="payment_method", **carried)


def default_for(ctx, pi, missing_message):
    """A PaymentIntent confirmed without a PaymentMethod uses its customer's default one, as at Stripe; without one,
    the 400 names the customer."""
    customer = ctx.store.get(pi["customer"], "customer") if pi["customer"] else None
    default = customer and (customer.get("invoice_settings") or {}).get("default_payment_method")
    if default:
        return ctx.store.get(default, "payment_method")
    if customer:
        missing_message = (
            "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the "
            f"PaymentIntent with {customer['id']}, specify a payment method attached to this customer along with the "
            "customer ID."
        )
    raise unexpected_state(missing_message)


def needs_authentication_off_session(ctx, pm, card):
    """Whether the bank declines an off-session payment with ``authentication_required`` (nobody is there to
    authenticate): always for some test cards, until the card is set up for others, never for the rest."""
    if card.authentication == cards.UNLESS_SET_UP:
        return not state(ctx, pm)["set_up"]
    return card.authentication == cards.ALWAYS


def card_future_usage(params, options):
    """``payment_method_options`` with ``[card][setup_future_usage]`` applied (``""`` unsets it), as a card-only
    ``setup_future_usage`` that leaves other payment method types unsaved."""
    card = params.mapping("payment_method_options").get("card")
    if not isinstance(card, dict) or "setup_future_usage" not in card:
        return options
    name = "payment_method_options[card][setup_future_usage]"
    value = card["setup_future_usage"]
    if value != "" and value not in FUTURE_USAGES:
        raise invalid(f"Invalid {name}: must be one of none, off_session, or on_session", param=name)
    if "card" not in options:  # a SEPA Debit or iDEAL only intent (the wording is the sandbox's own)
        raise invalid(
            f"{name} cannot be set: card is not one of this PaymentIntent's payment_method_types.", param=name
        )
    updated = {key: option for key, option in options["card"].items() if key != "setup_future_usage"}
    if value:
        updated["setup_future_usage"] = value
    return {**options, "card": updated}


def future_usage(pi):
    """The ``setup_future_usage`` a card payment runs with: the card's own option first (``none`` opts out)."""
    card_usage = ((pi.get("payment_method_options") or {}).get("card") or {}).get("setup_future_usage")
    if card_usage:
        return None if card_usage == "none" else card_usage
    return pi["setup_future_usage"]


def save_on_success(ctx, pi, pm, params):
    """Stripe.js's ``save_payment_method=true``: remembered until the payment succeeds (3D Secure may come first)."""
    if not params.boolean("save_payment_method"):
        return
    if not pi["customer"]:
        raise invalid(SAVE_NEEDS_CUSTOMER, param="save_payment_method")
    remember(ctx, pm, save_for=pi["id"])


def save_after_payment(ctx, pi, pm):
    """A successful payment asked to save its card attaches it to the PaymentIntent's customer and counts as its
    setup (the customer was there, and authenticated if the bank asked)."""
    if not pi["customer"]:  # a payment of nobody's saves nothing, and costs no lookup
        return
    if future_usage(pi) is None and state(ctx, pm)["save_for"] != pi["id"]:
        return
    customer = ctx.store.get(pi["customer"], "customer")
    if customer is None or customer.get("deleted"):
        return
    if pm["customer"] != customer["id"]:
        _link(ctx, pm, customer["id"])
    remember(ctx, pm, set_up=True, save_for=None)


def save_after_setup(ctx, pm, customer_id):
    """A SetupIntent that succeeded saves its PaymentMethod to its customer, set up for off-session payments."""
    if customer_id and pm["customer"] != customer_id:
        _link(ctx, pm, customer_id)
    remember(ctx, pm, set_up=True)
