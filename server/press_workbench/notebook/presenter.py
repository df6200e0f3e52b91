"""What a presenter shows: a compact checkout beside a status panel that follows the order by itself.

``PresenterView`` puts the shop's real checkout page in a frame and, beside it, a
panel that a background thread redraws whenever the order changes (it polls the
shop's API), so after Pay the audience sees the confirmation arrive without anyone
running a cell or scrolling.  ``CheckoutDesk`` is the book picker with a
**Check out** button: the order is made from the picker as it is when the button
is clicked, not when the notebook was run.  The picker then folds away (**Change
books** brings it back), so the checkout and its panel fit a 1280×800 projector.

The frame first asks whether the shop still answers: a frame saved in a notebook,
or one whose kernel (and in-kernel shop) has gone, says how to get a live checkout
back instead of showing the browser's "refused to connect".
"""

import json
import threading
import time
from html import escape

import ipywidgets as widgets

from .display import NO_MATH, TONES, WholeText, badge_html, tone_of, utc_time
from .errors import NotPaidYet, WorkbenchError
from .lifecycle_svg import lifecycle_svg
from .order import Confirmation, Order
from .shopper import BY_CARD, DEFAULT_CARD, SEPA_IBAN, unattended

POLL = 0.5  # seconds between looks at the order
WATCH_FOR = 3 * 3600  # a presenter's session; the thread then stops
FINAL = ("paid", "canceled", "refunded")  # nothing a shopper does in the checkout changes these
FRAME_HEIGHT = 580  # the embedded checkout with a decline message; with the desk's line it fits 1280×800
PANEL_STYLE = (
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:15px;line-height:1.45;"
    "color:#1a1f36;background:#fff;border:1px solid #d5dbe1;border-radius:8px;padding:14px 16px"
)
SHOP_GONE = (
    "The shop that served this checkout ({shop}) is not running: it ran inside a kernel that has "
    "stopped, or this is a saved notebook. Run the cells again for a live checkout; start JupyterLab "
    "with make lab to keep the shop running across kernel restarts."
)


PAGES = {  # what a presenter view frames: the page's URL, and what the frame is called
    "checkout": (lambda order: order.checkout_browser_url, "Checkout"),
    "authenticate": (lambda order: order.authenticate_browser_url, "Bank confirmation"),
}


def checkout_frame_html(order, height=FRAME_HEIGHT, page="checkout"):
    """The checkout (or another of the order's pages) in an iframe that opens only if the shop answers, with a link."""
    where, name = PAGES[page]
    # no shop header, kept through redirects; where the browser reaches the shop (a path behind a Jupyter proxy)
    url, shop = where(order) + "?embedded=1", order.workbench.browser_url
    loader = (
        '<!doctype html><meta charset="utf-8"><body style="font:15px system-ui,sans-serif;color:#3c4257;'
        f'margin:18px"><p id="note">Opening the {name.lower()}…</p><script>'
        f"fetch({json.dumps(shop + '/api/health')}, {{mode: 'no-cors', cache: 'no-store'}})"
        f".then(() => location.replace({json.dumps(url)}))"
        f".catch(() => {{ document.getElementById('note').textContent = {json.dumps(SHOP_GONE.format(shop=shop))}; }});"
        "</script>"
    )
    return (
        f'<div class="{NO_MATH}" style="font-family:system-ui,sans-serif;font-size:13px;margin:0 0 4px">'
        f'<a href="{escape(url)}" target="_blank" rel="noopener">Open the {name.lower()} for order '
        f"{escape(order.id)} in a new tab ↗</a></div>"
        f'<iframe srcdoc="{escape(loader)}" title="{name} for order {escape(order.id)}" width="100%" '
        f'height="{height}" style="border:1px solid #d5dbe1;border-radius:8px;background:#fff"></iframe>'
    )


def panel_html(order, pay_with, confirmation=None, problem=None, page="checkout"):
    """The status panel: what the audience should look at once the shopper has pressed Pay."""
    ink, _ = TONES[tone_of(order.status)]
    badge = badge_html(order.status.replace("_", " "), tone_of(order.status))
    lines = [
        f'<div style="font-size:13px;color:#697386">Order <code>{escape(order.id)}</code></div>',
        f'<div style="margin:4px 0 10px">{badge}</div>',
    ]
    lines += [f"<div>{item['quantity']} × {escape(item['title'])}</div>" for item in order.items]
    if confirmation is not None and confirmation.paid:
        lines.append(
            f'<div style="margin-top:10px;font-size:13px;color:#697386">Total charged (from Stripe)</div>'
            f'<div data-testid="panel-total" style="font-size:28px;font-weight:700;color:{ink}">'
            f"{escape(confirmation.total)}</div>"
            f'<div style="font-size:13px">PaymentIntent <code data-testid="panel-payment-intent">'
            f"{escape(confirmation.payment_intent.id)}</code></div>"
        )
    else:
        lines.append(f'<div style="margin-top:10px">Total <b>{escape(order.total)}</b></div>')
    lines += _next_step(order, pay_with, confirmation, page)
    if order.history:
        last = order.history[-1]
        lines.append(
            f'<div style="margin-top:8px;font-size:13px;color:#697386">{escape(last["status"])} at '
            f"{utc_time(last['created'])} UTC, by {escape(last['source'])}</div>"
        )
    if confirmation is not None:
        lines.append(f'<div style="margin-top:10px">{lifecycle_svg(confirmation.path, max_width=400)}</div>')
    if problem:
        lines.append(f'<div style="margin-top:10px;color:{TONES["bad"][0]}">{escape(problem)}</div>')
    return (
        f'<div class="{NO_MATH}" data-status="{escape(order.status)}" '
        f'style="{PANEL_STYLE};border-left:5px solid {ink}">' + "".join(lines) + "</div>"
    )


def _next_step(order, pay_with, confirmation, page):
    """One sentence telling the presenter what to do now (or, while a bank debit processes, what happens next)."""
    if page == "authenticate" and order.status in ("awaiting_payment", "failed"):
        return ['<div style="margin-top:10px">Press <b>Complete</b> on the bank\'s test page in the frame.</div>']
    if order.status == "awaiting_payment":
        how = pay_with.instruction(fill=order.workbench.mode == "sandbox")
        return [f'<div style="margin-top:10px">Pay in the checkout with {how}.</div>']
    if order.status == "processing":
        return [
            '<div style="margin-top:10px">Stripe has the debit; the bank answers later (days with real banks, '
            "seconds in the sandbox). This panel turns green, or red, by itself when the webhook settles the "
            "order.</div>"
        ]
    if order.status == "failed":
        error = confirmation.payment_intent.last_payment_error if confirmation else None
        said = f"Stripe said: {escape(error.message)} " if error else ""
        again = SEPA_IBAN if pay_with.type == "sepa_debit" else DEFAULT_CARD  # the same tab, with one that succeeds
        retry = f"The checkout stays open: try again, e.g. with <b>{again}</b>."
        return [f'<div style="margin-top:10px">{said}{retry}</div>']
    return []


class PresenterView(WholeText, widgets.HBox):
    """The checkout frame and its live status panel, side by side (see the module docstring)."""

    def __init__(self, order, pay_with=BY_CARD, page="checkout"):
        self.order, self.pay_with, self.page = order, pay_with, page
        self.frame = widgets.HTML(
            checkout_frame_html(order, page=page), layout=widgets.Layout(flex="3 1 0", min_width="340px")
        )
        self.panel = widgets.HTML(layout=widgets.Layout(flex="2 1 0", min_width="260px", margin="0 0 8px 12px"))
        self.frame.add_class("wb-checkout-frame")
        self.panel.add_class("wb-status-panel")
        side_by_side = widgets.Layout(width="100%", align_items="flex-start", flex_flow="row wrap")  # wraps if narrow
        super().__init__([self.frame, self.panel], layout=side_by_side)
        self.add_class("wb-presenter")
        self._lock = threading.Lock()
        self._seen = None
        self.show(None)
        self._watched = Order(order.workbench, dict(order.data))  # its own copy: refreshed from another thread
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"watch-{order.id}", daemon=True)
        self._thread.start()
        order.workbench.views.append(self)

    def show(self, confirmation, problem=None):
        """Redraw the panel from ``confirmation`` (or from the order alone, before it settles)."""
        order = confirmation.order if confirmation is not None else self.order
        with self._lock:
            self.panel.value = panel_html(order, self.pay_with, confirmation, problem, self.page)
            self._seen = (order.status, len(order.history))

    def stop(self):
        """Stop following the order (the panel keeps what it shows), once a look in progress is over."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(5)

    def _watch(self):
        deadline = time.monotonic() + WATCH_FOR
        while not self._stop.wait(POLL) and time.monotonic() < deadline:
            try:
                order = self._watched.refresh()
                if (order.status, len(order.history)) != self._seen:
                    self.show(Confirmation.of(order) if order.status != "awaiting_payment" else None)
            except WorkbenchError as exc:  # the shop stopped answering: say so once, and stop
                self.show(None, problem=str(exc))
                return
            if order.status in FINAL:
                return

    def __repr__(self):
        where, name = PAGES[self.page]
        task = "press Complete on the bank's test page" if self.page == "authenticate" else f"pay with {self.pay_with}"
        return (
            f"{name} for order {self.order.id} ({self.order.total}) beside its live status panel; "
            f"{task}: {where(self.order)}"
        )


class CheckoutDesk(WholeText, widgets.VBox):
    """A book picker and a Check out button; the order is made from the picker when the button is clicked."""

    def __init__(self, workbench, picker, card=DEFAULT_CARD):
        self.workbench, self.picker, self.card = workbench, picker, card
        self.order = self.view = None
        self.button = widgets.Button(description="Check out", button_style="primary", icon="shopping-cart")
        self.button.add_class("wb-check-out")
        self.change = widgets.Button(
            description="Change books", icon="pencil", layout=widgets.Layout(display="none", width="auto")
        )
        self.change.add_class("wb-change-books")
        self.message = widgets.HTML()
        self.button.on_click(lambda _: self.check_out())
        self.change.on_click(lambda _: self.show_picker(True))
        super().__init__([picker, widgets.HBox([self.button, self.change, self.message])])

    def show_picker(self, shown):
        """Unfold the picker to change the books (Check out then makes a new order), or fold it away."""
        self.picker.layout.display = None if shown else "none"
        self.change.layout.display = "none" if shown or self.order is None else None

    def check_out(self):
        """Create the order from the picker as it is now and show its checkout (a new one on each click)."""
        if not self.picker.items:
            self.message.value = f'<span class="{NO_MATH}">Pick at least one book first.</span>'
            return None
        self.button.disabled = True
        try:
            order = self.workbench.create_order(self.picker)
        except WorkbenchError as exc:  # a click has no cell to show a traceback in
            self.message.value = f'<span class="{NO_MATH}" style="color:{TONES["bad"][0]}">{escape(str(exc))}</span>'
            return None
        finally:
            self.button.disabled = False
        if self.view is not None:
            self.view.stop()
        self.order, self.view = order, order.show_checkout(card=self.card)
        made = f"Order <code>{escape(order.id)}</code> for <b>{order.total}</b>"  # the panel lists the books
        self.message.value = f'<span class="{NO_MATH}">{made}</span>'
        self.children = (*self.children[:2], self.view)
        self.show_picker(False)
        return order

    def wait(self, timeout=30):
        """The ``Confirmation`` of the order made with Check out, once the shop has settled it (``Order.wait``).

        Nobody has clicked yet: in an unattended run the test shopper clicks (the
        picker as it is); otherwise this says what to do, so Run All stops here.
        """
        if self.order is None:
            if not unattended():
                raise NotPaidYet(
                    "No order yet: choose the books above and click Check out, pay in the "
                    "checkout, then run this cell again (Shift-Enter)."
                )
            self.check_out()
        return self.order.wait(timeout)

    def __repr__(self):
        return f"{self.picker!r}\n[Check out]"
