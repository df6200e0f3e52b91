"""Builders for the Stripe objects the sandbox stores and returns.

Top-level keys follow Stripe's own example objects (``openapi/fixtures3.json``);
``tests/sandbox/stripe_object_keys.json`` pins them and a test compares.
"""

import time

from . import ids

API_VERSION = "2026-10-28.endive"

# The fields Stripe returns for a PaymentIntent fetched with a publishable key
# (the client-side type in stripe-js: types/api/payment-intents.d.ts).
PUBLISHABLE_PAYMENT_INTENT_FIELDS = (
    "id", "object", "amount", "automatic_payment_methods", "canceled_at", "cancellation_reason", "capture_method",
    "client_secret", "confirmation_method", "created", "currency", "description", "last_payment_error",
    "livemode", "next_action", "payment_method", "payment_method_types", "receipt_email", "setup_future_usage",
    "shipping", "status",
)  # fmt: skip


def now():
    return int(time.time())


def payment_intent(*, amount, currency, automatic, payment_method_types, capture_method, confirmation_method,
                   description, receipt_email, metadata, setup_future_usage=None, shipping=None,
                   statement_descriptor=None, statement_descriptor_suffix=None):  # fmt: skip
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
        "payment_method_configuration_details": (
            {"id": "pmc_sandbox_default", "parent": None} if automatic else None
        ),
        "payment_method_options": {
            "card": {"installments": None, "mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
        },
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


def restricted_payment_intent(pi):
    """What a publishable key may see of a PaymentIntent."""
    return {key: pi[key] for key in PUBLISHABLE_PAYMENT_INTENT_FIELDS}


def payment_method(card, *, exp_month, exp_year, billing_details=None, metadata=None):
    last4 = card.number[-4:]
    details = {"address": {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None,
               "state": None}, "email": None, "name": None, "phone": None, "tax_id": None}  # fmt: skip
    for key, value in (billing_details or {}).items():
        if key == "address" and isinstance(value, dict):
            details["address"].update({k: v for k, v in value.items() if k in details["address"]})
        elif key in details:
            details[key] = value
    return {
        "id": ids.new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": details,
        "card": {
            "brand": card.brand,
            "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": card.cvc_check},
            "country": card.country,
            "display_brand": card.brand,
            "exp_month": exp_month,
            "exp_year": exp_year,
            "fingerprint": ids.random_token(16),
            "funding": card.funding,
            "generated_from": None,
            "last4": last4,
            "networks": {"available": [card.brand], "preferred": None},
            "regulated_status": "unregulated",
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
        },
        "created": now(),
        "customer": None,
        "customer_account": None,
        "livemode": False,
        "metadata": metadata or {},
        "type": "card",
    }


def charge(pi, pm, *, status, decline=None, captured=True):
    card = pm["card"]
    outcome = {"advice_code": None, "network_advice_code": None, "network_decline_code": None,
               "network_status": "approved_by_network", "reason": None, "risk_level": "normal", "risk_score": 32,
               "seller_message": "Payment complete.", "type": "authorized"}  # fmt: skip
    if decline:
        outcome.update(network_status=decline.network_status, reason=decline.decline_code,
                       seller_message=decline.seller_message, type=decline.outcome_type)  # fmt: skip
    charge_id = ids.new_id("ch")
    paid = status == "succeeded"
    return {
        "id": charge_id,
        "object": "charge",
        "amount": pi["amount"],
        "amount_captured": pi["amount"] if paid and captured else 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": None,
        "application_fee_amount": None,
        "balance_transaction": ids.new_id("txn") if paid and captured else None,
        "billing_details": pm["billing_details"],
        "calculated_statement_descriptor": "STRIPE PRESS",
        "captured": paid and captured,
        "created": now(),
        "currency": pi["currency"],
        "customer": None,
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
        "payment_method_details": {
            "card": {
                "amount_authorized": pi["amount"] if paid else None,
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
            },
            "type": "card",
        },
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


def refund(charge_obj, amount, reason, metadata):
    return {
        "id": ids.new_id("re"),
        "object": "refund",
        "amount": amount,
        "balance_transaction": ids.new_id("txn"),
        "charge": charge_obj["id"],
        "created": now(),
        "currency": charge_obj["currency"],
        "customer": None,
        "customer_account": None,
        "destination_details": {"card": {"reference_status": "pending", "reference_type": "acquirer_reference_number",
                                         "type": "refund"}, "type": "card"},  # fmt: skip
        "metadata": metadata,
        "payment_intent": charge_obj["payment_intent"],
        "payment_method": charge_obj["payment_method"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
    }


def event(type, data_object, *, request_id, idempotency_key, api_version, previous_attributes=None):
    data = {"object": data_object}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": ids.new_id("evt"),
        "object": "event",
        "api_version": api_version,
        "created": now(),
        "data": data,
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type,
    }


def webhook_endpoint(url, enabled_events, description, metadata, api_version):
    return {
        "id": ids.new_id("we"),
        "object": "webhook_endpoint",
        "api_version": api_version,
        "application": None,
        "created": now(),
        "description": description,
        "enabled_events": enabled_events,
        "livemode": False,
        "metadata": metadata,
        "secret": "whsec_" + ids.random_token(32),
        "status": "enabled",
        "url": url,
    }


def list_of(data, url, has_more):
    return {"object": "list", "data": data, "has_more": has_more, "url": url}
