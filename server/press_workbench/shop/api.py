"""The shop's JSON API for programs (the notebooks, the dashboard, scripts): books, quotes, orders, refunds, health.

Money is in minor units with a lowercase currency, and errors are always the JSON envelope of
``server/press_workbench/shop/errors.py``, so a client never has to parse a page.  ``/openapi.json`` describes it.
"""

from flask import Blueprint, jsonify, request

from . import validation
from .catalog import price_lines
from .openapi import SPEC
from .security import idempotency_scope, operator_only
from .service import current_shop

bp = Blueprint("api", __name__, url_prefix="/api")


def openapi():
    """Served at ``/openapi.json`` (registered by the app factory, outside ``/api``)."""
    return jsonify(SPEC)


@bp.get("/health")
def health():
    """Liveness and mode; in sandbox mode also where the sandbox is (notebooks build their client from it)."""
    config = current_shop().config
    body = {"ok": True, "mode": config["MODE"]}
    if config["MODE"] == "sandbox":
        body["sandbox_url"] = config["SANDBOX_URL"]
    return jsonify(body)


@bp.get("/books")
def books():
    """The catalog for API clients; prices come from here so that no client ever has to invent one."""
    return jsonify(books=[book.to_api() for book in current_shop().catalog.values()])


def order_request():
    """The body of ``POST /api/orders`` or ``/api/quote``, checked before any work: (body, email).

    Limits first (size, depth, shape), so both routes answer the same input the same way.
    """
    body = validation.json_object(request, '{"items": [{"book_id": ..., "quantity": ...}]}')
    return body, validation.email(body.get("email"))


@bp.post("/quote")
def quote():
    """What an order for these items would cost, priced from the catalog as ``POST /api/orders`` would; stores nothing.

    The dashboard's cart shows this total, so no client ever adds up prices itself.
    """
    body, _ = order_request()
    lines, currency = price_lines(body.get("items"), current_shop().catalog)
    return jsonify(amount=sum(line["amount"] for line in lines), currency=currency, items=lines)


@bp.post("/orders")
def create_order():
    """A repeated Idempotency-Key from the same client replays the first answer (checked before the body)."""
    key = validation.idempotency_key(request.headers.get("Idempotency-Key"))
    body, email = order_request()
    idempotency = None
    if key is not None:
        idempotency = {"key": key, "scope": idempotency_scope(), "fingerprint": validation.request_fingerprint(body)}
    order, created = current_shop().create_order(body.get("items"), email, idempotency)
    data = order.to_api()
    data.update(client_secret=order.client_secret, checkout_url=f"/checkout/{order.id}")
    return jsonify(data), 201, {} if created else {"Idempotent-Replayed": "true"}


@bp.get("/orders/<order_id>")
def get_order(order_id):
    """An order as the shop recorded it, without its client secret: what a receipt or a poller may rely on."""
    return jsonify(current_shop().order(order_id).to_api())


@bp.post("/orders/<order_id>/refund")
@operator_only
def refund_order(order_id):
    """Refund a paid order; operator only, because a refund moves money back out of the account."""
    shop = current_shop()
    return jsonify(shop.refund(shop.order(order_id)).to_api())
