"""The shopper's cart, kept in their signed session cookie: never shared, never global.

The cart holds only book ids and quantities; prices are looked up from the catalog
each time it is shown or checked out.  Quantities obey the same rule as the API's
(``server/press_workbench/shop/validation.py``): 1–10 copies of a book, counting what is already in the cart.
"""

import re

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from .catalog import price_lines
from .errors import ShopError
from .service import current_shop
from .validation import MAX_QUANTITY, email, form_quantity, merged_quantity

bp = Blueprint("cart", __name__, url_prefix="/cart")
# A path on this shop, in plain characters: no "//host", no backslash or control character that a browser would
# turn into one, no scheme.
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9_\-./?=&%#]*")


def cart_items():
    """The cart as ``[{"book_id", "quantity"}]``, keeping only books still in the catalog and sane quantities."""
    catalog = current_shop().catalog
    return [
        {"book_id": b, "quantity": q}
        for b, q in session.get("cart", {}).items()
        if b in catalog and isinstance(q, int) and 1 <= q <= MAX_QUANTITY
    ]


def cart_count():
    """How many books the cart holds, for the header's cart link on every page."""
    return sum(item["quantity"] for item in cart_items())


def _save(cart):
    session["cart"] = cart
    session.modified = True


def _local(target):
    """``target`` if it is a path on this shop, else the catalog: ``next`` must never send shoppers elsewhere."""
    return target if target and LOCAL_PATH.fullmatch(target) else url_for("pages.catalog")


@bp.get("/")
def show():
    """The cart page, priced from the catalog on every view so a changed price can never be stale here."""
    items, shop = cart_items(), current_shop()
    lines, currency = price_lines(items, shop.catalog) if items else ([], shop.config["SHOP_CURRENCY"])
    return render_template("cart.html", lines=lines, currency=currency, total=sum(line["amount"] for line in lines))


@bp.post("/add")
def add():
    """Add to cart; the quantity is checked against the per-book limit after merging with what is already there."""
    book_id = request.form.get("book_id")
    book = current_shop().catalog.get(book_id)
    if book is None:
        raise ShopError("unknown_book", "That book is not in the catalog.", "book_id")
    cart = {item["book_id"]: item["quantity"] for item in cart_items()}
    quantity = form_quantity(request.form.get("quantity", "1"))
    cart[book_id] = merged_quantity(cart.get(book_id, 0) + quantity, book.title)
    _save(cart)
    flash(f"Added {quantity} × {book.title} to your cart.")
    return redirect(_local(request.form.get("next")), code=303)


@bp.post("/update")
def update():
    """Set a line's quantity; the cart page's "Remove" choice sends 0."""
    cart = {item["book_id"]: item["quantity"] for item in cart_items()}
    book_id = request.form.get("book_id")
    if book_id not in cart:
        raise ShopError("unknown_book", "That book is not in your cart.", "book_id")
    if (request.form.get("quantity") or "").strip() == "0":
        del cart[book_id]
    else:
        cart[book_id] = form_quantity(request.form.get("quantity"))
    _save(cart)
    return redirect(url_for("cart.show"), code=303)


@bp.post("/checkout")
def checkout():
    """Turn the cart into an order (priced on the server) and go to its checkout page."""
    items = cart_items()
    if not items:
        raise ShopError("empty_cart", "Your cart is empty: add a book first.", "items")
    order, _ = current_shop().create_order(items, email((request.form.get("email") or "").strip() or None))
    _save({})
    return redirect(url_for("pages.checkout", order_id=order.id), code=303)
