"""An order as the notebook sees it, and what a presenter does with one: open its checkout, wait for the payment.

``Order.wait`` is the round trip's return leg: it hands back a ``Confirmation``
with the total charged, the PaymentIntent, the status history and the webhook
events once the shop has settled the order (from the shopper's return page or
from the webhook, whichever comes first).

It never holds the kernel for a payment nobody has made.  It first asks Stripe
(with the secret key) how the payment stands: if Stripe already has the outcome,
it waits the moment the shop needs to hear of it; if nobody has paid yet, it
returns at once with ``NotPaidYet`` saying what to do, so the checkout's widgets
stay live and Run All stops where the presenter has to act.

Nobody pays on a person's behalf.  Only in an unattended run
(``WORKBENCH_AUTOPAY=1``: CI, nbval) does a test shopper type the card the lesson
asks for, through the same checkout pages, and silently, so the outputs read as
they do in a live session.
"""

import time

from .display import Card, CardView, Table, money, utc_time
from .errors import NotPaidYet, WorkbenchError
from .events import payment_path
from .lifecycle_svg import describe, lifecycle_svg
from .saved_cards import card_id
from .shopper import PayWith, pay_as_shopper, unattended

SETTLED = ("paid", "failed", "canceled", "refunded")
ORDER_STATUS_FOR = {"processing": "processing", "succeeded": "paid", "canceled": "canceled"}  # as the shop's


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
        """The order's amount, formatted as the shop shows it."""
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
        """Read the order again from the shop: its status changes outside the kernel (return page, webhooks)."""
        self.data = self.workbench.api.get(f"/api/orders/{self.id}")
        return self

    @property
    def authenticate_browser_url(self):
        """The shop's page that brings the shopper back to confirm this order's payment with their bank."""
        return f"{self.checkout_browser_url}/authenticate"

    def save_card(self, save=True):
        """Choose, before paying, to save (or not) the card that pays this order, for this kernel's shopper.

        ``POST /api/orders/<id>/save-card``: the shop sets its shopper's Customer and
        ``payment_method_options[card][setup_future_usage]`` on the order's PaymentIntent.
        """
        return self.workbench.api.request("POST", f"/api/orders/{self.id}/save-card", {"save": save})

    def pay_with_saved_card(self, card):
        """``POST /api/orders/<id>/pay-with-saved-card``: the shop checks the card is its shopper's and confirms."""
        answer = self.workbench.api.request(
            "POST", f"/api/orders/{self.id}/pay-with-saved-card", {"payment_method": card_id(card)}
        )
        self.refresh()
        return answer

    def bring_back(self):
        """The shop's authenticate page in a frame beside a live status panel: the shopper confirms with their bank.

        For a payment the bank would not take without its shopper: a saved card's 3D Secure,
        or an off-session charge refused with ``authentication_required``.
        """
        view = self.workbench.presenter_view(self, page="authenticate")
        self.views.append(view)
        return view

    def show_checkout(self, card=None, *, iban=None, ideal=None):
        """The checkout in a compact frame beside a status panel that follows the order by itself.

        ``card`` is the test card the person at the keyboard is asked to type (and
        the one a test shopper types in an unattended run); or ``iban``, a test IBAN
        for the SEPA Debit tab; or ``ideal``, the bank page's button to press
        (``"authorize"`` or ``"fail"``).
        """
        view = self.workbench.presenter_view(self, card, iban=iban, ideal=ideal)
        self.views.append(view)
        return view

    def wait(self, timeout=30, until=SETTLED, card=None, *, iban=None, ideal=None):
        """The order's ``Confirmation`` once its status is one of ``until``.

        If Stripe already has that outcome, this waits (up to ``timeout`` seconds)
        for the shop to hear of it; a bank debit still ``processing`` at Stripe is
        waited for too, as long as ``timeout`` allows.  If nobody has paid yet, it
        raises ``NotPaidYet`` at once, saying what to do.  ``card``, ``iban`` or
        ``ideal``: how the test shopper pays in an unattended run (by default as
        ``show_checkout`` asked).
        """
        until = (until,) if isinstance(until, str) else tuple(until)
        pay_with = self._pay_with(card, iban, ideal)
        if self.refresh().status not in until:
            deadline = time.monotonic() + timeout
            pi, outcome = self._outcome_at_stripe()
            if outcome not in (*until, "processing") and unattended() and self._payable_for(until):
                self._play_shopper(pay_with)  # only what Stripe does not have already
                pi, outcome = self._outcome_at_stripe()
            while outcome == "processing" and outcome not in until and time.monotonic() < deadline:
                time.sleep(0.25)  # the bank has not answered yet: in the sandbox, seconds
                pi, outcome = self._outcome_at_stripe()
            if outcome not in until:
                raise NotPaidYet(self._what_to_do(pi, outcome, until, pay_with))
            if not self._poll(until, deadline):
                raise WorkbenchError(
                    f"Stripe says order {self.id} is {outcome}, but after {timeout} s the shop still has it "
                    f"{self.status}: neither the return page nor the webhook has reached it. Is its /webhook "
                    "reachable? `workbench reconcile` settles open orders from Stripe."
                )
        confirmation = Confirmation.of(self)
        for view in self.views:
            view.show(confirmation)
        return confirmation

    def _pay_with(self, card, iban, ideal):
        """How to pay: as given, else as the last ``show_checkout`` asked, else with the default test card."""
        if card or iban or ideal or not self.views:
            return PayWith.of(card, iban, ideal)
        return self.views[-1].pay_with

    def _bringing_back(self):
        """True if the last view of this order is its authenticate page (``bring_back``), not its checkout."""
        return bool(self.views) and self.views[-1].page == "authenticate"

    def _play_shopper(self, pay_with):
        """In an unattended run, what the shopper in the frame would do: confirm with the bank, or pay."""
        if self._bringing_back():
            self.workbench.come_back_as_shopper(self)
        else:
            pay_as_shopper(self.workbench, self, pay_with)

    def _payable_for(self, until):
        """True if a payment attempt is what ``until`` waits for and the checkout can still take one."""
        attempt_awaited = bool({"processing", "paid", "failed"} & set(until))
        return attempt_awaited and self.workbench.mode == "sandbox" and self.status in ("awaiting_payment", "failed")

    def _outcome_at_stripe(self):
        """(PaymentIntent, the order status it calls for): what the shop will make of it once it hears.

        None while there is nothing to settle yet: no attempt, 3D Secure under way, an
        authorisation awaiting capture; ``processing`` while a bank debit has not settled.
        """
        pi = self.workbench.stripe.v1.payment_intents.retrieve(
            self.payment_intent, params={"expand": ["latest_charge", "payment_method"]}
        )
        if pi.latest_charge is not None and pi.latest_charge.refunded:
            return pi, "refunded"
        if pi.status == "requires_payment_method" and pi.last_payment_error:
            return pi, "failed"
        return pi, ORDER_STATUS_FOR.get(pi.status)

    def _what_to_do(self, pi, outcome, until, pay_with):
        """The one sentence a person needs when the payment ``wait`` was asked about has not happened."""
        pay = f"in its checkout with {pay_with.sentence()}, then run this cell again"
        if self._bringing_back() and outcome != "paid":
            return (
                f"Order {self.id} waits for its shopper: press Complete (or Fail) on the bank's test page in the "
                "frame above, then run this cell again."
            )
        if pi.status == "requires_action" and pi.payment_method is not None and pi.payment_method.type != "card":
            return (  # a redirect method (iDEAL): the shopper left the checkout for their bank's page
                f"Order {self.id} is waiting at the bank's test page: press Authorize test payment (or Fail "
                "test payment) there, then run this cell again."
            )
        if pi.status == "requires_action":
            return (
                f"Order {self.id} is waiting for 3D Secure: press Complete (or Fail) on the bank's test page "
                "in its checkout, then run this cell again."
            )
        if pi.status in ("processing", "requires_capture", "requires_confirmation"):
            return f"Order {self.id}'s PaymentIntent is {pi.status}: nothing is settled yet; run this cell again later."
        if outcome == "failed":
            return f"Order {self.id}'s last payment failed ({pi.last_payment_error.message}). Pay again {pay}."
        if outcome is None:
            return f"Nobody has paid order {self.id} yet. Pay {pay}."
        return f"Order {self.id} is {outcome} at Stripe, not {' or '.join(until)}: nothing under way will change that."

    def _poll(self, until, deadline):
        """True once the status is one of ``until``; False if ``deadline`` (monotonic) passes first."""
        while self.refresh().status not in until:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)
        return True

    def card(self):
        """The order as a notebook card: total, PaymentIntent, lines and status history."""
        rows = [("total", self.total), ("payment_intent", self.payment_intent or "—")]
        return Card(
            f"Order {self.id}",
            self.status,
            rows,
            tables=[("items", items_table(self)), ("status history", history_table(self))],
        )


def items_table(order):
    """The order's lines, priced as the shop recorded them when the order was made."""
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
        """The confirmation of an order, with its PaymentIntent retrieved with the secret key and its events."""
        workbench = order.workbench
        return cls(order, workbench.stripe.v1.payment_intents.retrieve(order.payment_intent), workbench.events(order))

    @property
    def paid(self):
        """Whether the shop recorded the order as paid."""
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
        """The confirmation as a notebook card: what was charged, the PaymentIntent, its history and webhook events."""
        pi = self.payment_intent
        charged = ("total charged", self.total)
        if pi.status == "processing":  # a bank debit on its way: nothing has been received yet
            charged = ("amount", f"{money(pi.amount, pi.currency)}, on its way: the bank has not paid it yet")
        rows = [charged, ("payment_intent", pi.id), ("PaymentIntent status", pi.status)]
        if pi.last_payment_error:
            rows.append(("payment error", pi.last_payment_error.message))
        tables = [("status history", history_table(self.order)), ("events", self.events.table())]
        return Card(
            f"Confirmation for order {self.order.id}",
            self.order.status,
            rows,
            tables=tables,
            figure=lifecycle_svg(self.path),
            text_rows=[("path", describe(self.path))],
        )
