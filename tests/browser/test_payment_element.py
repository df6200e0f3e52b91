"""The Stripe.js stand-in used as a library, the way any Payment Element integration would use it.

A minimal page on the merchant's origin (``tests/browser/merchant.py``) loads
``<sandbox>/v3/`` and calls the public API; assertions are on the result objects, the
iframe's text and the requests the page makes.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.shopper import CARD_FRAME, fill_card

pytestmark = pytest.mark.browser

SCRIPT = """
  window.changes = [];
  const elements = stripe.elements({clientSecret: DATA.clientSecret,
                                    appearance: {variables: {colorPrimary: "#ff5500", colorDanger: "#aa0000"}}});
  const element = elements.create("payment");
  element.on("ready", () => { window.ready = true; });
  element.on("change", (e) => window.changes.push(e));
  element.mount("#payment-element");
  window.confirmInPage = () => stripe.confirmPayment({elements, redirect: "if_required",
                                                     confirmParams: {return_url: location.href}});
  window.submitElements = () => elements.submit();
"""


def open_harness(page, merchant, **params):
    """The Payment Element mounted for a fresh PaymentIntent on the merchant's page."""
    pi = merchant.intent(**params)
    merchant.open(page, '<div id="payment-element"></div>', SCRIPT, clientSecret=pi.client_secret)
    page.wait_for_function("window.ready === true")
    return pi


def test_if_required_resolves_in_page_without_redirect(page, merchant, stripe_client):
    pi = open_harness(page, merchant)
    fill_card(page, "4242 4242 4242 4242")
    before = page.url
    result = page.evaluate("confirmInPage()")
    assert result["paymentIntent"]["id"] == pi.id and result["paymentIntent"]["status"] == "succeeded"
    assert "error" not in result
    assert page.url == before and "redirect_status" not in page.url  # no redirect to return_url (location.href)
    assert stripe_client.v1.payment_intents.retrieve(pi.id).amount_received == 2300


@pytest.mark.parametrize(
    "number, message, decline_code",
    [
        ("4000 0000 0000 0002", "Your card was declined.", "generic_decline"),
        ("4000 0000 0000 9995", "Your card has insufficient funds.", "insufficient_funds"),
        ("4000 0000 0000 9987", "Your card was declined.", "lost_card"),
        ("4000 0000 0000 9979", "Your card was declined.", "stolen_card"),
        ("4000 0000 0000 0069", "Your card has expired.", "expired_card"),
        ("4000 0000 0000 0127", "Your card's security code is incorrect.", "incorrect_cvc"),
        (
            "4000 0000 0000 0119",
            "An error occurred while processing your card. Try again in a little bit.",
            "processing_error",
        ),
    ],
)
def test_each_decline_family_resolves_stripes_error(page, merchant, number, message, decline_code):
    open_harness(page, merchant)
    fill_card(page, number)
    error = page.evaluate("confirmInPage()")["error"]
    assert (error["type"], error["message"], error["decline_code"]) == ("card_error", message, decline_code)
    assert error["payment_intent"]["status"] == "requires_payment_method"


def test_three_d_secure_in_a_modal_with_if_required(page, merchant):
    pi = open_harness(page, merchant)
    fill_card(page, "4000 0027 6000 3184")
    page.evaluate("() => { window.pending = confirmInPage(); }")  # don't await: the challenge must be clicked
    challenge = page.frame_locator(f'iframe[src*="/3ds/authenticate/{pi.id}"]')
    challenge.get_by_test_id("3ds-complete").click()
    result = page.evaluate("window.pending")
    assert result["paymentIntent"]["status"] == "succeeded"


def test_three_d_secure_failure_with_if_required(page, merchant):
    pi = open_harness(page, merchant)
    fill_card(page, "4000 0000 0000 3220")
    page.evaluate("() => { window.pending = confirmInPage(); }")
    page.frame_locator(f'iframe[src*="/3ds/authenticate/{pi.id}"]').get_by_test_id("3ds-fail").click()
    error = page.evaluate("window.pending")["error"]
    assert error["code"] == "payment_intent_authentication_failure"
    assert error["payment_intent"]["status"] == "requires_payment_method"


def test_invalid_number_is_rejected_before_any_request(page, merchant):
    open_harness(page, merchant)
    confirms = []
    page.on("request", lambda request: confirms.append(request.url) if "/confirm" in request.url else None)
    fill_card(page, "4242 4242 4242 4241")
    result = page.evaluate("confirmInPage()")
    assert result["error"]["type"] == "validation_error"
    assert result["error"]["message"] == "Your card number is invalid."
    frame = page.frame_locator(CARD_FRAME)
    expect(frame.locator("#number-error")).to_have_text("Your card number is invalid.")
    assert confirms == []


def test_incomplete_form_submit_and_change_events(page, merchant):
    open_harness(page, merchant)
    submitted = page.evaluate("submitElements()")
    assert submitted["error"]["type"] == "validation_error"
    assert submitted["error"]["message"] == "Your card number is incomplete."
    fill_card(page, "4242 4242 4242 4242")
    page.wait_for_function("window.changes.length && window.changes[window.changes.length - 1].complete")
    last = page.evaluate("window.changes[window.changes.length - 1]")
    assert (last["elementType"], last["complete"], last["empty"], last["value"]["type"]) == (
        "payment",
        True,
        False,
        "card",
    )
    assert page.evaluate("submitElements()") == {"selectedPaymentMethod": "card"}


def test_frame_is_isolated_labelled_and_styled(page, merchant, sandbox_url):
    open_harness(page, merchant)
    frame_element = page.locator(CARD_FRAME)
    assert frame_element.get_attribute("src").startswith(f"{sandbox_url}/v3/elements-inner-payment.html?")
    frame = page.frame_locator(CARD_FRAME)
    expect(frame.get_by_text("SANDBOX — test data only")).to_be_visible()
    primary = frame.locator("html").evaluate("el => getComputedStyle(el).getPropertyValue('--color-primary')")
    assert primary.strip() == "#ff5500"
    # The shop's page cannot reach into the card form: it is another origin.
    blocked = page.evaluate("""() => { try { return document.querySelector('iframe').contentDocument === null; }
                                       catch (e) { return true; } }""")
    assert blocked


def test_fill_test_card_fills_the_form_on_a_click_and_leaves_paying_to_the_presenter(page, merchant, stripe_client):
    pi = open_harness(page, merchant)
    frame = page.frame_locator(CARD_FRAME)
    expect(frame.get_by_test_id("fill-test-card")).to_have_text(
        ["4242 · succeeds", "0002 · declined", "3184 · 3D Secure"]
    )
    expect(frame.locator('[autocomplete="cc-number"]')).to_have_value("")  # nothing is filled until a click
    frame.get_by_role("button", name="Fill test card 4000 0000 0000 0002 (declined)").click()
    expect(frame.locator('[autocomplete="cc-number"]')).to_have_value("4000 0000 0000 0002")
    expect(frame.locator('[autocomplete="cc-exp"]')).to_have_value(re.compile(r"^12 / \d\d$"))
    expect(frame.locator('[autocomplete="cc-csc"]')).to_have_value("123")
    expect(frame.locator('[autocomplete="postal-code"]')).to_have_value("10001")
    page.wait_for_function("window.changes.length > 0 && window.changes.at(-1).complete === true")
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"  # filled, not paid
    result = page.evaluate("confirmInPage()")
    assert result["error"]["decline_code"] == "generic_decline"
