"""The shop's JSON API (design §4): books, orders, health.  Errors are always JSON."""

import stripe
from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from server.catalog import CatalogError, price_lines
from server.openapi import SPEC
from server.orders import OrderError
from server.shop import current_shop

bp = Blueprint("api", __name__, url_prefix="/api")


def error(status, code, message, **extra):
    body = {"error": {"code": code, "message": message, **extra}}
    return jsonify(body), status


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


class InvalidOrderRequest(Exception):
    def __init__(self, code, message, **extra):
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


def order_request():
    """The items and email of an order body; ``POST /api/orders`` and ``/api/quote`` accept exactly the same."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidOrderRequest("invalid_json",
                                  'Send a JSON object: {"items": [{"book_id": ..., "quantity": ...}]}.')
    email = body.get("email")
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise InvalidOrderRequest("invalid_email", "email must be an email address.", param="email")
    return body.get("items"), email


@bp.post("/quote")
def quote():
    """What an order for these items would cost, priced from the catalog as ``POST /api/orders`` would; stores nothing.

    The dashboard's cart shows this total, so no client ever adds up prices itself.
    """
    items, _ = order_request()
    lines, currency = price_lines(items, current_shop().catalog)
    return jsonify(amount=sum(line["amount"] for line in lines), currency=currency, items=lines)


@bp.post("/orders")
def create_order():
    items, email = order_request()
    order = current_shop().create_order(items, email, request.headers.get("Idempotency-Key"))
    data = order.to_api()
    data.update(client_secret=order.client_secret, checkout_url=f"/checkout/{order.id}")
    return jsonify(data), 201


@bp.get("/orders/<order_id>")
def get_order(order_id):
    order = current_shop().orders.get(order_id)
    if order is None:
        return error(404, "order_not_found", f"No such order: {order_id!r}.")
    return jsonify(order.to_api())


@bp.post("/orders/<order_id>/refund")
def refund_order(order_id):
    shop = current_shop()
    order = shop.orders.get(order_id)
    if order is None:
        return error(404, "order_not_found", f"No such order: {order_id!r}.")
    return jsonify(shop.refund(order).to_api())


@bp.errorhandler(InvalidOrderRequest)
def invalid_order_request(exc):
    return error(400, exc.code, exc.message, **exc.extra)


@bp.errorhandler(OrderError)
def order_state_error(exc):
    return error(409, "order_state", str(exc))


@bp.errorhandler(CatalogError)
def catalog_error(exc):
    return error(400, exc.code, exc.message, param=exc.param)


@bp.errorhandler(stripe.StripeError)
def stripe_error(exc):
    return error(502, "payment_provider_error", f"Stripe could not take the order: {exc.user_message or exc}")


@bp.errorhandler(HTTPException)
def http_error(exc):
    return error(exc.code, exc.name.lower().replace(" ", "_"), exc.description)
