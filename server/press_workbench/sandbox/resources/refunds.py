"""Refunds against a PaymentIntent's charge, full or partial, with Stripe's over-refund errors.

A refund's metadata can be updated (``POST /v1/refunds/:id``, the only field Stripe
lets you change); that emits ``refund.updated`` and ``charge.refund.updated``, the
event the Stripe CLI's ``charge.refund.updated`` trigger makes the same way.
"""

from flask import Blueprint

from .. import ids
from ..currencies import format_amount
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, no_such
from . import balance_transactions, bank_payments, events
from .common import get_object, now, read_only_routes

REASONS = ("duplicate", "fraudulent", "requested_by_customer")

bp = Blueprint("refunds", __name__, url_prefix="/v1")
read_only_routes(bp, "refunds", "refund", "refund", "refund", ("payment_intent", "charge"))


def refund(ctx, charge_obj, amount, reason, metadata):
    """A refund of a charge, with its own (negative) balance transaction, as Stripe records one.

    A card's refund succeeds at once; a bank debit's is ``pending`` until the bank has paid it back
    (``bank_payments.settle_refund``), and has no card-network details to give.
    """
    refund_id = ids.new_id("re")
    card = charge_obj["payment_method_details"]["type"] == "card"
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": balance_transactions.record(ctx, refund_id, -amount, charge_obj["currency"], "refund"),
        "charge": charge_obj["id"],
        "created": now(),
        "currency": charge_obj["currency"],
        "customer": None,
        "customer_account": None,
        "destination_details": {
            "card": {"reference_status": "pending", "reference_type": "acquirer_reference_number", "type": "refund"},
            "type": "card",
        }
        if card
        else None,
        "metadata": metadata,
        "payment_intent": charge_obj["payment_intent"],
        "payment_method": charge_obj["payment_method"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded" if card else "pending",
        "transfer_reversal": None,
    }


@bp.post("/refunds")
@endpoint({"payment_intent", "charge", "amount", "reason", "metadata", "instructions_email"})
def create(ctx, params):
    """``POST /v1/refunds`` by PaymentIntent or charge; never more than what is left to refund."""
    pi_id, charge_id = params.string("payment_intent"), params.string("charge")
    if not pi_id and not charge_id:
        raise invalid("One of the following params should be provided for this request: payment_intent or charge.")
    with ctx.store.transaction():
        charge = _refundable_charge(ctx, pi_id, charge_id)
        remaining = charge["amount"] - charge["amount_refunded"]  # after a partial capture the rest counts as refunded
        if remaining <= 0:
            raise invalid(f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded")
        amount = params.integer("amount", default=remaining, minimum=1)
        if amount > remaining:
            raise invalid(
                f"Refund amount ({format_amount(amount, charge['currency'])}) is greater than unrefunded amount on "
                f"charge ({format_amount(remaining, charge['currency'])})",
                param="amount",
                code="amount_too_large",
            )
        created = ctx.store.put(refund(ctx, charge, amount, params.choice("reason", REASONS), params.metadata()))
        if created["status"] == "pending":
            bank_payments.schedule(created["id"], charge["payment_intent"])
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount"]
        ctx.store.put(charge)
        events.emit(ctx, "refund.created", created)
        events.emit(ctx, "charge.refunded", charge, previous)
    return created


@bp.post("/refunds/<refund_id>")
@endpoint({"metadata"})
def update(ctx, params, refund_id):
    """``POST /v1/refunds/:id``: only metadata can change, as at Stripe; a change emits both update events."""
    with ctx.store.transaction():
        found = get_object(ctx, refund_id, "refund", "refund", "refund")
        before = found["metadata"]
        found["metadata"] = params.metadata(before)
        changed = {
            key: before.get(key)
            for key in {*before, *found["metadata"]}
            if before.get(key) != found["metadata"].get(key)
        }
        if changed:  # previous_attributes name the changed keys with their old values (null: newly set)
            ctx.store.put(found)
            events.emit(ctx, "refund.updated", found, {"metadata": changed})
            events.emit(ctx, "charge.refund.updated", found, {"metadata": changed})
    return found


def _refundable_charge(ctx, pi_id, charge_id):
    if pi_id:
        pi = ctx.store.get(pi_id, "payment_intent")
        if pi is None:
            raise no_such("payment_intent", pi_id, "payment_intent")
        if pi["status"] != "succeeded":
            raise invalid(
                f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                param="payment_intent",
                code="charge_not_refundable" if pi["latest_charge"] else None,
            )
        charge_id = pi["latest_charge"]
    charge = ctx.store.get(charge_id, "charge")
    if charge is None:
        raise no_such("charge", charge_id, "charge")
    if not charge["captured"]:
        raise invalid(f"Charge {charge_id} has not been captured.", param="charge", code="charge_not_refundable")
    return charge
