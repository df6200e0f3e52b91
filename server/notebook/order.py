"""An order as the notebook sees it, and what a presenter does with one: open its checkout, wait for the payment.

``Order.wait`` is the round trip's return leg: it blocks until the shop has settled
the order (from the shopper's return page or from the webhook, whichever comes
first) and hands back a ``Confirmation`` with the total charged, the PaymentIntent,
the status history and the webhook events.
"""

import os
import time
from html import escape

from .display import Card, CardView, Table, clock, money
from .errors import WorkbenchError
from .shopper import DEFAULT_CARD

SETTLED = ("paid", "failed", "canceled", "refunded")
AUTOPAY = "WORKBENCH_AUTOPAY"  # "1": a test shopper pays at once (unattended runs: CI, nbval)
QUIET_WAIT = 5.0  # seconds: webhooks arrive well within it, a shopper typing a card does not


class Order(CardView):
    """The shop's view of one order (``GET /api/orders/<id>``); ``refresh()`` re-reads it."""

    def __init__(self, workbench, data):
        self.workbench = workbench
        self.data = data

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
        return f"{self.workbench.url}/checkout/{self.id}"

    def refresh(self):
        self.data = self.workbench.api.get(f"/api/orders/{self.id}")
        return self

    def show_checkout(self, height=720):
        """A link that opens the checkout in a new tab, and the same page in an inline frame."""
        return Checkout(self, height)

    def wait(self, timeout=180, until=SETTLED, autopay=None):
        """Block until the order's status is one of ``until``; returns its ``Confirmation``.

        In sandbox mode a test shopper pays (``pay_as_shopper`` with 4242…) an order
        nobody has tried to pay yet, at once when ``autopay`` is true (by default when
        ``WORKBENCH_AUTOPAY=1``), else once ``timeout`` seconds have passed; so the
        notebook also runs unattended.
        """
        until = (until,) if isinstance(until, str) else tuple(until)
        if self.refresh().status not in until:
            self._wait_for(until, time.monotonic() + timeout, timeout, autopay)
        return Confirmation.of(self)

    def _wait_for(self, until, deadline, timeout, autopay):
        autopay = os.environ.get(AUTOPAY) == "1" if autopay is None else autopay
        shopper_can_pay = self.workbench.mode == "sandbox" and "paid" in until
        if autopay and shopper_can_pay and self._untried():
            self._pay_as_test_shopper(f"{AUTOPAY}=1")
        elif not self._poll(until, min(time.monotonic() + QUIET_WAIT, deadline)):  # no news of a webhook's wait
            goal = "settled" if until == SETTLED else " or ".join(until)
            print(f"Waiting up to {timeout} s for order {self.id} to be {goal}…", flush=True)
        if not self._poll(until, deadline) and shopper_can_pay and self._untried():
            self._pay_as_test_shopper(f"Nobody paid within {timeout} s")
            self._poll(until, time.monotonic() + 10)
        if self.status not in until:
            raise WorkbenchError(f"Order {self.id} is still {self.status} after {timeout} s. Pay in the checkout, "
                                 "then run this cell again.")  # fmt: skip

    def _untried(self):
        """True if nobody has tried to pay yet: a declined attempt is left for its webhook, never paid over."""
        if self.status != "awaiting_payment":
            return False
        pi = self.workbench.stripe.v1.payment_intents.retrieve(self.payment_intent)
        return pi.status == "requires_payment_method" and not pi.last_payment_error

    def _pay_as_test_shopper(self, reason):
        print(f"{reason}: a test shopper pays {self.total} with {DEFAULT_CARD}.", flush=True)
        self.workbench.pay_as_shopper(self)

    def _poll(self, until, deadline):
        """True once the status is one of ``until``; False if ``deadline`` (monotonic) passes first."""
        while self.refresh().status not in until:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)
        return True

    def card(self):
        rows = [("total", self.total), ("payment_intent", self.payment_intent or "—")]
        lines = Table(
            ["book", "quantity", "amount"],
            [[item["title"], item["quantity"], money(item["amount"], self.currency)] for item in self.items],
        )
        return Card(
            f"Order {self.id}", self.status, rows, tables=[("items", lines), ("status history", history_table(self))]
        )


def history_table(order):
    """Who moved the order and when; ``by`` is last because the return page and the webhook race to it."""
    rows = [[clock(h["created"]), h["status"], h["detail"] or "", h["source"]] for h in order.history]
    return Table(["time (UTC)", "status", "detail", "by"], rows)


class Checkout:
    def __init__(self, order, height):
        self.order, self.height = order, height

    def _repr_html_(self):
        url = escape(self.order.checkout_url)
        return (
            f'<p><a href="{url}" target="_blank" rel="noopener" style="font-weight:600">Open the checkout for order '
            f"{escape(self.order.id)} ({escape(self.order.total)}) in a new tab ↗</a></p>"
            f'<iframe src="{url}" title="Checkout for order {escape(self.order.id)}" width="100%" '
            f'height="{self.height}" style="border:1px solid #d5dbe1;border-radius:8px"></iframe>'
        )

    def __repr__(self):
        return f"Checkout for order {self.order.id} ({self.order.total}): {self.order.checkout_url}"


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

    def card(self):
        pi = self.payment_intent
        rows = [("total charged", self.total), ("payment_intent", pi.id), ("PaymentIntent status", pi.status)]
        if pi.last_payment_error:
            rows.append(("payment error", pi.last_payment_error.message))
        tables = [("status history", history_table(self.order)), ("webhook events", self.events.table())]
        return Card(f"Confirmation for order {self.order.id}", self.order.status, rows, tables=tables)
