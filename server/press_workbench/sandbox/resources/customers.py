"""Customers: create, retrieve, update, list (``email=``) and delete, with ``customer.created|updated|deleted``.

A customer is shaped as Stripe answers a new one: ``address`` and ``shipping`` null until set, every
``invoice_settings`` key present, an 8-character ``invoice_prefix``.  ``payment_method`` on create attaches that
PaymentMethod (``saved_payment_methods``), in the same transaction: a card the bank refuses leaves no customer behind.
A deleted customer is kept as Stripe's stub, ``{id, object, deleted: true}``, which is all a retrieve answers; every
other use of it is Stripe's 404, as for an id that never existed.
"""

import secrets

from flask import Blueprint

from .. import ids
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, missing_param, no_such, unknown_param
from . import events, payment_methods, saved_payment_methods
from .common import LIST_CREATED, get_customer, list_objects, now

bp = Blueprint("customers", __name__, url_prefix="/v1")

ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")
TEXT_FIELDS = ("description", "name", "phone")
UPDATE_PARAMS = {"address", "email", "invoice_settings", "metadata", "preferred_locales", "shipping", *TEXT_FIELDS}
CREATE_PARAMS = UPDATE_PARAMS | {"payment_method"}
MAX_EMAIL = 512
NOT_THE_CUSTOMERS = (
    "The customer does not have a payment method with the ID {pm}. The payment method must be attached to the customer."
)


def customer(customer_id=None):
    """A customer with every field of Stripe's object, as Stripe answers one created with no parameters.

    Stripe's customer ids are shorter than its intents' (``cus_`` and 14 characters).
    """
    return {
        "id": customer_id or "cus_" + ids.random_token(14),
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "invoice_prefix": secrets.token_hex(4).upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "next_invoice_sequence": 1,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def changes(ctx, params, current, attaching=None):
    """The fields ``params`` set on ``current`` (a copy), checked as Stripe checks them; ``attaching`` is the
    PaymentMethod a create attaches, which may already be named the default."""
    updated = dict(current)
    for field in TEXT_FIELDS:
        if field in params:
            updated[field] = params.optional_string(field)
    if "email" in params:
        updated["email"] = _email(params.optional_string("email"))
    if "metadata" in params:
        updated["metadata"] = params.metadata(current["metadata"])
    if "preferred_locales" in params:
        updated["preferred_locales"] = params.string_list("preferred_locales") or []
    if "address" in params:
        given = params.mapping("address", allowed=ADDRESS_FIELDS)
        updated["address"] = _address("address", given) if given else None
    if "shipping" in params:
        updated["shipping"] = _shipping(params.mapping("shipping", allowed=("address", "name", "phone")))
    if "invoice_settings" in params:
        updated["invoice_settings"] = _invoice_settings(ctx, params, current, attaching)
    return updated


def _email(email):
    """Stripe refuses an address that cannot be one, so a shop that skips its own check fails here too."""
    if email is not None and ("@" not in email or " " in email or len(email) > MAX_EMAIL):
        raise invalid(f"Invalid email address: {email}", param="email", code="email_invalid")
    return email


def _address(name, given):
    for key, value in given.items():
        if not isinstance(value, str):
            raise invalid(f"Invalid string: {name}[{key}]", param=f"{name}[{key}]")
    return {field: given.get(field) or None for field in ADDRESS_FIELDS}


def _shipping(given):
    if not given:
        return None
    for field in ("address", "name"):
        if field not in given:
            raise missing_param(f"shipping[{field}]")
    if not isinstance(given["address"], dict):
        raise invalid("Invalid hash: shipping[address]", param="shipping[address]")
    unknown = [key for key in given["address"] if key not in ADDRESS_FIELDS]
    if unknown:
        raise unknown_param(f"shipping[address][{unknown[0]}]")
    return {
        "address": _address("shipping[address]", given["address"]),
        "name": given["name"] or None,
        "phone": given.get("phone") or None,
    }


def _invoice_settings(ctx, params, current, attaching):
    """``footer`` and ``default_payment_method``, which must be one of the customer's own PaymentMethods."""
    given = params.mapping("invoice_settings", allowed=("default_payment_method", "footer"))
    settings = dict(current["invoice_settings"])
    for key, value in given.items():
        if not isinstance(value, str):
            raise invalid(f"Invalid string: invoice_settings[{key}]", param=f"invoice_settings[{key}]")
        settings[key] = value or None
    default = settings["default_payment_method"]
    if "default_payment_method" in given and default:
        pm = ctx.store.get(default, "payment_method")
        being_attached = attaching is not None and attaching["id"] == default
        if not being_attached and (pm is None or pm["customer"] != current["id"]):
            raise invalid(NOT_THE_CUSTOMERS.format(pm=default), param="invoice_settings[default_payment_method]")
    return settings


def previous_attributes(before, after):
    """What an update changed, with the values before it, nested as Stripe's ``customer.updated`` events carry it."""
    previous = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            previous[key] = previous_attributes(old, new)
        else:
            previous[key] = old
    return previous


def deleted(found):
    """Stripe's answer for a deleted customer: its id and that it is gone."""
    return {"id": found["id"], "object": "customer", "deleted": True}


# -- routes ------------------------------------------------------------------
@bp.post("/customers")
@endpoint(CREATE_PARAMS)
def create_route(ctx, params):
    """``POST /v1/customers``; ``payment_method`` attaches it, after ``customer.created``, as at Stripe."""
    pm_id = params.string("payment_method")
    with ctx.store.transaction():
        pm = payment_methods.by_id(ctx, pm_id, "payment_method") if pm_id else None
        new = changes(ctx, params, customer(), attaching=pm)
        ctx.store.put(new)
        events.emit(ctx, "customer.created", new)
        if pm:
            saved_payment_methods.attach(ctx, pm, new)
    return new


@bp.get("/customers")
@endpoint(LIST_CREATED | {"email"})
def list_route(ctx, params):
    """``GET /v1/customers``, newest first; ``email=`` keeps the customers with exactly that address (case counts)."""
    where = {"deleted": None}
    if "email" in params:
        where["email"] = params.string("email")
    return list_objects(ctx, params, "customer", "customer", "/v1/customers", where)


@bp.get("/customers/<customer_id>")
@endpoint()
def retrieve_route(ctx, params, customer_id):
    """``GET /v1/customers/:id``: the customer, or the stub of a deleted one."""
    found = ctx.store.get(customer_id, "customer")
    if found is None:
        raise no_such("customer", customer_id, "id")
    return deleted(found) if found.get("deleted") else found


@bp.post("/customers/<customer_id>")
@endpoint(UPDATE_PARAMS)
def update_route(ctx, params, customer_id):
    """``POST /v1/customers/:id``; ``customer.updated`` carries what changed, and no change makes no event."""
    with ctx.store.transaction():
        before = get_customer(ctx, customer_id, "id")
        after = changes(ctx, params, before)
        if after != before:
            ctx.store.put(after)
            events.emit(ctx, "customer.updated", after, previous_attributes=previous_attributes(before, after))
    return after


@bp.delete("/customers/<customer_id>")
@endpoint()
def delete_route(ctx, params, customer_id):
    """``DELETE /v1/customers/:id``: ``customer.deleted`` carries the customer as it was; the stub stays."""
    with ctx.store.transaction():
        found = get_customer(ctx, customer_id, "id")
        ctx.store.put({**deleted(found), "created": found["created"]})
        events.emit(ctx, "customer.deleted", found)
    return deleted(found)
