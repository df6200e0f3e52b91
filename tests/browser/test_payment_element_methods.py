"""The Payment Element's payment method types: one tab each, SEPA Debit that settles later, iDEAL that redirects.

With automatic payment methods in euros the sandbox offers card, iDEAL and SEPA Debit, as a Stripe account
with them switched on does; in dollars, card only. The page (``tests/browser/merchant.py``) integrates as
Stripe's guides do, and the assertions are on what Stripe.js resolves, the URL it sends the shopper to, and
the PaymentIntent the server then retrieves with the secret key.
"""

import os
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from press_workbench.sandbox import clear_settle_delays, set_settle_delays
from press_workbench.sandbox.payment_method_types import TYPES, offered
from tests.bank_payments import IBAN_FAILS, IBAN_SUCCEEDS, wait_for
from tests.browser.shopper import CARD_FRAME, card_terms, choose_payment_method, fill_card, fill_iban

pytestmark = pytest.mark.browser

SCRIPT = """
  const elements = stripe.elements(DATA.deferred || {clientSecret: DATA.clientSecret, appearance: DATA.appearance});
  const paymentElement = elements.create("payment", DATA.options);
  paymentElement.on("ready", () => { window.ready = true; });
  record(paymentElement, "change");
  paymentElement.mount("#payment-element");
  window.confirmWith = (redirect) => outcome(stripe.confirmPayment({
    elements, redirect, confirmParams: {return_url: DATA.returnUrl}}));
  window.submitElements = () => elements.submit();
  window.fetchUpdates = () => elements.fetchUpdates();
  window.payDeferred = async () => {  // "Collect payment details before creating an Intent"
    const {error: submitError, selectedPaymentMethod} = await elements.submit();
    if (submitError) return {submitError};
    const res = await fetch("/create-intent?currency=eur", {method: "POST"});
    const {clientSecret} = await res.json();
    const result = await outcome(stripe.confirmPayment({elements, clientSecret, redirect: "if_required",
                                                        confirmParams: {return_url: DATA.returnUrl}}));
    return Object.assign({selectedPaymentMethod}, result);
  };
"""


@pytest.fixture
def instant_settle(sandbox):
    """Debits confirmed in this test settle at once; the sandbox's own delay applies again afterwards."""
    set_settle_delays(sandbox.data_dir, normal=0)
    yield
    clear_settle_delays(sandbox.data_dir)


def open_element(page, merchant, options=None, deferred=None, appearance=None, width=None, **intent):
    """The Payment Element for a new PaymentIntent (``intent``: its parameters) or a deferred group; returns the PI.

    ``width``: of the element in pixels (a checkout's column), else the page's.
    """
    pi = None if deferred else merchant.intent(**intent)
    data = {"deferred": deferred} if deferred else {"clientSecret": pi.client_secret, "appearance": appearance or {}}
    body = (
        f'<div id="payment-element" style="max-width: {width}px"></div>'
        if width
        else '<div id="payment-element"></div>'
    )
    merchant.open(page, body, SCRIPT, options=options or {}, **data)
    page.wait_for_function("window.ready === true")
    return pi


def euro_intent(page, merchant, **params):
    return open_element(page, merchant, currency="eur", automatic_payment_methods={"enabled": True}, **params)


def tabs(page):
    return page.frame_locator(CARD_FRAME).get_by_role("tab")


def returned(page, merchant):
    """The return_url's query, once Stripe.js (or the bank's page) has sent the shopper there."""
    page.wait_for_url(f"{merchant.url}/return?**")
    return {key: values[0] for key, values in parse_qs(urlsplit(page.url).query).items()}


def test_euros_offer_card_ideal_and_sepa_debit_and_dollars_card_alone(page, merchant):
    euro_intent(page, merchant)
    expect(tabs(page)).to_have_text(["Card", "iDEAL", "SEPA Debit"])
    expect(tabs(page).first).to_have_attribute("aria-selected", "true")
    expect(page.frame_locator(CARD_FRAME).locator('[autocomplete="cc-number"]')).to_be_visible()

    open_element(page, merchant, currency="usd", automatic_payment_methods={"enabled": True})
    expect(tabs(page)).to_have_text(["Card"])
    expect(page.frame_locator(CARD_FRAME).locator('[autocomplete="cc-number"]')).to_be_visible()


def test_payment_method_types_limit_the_tabs(page, merchant):
    pi = open_element(page, merchant, currency="eur", payment_method_types=["card", "sepa_debit"])
    assert pi.payment_method_types == ["card", "sepa_debit"]
    expect(tabs(page)).to_have_text(["Card", "SEPA Debit"])


def test_switching_tabs_emits_change_events_with_the_type(page, merchant):
    euro_intent(page, merchant)
    choose_payment_method(page, "SEPA Debit")
    choose_payment_method(page, "iDEAL")
    page.frame_locator(CARD_FRAME).get_by_role("tab", name="iDEAL").press("ArrowLeft")  # the ARIA tabs keys
    # Each change crosses from the sandbox's frame by postMessage: wait for the third rather than race it.
    changes = page.wait_for_function(
        "() => { const c = window.events.filter((e) => e.event === 'change'); return c.length >= 3 && c; }"
    ).json_value()
    assert [(e["value"]["type"], e["complete"]) for e in changes] == [
        ("sepa_debit", False),
        ("ideal", True),  # nothing to fill in: the bank's page asks
        ("card", False),
    ]
    assert all(e["elementType"] == "payment" and e["collapsed"] is False for e in changes)
    expect(page.frame_locator(CARD_FRAME).get_by_role("tab", name="Card")).to_be_focused()
    choose_payment_method(page, "SEPA Debit")
    assert page.evaluate("submitElements()")["error"]["code"] == "incomplete_name"
    fill_iban(page, IBAN_SUCCEEDS)
    assert page.evaluate("submitElements()") == {"selectedPaymentMethod": "sepa_debit"}


def test_fetch_updates_shows_the_intents_new_card_options_and_keeps_the_shoppers_tab(page, merchant, stripe_client):
    """As after the shop's "Save my card": the server changes the PaymentIntent, the page calls fetchUpdates()."""
    pi = euro_intent(page, merchant)
    frame = page.frame_locator(CARD_FRAME)
    terms = card_terms(page)
    expect(terms).to_be_hidden()
    choose_payment_method(page, "SEPA Debit")
    fill_iban(page, IBAN_SUCCEEDS)
    card_options = {"card": {"setup_future_usage": "off_session"}}
    stripe_client.v1.payment_intents.update(pi.id, params={"payment_method_options": card_options})
    assert page.evaluate("fetchUpdates()") == {}
    expect(frame.get_by_role("tab", name="SEPA Debit")).to_have_attribute("aria-selected", "true")
    assert page.evaluate("submitElements()") == {"selectedPaymentMethod": "sepa_debit"}  # the IBAN typed is kept
    choose_payment_method(page, "Card")
    expect(terms).to_be_visible()  # only the card is saved: SEPA Debit shows its mandate, as before


def test_sepa_debit_resolves_processing_with_if_required_then_settles(page, merchant, stripe_client, instant_settle):
    pi = euro_intent(page, merchant)
    choose_payment_method(page, "SEPA Debit")
    frame = page.frame_locator(CARD_FRAME)
    expect(frame.get_by_test_id("sepa-mandate")).to_contain_text(
        "you authorise (A) this business and Stripe, our payment service provider, to send instructions to your bank"
    )
    fill_iban(page, IBAN_SUCCEEDS)
    expect(frame.locator("input[name=iban]")).to_have_value("AT61 1904 3002 3457 3201")  # grouped as typed
    sent = []
    page.on("request", lambda request: sent.append((request.frame == page.main_frame, request.post_data or "")))
    resolved = page.evaluate("confirmWith('if_required')")
    assert resolved["paymentIntent"]["status"] == "processing" and "error" not in resolved
    assert page.url.startswith(f"{merchant.url}/page/")  # no redirect
    assert not any(IBAN_SUCCEEDS in body for own, body in sent if own)  # the IBAN left from the sandbox's frame only

    paid = wait_for(
        lambda: stripe_client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]}),
        lambda intent: intent.status != "processing",
    )
    assert (paid.status, paid.amount_received) == ("succeeded", pi.amount)
    details = paid.latest_charge.payment_method_details.sepa_debit
    assert details.last4 == "3201"
    mandate = stripe_client.v1.mandates.retrieve(details.mandate)
    assert mandate.customer_acceptance.type == "online"  # the acceptance Stripe.js sends for the mandate shown
    method = stripe_client.v1.payment_methods.retrieve(paid.payment_method)
    assert (method.billing_details.name, method.billing_details.email) == ("Jenny Rosen", "jenny.rosen@example.com")


def test_a_failing_iban_is_processing_then_needs_another_payment_method(page, merchant, stripe_client, instant_settle):
    pi = euro_intent(page, merchant)
    choose_payment_method(page, "SEPA Debit")
    fill_iban(page, IBAN_FAILS)
    assert page.evaluate("confirmWith('if_required')")["paymentIntent"]["status"] == "processing"
    failed = wait_for(lambda: stripe_client.v1.payment_intents.retrieve(pi.id), lambda i: i.status != "processing")
    assert failed.status == "requires_payment_method" and failed.last_payment_error is not None


def test_sepa_debit_with_redirect_always_goes_to_the_return_url(page, merchant, stripe_client):
    pi = euro_intent(page, merchant)
    choose_payment_method(page, "SEPA Debit")
    fill_iban(page, IBAN_SUCCEEDS)
    page.evaluate("() => { confirmWith('always'); }")
    query = returned(page, merchant)
    assert (query["payment_intent"], query["redirect_status"]) == (pi.id, "succeeded")
    assert query["payment_intent_client_secret"] == pi.client_secret
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status in ("processing", "succeeded")


@pytest.mark.parametrize(
    "typed, message",
    [
        ("AT61 1904 3002", "The IBAN you entered is incomplete."),
        ("AT61 1904 3002 3457 3200", "The IBAN you entered is invalid."),  # a wrong check digit
        ("XX61 1904", 'The IBAN you entered is invalid, "XX" is not a supported country code.'),
        ("61", "Your IBAN should start with a two-letter country code."),
    ],
)
def test_an_iban_stripe_would_refuse_gets_its_message_and_no_request(page, merchant, stripe_client, typed, message):
    pi = euro_intent(page, merchant)
    choose_payment_method(page, "SEPA Debit")
    fill_iban(page, IBAN_SUCCEEDS)
    frame = page.frame_locator(CARD_FRAME)
    frame.locator("input[name=iban]").fill(typed)
    confirms = []
    page.on("request", lambda request: confirms.append(request.url) if "/confirm" in request.url else None)
    error = page.evaluate("confirmWith('if_required')")["error"]
    assert (error["type"], error["message"]) == ("validation_error", message)
    expect(frame.locator("#sepa_debit-iban-error")).to_have_text(message)
    assert confirms == [] and stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


@pytest.mark.parametrize(
    "redirect, button, redirect_status, status",
    [("always", "authorize", "succeeded", "succeeded"), ("if_required", "fail", "failed", "requires_payment_method")],
)
def test_ideal_goes_to_the_banks_page_and_back(
    page, merchant, stripe_client, redirect, button, redirect_status, status
):
    pi = euro_intent(page, merchant)
    choose_payment_method(page, "iDEAL")
    expect(page.frame_locator(CARD_FRAME).locator("#panel-ideal")).to_contain_text(
        "After submission, you will be redirected to securely complete next steps."
    )
    page.evaluate(f"() => {{ confirmWith('{redirect}'); }}")
    page.wait_for_url(f"**/redirect/authorize/{pi.id}?**")  # the sandbox's test page, as Stripe's test mode shows
    page.get_by_test_id(f"redirect-{button}").click()
    query = returned(page, merchant)
    assert (query["payment_intent"], query["redirect_status"]) == (pi.id, redirect_status)
    assert query["payment_intent_client_secret"] == pi.client_secret
    intent = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (intent.status, intent.last_payment_error is None) == (status, status == "succeeded")


def test_bancontact_asks_for_a_name_then_goes_to_the_banks_page(page, merchant, stripe_client):
    pi = open_element(page, merchant, currency="eur", payment_method_types=["card", "bancontact"])
    expect(tabs(page)).to_have_text(["Card", "Bancontact"])
    choose_payment_method(page, "Bancontact")
    error = page.evaluate("confirmWith('if_required')")["error"]
    assert (error["code"], error["message"]) == ("incomplete_name", "Your full name is incomplete.")
    page.frame_locator(CARD_FRAME).locator("#panel-bancontact [autocomplete=name]").fill("Jenny Rosen")
    page.evaluate("() => { confirmWith('if_required'); }")
    page.wait_for_url(f"**/redirect/authorize/{pi.id}?**")
    page.get_by_test_id("redirect-authorize").click()
    assert returned(page, merchant)["redirect_status"] == "succeeded"
    paid = stripe_client.v1.payment_intents.retrieve(pi.id)
    method = stripe_client.v1.payment_methods.retrieve(paid.payment_method)
    assert (paid.status, method.type, method.billing_details.name) == ("succeeded", "bancontact", "Jenny Rosen")


@pytest.mark.parametrize("currency", ["eur", "usd", "gbp"])
def test_deferred_groups_offer_what_the_sandbox_offers_in_the_currency(page, merchant, currency):
    """Stripe.js asks the sandbox (its elements session): the tabs are the sandbox's automatic payment methods."""
    open_element(page, merchant, deferred={"mode": "payment", "amount": 1099, "currency": currency})
    expect(tabs(page)).to_have_text([TYPES[name].label for name in offered(currency)])
    expect(page.frame_locator(CARD_FRAME).locator('[autocomplete="cc-number"]')).to_be_visible()


def test_deferred_euros_pay_by_sepa_debit_and_allowed_types_narrow_the_tabs(page, merchant, stripe_client):
    open_element(page, merchant, deferred={"mode": "payment", "amount": 1099, "currency": "eur"})
    choose_payment_method(page, "SEPA Debit")
    fill_iban(page, IBAN_SUCCEEDS)
    result = page.evaluate("payDeferred()")
    assert (result["selectedPaymentMethod"], result["paymentIntent"]["status"]) == ("sepa_debit", "processing")
    pi = stripe_client.v1.payment_intents.retrieve(result["paymentIntent"]["id"])
    assert (pi.amount, pi.currency) == (1099, "eur")  # the server's amount

    deferred = {"mode": "payment", "amount": 1099, "currency": "eur", "allowedPaymentMethodTypes": ["card", "ideal"]}
    open_element(page, merchant, deferred=deferred)
    expect(tabs(page)).to_have_text(["Card", "iDEAL"])
    fill_card(page, "4242 4242 4242 4242")
    assert page.evaluate("submitElements()") == {"selectedPaymentMethod": "card"}


@pytest.mark.parametrize("width, column", [(1280, None), (400, 330)])  # a phone: the shop's checkout leaves 330 px
def test_the_tabs_fit_and_read_at_a_desktops_and_a_phones_width(page, merchant, tmp_path, width, column):
    """Each tab selected in turn, in the shop's font: no label cut, nothing wider than the frame; PNGs to look at."""
    page.set_viewport_size({"width": width, "height": 900})
    shop_font = {"variables": {"fontFamily": "system-ui, -apple-system, 'Segoe UI', sans-serif"}}
    options = {"business": {"name": "Press Workbench Books"}}
    euro_intent(page, merchant, options=options, appearance=shop_font, width=column)
    frame = page.frame_locator(CARD_FRAME)
    for name in ("Card", "iDEAL", "SEPA Debit"):
        choose_payment_method(page, name)
        fits = frame.locator("html").evaluate(
            """() => [...document.querySelectorAll('[role=tab], .TabLabel')].every((node) =>
                       node.scrollWidth <= node.clientWidth + 1)
                     && document.documentElement.scrollWidth <= document.documentElement.clientWidth"""
        )
        assert fits, f"{name} at {width} px: a tab's label does not fit"
        name_slug = name.lower().replace(" ", "-")
        page.locator("#payment-element").screenshot(path=str(tmp_path / f"payment-element-{name_slug}-{width}.png"))
    expect(frame.get_by_test_id("sepa-mandate")).to_contain_text("(A) Press Workbench Books and Stripe")
    folder = os.environ.get("WORKBENCH_SCREENSHOTS")
    if folder:
        for shot in tmp_path.glob("payment-element-*.png"):
            shutil.copy(shot, os.path.join(folder, shot.name))
