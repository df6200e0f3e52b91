"""The shopper's book shop as a Voilà app (``notebooks/dashboard.ipynb``): books, a cart, the checkout, the receipt.

Voilà runs the notebook top to bottom, then hands the widgets to the browser, so
nothing here may wait for the shopper: every call to the shop runs on one worker
thread per dashboard, which also watches the open order and the shop's health.  Every
change — a click, an answer from the shop — goes through ``Dashboard.update``, which
redraws all widgets from the state.  The cart holds only book ids and quantities;
its lines and total are the shop's (``POST /api/quote``), the amounts paid the
order's (``GET /api/orders/<id>``).  Each browser tab gets its own kernel, so its own
``Dashboard``, cart and orders, and its own shopper at the shop: the kernel's session
cookie is the shopper's, so a card saved in one purchase is offered in the next one of
the same page (``saved_cards``), and nowhere else.
"""

import queue
import secrets
import sys
import threading
import traceback
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path

import ipywidgets as widgets
import stripe

from press_workbench.shop import MAX_QUANTITY

from .display import money
from .errors import WorkbenchError
from .saved_cards import SavedCardsPanel, card_label
from .shopper import DEFAULT_CARD, SEPA_IBAN
from .workbench import MODE_BADGES, Workbench, order_items

STYLE = (Path(__file__).with_name("dashboard.css")).read_text(encoding="utf-8")
FOLLOWED = ("awaiting_payment", "processing", "failed")  # an order whose status may still change by itself
SHOP_DOWN = (
    "The shop is not answering right now. Your cart is safe here: this page reconnects by itself as soon as "
    "the shop is back."
)
POLL_SECONDS = {"order": 0.5, "down": 1.0, "idle": 3.0}  # how often the worker looks, by what it waits for


@dataclass(frozen=True)
class State:
    """Everything the page shows; ``update`` replaces it and redraws."""

    books: tuple = ()
    mode: str | None = None
    cart: dict = field(default_factory=dict)  # book id → quantity: what the shopper picked, never priced here
    quote: dict | None = None  # the shop's price for ``cart``: lines, amount, currency
    revision: int = 0  # changes with the cart, so each cart gets its own order idempotency key
    order: dict | None = None  # the order being paid, as the shop last described it
    decline: tuple | None = None  # (attempt, Stripe's message) for the order's last failed attempt
    notice: tuple | None = None  # (tone, text) for the shopper
    shop_down: bool = False
    saved_cards: tuple = ()  # this page's shopper's saved cards, as the shop lists them
    pay_with: str | None = None  # the saved card Pay uses, or None for a new card in the checkout
    save_card: bool = False  # "Save my card for next time": asked of the shop when the order is made
    authenticating: bool = False  # a saved card's payment waits for the bank's 3D Secure in the frame


class Dashboard:
    """Book cards → cart → Pay → checkout (inline and in a new tab) → confirmation, for one browser tab."""

    def __init__(self, shop_url=None):
        self.shop_url = shop_url
        self.workbench = None
        self.state = State()
        self._lock = threading.RLock()
        self._jobs = queue.SimpleQueue()
        self._tab = secrets.token_hex(6)  # this tab's part of the orders' idempotency keys
        self._build()
        self._connect()  # here, not on the worker: the first render already shows the books
        self.update()
        threading.Thread(target=self._work, name="dashboard", daemon=True).start()

    # -- widgets ---------------------------------------------------------------------------------------
    def _build(self):
        self.header = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.notice = widgets.HTML()
        self.catalog = widgets.Box()
        self.cards = {}  # book id → (card, quantity, add button)
        self.lines = widgets.VBox()
        self.line_rows = {}  # book id → (its line, the row holding it and its remove button)
        self.empty_cart = widgets.HTML('<p class="wb-empty">Your cart is empty. Add a book to start.</p>')
        self.total = widgets.HTML()
        self.pay = widgets.Button(description="Pay", button_style="primary")
        self.pay.on_click(lambda _: self._request(self._create_order))
        self.saved = SavedCardsPanel(
            choose=lambda card: self._request(self._choose_card, card),
            remove=lambda card: self._request(self._remove_card, card),
            save=lambda save: self.update(save_card=save),
        )
        self.cart = widgets.VBox(
            [widgets.HTML("<h2>Your cart</h2>"), self.lines, self.total, self.saved.view, self.pay]
        )
        self.status = widgets.HTML()
        self.checkout_link = widgets.HTML()
        self.frame = widgets.HTML()
        self.confirmation = widgets.HTML()
        self.new_order = widgets.Button(description="New order")
        self.new_order.on_click(lambda _: self._request(self._start_again))
        self.order_panel = widgets.VBox([self.status, self.checkout_link, self.new_order])
        self.main = widgets.VBox([self.catalog, self.frame, self.confirmation])
        self.side = widgets.VBox([self.cart, self.order_panel])
        body = widgets.HBox([self.main, self.side])
        self.view = widgets.VBox([widgets.HTML(f"<style>{STYLE}</style>"), self.header, self.notice, body])
        for widget, name in (
            (self.view, "wb-shop"),
            (self.notice, "wb-notice"),
            (self.catalog, "wb-catalog"),
            (self.cart, "wb-cart"),
            (self.lines, "wb-cart-lines"),
            (self.total, "wb-cart-total"),
            (self.pay, "wb-pay"),
            (self.status, "wb-status"),
            (self.checkout_link, "wb-checkout-link"),
            (self.frame, "wb-checkout-frame"),
            (self.confirmation, "wb-confirmation"),
            (self.new_order, "wb-new-order"),
            (self.order_panel, "wb-order"),
            (self.main, "wb-main"),
            (self.side, "wb-side"),
            (body, "wb-body"),
        ):
            widget.add_class(name)

    def _book_card(self, book):
        quantity = widgets.Dropdown(
            options=list(range(1, MAX_QUANTITY + 1)), value=1, layout=widgets.Layout(width="64px")
        )
        quantity.add_class("wb-quantity")
        add = widgets.Button(description="Add to cart")
        add.add_class("wb-add-to-cart")
        add.on_click(lambda _: self._request(self._add, book["id"], quantity.value))
        price = money(book["price"], book["currency"])
        info = widgets.HTML(
            f'<div class="wb-book" data-book-id="{escape(book["id"])}">'
            f'<img class="wb-cover" src="{escape(self.workbench.browser_url + book["cover_url"])}" '
            f'alt="Cover of {escape(book["title"])}">'
            f'<div class="wb-title">{escape(book["title"])}</div><div class="wb-author">{escape(book["author"])}</div>'
            f'<div class="wb-price">{price}</div></div>'
        )
        card = widgets.VBox([info, widgets.HBox([quantity, add], layout=widgets.Layout(width="100%"))])
        card.add_class("wb-book-card")
        return card, quantity, add

    def _line_row(self, book_id):
        if book_id not in self.line_rows:
            text = widgets.HTML(layout=widgets.Layout(flex="1"))
            remove = widgets.Button(description="✕", tooltip="Remove from cart", layout=widgets.Layout(width="32px"))
            remove.add_class("wb-remove")
            remove.on_click(lambda _: self._request(self._remove, book_id))
            row = widgets.HBox([text, remove])
            row.add_class("wb-cart-line")
            self.line_rows[book_id] = (text, row)
        return self.line_rows[book_id]

    def _repr_mimebundle_(self, **kwargs):
        return self.view._repr_mimebundle_(**kwargs)

    # -- the one way the page changes --------------------------------------------------------------------
    def update(self, **changes):
        """Apply ``changes`` to the state and redraw every widget from it (any thread)."""
        with self._lock:
            self.state = replace(self.state, **changes)
            self._render(self.state)

    def _render(self, s):
        order = s.order
        paid = order is not None and order["status"] in ("paid", "refunded")
        self.header.value = header_html(s.mode)
        self.notice.value = notice_html(s.notice)
        if len(self.catalog.children) != len(s.books):
            self.cards = {book["id"]: self._book_card(book) for book in s.books}
            self.catalog.children = [card for card, _, _ in self.cards.values()]
        shopping = order is None
        for _, quantity, add in self.cards.values():
            add.disabled = quantity.disabled = s.shop_down or not shopping  # never while a click is answered:
            # a button disabled under the pointer would swallow the next click, and the worker takes them in turn
        show(self.catalog, shopping)
        show(self.cart, shopping)
        self.lines.children = self._cart_lines(s)
        self.total.value = cart_total_html(s.quote)
        self.pay.description = pay_label(s)
        self.pay.disabled = s.shop_down or not s.quote
        self.saved.render(s.saved_cards, s.pay_with, s.save_card, s.shop_down)
        show(self.saved.view, bool(s.quote or s.saved_cards))  # how to pay: once there is something to pay for
        show(self.order_panel, not shopping)
        show(self.frame, not shopping and not paid)
        show(self.confirmation, paid)
        url = order and f"{self.workbench.browser_url}/checkout/{order['id']}"  # where the browser reaches it
        processing = order is not None and order["status"] == "processing"
        self.status.value = status_html(order, s.decline and s.decline[1], s.mode, s.authenticating) if order else ""
        self.checkout_link.value = checkout_link_html(url, order["currency"]) if order and not paid else ""
        show(self.checkout_link, not processing)  # nothing to pay while the bank debit settles
        # processing: the shop's return page, which says what happens next (paid in a new tab, the frame still
        # shows the checkout); authenticating: the bank's challenge for a saved card; the frame reloads once, when
        # the URL changes
        page = f"{url}/complete" if processing else f"{url}/authenticate" if s.authenticating else url
        self.frame.value = embedded_checkout_html(page + "?embedded=1", order["id"]) if order and not paid else ""
        self.confirmation.value = (
            confirmation_html(order, self.workbench.stripe_page_url(order["payment_intent"])) if paid else ""
        )

    def _cart_lines(self, s):
        """One row per line of the shop's quote (rows are kept, so a redraw sends only what changed)."""
        if not s.quote:
            return [self.empty_cart]
        rows = []
        for line in s.quote["items"]:
            text, row = self._line_row(line["book_id"])
            text.value = line_html(line, s.quote["currency"])
            row.children[1].disabled = s.shop_down
            rows.append(row)
        return rows

    # -- clicks: queued for the worker, never waited for here ---------------------------------------------
    def _request(self, job, *args):
        """Run ``job`` on the worker: clicks are answered in the order they came, each from the latest state."""
        self._jobs.put((job, args))

    def _add(self, book_id, quantity):
        cart = dict(self.state.cart)
        cart[book_id] = cart.get(book_id, 0) + quantity
        self._price(cart)

    def _remove(self, book_id):
        self._price({b: q for b, q in self.state.cart.items() if b != book_id})

    def _price(self, cart):
        """Ask the shop what ``cart`` costs; only a cart the shop accepts replaces the current one."""
        if not cart:
            self.update(cart={}, quote=None, revision=self.state.revision + 1)
            return
        answer = self.workbench.api.request("POST", "/api/quote", {"items": order_items(cart)})
        if answer.ok:
            self.update(cart=cart, quote=answer.body, revision=self.state.revision + 1, notice=None)
        else:
            self.update(notice=("bad", shop_message(answer)))

    def _create_order(self):
        """``POST /api/orders`` with this cart's idempotency key: a second click finds the same order."""
        s = self.state
        if not s.cart:
            return
        answer = self.workbench.api.request(
            "POST",
            "/api/orders",
            {"items": order_items(s.cart)},
            headers={"Idempotency-Key": f"dashboard-{self._tab}-{s.revision}"},
        )
        if not answer.ok:
            self.update(notice=("bad", shop_message(answer)))
            return
        order = answer.body
        notice = None
        if order["status"] in ("paid", "refunded"):
            notice = ("ok", f"Order {order['id']} for this cart was already paid: here is its confirmation.")
        elif s.pay_with:
            self._pay_with_saved_card(order, s.pay_with)
            return
        elif s.save_card:
            notice = self._choose_saving(order)
        self.update(order=order, decline=None, notice=notice)

    def _pay_with_saved_card(self, order, card):
        """The shop checks the card is this shopper's and confirms; the frame then shows 3D Secure, if asked."""
        answer = self.workbench.api.request(
            "POST", f"/api/orders/{order['id']}/pay-with-saved-card", {"payment_method": card}
        )
        if answer.ok:
            authenticating = answer.body["status"] == "requires_action"
            self.update(order=answer.body["order"], decline=None, notice=None, authenticating=authenticating)
            return
        order = self.workbench.api.get(f"/api/orders/{order['id']}")  # as the failed attempt left it
        if answer.status == 402:  # declined: Stripe's words, and the checkout for another card
            self.update(order=order, decline=(len(order["history"]), shop_message(answer)), notice=None)
        else:
            self.update(order=order, decline=None, notice=("bad", shop_message(answer)))
            self._load_saved_cards()

    def _choose_saving(self, order):
        """Ask the shop to save the card that will pay ``order``; a notice if it could not (the payment goes on)."""
        answer = self.workbench.api.request("POST", f"/api/orders/{order['id']}/save-card", {"save": True})
        return None if answer.ok else ("bad", f"Your card will not be saved: {shop_message(answer)}")

    def _choose_card(self, card):
        self.update(pay_with=card)

    def _remove_card(self, card):
        answer = self.workbench.api.request("DELETE", f"/api/saved-cards/{card}")
        self._load_saved_cards()
        if not answer.ok:
            self.update(notice=("bad", shop_message(answer)))

    def _load_saved_cards(self):
        """This shopper's saved cards; Pay keeps the chosen one, else uses the newest (or a new card if none)."""
        answer = self.workbench.api.request("GET", "/api/saved-cards")
        if not answer.ok:
            return
        cards = tuple(answer.body["cards"])
        kept = [card["id"] for card in cards if card["id"] == self.state.pay_with]
        self.update(saved_cards=cards, pay_with=(kept or [card["id"] for card in cards] or [None])[0])

    def _start_again(self):
        self.update(
            order=None,
            decline=None,
            cart={},
            quote=None,
            revision=self.state.revision + 1,
            notice=None,
            authenticating=False,
            save_card=False,
        )
        self._load_saved_cards()  # the card the last order saved is offered now

    # -- the worker: the shop's answers, the order's progress, the shop's health --------------------------
    def _work(self):
        while True:
            try:
                job, args = self._jobs.get(timeout=self._poll_seconds())
            except queue.Empty:
                job, args = self._watch, ()
            try:
                if self.state.shop_down and job is not self._watch:
                    self._watch()  # a click while the shop was away: reconnect first
                if not self.state.shop_down:
                    job(*args)
            except WorkbenchError:
                self._lost_shop()
            except Exception:  # noqa: BLE001 - the shopper gets a sentence, the log the traceback; work goes on
                traceback.print_exc(file=sys.__stderr__)  # the kernel's own stderr: Voilà's log, not the page
                self.update(notice=("bad", "Something went wrong on our side. Please try again."))

    def _poll_seconds(self):
        if self.state.shop_down:
            return POLL_SECONDS["down"]
        return POLL_SECONDS["order" if self.state.order and self.state.order["status"] in FOLLOWED else "idle"]

    def _watch(self):
        """Reconnect to a shop that was away, else follow the open order (or check the shop still answers)."""
        if self.state.shop_down:
            if not self._connect():
                return
            if self.state.cart:
                self._price(self.state.cart)
            self.update(notice=("ok", "The shop is back. Your cart is as you left it."))
        if self.state.order and self.state.order["status"] in FOLLOWED:
            self._follow_order()
        else:
            self.workbench.api.request("GET", "/api/health")  # raises if the shop went away

    def _follow_order(self):
        order = self.state.order
        answer = self.workbench.api.request("GET", f"/api/orders/{order['id']}")
        if answer.status == 404:
            gone = f"The shop no longer has order {order['id']} (it was reset). Your cart is still here: pay again."
            self.update(order=None, notice=("bad", gone))
            return
        if not answer.ok:
            return
        order = answer.body
        changes = {
            "order": order,
            "authenticating": self.state.authenticating and order["status"] == "awaiting_payment",
        }
        attempt = len(order["history"])  # a new failed attempt adds a line to the order's history
        if order["status"] == "failed" and (self.state.decline or (None,))[0] != attempt:
            changes["decline"] = (attempt, self._decline_message(order))
        if order["status"] == "canceled":
            changes["notice"] = ("bad", f"Order {order['id']} was canceled. Start a new order.")
        self.update(**changes)

    def _decline_message(self, order):
        """Stripe's own words for the failed attempt, from the PaymentIntent (retrieved with the secret key)."""
        try:
            error = self.workbench.stripe.v1.payment_intents.retrieve(order["payment_intent"]).last_payment_error
        except stripe.StripeError:
            return None
        return error.message if error else None

    def _connect(self):
        """Find the shop and its books; False (and the page says so) while it does not answer."""
        try:
            workbench = self.workbench or Workbench(self.shop_url, start_servers=False)
            books = workbench.api.get("/api/books")["books"]
        except WorkbenchError:
            self._lost_shop()
            return False
        self.workbench = workbench
        self.update(books=tuple(books), mode=workbench.mode, shop_down=False, notice=None)
        self._load_saved_cards()
        return True

    def _lost_shop(self):
        self.update(shop_down=True, notice=("bad", SHOP_DOWN))


# -- HTML pieces -----------------------------------------------------------------------------------------
def show(widget, visible):
    """Show or hide a widget without removing it, so the layout does not jump."""
    widget.layout.display = None if visible else "none"


def shop_message(answer):
    """The shop's own error message for a refused request, or its HTTP status when it gave none."""
    error = answer.body.get("error", {}) if isinstance(answer.body, dict) else {}
    return error.get("message") or f"The shop answered HTTP {answer.status}."


def header_html(mode):
    """The header, with the mode badge every page of the workbench carries (sandbox or Stripe test mode)."""
    badge = ""
    if mode:
        text, tone = MODE_BADGES[mode]
        badge = f'<span class="wb-mode wb-mode-{tone}">{escape(text)}</span>'
    return (
        '<div class="wb-header"><div class="wb-brand">Stripe Press <span>· books, paid with the Payment Element'
        f"</span></div>{badge}</div>"
    )


def notice_html(notice):
    """A notice (the shop is down, a request failed) in a live region, so screen readers announce it."""
    if not notice:
        return ""
    tone, text = notice
    return f'<div class="wb-notice-{tone}" role="status">{escape(text)}</div>'


def line_html(line, currency):
    """One cart line, priced as the shop's quote priced it."""
    return (
        f'<div class="wb-line"><span class="wb-line-title">{escape(line["title"])}</span>'
        f'<span class="wb-line-qty">{line["quantity"]} × {money(line["unit_price"], currency)}</span>'
        f'<span class="wb-line-amount">{money(line["amount"], currency)}</span></div>'
    )


def cart_total_html(quote):
    """The cart's total from the shop's quote (a dash before the first one): the dashboard never adds up prices."""
    amount = money(quote["amount"], quote["currency"]) if quote else "—"
    return f'<div class="wb-total"><span>Total</span> <strong>{amount}</strong></div>'


def pay_label(s):
    """The Pay button: the cart's total, and the saved card it pays with (one click, no card form)."""
    if not s.quote:
        return "Pay"
    label = f"Pay {money(s.quote['amount'], s.quote['currency'])}"
    card = next((card for card in s.saved_cards if card["id"] == s.pay_with), None)
    return f"{label} with {card_label(card)}" if card else label


def status_html(order, decline, mode=None, authenticating=False):
    """The open order's state in words, with Stripe's decline message when the last attempt failed."""
    total = money(order["amount"], order["currency"])
    count = sum(line["quantity"] for line in order["items"])
    books = f"{count} book{'s' if count != 1 else ''}"
    if order["status"] == "failed":
        reason = escape(decline or "The payment did not go through.")
        state = (
            f'<p class="wb-state wb-state-bad"><strong>Payment failed.</strong> {reason}</p>'
            "<p>Try again in the checkout, with another card or account.</p>"
        )
    elif order["status"] == "processing":
        state = (
            '<p class="wb-state wb-state-wait wb-processing"><span class="wb-dot"></span>Processing</p>'
            f"<p>Your bank debit of <strong>{total}</strong> is on its way. Banks take a few business days "
            f"to pay it{' (seconds in the sandbox)' if mode == 'sandbox' else ''}; your receipt appears here by "
            "itself when they have.</p>"
        )
    elif order["status"] in ("paid", "refunded"):
        state = f'<p class="wb-state wb-state-ok"><strong>{order["status"].capitalize()}.</strong> Thank you!</p>'
    elif order["status"] == "canceled":
        state = '<p class="wb-state wb-state-bad"><strong>Canceled.</strong></p>'
    elif authenticating:
        state = (
            '<p class="wb-state wb-state-wait"><span class="wb-dot"></span>Confirm with your bank</p>'
            "<p>Your bank asks you to confirm this payment with your saved card: follow the steps beside.</p>"
        )
    else:
        state = (
            f'<p class="wb-state wb-state-wait"><span class="wb-dot"></span>Awaiting payment</p>{ways_to_pay(order)}'
        )
    return (
        f'<h2>Order <code>{escape(order["id"])}</code></h2><p class="wb-order-sum">{books} · '
        f"<strong>{total}</strong></p>{state}"
    )


def ways_to_pay(order):
    """The test payments the checkout takes for this order: a card, and in euros also SEPA Debit and iDEAL."""
    card = f"test card <code>{DEFAULT_CARD}</code>, any future date, any CVC"
    if order["currency"] != "eur":
        return f"<p>Pay in the checkout with {card}.</p>"
    return (
        f"<p>Pay in the checkout with {card}; or <strong>SEPA Debit</strong> with test IBAN <code>{SEPA_IBAN}</code>; "
        "or <strong>iDEAL</strong>, in a new tab (below).</p>"
    )


def checkout_link_html(url, currency):
    """The checkout as a link too, for a shopper who prefers a full page (or whose browser refuses the frame).

    iDEAL sends the shopper to their bank's own page, which banks do not let other sites frame: in euros the
    link says to pay by iDEAL there.  This page follows the order either way.
    """
    link = f'<a href="{escape(url)}" target="_blank" rel="noopener">Open the checkout in a new tab ↗</a>'
    if currency != "eur":
        return link
    return (
        f'{link}<p class="wb-new-tab-note">To pay by iDEAL, use the new tab: your bank\'s page opens there, and '
        "your receipt appears here by itself.</p>"
    )


def embedded_checkout_html(url, order_id):
    """The shop's checkout page framed in the dashboard; the shop's CSP allows exactly this origin to frame it."""
    return (
        f'<iframe src="{escape(url)}" title="Checkout for order {escape(order_id)}" '
        'class="wb-frame" allow="payment"></iframe>'
    )


def confirmation_html(order, payment_page=None):
    """The receipt: the total charged and the PaymentIntent (linked to its Stripe page), as the shop recorded them."""
    currency = order["currency"]
    lines = "".join(line_html(line, currency) for line in order["items"])
    refunded = '<p class="wb-refunded">This order was refunded.</p>' if order["status"] == "refunded" else ""
    pi = f'<code class="wb-pi">{escape(order["payment_intent"])}</code>'
    if payment_page:
        pi = f'<a href="{escape(payment_page)}" target="_blank" rel="noopener" title="Open its Stripe page">{pi}</a>'
    return (
        '<div class="wb-receipt"><div class="wb-check">✓</div><h2>Payment received</h2>'
        '<p class="wb-charged">Total charged <strong class="wb-amount">'
        f"{money(order['amount_received'], currency)}</strong></p>"
        f"<dl><dt>PaymentIntent</dt><dd>{pi}</dd>"
        f'<dt>Order</dt><dd><code class="wb-order-id">{escape(order["id"])}</code></dd></dl>'
        f'<div class="wb-receipt-lines">{lines}</div>{refunded}</div>'
    )
