"""Mandates: the customer's permission to debit their account, taken with every SEPA Direct Debit.

Confirming a SEPA Debit PaymentIntent needs ``mandate_data[customer_acceptance]``: ``type=online`` with the
customer's ``ip_address`` and ``user_agent`` from a server, or — what Stripe.js sends when the shopper accepts the
Payment Element's mandate text — ``online[infer_from_client]=true`` with the publishable key, the address and
browser then taken from the request itself; or ``type=offline`` (accepted on paper, as the Stripe CLI's
``payment_intent.processing`` fixture sends it).  The mandate's id is on the charge,
``payment_method_details.sepa_debit.mandate``, and ``GET /v1/mandates/:id`` reads it.

A single payment's mandate is ``single_use`` (for its amount and currency) and ``inactive`` once that payment has
settled; one set up for later payments (``setup_future_usage``) is ``multi_use`` and stays ``active``, as a real
test-mode run showed (github.com/gburgyan/aat-stripe, docs/api/nodes/getMandate.md).  A change of status emits
``mandate.updated``, the only mandate event Stripe has.
"""

from flask import Blueprint, request

from .. import ids
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, missing_param, unknown_param
from ..pipeline.params import one_of, parse_integer
from . import events
from .common import get_object, now

bp = Blueprint("mandates", __name__, url_prefix="/v1")
ACCEPTANCE = "mandate_data[customer_acceptance]"
ACCEPTANCE_TYPES = ("offline", "online")


@bp.get("/mandates/<mandate_id>")
@endpoint()
def retrieve(ctx, params, mandate_id):
    """``GET /v1/mandates/:id``; an unknown id is Stripe's 404 on param ``mandate``."""
    return get_object(ctx, mandate_id, "mandate", "mandate", "mandate")


def mandate(pi, pm, acceptance):
    """A new, active mandate for debiting ``pm`` for ``pi``, with how the customer accepted it."""
    reusable = pi["setup_future_usage"] is not None
    use = {"multi_use": {}} if reusable else {"single_use": {"amount": pi["amount"], "currency": pi["currency"]}}
    return {
        "id": ids.new_id("mandate"),
        "object": "mandate",
        "customer_acceptance": acceptance,
        "livemode": False,
        **use,
        "payment_method": pm["id"],
        "payment_method_details": {
            "sepa_debit": {"reference": ids.random_token(16).upper(), "url": ""},
            "type": "sepa_debit",
        },
        "status": "active",
        "type": "multi_use" if reusable else "single_use",
    }


def from_params(ctx, params, pi, pm):
    """Store the mandate ``mandate_data`` gives for debiting ``pm``; without one the debit is refused."""
    data = params.mapping("mandate_data", allowed={"customer_acceptance"})
    if not data:
        raise invalid(
            "You must provide `mandate_data` when confirming a PaymentIntent with the payment method type "
            f"{pm['type']}.",
            param="mandate_data",
        )
    return ctx.store.put(mandate(pi, pm, acceptance_of(ctx, data.get("customer_acceptance"))))


def acceptance_of(ctx, given):
    """``customer_acceptance`` as Stripe keeps it, from ``mandate_data[customer_acceptance]``."""
    if not isinstance(given, dict):
        raise missing_param(f"{ACCEPTANCE}[type]") if given is None else invalid(f"Invalid hash: {ACCEPTANCE}")
    unknown = [key for key in given if key not in ("type", "accepted_at", "online", "offline")]
    if unknown and not ctx.publishable:  # Stripe.js's extra fields are dropped, as for every publishable call
        raise unknown_param(f"{ACCEPTANCE}[{unknown[0]}]")
    acceptance_type = given.get("type")
    if not acceptance_type:
        raise missing_param(f"{ACCEPTANCE}[type]")
    if acceptance_type not in ACCEPTANCE_TYPES:
        choices = one_of(ACCEPTANCE_TYPES)
        raise invalid(f"Invalid {ACCEPTANCE}[type]: must be one of {choices}", param=f"{ACCEPTANCE}[type]")
    accepted_at = given.get("accepted_at")
    acceptance = {
        "accepted_at": now() if accepted_at is None else parse_integer(f"{ACCEPTANCE}[accepted_at]", accepted_at),
        "type": acceptance_type,
    }
    if acceptance_type == "offline":
        return {**acceptance, "offline": {}}
    return {**acceptance, "online": online_of(ctx, given.get("online"))}


def online_of(ctx, given):
    """The address and browser an online acceptance came from: sent by a server, or inferred from Stripe.js's
    request (publishable key only: a server's own address says nothing about the customer)."""
    param = f"{ACCEPTANCE}[online]"
    given = given if isinstance(given, dict) else {}
    if given.get("infer_from_client") == "true":
        if not ctx.publishable:
            raise invalid(
                f"{param}[infer_from_client] can only be used with a publishable key; from a server, send the "
                "customer's ip_address and user_agent.",
                param=f"{param}[infer_from_client]",
            )
        return {"ip_address": request.remote_addr, "user_agent": request.headers.get("User-Agent")}
    for field in ("ip_address", "user_agent"):
        if not given.get(field):
            raise missing_param(f"{param}[{field}]")
        if not isinstance(given[field], str):
            raise invalid(f"Invalid string: {param}[{field}]", param=f"{param}[{field}]")
    return {"ip_address": given["ip_address"], "user_agent": given["user_agent"]}


def used(ctx, mandate_id):
    """A payment under ``mandate_id`` has settled: a single-use mandate is spent (``inactive``)."""
    found = ctx.store.get(mandate_id, "mandate")
    if found is None or found["type"] != "single_use" or found["status"] != "active":
        return
    found["status"] = "inactive"
    ctx.store.put(found)
    events.emit(ctx, "mandate.updated", found, previous_attributes={"status": "active"})
