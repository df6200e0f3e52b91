"""Pay an order the way a shopper's browser does, without a browser (sandbox mode only).

``pay_as_shopper`` makes the requests a browser on the checkout page makes with the
sandbox's Stripe.js stand-in, in the same order and with the same bodies:

1. GET the shop's checkout page, which carries the publishable key, the client
   secret and the return URL (``#checkout-config``);
2. GET the PaymentIntent with the publishable key (the Payment Element's session check);
3. POST ``/v1/payment_intents/<id>/confirm`` with what the Payment Element's tab
   collected (``PayWith``): the card fields, or the SEPA Debit tab's IBAN, name and
   email with the mandate's acceptance, or nothing for iDEAL;
4. for a 3D Secure card, open the challenge page and press Complete (or Fail); for
   iDEAL, open the bank's test page and press Authorize (or Fail) test payment;
5. follow the redirect to the shop's return URL and read the page it shows: the
   confirmation, or a bank debit's processing page.

So a notebook run unattended (CI) goes through the shop's real checkout,
confirmation and webhook code.  Real Stripe.js accepts card numbers and IBANs only
inside Stripe's own frame, which is why this works with the sandbox alone.
"""

import datetime
import html
import json
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from urllib.parse import parse_qsl, urlencode, urlsplit

from press_workbench.sandbox import encode_form, proxy_headers
from press_workbench.shop import origin

from .display import Card, CardView, Table
from .errors import WorkbenchError

DEFAULT_CARD = "4242 4242 4242 4242"
CARD_HINT = "any future date, any CVC, ZIP 10001"
SEPA_IBAN = "AT61 1904 3002 3457 3201"  # Stripe's test IBAN whose debit succeeds (after processing)
IDEAL_BUTTONS = {"authorize": "Authorize test payment", "fail": "Fail test payment"}  # the bank's test page
SEPA_HOLDER = {"name": "Jenny Rosen", "email": "jenny.rosen@example.com"}
AUTOPAY = "WORKBENCH_AUTOPAY"  # "1": nobody is at the keyboard (CI, nbval); a test shopper plays the person
CHECKOUT_CONFIG = re.compile(r'<script type="application/json" id="checkout-config">(.*?)</script>', re.DOTALL)
STRIPE_MODE_MESSAGE = (
    "pay_as_shopper works with the offline sandbox only: real Stripe.js takes card numbers only inside Stripe's "
    "own frame. Open the checkout link above and pay with 4242 4242 4242 4242, any future date, any CVC."
)


@dataclass(frozen=True)
class PayWith:
    """How the person at the keyboard is asked to pay in the checkout, and how a test shopper pays unattended.

    ``type`` is the Payment Element's tab (``card``, ``sepa_debit`` or ``ideal``); ``value`` what goes in it: a test
    card's number, a test IBAN, or for iDEAL the bank test page's button (``authorize`` or ``fail``).
    """

    type: str
    value: str

    @classmethod
    def of(cls, card=None, iban=None, ideal=None):
        """The one way to pay that was given (a card by default); naming two is a mistake worth a sentence."""
        given = [(kind, value) for kind, value in (("card", card), ("sepa_debit", iban), ("ideal", ideal)) if value]
        if len(given) > 1:
            raise WorkbenchError("Pay with one of card=, iban= or ideal=, not several at once.")
        if ideal and ideal not in IDEAL_BUTTONS:
            raise WorkbenchError(f"ideal= names the bank page's button to press: 'authorize' or 'fail', not {ideal!r}.")
        return cls(*given[0]) if given else BY_CARD

    def instruction(self, fill=False):
        """How to pay, as HTML after "Pay in the checkout with"; ``fill``: the sandbox's checkout can fill it in."""
        value = f"<b>{html.escape(self.value)}</b>"
        filled = (
            f" (its Fill test {'IBAN' if self.type == 'sepa_debit' else 'card'} button, or type it)" if fill else ""
        )
        if self.type == "sepa_debit":
            return f"{value} in the SEPA Debit tab{filled}, any name and email"
        if self.type == "ideal":
            return f"<b>iDEAL</b>, then <b>{IDEAL_BUTTONS[self.value]}</b> on the bank's test page"
        return f"{value}{filled}: {CARD_HINT}"

    def sentence(self):
        """The same in plain words, for a message."""
        if self.type == "sepa_debit":
            return f"IBAN {self.value} in the SEPA Debit tab (any name and email)"
        if self.type == "ideal":
            return f"iDEAL, then {IDEAL_BUTTONS[self.value]} on the bank's test page"
        return f"{self.value} ({CARD_HINT})"

    def __str__(self):
        return self.value if self.type != "ideal" else f"iDEAL ({IDEAL_BUTTONS[self.value]})"


BY_CARD = PayWith("card", DEFAULT_CARD)


def unattended():
    """True when nobody is at the keyboard (``WORKBENCH_AUTOPAY=1``): only then may a test shopper pay."""
    return os.environ.get(AUTOPAY) == "1"


def text_of_test_id(page, test_id):
    """The text of the element carrying ``data-testid=test_id`` (the shop's pages promise these ids), or None."""
    match = re.search(rf'data-testid="{re.escape(test_id)}"[^>]*>([^<]*)<', page)
    return html.unescape(match.group(1)).strip() if match else None


@dataclass(repr=False)
class ShopperVisit(CardView):
    """What the test shopper did and saw: each request, and the page it ended on."""

    order_id: str
    pay_with: str  # what was typed or chosen in the checkout (``PayWith``)
    outcome: str = "not paid"  # "paid", "processing", "declined", "authentication failed" or "not paid"
    message: str | None = None  # the error the checkout page showed
    total: str | None = None  # the confirmation page's total charged
    payment_intent: str | None = None  # the confirmation page's pi_… id
    steps: list = field(default_factory=list)

    @property
    def paid(self):
        """Whether the visit ended on the confirmation page."""
        return self.outcome == "paid"

    def card(self):
        """The visit as a card: how the shopper paid, what they saw, each request a browser would have made."""
        rows = [("paid with", self.pay_with)]
        if self.paid or self.outcome == "processing":
            rows += [("confirmation total", self.total), ("confirmation pi", self.payment_intent)]
        else:
            rows.append(("checkout showed", self.message or "—"))
        table = Table(["#", "request", "to", "path", "answer"], [[i, *step] for i, step in enumerate(self.steps, 1)])
        tone = "ok" if self.paid else "bad"
        return Card(
            f"Shopper visit for order {self.order_id}",
            self.outcome,
            rows,
            tone=tone,
            tables=[("requests the browser made", table)],
        )


class _Browser:
    """Just enough of a browser: cookies, redirects, form posts, and a log of each request."""

    def __init__(self, origins):
        self.origins = {origin(url): name for url, name in origins.items()}
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.opener.addheaders += list(proxy_headers().items())  # behind a Jupyter server's proxy: its token
        self.steps = []

    def get(self, url):
        """A GET, with the visit's cookies."""
        return self._open(urllib.request.Request(url))

    def post(self, url, pairs, accept="text/html"):
        """A form POST, with the visit's cookies, as the page's form would send it."""
        request = urllib.request.Request(
            url,
            data=urlencode(pairs).encode(),
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        return self._open(request)

    def _open(self, request):
        """(final URL, status, body text); error statuses are answers too, as in a browser."""
        try:
            with self.opener.open(request, timeout=15) as response:
                final, status, body = response.geturl(), response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            final, status, body = request.full_url, exc.code, exc.read().decode()
        except OSError as exc:
            raise WorkbenchError(f"The test shopper could not reach {origin(request.full_url)}: {exc}") from None
        self.steps.append(
            [
                request.get_method(),
                self.origins.get(origin(request.full_url), "other"),
                urlsplit(request.full_url).path,
                self._answer(status, final, request.full_url),
            ]
        )
        return final, status, body

    def _answer(self, status, final, asked):
        if final != asked:
            return f"{status} after redirect to {urlsplit(final).path}"
        return str(status)


def _with_query(url, params):
    return url + ("&" if "?" in url else "?") + urlencode(params)


def pay_as_shopper(workbench, order, pay_with=BY_CARD, authenticate="complete", expiry=None, cvc="123", postal="10001"):
    """Pay ``order`` through its checkout page as a browser would; returns the ``ShopperVisit``.

    ``authenticate``, ``expiry``, ``cvc`` and ``postal`` are a card's: the 3D Secure page's button and the fields.
    """
    if workbench.mode != "sandbox":
        raise WorkbenchError(STRIPE_MODE_MESSAGE)
    visit = ShopperVisit(order.id, str(pay_with))
    browser = _Browser({workbench.url: "shop", workbench.sandbox_url: "sandbox"})
    visit.steps = browser.steps
    _, _, page = browser.get(order.checkout_url)
    match = CHECKOUT_CONFIG.search(page)
    if not match:
        raise WorkbenchError(f"Order {order.id} has no payment form to fill (it is {order.refresh().status}).")
    config = json.loads(match.group(1))
    key, secret, return_url = config["publishableKey"], config["clientSecret"], config["returnUrl"]
    intent_url = f"{workbench.sandbox_url}/v1/payment_intents/{secret.split('_secret_')[0]}"
    browser.get(_with_query(intent_url, {"key": key, "client_secret": secret}))
    form = {"key": key, "client_secret": secret, "return_url": return_url, **_tab_data(pay_with, expiry, cvc, postal)}
    _, _, body = browser.post(intent_url + "/confirm", encode_form(form), accept="application/json")
    reply = json.loads(body)
    if "error" in reply:  # Stripe.js resolves {error}; the checkout shows its message and stays put
        visit.outcome, visit.message = "declined", reply["error"]["message"]
        return visit
    if reply["status"] == "requires_action" and pay_with.type == "ideal":  # the bank's page, then back to the shop
        bank = reply["next_action"]["redirect_to_url"]["url"]
        browser.get(bank)
        _, _, page = browser.post(bank, {"client_secret": secret, "result": pay_with.value})
    elif reply["status"] == "requires_action":
        challenge = reply["next_action"]["redirect_to_url"]["url"]
        browser.get(challenge)
        _, _, page = browser.post(
            challenge, {"client_secret": secret, "return_url": return_url, "embedded": "", "result": authenticate}
        )
    else:
        query = {"payment_intent": reply["id"], "payment_intent_client_secret": secret, "redirect_status": "succeeded"}
        _, _, page = browser.get(_with_query(return_url, query))
    return _read_landing_page(visit, page, authenticated=reply["status"] == "requires_action")


def come_back_as_shopper(workbench, order, result="complete"):
    """Do what the shop's authenticate page does in a browser, then read the return page; returns the visit.

    The page (``/checkout/<order>/authenticate``) confirms the payment again with the saved
    card the bank refused off-session (Stripe.js's ``confirmCardPayment``), or finishes one
    the server confirmed (``handleNextAction``); the bank's 3D Secure page then asks, and
    ``result`` is the button pressed there (``"complete"`` or ``"fail"``).
    """
    if workbench.mode != "sandbox":
        raise WorkbenchError(STRIPE_MODE_MESSAGE)
    browser = _Browser({workbench.url: "shop", workbench.sandbox_url: "sandbox"})
    asked = f"{order.checkout_url}/authenticate"
    final, _, page = browser.get(asked)
    if final != asked:  # nothing needs the bank: the page went on to the return page (or back to the checkout)
        return _read_landing_page(ShopperVisit(order.id, "saved card", steps=browser.steps), page, authenticated=False)
    config = json.loads(CHECKOUT_CONFIG.search(page).group(1))
    visit = ShopperVisit(order.id, f"saved card {config['paymentMethod'] or ''}".strip(), steps=browser.steps)
    key, secret = config["publishableKey"], config["clientSecret"]
    intent_url = f"{workbench.sandbox_url}/v1/payment_intents/{secret.split('_secret_')[0]}"
    if config["paymentMethod"]:
        form = {"key": key, "client_secret": secret, "payment_method": config["paymentMethod"]}
        form.update(return_url=config["returnUrl"], use_stripe_sdk="true")
        _, _, body = browser.post(intent_url + "/confirm", encode_form(form), accept="application/json")
    else:
        _, _, body = browser.get(_with_query(intent_url, {"key": key, "client_secret": secret}))
    reply = json.loads(body)
    if "error" in reply:
        visit.outcome, visit.message = "declined", reply["error"]["message"]
        return visit
    if reply["status"] == "requires_action":
        challenge = reply["next_action"]["use_stripe_sdk"]["stripe_js"]  # the modal's page
        browser.get(challenge)
        browser.post(challenge, {"client_secret": secret, "result": result, "embedded": "1"})
    _, _, page = browser.get(config["returnUrl"])  # where the page goes, whatever happened
    return _read_landing_page(visit, page, authenticated=True)


def _tab_data(pay_with, expiry, cvc, postal):
    """What the Payment Element's tab sends with the confirmation: ``payment_method_data``, and a SEPA mandate."""
    if pay_with.type == "sepa_debit":
        return {
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": "".join(pay_with.value.split())},
                "billing_details": SEPA_HOLDER,
            },
            # the mandate text the SEPA Debit tab shows, accepted by paying, as Stripe.js sends it
            "mandate_data": {"customer_acceptance": {"type": "online", "online": {"infer_from_client": True}}},
        }
    if pay_with.type == "ideal":
        return {"payment_method_data": {"type": "ideal"}}
    return {"payment_method_data": _card_data(pay_with.value, expiry, cvc, postal)}


def _card_data(card, expiry, cvc, postal):
    """``payment_method_data`` exactly as the sandbox card frame sends it."""
    month, year = (expiry or f"12/{(datetime.date.today().year + 5) % 100:02d}").replace(" ", "").split("/")
    return {
        "type": "card",
        "card": {
            "number": card.replace(" ", ""),
            "exp_month": str(int(month)),
            "exp_year": "20" + year[-2:],
            "cvc": cvc,
        },
        "billing_details": {"address": {"country": "US", "postal_code": postal}},
    }


def _read_landing_page(visit, page, authenticated):
    visit.total = text_of_test_id(page, "confirmation-amount") or text_of_test_id(page, "processing-amount")
    visit.payment_intent = text_of_test_id(page, "payment-intent-id")
    status = text_of_test_id(page, "payment-status")
    if visit.total and status in ("succeeded", "processing"):
        visit.outcome = "paid" if status == "succeeded" else "processing"
    else:
        visit.message = text_of_test_id(page, "payment-error")
        visit.outcome = "authentication failed" if authenticated and visit.message else "not paid"
    return visit


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        """Never follow: the 3D Secure page's redirect goes to a ``return_url`` that need not exist."""
        return None


def authenticate(workbench, pi, result="complete", timeout=300):
    """Finish a PaymentIntent's (or a SetupIntent's) 3D Secure challenge, or its bank's page; returns the intent
    afterwards.

    In the sandbox this presses the test page's button (``result`` is
    ``"complete"`` or ``"fail"`` for 3D Secure, ``"authorize"`` or ``"fail"`` for a
    redirect method such as iDEAL) without following its redirect, since the
    ``return_url`` of a lesson need not exist.  With real Stripe the learner presses
    it: the link is printed and the PaymentIntent is polled until it moves on.
    """
    action = pi.next_action
    if action is None:
        raise WorkbenchError(f"{pi.id} has no next_action to finish (its status is {pi.status}).")
    url = action.redirect_to_url.url if action.type == "redirect_to_url" else action.use_stripe_sdk.stripe_js
    intents = workbench.stripe.v1.setup_intents if pi.object == "setup_intent" else workbench.stripe.v1.payment_intents
    if workbench.mode == "sandbox":
        return_url = dict(parse_qsl(urlsplit(url).query)).get("return_url", "")
        data = urlencode({"client_secret": pi.client_secret, "return_url": return_url, "result": result}).encode()
        try:
            request = urllib.request.Request(url, data=data, headers=proxy_headers())
            urllib.request.build_opener(_NoRedirect()).open(request, timeout=15)
        except urllib.error.HTTPError as exc:
            if exc.code != 303:
                raise WorkbenchError(f"The 3D Secure page answered HTTP {exc.code}.") from None
        return intents.retrieve(pi.id)
    print(f"Open this 3D Secure test page and press {result.capitalize()}:\n{url}", flush=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = intents.retrieve(pi.id)
        if current.status != "requires_action":
            return current
        time.sleep(1)
    raise WorkbenchError(f"{pi.id} still requires action after {timeout} s.")
