"""The shopper's cart, kept in their signed session cookie: never shared, never global.

The cart holds only book ids and quantities; prices are looked up from the catalog
each time it is shown or checked out.
"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from server.catalog import MAX_QUANTITY, CatalogError, price_lines
from server.shop import current_shop

bp = Blueprint("cart", __name__, url_prefix="/cart")


def cart_items():
    """The cart as ``[{"book_id", "quantity"}]`` (dropping books no longer in the catalog)."""
    catalog = current_shop().catalog
    return [{"book_id": b, "quantity": q} for b, q in session.get("cart", {}).items() if b in catalog]


def cart_count():
    return sum(item["quantity"] for item in cart_items())


def parse_quantity(raw):
    try:
        quantity = int(raw)
    except (TypeError, ValueError):
        raise CatalogError("invalid_quantity", "Choose a quantity between 1 and 10.", "quantity") from None
    if not 0 <= quantity <= MAX_QUANTITY:
        raise CatalogError("invalid_quantity", f"You can buy between 1 and {MAX_QUANTITY} copies of a book.",
                           "quantity")  # fmt: skip
    return quantity


def _save(cart):
    session["cart"] = cart
    session.modified = True


@bp.get("/")
def show():
    items = cart_items()
    lines, currency = price_lines(items, current_shop().catalog) if items else ([], "usd")
    return render_template("cart.html", lines=lines, currency=currency, total=sum(l["amount"] for l in lines))


@bp.post("/add")
def add():
    book_id = request.form.get("book_id")
    book = current_shop().catalog.get(book_id)
    if book is None:
        raise CatalogError("unknown_book", "That book is not in the catalog.", "book_id")
    cart = dict(session.get("cart", {}))
    quantity = parse_quantity(request.form.get("quantity", "1"))
    if cart.get(book_id, 0) + quantity > MAX_QUANTITY:
        raise CatalogError("invalid_quantity", f"You can buy at most {MAX_QUANTITY} copies of {book.title}.",
                           "quantity")  # fmt: skip
    cart[book_id] = cart.get(book_id, 0) + quantity
    _save(cart)
    flash(f"Added {quantity} × {book.title} to your cart.")
    return redirect(request.form.get("next") or url_for("pages.catalog"), code=303)


@bp.post("/update")
def update():
    cart = dict(session.get("cart", {}))
    book_id = request.form.get("book_id")
    if book_id not in cart:
        raise CatalogError("unknown_book", "That book is not in your cart.", "book_id")
    quantity = parse_quantity(request.form.get("quantity"))
    if quantity == 0:
        del cart[book_id]
    else:
        cart[book_id] = quantity
    _save(cart)
    return redirect(url_for("cart.show"), code=303)


@bp.post("/checkout")
def checkout():
    """Turn the cart into an order (priced on the server) and go to its checkout page."""
    items = cart_items()
    if not items:
        raise CatalogError("empty_cart", "Your cart is empty: add a book first.", "items")
    email = (request.form.get("email") or "").strip() or None
    if email and "@" not in email:
        raise CatalogError("invalid_email", "That email address doesn't look right.", "email")
    order = current_shop().create_order(items, email)
    _save({})
    return redirect(url_for("pages.checkout", order_id=order.id), code=303)
