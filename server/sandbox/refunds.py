"""Refunds against a PaymentIntent's charge, full or partial, with Stripe's over-refund errors."""

from server.money import format_amount

from . import events, objects
from .errors import invalid, no_such

REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def create(ctx, params):
    pi_id, charge_id = params.string("payment_intent"), params.string("charge")
    if not pi_id and not charge_id:
        raise invalid("One of the following params should be provided for this request: payment_intent or charge.")
    with ctx.store.transaction():
        charge = _refundable_charge(ctx, pi_id, charge_id)
        remaining = charge["amount_captured"] - charge["amount_refunded"]
        if remaining <= 0:
            raise invalid(
                f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
            )
        amount = params.integer("amount", default=remaining)
        if amount <= 0:
            raise invalid("Amount must be a positive integer.", param="amount", code="parameter_invalid_integer")
        if amount > remaining:
            raise invalid(
                f"Refund amount ({format_amount(amount, charge['currency'])}) is greater than unrefunded amount on "
                f"charge ({format_amount(remaining, charge['currency'])})",
                param="amount",
                code="amount_too_large",
            )
        refund = ctx.store.put(
            objects.refund(charge, amount, params.choice("reason", REASONS), params.metadata())
        )
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] >= charge["amount_captured"]
        ctx.store.put(charge)
        events.emit(ctx, "refund.created", refund)
        events.emit(ctx, "charge.refunded", charge, previous)
    return refund


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
