"""The shop's JSON API (design §4): books, orders, health.  Errors are always JSON (``server/errors.py``)."""

from flask import Blueprint, jsonify, request

from server import validation
from server.errors import ShopError
from server.openapi import SPEC
from server.security import operator_only
from server.shop import current_shop

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
    return jsonify(books=[book.to_api() for book in current_shop().catalog.values()])


@bp.post("/orders")
def create_order():
    """Limits first (key, size, depth, shape), then the order; a repeated Idempotency-Key replays the first answer."""
    key = validation.idempotency_key(request.headers.get("Idempotency-Key"))
    if not request.is_json:
        raise ShopError("invalid_json", "Send a JSON object with Content-Type: application/json.")
    body = validation.parse_json(request.get_data())
    if not isinstance(body, dict):
        raise ShopError("invalid_json", 'Send a JSON object: {"items": [{"book_id": ..., "quantity": ...}]}.')
    email = validation.email(body.get("email"))
    fingerprint = validation.fingerprint(body) if key is not None else None
    order, created = current_shop().create_order(body.get("items"), email, key, fingerprint)
    data = order.to_api()
    data.update(client_secret=order.client_secret, checkout_url=f"/checkout/{order.id}")
    return jsonify(data), 201, {} if created else {"Idempotent-Replayed": "true"}


@bp.get("/orders/<order_id>")
def get_order(order_id):
    return jsonify(_order_or_404(order_id).to_api())


@bp.post("/orders/<order_id>/refund")
@operator_only
def refund_order(order_id):
    shop = current_shop()
    return jsonify(shop.refund(_order_or_404(order_id)).to_api())


def _order_or_404(order_id):
    order = current_shop().orders.get(order_id)
    if order is None:
        raise ShopError("order_not_found", f"No such order: {validation.shown(order_id)}.", status=404)
    return order
