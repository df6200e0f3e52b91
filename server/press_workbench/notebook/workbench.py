"""``Workbench``: what a notebook needs to learn or demo payments with this shop, in one object.

``Workbench()`` uses the shop at ``SHOP_URL`` if one answers there (``make lab``
runs one outside the kernel).  Behind a Jupyter server's proxy (a hub, Binder) it
asks that server to start the shop it serves (``remote``).  Otherwise it starts a
shop (and in sandbox mode its own sandbox) inside the kernel on free ports, once per
kernel: running ``Workbench()`` again reuses it.  ``browser_url`` and
``sandbox_browser_url`` are where a browser reaches them (``remote.browser_route``).
Either way it offers the configured ``StripeClient`` as ``.stripe``, the
shop's API (books, orders), the events about a payment, and in sandbox mode a test
shopper that pays through the real checkout.  Creating one also teaches IPython to
draw PaymentIntents, Refunds and Stripe errors as cards (``display.install``).
"""

import os
import time

import stripe
from dotenv import find_dotenv, load_dotenv

from press_workbench.sandbox import PUBLISHABLE_KEY as SANDBOX_PUBLISHABLE_KEY
from press_workbench.sandbox import SECRET_KEY as SANDBOX_SECRET_KEY
from press_workbench.sandbox import proxy_token
from press_workbench.shop import (
    ConfigError,
    Shop,
    build_stripe_client,
    client_operator_token,
    client_webhook_secret,
    config_defaults,
    load_config,
    loopback_http_client,
    probe_shop,
    reconcile_orders,
    stripe_page_url,
)

from . import display, remote, shopper
from .display import Card, CardView, Table, money
from .errors import WorkbenchError
from .events import EventTimeline, payment_path, related_events, wait_for_webhooks
from .exercises import Exercises, install_solution_guard
from .order import Order
from .picker import BookPicker
from .presenter import CheckoutDesk, PresenterView
from .saved_cards import SavedCards, card_id
from .servers import kernel_servers
from .shop_api import ShopAPI
from .webhooks import ShopWebhook

WRONG_CURRENCY = (
    "This notebook needs a shop that sells in {currency}, and this Jupyter server's shop sells in {sells}. Start "
    "JupyterLab with SHOP_CURRENCY={currency} (on a hub, in the learner's environment), then restart this kernel."
)
MODE_BADGES = {"sandbox": ("SANDBOX — offline, no real money", "warn"), "stripe": ("Stripe test mode", "info")}


class Workbench(CardView):
    """The shop, its Stripe account and its checkout, as seen from a notebook (see the module docstring)."""

    def __init__(self, shop_url=None, start_servers=True, operator_token=None, currency=None):
        """``currency``: the one this notebook's shop must sell in (``SHOP_CURRENCY``); a shop found selling in
        another is left alone, and one started in this kernel sells in it."""
        load_dotenv(find_dotenv(usecwd=True))  # the project's .env, also when the kernel runs in notebooks/
        url = (shop_url or os.environ.get("SHOP_URL") or config_defaults()["SHOP_URL"]).rstrip("/")
        health = probe_shop(url)
        self.servers = None
        proxied = remote.browser_route(url, None).proxied
        if health is None and proxied:  # the Jupyter server runs it: ask it
            health = remote.start_shop(url)
        if health is not None and currency and shop_currency(url) != currency:
            if proxied:  # the browser reaches no other shop than the Jupyter server's
                raise WorkbenchError(WRONG_CURRENCY.format(currency=currency, sells=shop_currency(url)))
            health = None  # make lab's shop, say: this notebook gets its own
        if health is None and not start_servers:  # the dashboard: its shop runs outside, and may come back
            raise WorkbenchError(f"The shop at {url} does not answer.")
        if health is None:
            self.servers = kernel_servers(currency)
            config = self.servers.app.config
            url, health = self.servers.shop.url, {"mode": config["MODE"], "sandbox_url": config["SANDBOX_URL"]}
        self.url, self.mode = url, health["mode"]
        self.views = []  # presenter views following orders of this shop, stopped by close()
        self.sandbox_url = health.get("sandbox_url") if self.mode == "sandbox" else None
        self.route = remote.browser_route(self.url, self.sandbox_url)
        self.api = ShopAPI(self.url, operator_token=operator_token or self._operator_token())
        self.stripe, self.publishable_key = self._credentials()
        self.webhook = ShopWebhook(self, self._webhook_secret())
        display.install(self.url, self.path_of)
        install_solution_guard()

    def _credentials(self):
        """The secret-key client and the publishable key, for the account the shop uses."""
        self._stripe_config = self._account_config()
        if self.servers is not None:
            return self.servers.app.extensions["shop"].stripe, self._stripe_config["STRIPE_PUBLISHABLE_KEY"]
        return build_stripe_client(self._stripe_config), self._stripe_config["STRIPE_PUBLISHABLE_KEY"]

    def _account_config(self):
        """The settings the shop builds its StripeClient from: mode, keys and (sandbox) base URL."""
        if self.servers is not None:
            return self.servers.app.config
        if self.mode == "sandbox":
            return {
                "MODE": "sandbox",
                "SANDBOX_URL": self.sandbox_url,
                "STRIPE_SECRET_KEY": SANDBOX_SECRET_KEY,
                "STRIPE_PUBLISHABLE_KEY": SANDBOX_PUBLISHABLE_KEY,
                "PROXY_TOKEN": proxy_token(),
            }
        try:
            return load_config({"MODE": "stripe"})
        except ConfigError as exc:
            raise WorkbenchError(
                f"The shop at {self.url} runs in Stripe test mode, and this notebook needs the same keys: {exc}"
            ) from None

    def client(self, max_network_retries=None, http_client=None):
        """A StripeClient for the shop's account built as the shop builds its own, with other retries or network.

        ``max_network_retries=None`` is StripeClient's own default (no retries); the
        shop's ``wb.stripe`` retries twice.  ``http_client``: e.g. ``network.LosesResponses``.
        """
        options = {"STRIPE_MAX_NETWORK_RETRIES": max_network_retries, "STRIPE_HTTP_CLIENT": http_client}
        return build_stripe_client({**self._stripe_config, **options})

    def _operator_token(self):
        """The operator token refunds need (shop/security.py): the kernel's own shop's, or the data dir's."""
        if self.servers is not None:
            return self.servers.app.config["OPERATOR_TOKEN"]
        return client_operator_token()

    def _webhook_secret(self):
        """The ``whsec_`` the shop verifies events with: the kernel's own shop's, or the data dir's / ``.env``'s."""
        if self.servers is not None:
            return self.servers.app.config.get("STRIPE_WEBHOOK_SECRET")
        return client_webhook_secret(self.mode)

    @property
    def browser_url(self):
        """The shop's URL for a browser: behind a Jupyter server's proxy, a path on that server's origin."""
        return self.route.shop

    @property
    def sandbox_browser_url(self):
        """The sandbox's URL for a browser (None in stripe mode)."""
        return self.route.sandbox

    @property
    def started_here(self):
        """True if the shop runs inside this kernel (and stops with it)."""
        return self.servers is not None

    def publishable_client(self):
        """A StripeClient holding only the publishable key, as Stripe.js in a browser does."""
        if not self.sandbox_url:
            return stripe.StripeClient(self.publishable_key)
        return stripe.StripeClient(
            self.publishable_key,
            base_addresses={"api": self.sandbox_url},
            http_client=loopback_http_client(proxy_token()),
        )

    # -- the shop's API --------------------------------------------------------------------------
    def books(self):
        """The shop's books, read from its API as any client reads them."""
        return Books(self.api.get("/api/books")["books"])

    def book_picker(self, selected=None):
        """An ipywidgets picker of this shop's books; ``selected`` maps book ids to starting quantities."""
        return BookPicker(self.books(), selected)

    def checkout_desk(self, selected=None, card=shopper.DEFAULT_CARD):
        """The book picker with a Check out button: the order is made from the picker when it is clicked."""
        return CheckoutDesk(self, self.book_picker(selected), card)

    def presenter_view(self, order, card=None, *, iban=None, ideal=None, page="checkout"):
        """The order's checkout (or ``page="authenticate"``) beside a live status panel (``Order.show_checkout``),
        followed until ``close()``."""
        return PresenterView(order, shopper.PayWith.of(card, iban, ideal), page)

    def create_order(self, items, email=None, idempotency_key=None):
        """``POST /api/orders``. ``items``: ``{book_id: quantity}``, a list of items or book ids, or a picker."""
        body = {"items": order_items(items)}
        if email:
            body["email"] = email
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return Order(self, self.api.post("/api/orders", body, headers))

    def saved_cards(self):
        """The cards this kernel's shopper saved (``GET /api/saved-cards``): the kernel is a shopper of its own."""
        return SavedCards(self.api.get("/api/saved-cards")["cards"])

    def remove_saved_card(self, card):
        """``DELETE /api/saved-cards/<pm>``: the shop detaches the card if it is this kernel's shopper's."""
        return self.api.request("DELETE", f"/api/saved-cards/{card_id(card)}")

    def order(self, order_id):
        """An order the shop already has, by its id (one made in a browser, say)."""
        return Order(self, {"id": order_id}).refresh()

    def exercises(self, lesson):
        """Lesson ``lesson``'s checker: ``check(number, answer=…)`` says right or not yet (``exercises``)."""
        return Exercises(self, lesson)

    def call(self, method, path, body=None):
        """Any route of the shop, answered as-is (status and JSON): for trying routes you are adding."""
        return self.api.request(method, path, body)

    # -- payments ----------------------------------------------------------------------------------
    def events(self, subject):
        """The events about an order's (or a PaymentIntent's) payment, oldest first.

        In sandbox mode this first waits (briefly) until the shop's webhook has
        received each of them, so what you see is what the shop was sent.
        """
        pi_id = _payment_intent_id(subject)
        events = wait_for_webhooks(self.stripe, pi_id) if self.mode == "sandbox" else related_events(self.stripe, pi_id)
        return EventTimeline(events, pi_id, self.stripe_page_url, self.webhook.delivery_notes(events))

    def wait_for_bank(self, payment_intent, timeout=300):
        """The PaymentIntent once the bank has answered its debit: out of ``processing``, paid or not.

        Seconds in the sandbox (``SANDBOX_SEPA_SETTLE_SECONDS``); Stripe's test IBANs take
        longer, and real debits days, which is why the shop waits for the webhook instead.
        """
        deadline = time.monotonic() + timeout
        pi = self.stripe.v1.payment_intents.retrieve(_payment_intent_id(payment_intent))
        while pi.status == "processing":
            if time.monotonic() > deadline:
                raise WorkbenchError(f"{pi.id} is still processing after {timeout} s: its bank has not answered yet.")
            time.sleep(0.5)
            pi = self.stripe.v1.payment_intents.retrieve(pi.id)
        return pi

    def reconcile(self):
        """What ``workbench reconcile`` does, on this shop: settle each open order from its PaymentIntent at Stripe."""
        shop = self.servers.app.extensions["shop"] if self.servers is not None else Shop.from_config(load_config({}))
        return ReconcileReport(reconcile_orders(shop))

    def stripe_page_url(self, object_id):
        """Where a browser shows ``object_id`` (``pi_…``, ``evt_…``…): the sandbox console, or Stripe's Dashboard."""
        return stripe_page_url(object_id, self.mode, self.sandbox_browser_url)

    def path_of(self, payment_intent):
        """The ``(status, cause)`` steps a PaymentIntent took, from its events; None if this account has none."""
        try:
            events = related_events(self.stripe, payment_intent.id)
        except stripe.StripeError:  # drawing must not fail: the current status alone then
            return None
        return payment_path(events, payment_intent.status) if events else None

    def pay_as_shopper(self, order, card=None, *, iban=None, ideal=None, **options):
        """Pay ``order`` through its checkout page as a browser would (sandbox only): with a test card, a test IBAN
        (SEPA Debit) or iDEAL's ``"authorize"`` or ``"fail"``; see ``shopper``."""
        return shopper.pay_as_shopper(self, order, shopper.PayWith.of(card, iban, ideal), **options)

    def authenticate(self, payment_intent, result="complete"):
        """Finish a PaymentIntent's (or SetupIntent's) 3D Secure challenge (``"complete"`` or ``"fail"``) or its
        bank's page (iDEAL: ``"authorize"`` or ``"fail"``); returns it afterwards."""
        return shopper.authenticate(self, payment_intent, result)

    def come_back_as_shopper(self, order, result="complete"):
        """Confirm ``order`` with the bank on the shop's authenticate page as a browser would (sandbox only)."""
        return shopper.come_back_as_shopper(self, order, result)

    # -- lifetime and display ----------------------------------------------------------------------
    def close(self):
        """Stop following orders, and stop the shop and sandbox this Workbench started (as kernel shutdown does)."""
        for view in self.views:
            view.stop()
        if self.servers is not None:
            self.servers.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def card(self):
        """The workbench as a card: which Stripe it uses, and where the shop runs (so whether it survives a restart)."""
        badge, tone = MODE_BADGES[self.mode]
        if self.started_here:
            where = "started in this kernel; stops when the kernel shuts down"
        elif self.route.proxied:
            where = "run by this Jupyter server, at these paths on its address; survives a kernel restart"
        else:
            where = "found at SHOP_URL, outside this kernel; survives a kernel restart"
        rows = [("shop", self.browser_url), ("servers", where)]
        if self.sandbox_url:
            rows.append(("sandbox", self.sandbox_browser_url))
        return Card("Press Workbench", badge, rows, tone=tone)


class ReconcileReport(CardView):
    """``reconcile_orders``'s report: how many open orders were checked with Stripe, and which moved."""

    def __init__(self, report):
        self.report = report

    def card(self):
        report = self.report
        rows = [(order_id, f"{old} → {new}") for order_id, old, new in report.changed]
        rows += [(order_id, f"not checked: {problem}") for order_id, problem in report.problems]
        orders = "open order" if report.checked == 1 else "open orders"
        badge = f"{report.checked} {orders} checked, {len(report.changed)} changed"
        return Card(
            "workbench reconcile", badge, rows or [("orders", "none changed")], tone="bad" if report.problems else "ok"
        )


class Books(CardView, list):
    """The catalog as ``GET /api/books`` lists it; displays as a table."""

    def card(self):
        """The books as a card: id, title, author and price."""
        rows = [[book["id"], book["title"], book["author"], money(book["price"], book["currency"])] for book in self]
        return Card(
            "Books",
            f"{len(self)} books",
            tone="neutral",
            tables=[("", Table(["id", "title", "author", "price"], rows))],
        )


def shop_currency(url):
    """The currency the shop at ``url`` sells in, as its books say (every book has the shop's one currency)."""
    books = ShopAPI(url).get("/api/books")["books"]
    return books[0]["currency"] if books else None


def order_items(items):
    """The ``items`` list ``POST /api/orders`` takes, from whatever a lesson passes: a dict, ids, items or a picker."""
    picked = getattr(items, "items", None)
    if isinstance(picked, list):  # a BookPicker
        return picked
    if isinstance(items, dict):
        return [{"book_id": book_id, "quantity": quantity} for book_id, quantity in items.items()]
    return [{"book_id": item, "quantity": 1} if isinstance(item, str) else item for item in items]


def _payment_intent_id(subject):
    if isinstance(subject, Order):
        return subject.payment_intent
    return subject if isinstance(subject, str) else subject.id
