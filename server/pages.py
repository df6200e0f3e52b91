"""Pages for people: catalog, checkout with the Payment Element, verified confirmation, order view."""

from urllib.parse import urlencode, urlparse

import stripe
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from server.cart import cart_count, parse_quantity
from server.catalog import CatalogError
from server.covers import cover_svg
from server.dashboard_links import dashboard_url
from server.orders import OrderError
from server.shop import current_shop

bp = Blueprint("pages", __name__)

STRIPE_ORIGINS = {"script": "https://js.stripe.com", "frame": "https://js.stripe.com https://hooks.stripe.com",
                  "connect": "https://api.stripe.com"}  # fmt: skip


@bp.app_context_processor
def mode_badge():
    config = current_shop().config

    def object_dashboard_url(object_id):
        """The object's page in this mode's Dashboard: Stripe's, or the sandbox's own."""
        return dashboard_url(object_id, config["MODE"], config.get("SANDBOX_URL"))

    return {"mode": config["MODE"], "dashboard_url": object_dashboard_url, "cart_count": cart_count()}


@bp.after_app_request
def security_headers(response):
    """A strict CSP that allows exactly the Stripe origins of the current mode."""
    config = current_shop().config
    if config["MODE"] == "sandbox":
        origin = _origin(config["SANDBOX_URL"])
        script = frame = connect = origin
    else:
        script, frame, connect = STRIPE_ORIGINS["script"], STRIPE_ORIGINS["frame"], STRIPE_ORIGINS["connect"]
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {script}; frame-src {frame}; connect-src 'self' {connect}; "
        "img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'self' http://127.0.0.1:* http://localhost:*"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _origin(url):
    parts = urlparse(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.get("/")
def catalog():
    return render_template("catalog.html", books=current_shop().catalog.values())


@bp.get("/covers/<book_id>.svg")
def cover(book_id):
    book = current_shop().catalog.get(book_id) or abort(404)
    return Response(cover_svg(book), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


@bp.post("/buy")
def buy_now():
    """The "Buy now" button: one book, a quantity, straight to checkout."""
    quantity = parse_quantity(request.form.get("quantity", "1"))
    order = current_shop().create_order([{"book_id": request.form.get("book_id"), "quantity": quantity}])
    return redirect(url_for("pages.checkout", order_id=order.id), code=303)


@bp.app_errorhandler(CatalogError)
def order_input_error(exc):
    return render_template("message.html", title="We couldn't take that order", message=exc.message), 400


def _order_or_404(order_id):
    order = current_shop().orders.get(order_id)
    if order is None:
        abort(404, description=f"There is no order {order_id}.")
    return order


@bp.get("/checkout/<order_id>")
def checkout(order_id):
    shop = current_shop()
    order = shop.ensure_payment_intent(_order_or_404(order_id))
    if order.status in ("paid", "refunded"):
        return redirect(url_for("pages.complete", order_id=order.id))
    if order.status == "canceled":
        return render_template("message.html", title="This order was canceled", message="Start a new order from the shop."), 409
    return render_template(
        "checkout.html",
        order=order,
        books=shop.catalog,
        stripe_js_url=shop.config["STRIPE_JS_URL"],
        checkout_config={
            "publishableKey": shop.config["STRIPE_PUBLISHABLE_KEY"],
            "clientSecret": order.client_secret,
            "returnUrl": url_for("pages.complete", order_id=order.id, _external=True),
        },
        error=request.args.get("error"),
    )


@bp.get("/checkout/<order_id>/complete")
def complete(order_id):
    """The return_url: trust nothing in the query string; ask Stripe with the secret key."""
    shop = current_shop()
    order = _order_or_404(order_id)
    claimed = request.args.get("payment_intent")
    if claimed and claimed != order.payment_intent:
        return render_template("message.html", title="This payment doesn't match the order",
                               message="The payment in the link belongs to another order, so nothing was "
                                       "marked as paid."), 400  # fmt: skip
    if not order.payment_intent:
        return redirect(url_for("pages.checkout", order_id=order.id))
    try:
        order, pi = shop.settle(order, "return page")
    except OrderError:
        return render_template("message.html", title="This payment doesn't match the order",
                               message="Nothing was marked as paid."), 400  # fmt: skip
    if pi["status"] == "requires_payment_method":
        message = (pi["last_payment_error"] or {}).get("message") or "The payment did not go through. Try again."
        return redirect(url_for("pages.checkout", order_id=order.id) + "?" + urlencode({"error": message}))
    if pi["status"] == "requires_action":
        return redirect(url_for("pages.checkout", order_id=order.id))
    return render_template("complete.html", order=order, pi=pi, books=shop.catalog)


@bp.get("/orders/<order_id>")
def order_page(order_id):
    return render_template("order.html", order=_order_or_404(order_id), books=current_shop().catalog)


@bp.app_errorhandler(HTTPException)
def http_error(exc):
    if request.path.startswith(("/api/", "/webhook")):
        code = exc.name.lower().replace(" ", "_")
        return jsonify(error={"code": code, "message": exc.description}), exc.code
    return render_template("message.html", title=exc.name, message=exc.description), exc.code


@bp.app_errorhandler(stripe.StripeError)
def stripe_unavailable(exc):
    message = f"The payment service answered: {exc.user_message or exc}. Nothing was charged; try again shortly."
    return render_template("message.html", title="Payments are unavailable", message=message), 502
