"""Disputes: a customer's bank taking a payment back; the API reads them (``GET /v1/disputes``, ``/v1/disputes/:id``).

The sandbox opens one where Stripe's test data does: a SEPA Direct Debit from ``AT591904300235473203`` "transitions
from processing to succeeded, but a dispute is immediately created" (docs.stripe.com/testing).  A SEPA Direct Debit
dispute is final — "Unlike credit card disputes, all SEPA Direct Debit disputes are final and there is no appeals
process" (support.stripe.com/questions/sepa-direct-debit-payment-disputes) — so it is ``lost`` from the start, with
no evidence to give, and the amount leaves the balance at once: ``charge.dispute.created``, then
``charge.dispute.funds_withdrawn``.  The customer's bank refunded them "no questions asked", hence the reason
``customer_initiated``.  Card disputes (``pm_card_createDispute``) are not modelled.
"""

from flask import Blueprint

from .. import ids
from . import balance_transactions, events
from .common import now, read_only_routes

bp = Blueprint("disputes", __name__, url_prefix="/v1")
read_only_routes(bp, "disputes", "dispute", "dispute", "dispute", ("charge", "payment_intent"))
EVIDENCE = (
    "access_activity_log",
    "billing_address",
    "cancellation_policy",
    "cancellation_policy_disclosure",
    "cancellation_rebuttal",
    "customer_communication",
    "customer_email_address",
    "customer_name",
    "customer_purchase_ip",
    "customer_signature",
    "duplicate_charge_documentation",
    "duplicate_charge_explanation",
    "duplicate_charge_id",
    "product_description",
    "receipt",
    "refund_policy",
    "refund_policy_disclosure",
    "refund_refusal_explanation",
    "service_date",
    "service_documentation",
    "shipping_address",
    "shipping_carrier",
    "shipping_date",
    "shipping_documentation",
    "shipping_tracking_number",
    "uncategorized_file",
    "uncategorized_text",
)


def open_lost(ctx, charge):
    """The customer's bank takes ``charge`` back for good (the caller stores the charge, now ``disputed``)."""
    dispute_id = ids.new_id("du")
    withdrawal = balance_transactions.record(
        ctx,
        dispute_id,
        -charge["amount"],
        charge["currency"],
        "adjustment",
        f"Chargeback withdrawal for {charge['id']}",
        reporting_category="dispute",
    )
    dispute = ctx.store.put(
        {
            "id": dispute_id,
            "object": "dispute",
            "amount": charge["amount"],
            "balance_transactions": [ctx.store.get(withdrawal, "balance_transaction")],
            "charge": charge["id"],
            "created": now(),
            "currency": charge["currency"],
            "enhanced_eligibility_types": [],
            "evidence": {**dict.fromkeys(EVIDENCE), "enhanced_evidence": {}},
            "evidence_details": {
                "due_by": None,  # final: there is nothing to answer
                "enhanced_eligibility": {},
                "has_evidence": False,
                "past_due": False,
                "submission_count": 0,
            },
            "is_charge_refundable": False,
            "livemode": False,
            "metadata": {},
            "payment_intent": charge["payment_intent"],
            "payment_method_details": None,  # stripe-python 16 declares them for cards and wallets only
            "reason": "customer_initiated",
            "status": "lost",
        }
    )
    charge["disputed"] = True
    events.emit(ctx, "charge.dispute.created", dispute)
    events.emit(ctx, "charge.dispute.funds_withdrawn", dispute)
    return dispute
