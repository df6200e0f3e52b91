"""An order as the notebook sees it, and what a presenter does with one: open its checkout, wait for the payment.

``Order.wait`` is the round trip's return leg: it blocks until the shop has settled
the order (from the shopper's return page or from the webhook, whichever comes
first) and hands back a ``Confirmation`` with the total charged, the PaymentIntent,
the status history and the webhook events.

Nobody pays on a person's behalf: with someone at the keyboard ``wait`` only
waits, and on timeout says what to do.  Only in an unattended run
(``WORKBENCH_AUTOPAY=1``: CI, nbval) does a test shopper type the card the lesson
asks for, through the same checkout pages, and silently, so the outputs read as
they do in a live session.
"""

import time

from .display import Card, CardView, Table, money, utc_time
from .errors import WorkbenchError
from .events import payment_path
from .lifecycle_svg import describe, lifecycle_svg
from .shopper import DEFAULT_CARD, unattended

SETTLED = ("paid", "failed", "canceled", "refunded")
QUIET_WAIT = 5.0  # seconds: webhooks arrive well within it, a person typing a card does not


class Order(CardView):
    """The shop's view of one order (``GET /api/orders/<id>``); ``refresh()`` re-reads it."""

    def __init__(self, workbench, data):
        self.workbench = workbench
        self.data = data
        self.views = []  # the presenter views showing this order, redrawn when ``wait`` returns

    id = property(lambda self: self.data["id"])
    status = property(lambda self: self.data["status"])
    amount = property(lambda self: self.data["amount"])
    currency = property(lambda self: self.data["currency"])
    items = property(lambda self: self.data["items"])
    payment_intent = property(lambda self: self.data["payment_intent"])
    history = property(lambda self: self.data.get("history", []))

    @property
    def total(self):
        return money(self.amount, self.currency)

    @property
    def checkout_url(self):
        """The checkout page as this kernel reaches it (the test shopper's way in)."""
        return f"{self.workbench.url}/checkout/{self.id}"

    @property
    def checkout_browser_url(self):
        """The checkout page as a browser reaches it: behind a Jupyter server's proxy, a path on its origin."""
        return f"{self.workbench.browser_url}/checkout/{self.id}"

    def refresh(self):
        self.data = self.workbench.api.get(f"/api/orders/{self.id}")
        return self

    def show_checkout(self, card=DEFAULT_CARD):
        """The checkout in a compact frame beside a status panel that follows the order by itself.

        ``card`` is the test card the person at the keyboard is asked to type (and
        the one a test shopper types in an unattended run).
        """
        view = self.workbench.presenter_view(self, card)
        self.views.append(view)
        return view

    def wait(self, timeout=300, until=SETTLED, card=None):
        """Block until the order's status is one of ``until``; returns its ``Confirmation``.

        ``card``: the test card to pay with in an unattended run (by default the one
        ``show_checkout`` asked for).  With a person at the keyboard nothing is paid
        here: after ``timeout`` seconds a ``WorkbenchError`` says what to do.
        """
        until = (until,) if isinstance(until, str) else tuple(until)
        card = card or (self.views[-1].card if self.views else DEFAULT_CARD)
        if self.refresh().status not in until:
            if unattended() and self._payable_for(until):
                self.workbench.pay_as_shopper(self, card)
            self._wait_for(until, timeout, card)
        confirmation = Confirmation.of(self)
        for view in self.views:
            view.show(confirmation)
        return confirmation

    def _payable_for(self, until):
        """True if a payment attempt is what ``until`` waits for and the checkout can still take one."""
        attempt_awaited = "paid" in until or "failed" in until
        return attempt_awaited and self.workbench.mode == "sandbox" and self.status in ("awaiting_payment", "failed")

    def _wait_for(self, until, timeout, card):
        deadline = time.monotonic() + timeout
        goal = "settled" if until == SETTLED else " or ".join(until)
        if not self._poll(until, min(time.monotonic() + QUIET_WAIT, deadline)):  # no news of a webhook's wait
            print(
                f"Waiting up to {timeout} s for order {self.id} to be {goal}: pay in its checkout with {card}.",
                flush=True,
            )
        if not self._poll(until, deadline):
            raise WorkbenchError(
                f"Order {self.id} is still {self.status} after {timeout} s: nobody has paid in "
                f"its checkout. Pay there (test card {card}), then run this cell again."
            )

    def _poll(self, until, deadline):
        """True once the status is one of ``until``; False if ``deadline`` (monotonic) passes first."""
        while self.refresh().status not in until:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)
        return True

    def card(self):
        rows = [("total", self.total), ("payment_intent", self.payment_intent or "—")]
        return Card(
            f"Order {self.id}",
            self.status,
            rows,
            tables=[("items", items_table(self)), ("status history", history_table(self))],
        )


def items_table(order):
    return Table(
        ["book", "quantity", "amount"],
        [[item["title"], item["quantity"], money(item["amount"], order.currency)] for item in order.items],
    )


def history_table(order):
    """Who moved the order and when; ``by`` is last because the return page and the webhook race to it."""
    rows = [[utc_time(h["created"]), h["status"], h["detail"] or "", h["source"]] for h in order.history]
    return Table(["time (UTC)", "status", "detail", "by"], rows)


class Confirmation(CardView):
    """A settled order with its PaymentIntent and the events Stripe sent about it."""

    def __init__(self, order, payment_intent, events):
        self.order, self.payment_intent, self.events = order, payment_intent, events

    @classmethod
    def of(cls, order):
        workbench = order.workbench
        return cls(order, workbench.stripe.v1.payment_intents.retrieve(order.payment_intent), workbench.events(order))

    @property
    def paid(self):
        return self.order.status == "paid"

    @property
    def total(self):
        """The total charged, from the PaymentIntent (what Stripe took), not from the order."""
        return money(self.payment_intent.amount_received, self.payment_intent.currency)

    @property
    def path(self):
        """The PaymentIntent's ``(status, cause)`` steps, from the events."""
        return payment_path(self.events, self.payment_intent.status)

    def card(self):
        pi = self.payment_intent
        rows = [("total charged", self.total), ("payment_intent", pi.id), ("PaymentIntent status", pi.status)]
        if pi.last_payment_error:
            rows.append(("payment error", pi.last_payment_error.message))
        tables = [("status history", history_table(self.order)), ("webhook events", self.events.table())]
        return Card(
            f"Confirmation for order {self.order.id}",
            self.order.status,
            rows,
            tables=tables,
            figure=lifecycle_svg(self.path),
            text_rows=[("path", describe(self.path))],
        )
