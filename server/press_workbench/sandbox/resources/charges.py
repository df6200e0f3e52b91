"""Charges: one per payment attempt on a PaymentIntent (``latest_charge``); the API only reads them."""

from flask import Blueprint

from .. import ids
from . import bank_methods
from .common import now, read_only_routes

bp = Blueprint("charges", __name__, url_prefix="/v1")
read_only_routes(bp, "charges", "charge", "charge", "charge", ("payment_intent",))


def charge(pi, pm, *, status, decline=None, captured=True, mandate=None):
    """The charge for one attempt to pay ``pi`` with ``pm``: succeeded (captured or not), failed, or pending (a bank
    debit, taken under ``mandate``, that the bank has not answered yet)."""
    outcome = {
        "advice_code": None,
        "network_advice_code": None,
        "network_decline_code": None,
        "network_status": "approved_by_network",
        "reason": None,
        "risk_level": "normal",
        "risk_score": 32,
        "seller_message": "Payment complete.",
        "type": "authorized",
    }
    if decline:
        outcome.update(
            network_status=decline.network_status,
            reason=decline.decline_code,
            seller_message=decline.seller_message,
            type=decline.outcome_type,
        )
    if pm["type"] != "card":  # no card network: Stripe's risk checks do not score bank payments
        outcome.update(risk_level="not_assessed", risk_score=None)
    charge_id = ids.new_id("ch")
    paid = status == "succeeded"
    captured = captured and status in ("succeeded", "pending")
    return {
        "id": charge_id,
        "object": "charge",
        "amount": pi["amount"],
        "amount_captured": pi["amount"] if captured else 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": None,  # set on capture (balance_transactions)
        "billing_details": pm["billing_details"],
        "calculated_statement_descriptor": "STRIPE PRESS",
        "captured": captured,
        "created": now(),
        "currency": pi["currency"],
        "customer": pi["customer"],
        "description": pi["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": decline.code if decline else None,
        "failure_message": decline.message if decline else None,
        "fraud_details": {},
        "livemode": False,
        "metadata": dict(pi["metadata"]),
        "on_behalf_of": None,
        "outcome": outcome,
        "paid": paid,
        "payment_intent": pi["id"],
        "payment_method": pm["id"],
        "payment_method_details": {pm["type"]: method_details(pi, pm, paid, mandate), "type": pm["type"]},
        "receipt_email": pi["receipt_email"],
        "receipt_number": None,
        "receipt_url": None,
        "refunded": False,
        "refunds": {"object": "list", "data": [], "has_more": False, "url": f"/v1/charges/{charge_id}/refunds"},
        "review": None,
        "shipping": pi["shipping"],
        "source": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": status,
        "transfer_data": None,
        "transfer_group": None,
    }


def method_details(pi, pm, paid, mandate):
    """``payment_method_details[<type>]``: the card's, or a bank payment's (``bank_methods``)."""
    if pm["type"] == "card":
        return card_details(pi, pm["card"], paid)
    return bank_methods.charge_details(pi, pm, mandate)


def card_details(pi, card, paid):
    """``payment_method_details.card``, with every field of Stripe's example charge (``openapi/fixtures3.json``).

    The card was typed in (no wallet, no network token, no mandate, no installment plan) and asked for none of
    the optional authorisations (extended, incremental, multicapture, overcapture), so those say so.  What only
    a card network returns (authorization code, network transaction id) is null, as in Stripe's example; a
    credit card is outside the debit-card regulation that ``regulated_status`` reports, and the sandbox does
    not know the answer for a debit or prepaid one.
    """
    return {
        "amount_authorized": pi["amount"] if paid else None,
        "authorization_code": None,
        "brand": card["brand"],
        "checks": card["checks"],
        "country": card["country"],
        "exp_month": card["exp_month"],
        "exp_year": card["exp_year"],
        "extended_authorization": {"status": "disabled"},
        "fingerprint": card["fingerprint"],
        "funding": card["funding"],
        "incremental_authorization": {"status": "unavailable"},
        "installments": None,
        "last4": card["last4"],
        "mandate": None,
        "multicapture": {"status": "unavailable"},
        "network": card["brand"],
        "network_token": {"used": False},
        "network_transaction_id": None,
        "overcapture": {"maximum_amount_capturable": pi["amount"], "status": "unavailable"},
        "regulated_status": "unregulated" if card["funding"] == "credit" else None,
        "three_d_secure": None,
        "transaction_link_id": None,
        "wallet": None,
    }
