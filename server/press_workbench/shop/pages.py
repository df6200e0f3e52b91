"""Pages for people: catalog, checkout with the Payment Element, verified confirmation, order view."""

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for

from press_workbench.sandbox import came_through_proxy

from .browser import sandbox_url, stripe_js_url
from .cart import cart_count
from .covers import cover_svg
from .errors import ShopError
from .framing import frame_ancestors
from .orders import OrderError
from .security import origin
from .service import current_shop
from .stripe_pages import stripe_page_url
from .validation import form_quantity

bp = Blueprint("pages", __name__)

STRIPE_ORIGINS = {
    "script": "https://js.stripe.com",
    "frame": "https://js.stripe.com https://hooks.stripe.com",
    "connect": "https://api.stripe.com",
}
MISMATCH = "This payment doesn't match the order"
# What the checkout page may say after a failed redirect payment: Stripe's own words for each decline code.  The
# link carries only the code, so nobody can make the shop's page say something else (``?error=Call+us+at…``).
PAYMENT_ERRORS = {
    "generic_decline": "Your card was declined.",
    "card_declined": "Your card was declined.",
    "lost_card": "Your card was declined.",
    "stolen_card": "Your card was declined.",
    "insufficient_funds": "Your card has insufficient funds.",
    "expired_card": "Your card has expired.",
    "incorrect_cvc": "Your card's security code is incorrect.",
    "processing_error": "An error occurred while processing your card. Try again in a little bit.",
    "card_velocity_exceeded": "Your card was declined for making repeated attempts too frequently or exceeding its "
    "amount limit.",
    "payment_intent_authentication_failure": "The provided PaymentMethod has failed authentication. You can provide "
    "payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.",
    "payment_intent_payment_attempt_failed": "Your bank did not pay the debit. Try again with another account, or "
    "pay another way.",
    "payment_failed": "The payment did not go through. Try again or use another card.",
}


def failure_code(pi):
    """The ``PAYMENT_ERRORS`` code for the PaymentIntent's last failed attempt; None if nothing was attempted.

    A card's ``decline_code`` says more than its ``code`` (``card_declined``); any other failure, such as a bank
    debit that failed (``generic_decline`` under ``payment_intent_payment_attempt_failed``), is named by its code.
    """
    failure = pi["last_payment_error"]
    if not failure:  # a return URL typed (or forged) before any payment: back to the checkout, nothing to explain
        return None
    code = failure.get("code")
    if code == "card_declined" or code not in PAYMENT_ERRORS:
        code = failure.get("decline_code") or code
    return code if code in PAYMENT_ERRORS else "payment_failed"


@bp.app_context_processor
def mode_badge():
    """What every template needs: the mode for the badge that says which Stripe is in use, and the links to objects."""
    config = current_shop().config

    def object_page_url(object_id):
        """The object's page in Stripe's Dashboard (stripe mode) or the sandbox console."""
        return stripe_page_url(object_id, config["MODE"], sandbox_url(config) if config["MODE"] == "sandbox" else None)

    return {
        "mode": config["MODE"],
        "stripe_page_url": object_page_url,
        "cart_count": cart_count(),
        "embedded": bool(_embedded()),
    }


def _embedded():
    """``{"embedded": "1"}`` for a checkout framed by the dashboard (no shop header), kept through its redirects."""
    return {"embedded": "1"} if request.args.get("embedded") == "1" else {}


@bp.after_app_request
def security_headers(response):
    """A strict CSP allowing exactly the Stripe origins of the current mode, as this request's browser reaches them."""
    config = current_shop().config
    if config["MODE"] == "sandbox":
        script = frame = connect = origin(sandbox_url(config))
    else:
        script, frame, connect = STRIPE_ORIGINS["script"], STRIPE_ORIGINS["frame"], STRIPE_ORIGINS["connect"]
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {script}; frame-src {frame}; connect-src 'self' {connect}; "
        "img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self'; base-uri 'none'; "
        f"form-action 'self'; frame-ancestors {_framers(response, config)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _framers(response, config):
    """Who may frame this response: for a page, the dashboard and the JupyterLabs running here; nobody for the rest.

    Finding the JupyterLabs reads their ``jpserver-*.json`` files, which only pages need: API answers, webhooks and
    covers skip it (it was a glob and a file read per JSON request, BENCHMARKS.md).  Behind a Jupyter server's
    proxy the page that frames the checkout (JupyterLab, or Voilà's extension) is on this page's origin.
    """
    if response.mimetype != "text/html":
        return "'none'"
    if came_through_proxy():
        return "'self'"
    return " ".join(frame_ancestors(config))


@bp.get("/")
def catalog():
    """The shop's front page: one card per book, each with its own Buy now and Add to cart."""
    return render_template("catalog.html", books=current_shop().catalog.values())


@bp.get("/covers/<book_id>.svg")
def cover(book_id):
    """A book's cover; cacheable, since it changes only when the catalog does."""
    book = current_shop().catalog.get(book_id) or abort(404)
    return Response(cover_svg(book), mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


@bp.post("/buy")
def buy_now():
    """The "Buy now" button: one book, a quantity, straight to checkout."""
    quantity = form_quantity(request.form.get("quantity", "1"))
    order, _ = current_shop().create_order([{"book_id": request.form.get("book_id"), "quantity": quantity}])
    return redirect(url_for("pages.checkout", order_id=order.id), code=303)


@bp.get("/checkout/<order_id>")
def checkout(order_id):
    """The order's checkout page with the Payment Element.

    The PaymentIntent is made (or found) here if it is missing, so an order is always payable; a paid order, or one
    whose bank debit is processing (Stripe would refuse a second payment), goes to its return page, and a canceled
    one says so instead of offering to pay.
    """
    shop = current_shop()
    order = shop.ensure_payment_intent(shop.order(order_id))
    if order.status in ("processing", "paid", "refunded"):
        return redirect(url_for("pages.complete", order_id=order.id, **_embedded()))
    if order.status == "canceled":
        raise ShopError(
            "order_canceled", "Start a new order from the shop.", status=409, title="This order was canceled"
        )
    return render_template(
        "checkout.html",
        order=order,
        books=shop.catalog,
        stripe_js_url=stripe_js_url(shop.config),
        checkout_config={
            "publishableKey": shop.config["STRIPE_PUBLISHABLE_KEY"],
            "clientSecret": order.client_secret,
            # Where this browser reached the shop (through a Jupyter server's proxy, its path there); a Host the
            # shop is not served as never gets this far (server/press_workbench/sandbox/behind_proxy.py).
            "returnUrl": url_for("pages.complete", order_id=order.id, _external=True, **_embedded()),
        },
        error=PAYMENT_ERRORS.get(request.args.get("error")),
    )


@bp.get("/checkout/<order_id>/complete")
def complete(order_id):
    """The return_url: trust nothing in the query string; ask Stripe with the secret key."""
    shop = current_shop()
    order = shop.order(order_id)
    claimed = request.args.get("payment_intent")
    if claimed and claimed != order.payment_intent:
        raise ShopError(
            "payment_mismatch",
            "The payment in the link belongs to another order, so nothing was marked as paid.",
            title=MISMATCH,
        )
    if not order.payment_intent:
        return redirect(url_for("pages.checkout", order_id=order.id, **_embedded()))
    try:
        order, pi = shop.settle(order, "return page")
    except OrderError:
        raise ShopError("payment_mismatch", "Nothing was marked as paid.", title=MISMATCH) from None
    if pi["status"] == "requires_payment_method":
        return redirect(url_for("pages.checkout", order_id=order.id, error=failure_code(pi), **_embedded()))
    if pi["status"] == "requires_action":
        return redirect(url_for("pages.checkout", order_id=order.id, **_embedded()))
    return render_template("complete.html", order=order, pi=pi, books=shop.catalog)


@bp.get("/orders/<order_id>")
def order_page(order_id):
    """An order's status and history, with the source of each change: the page to project while explaining webhooks."""
    return render_template("order.html", order=current_shop().order(order_id), books=current_shop().catalog)
