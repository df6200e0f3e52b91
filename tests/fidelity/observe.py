"""What a scenario step observed, reduced to what can be compared between Stripe and the sandbox.

Kept: the HTTP status; an error's type, code, param, decline_code and message; an
object's type, its top-level keys, and the fields that carry state (statuses,
amounts, methods, flags).  Left out, because they differ on every run or every
account: ids (kept only as ``<id>``), timestamps, client secrets, fingerprints,
risk scores, and the payment method types an account enables in its Dashboard
(``payment_method_types`` of an intent with automatic payment methods).
"""

import re

import stripe

PREFIXES = "pi|ch|pm|re|evt|txn|we|req|cus|seti|setatt|src|pmc|mandate|du"
ID = re.compile(rf"^({PREFIXES})_[A-Za-z0-9_]+$")
ID_IN_TEXT = re.compile(rf"\b({PREFIXES})_[A-Za-z0-9]{{8,}}|\bfidelity-\d+")
FIELDS = (
    "status",
    "amount",
    "amount_received",
    "amount_capturable",
    "amount_captured",
    "amount_refunded",
    "currency",
    "capture_method",
    "confirmation_method",
    "automatic_payment_methods",
    "payment_method_types",
    "captured",
    "paid",
    "refunded",
    "cancellation_reason",
    "setup_future_usage",
    "next_action",
    "last_payment_error",
    "last_setup_error",
    "usage",
    "customer",
    "deleted",
    "failure_code",
    "balance_transaction",
    "metadata",
    "type",
    "reason",
    "charges",
)
ERROR_FIELDS = ("type", "code", "param", "decline_code", "message")


def observation(result):
    """A step's observation from a stripe-python result, a ``stripe.StripeError``, or a plain value."""
    if isinstance(result, stripe.StripeError):
        body = (result.json_body or {}).get("error", {})
        error = {name: body.get(name) for name in ERROR_FIELDS}
        error["message"] = error["message"] and ID_IN_TEXT.sub("<id>", error["message"])
        return {"status": result.http_status, "error": error}
    if isinstance(result, stripe.StripeObject):
        return {"status": 200, **shape(result.to_dict())}
    return {"value": _plain(result)}


def shape(obj):
    if obj.get("object") == "list":  # its length and has_more depend on the account's history
        return {"object": "list", "item_keys": sorted(obj["data"][0]) if obj.get("data") else None}
    fields = {name: _field(name, obj[name]) for name in FIELDS if name in obj}
    automatic = obj.get("automatic_payment_methods")
    if isinstance(automatic, dict) and automatic.get("enabled"):
        fields.pop("payment_method_types", None)  # set in each account's Dashboard
    return {"object": obj.get("object"), "keys": sorted(obj), "fields": fields}


def _field(name, value):
    if name == "next_action":
        return value and value.get("type")
    if name in ("last_payment_error", "last_setup_error"):
        return value and {k: value.get(k) for k in ("type", "code", "decline_code")}
    if name == "charges":
        return value and {"object": value.get("object"), "count": len(value.get("data", []))}
    if name == "metadata":
        return dict(value)
    return _plain(value)


def _plain(value):
    if isinstance(value, str) and ID.match(value):
        return "<id>"
    if isinstance(value, dict):
        if value.get("object") and value.get("id"):
            return "<" + value["object"] + ">"
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
