"""Each Element of the Stripe.js stand-in, used the way Stripe's docs show it, on a merchant's page.

The scripts below are integrations as the docs write them (the Payment Element with the
Link Authentication and Address Elements, the card Element with ``confirmCardPayment``,
the split card Elements, the Express Checkout Element); the assertions read the events
and results the page got and the objects stripe-python retrieves from the sandbox.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.shopper import authenticate, fill_address, fill_card, fill_card_element, fill_email, frame

pytestmark = pytest.mark.browser

CHECKOUT = """
  const elements = stripe.elements({clientSecret: DATA.clientSecret, loader: "auto"});
  const linkAuthenticationElement = elements.create("linkAuthentication");
  const addressElement = elements.create("address", {mode: "shipping", allowedCountries: ["US", "CA"]});
  const paymentElement = elements.create("payment");
  linkAuthenticationElement.mount("#link-authentication-element");
  addressElement.mount("#address-element");
  paymentElement.mount("#payment-element");
  linkAuthenticationElement.on("change", (event) => { window.email = event.value.email; });
  record(linkAuthenticationElement, "ready", "change", "focus", "blur", "loaderror");
  record(addressElement, "ready", "change", "loaderror");
  record(paymentElement, "ready", "loaderstart", "loaderror");
  window.pay = () => outcome(stripe.confirmPayment({elements, redirect: "if_required",
                                                   confirmParams: {return_url: DATA.returnUrl}}));
"""
CHECKOUT_BODY = """<form id="payment-form"><div id="link-authentication-element"></div>
<div id="address-element"></div><div id="payment-element"></div></form>"""


def events(page, name, element_type):
    return page.evaluate(
        "([name, type]) => window.events.filter((e) => e.event === name && e.elementType === type)",
        [name, element_type],
    )


def settled(page, name, element_type, where):
    """The last ``name`` event of an element once one satisfies ``where`` (JavaScript on ``e``).

    Events cross from the sandbox's frames by postMessage, after the keystrokes that caused them: reading
    ``window.events`` straight after a fill races the last of them.
    """
    page.wait_for_function(
        f"([name, type]) => window.events.some((e) => e.event === name && e.elementType === type && ({where}))",
        arg=[name, element_type],
    )
    return events(page, name, element_type)[-1]


def wait_ready(page, *element_types):
    for element_type in element_types:
        page.wait_for_function(
            "(type) => window.events.some((e) => e.event === 'ready' && e.elementType === type)", arg=element_type
        )


def test_payment_element_with_link_authentication_and_shipping_address(page, merchant, stripe_client):
    pi = merchant.intent()
    merchant.open(page, CHECKOUT_BODY, CHECKOUT, clientSecret=pi.client_secret)
    wait_ready(page, "linkAuthentication", "address", "payment")
    assert events(page, "loaderstart", "payment")

    first = page.evaluate("pay()")  # nothing filled in: the first Element's message, nothing sent
    assert first["error"] == {
        "type": "validation_error",
        "code": "incomplete_email",
        "message": "Your email address is incomplete.",
    }
    expect(frame(page, "Secure address input frame").locator("#name-error")).to_have_text(
        "Your full name is incomplete."
    )

    fill_email(page, "jenny@example.com")
    page.wait_for_function("window.email === 'jenny@example.com'")
    change = events(page, "change", "linkAuthentication")[-1]
    assert (change["complete"], change["empty"], change["value"]) == (True, False, {"email": "jenny@example.com"})
    assert events(page, "focus", "linkAuthentication")

    fill_address(page)
    page.wait_for_function("window.events.some((e) => e.elementType === 'address' && e.complete)")
    address = events(page, "change", "address")[-1]
    assert (address["elementMode"], address["value"]["name"], address["value"]["address"]["country"]) == (
        "shipping",
        "Jenny Rosen",
        "US",
    )
    assert page.evaluate("addressElement.getValue()")["value"]["address"]["postal_code"] == "94080"

    fill_card(page, "4242 4242 4242 4242")
    assert page.evaluate("pay()")["paymentIntent"]["status"] == "succeeded"
    paid = stripe_client.v1.payment_intents.retrieve(pi.id, params={"expand": ["payment_method"]})
    assert paid.shipping.name == "Jenny Rosen"
    assert paid.shipping.address.to_dict() == {
        "line1": "354 Oyster Point Blvd",
        "line2": None,
        "state": "CA",
        "city": "South San Francisco",
        "postal_code": "94080",
        "country": "US",
    }
    assert paid.payment_method.billing_details.email == "jenny@example.com"


CARD = """
  const elements = stripe.elements();
  const card = elements.create("card", {style: {base: {color: "#32325d", fontSize: "16px"}}});
  card.mount("#card-element");
  card.on("change", ({error}) => {
    document.getElementById("card-errors").textContent = error ? error.message : "";
  });
  record(card, "ready", "change", "focus", "blur");
  window.pay = (clientSecret) => outcome(stripe.confirmCardPayment(clientSecret, {
    payment_method: {card, billing_details: {name: "Jenny Rosen"}},
  }));
  window.createPaymentMethod = () => stripe.createPaymentMethod({type: "card", card, billing_details: {name: "Jenny"}});
"""
CARD_BODY = '<form><div id="card-element"></div><div id="card-errors" role="alert"></div></form>'


def test_card_element_with_confirm_card_payment(page, merchant, stripe_client):
    merchant.open(page, CARD_BODY, CARD)
    wait_ready(page, "card")
    card = frame(page, "Secure card payment input frame")
    card.locator('[autocomplete="cc-number"]').fill("4242 4242 4242 4241")
    expect(page.locator("#card-errors")).to_have_text("Your card number is invalid.")  # the page shows change.error

    pi = merchant.intent(payment_method_types=["card"])
    fill_card_element(page, "4000 0000 0000 0002")
    declined = page.evaluate("(secret) => pay(secret)", pi.client_secret)["error"]
    assert (declined["type"], declined["code"], declined["decline_code"]) == (
        "card_error",
        "card_declined",
        "generic_decline",
    )

    fill_card_element(page, "4242 4242 4242 4242", postal="94110")
    change = settled(page, "change", "card", "e.value.postalCode === '94110'")
    assert (change["complete"], change["brand"], change["value"], change.get("error")) == (
        True,
        "visa",
        {"postalCode": "94110"},
        None,
    )
    classes = page.locator("#card-element").evaluate("(node) => [...node.classList]")
    assert {"StripeElement", "StripeElement--complete"} <= set(classes) and "StripeElement--invalid" not in classes
    assert page.evaluate("(secret) => pay(secret)", pi.client_secret)["paymentIntent"]["status"] == "succeeded"
    paid = stripe_client.v1.payment_intents.retrieve(pi.id, params={"expand": ["payment_method"]})
    assert (paid.payment_method.billing_details.name, paid.payment_method.billing_details.address.postal_code) == (
        "Jenny Rosen",
        "94110",
    )
    created = page.evaluate("createPaymentMethod()")["paymentMethod"]
    assert (created["card"]["brand"], created["card"]["last4"], created["billing_details"]["name"]) == (
        "visa",
        "4242",
        "Jenny",
    )


def test_card_element_three_d_secure_opens_in_a_modal(page, merchant):
    merchant.open(page, CARD_BODY, CARD)
    wait_ready(page, "card")
    pi = merchant.intent(payment_method_types=["card"])
    fill_card_element(page, "4000 0027 6000 3184")
    page.evaluate("(secret) => { window.pending = pay(secret); }", pi.client_secret)
    expect(page.get_by_role("dialog", name="3D Secure authentication")).to_be_visible()  # over the page, no redirect
    authenticate(page, "complete")
    assert page.evaluate("window.pending")["paymentIntent"]["status"] == "succeeded"
    assert "/page/" in page.url


SPLIT = """
  const elements = stripe.elements();
  const cardNumber = elements.create("cardNumber", {showIcon: true});
  const cardExpiry = elements.create("cardExpiry");
  const cardCvc = elements.create("cardCvc");
  cardNumber.mount("#card-number");
  cardExpiry.mount("#card-expiry");
  cardCvc.mount("#card-cvc");
  [cardNumber, cardExpiry, cardCvc].forEach((element) => record(element, "ready", "change", "focus", "blur"));
  window.pay = (clientSecret) => outcome(stripe.confirmCardPayment(clientSecret, {payment_method: {card: cardNumber}}));
"""


def test_split_card_elements_join_into_one_card(page, merchant, stripe_client):
    merchant.open(page, '<div id="card-number"></div><div id="card-expiry"></div><div id="card-cvc"></div>', SPLIT)
    wait_ready(page, "cardNumber", "cardExpiry", "cardCvc")
    page.evaluate("cardNumber.focus()")
    page.wait_for_function("window.events.some((e) => e.event === 'focus' && e.elementType === 'cardNumber')")
    frame(page, "Secure card number input frame").locator('[autocomplete="cc-number"]').fill("3782 822463 10005")
    assert settled(page, "change", "cardNumber", "e.brand !== 'unknown'")["brand"] == "amex"

    pi = merchant.intent(payment_method_types=["card"])
    incomplete = page.evaluate("(secret) => pay(secret)", pi.client_secret)["error"]
    assert incomplete == {
        "type": "validation_error",
        "code": "incomplete_expiry",
        "message": "Your card's expiration date is incomplete.",
    }
    frame(page, "Secure expiration date input frame").locator('[autocomplete="cc-exp"]').fill("12 / 34")
    frame(page, "Secure CVC input frame").locator('[autocomplete="cc-csc"]').fill("1234")  # Amex: four digits
    page.wait_for_function("window.events.some((e) => e.elementType === 'cardCvc' && e.complete)")
    assert page.evaluate("(secret) => pay(secret)", pi.client_secret)["paymentIntent"]["status"] == "succeeded"
    charge = stripe_client.v1.charges.retrieve(stripe_client.v1.payment_intents.retrieve(pi.id).latest_charge)
    assert (charge.payment_method_details.card.brand, charge.payment_method_details.card.last4) == ("amex", "0005")
    assert events(page, "blur", "cardNumber")


EXPRESS = """
  const elements = stripe.elements({mode: "payment", amount: 1099, currency: "usd"});
  const expressCheckoutElement = elements.create("expressCheckout");
  expressCheckoutElement.mount("#express-checkout-element");
  record(expressCheckoutElement, "ready", "availablepaymentmethodschange");
  expressCheckoutElement.on("ready", ({availablePaymentMethods}) => {
    document.getElementById("express-checkout-element").style.visibility = availablePaymentMethods ? "initial" : "hidden";
  });
"""


def test_express_checkout_element_reports_no_wallets_offline(page, merchant):
    merchant.open(page, '<div id="express-checkout-element" style="visibility: hidden"></div>', EXPRESS)
    wait_ready(page, "expressCheckout")
    ready = events(page, "ready", "expressCheckout")[0]
    assert ready == {"event": "ready", "elementType": "expressCheckout"}  # availablePaymentMethods: undefined
    assert page.evaluate("window.events.some((e) => e.event === 'availablepaymentmethodschange' && !e.paymentMethods)")
    assert page.locator("#express-checkout-element iframe").count() == 0  # no wallet, no button
    thrown = page.evaluate("""() => { try { stripe.confirmPayment({elements, confirmParams: {return_url: DATA.returnUrl}}); }
                                      catch (error) { return error.name + ': ' + error.message; } }""")
    assert thrown.startswith('IntegrationError: Element confirming payment is "expressCheckout"')


def test_a_wrong_client_secret_is_a_loaderror_for_every_element(page, merchant):
    pi = merchant.intent()
    wrong = pi.id + "_secret_wrong"
    merchant.open(page, CHECKOUT_BODY, CHECKOUT, clientSecret=wrong)
    page.wait_for_function(
        "() => ['payment', 'address', 'linkAuthentication'].every((type) => window.events.some("
        "(e) => e.event === 'loaderror' && e.elementType === type))"
    )
    error = page.evaluate("window.events.find((e) => e.event === 'loaderror').error")
    assert error["message"].startswith("The client_secret provided does not match")
    expect(frame(page, "Secure payment input frame").locator("#banner")).to_contain_text("could not load")
    assert not events(page, "ready", "payment")
