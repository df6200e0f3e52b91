"""Stripe.js flows beyond "mount, confirm": deferred intents, finalizing on the server, misuse.

The scripts follow Stripe's guides: "Collect payment details before creating an Intent"
(``elements({mode, amount, currency})``, ``elements.submit()``, the server creates the
PaymentIntent, ``confirmPayment({elements, clientSecret})``) and "Finalize payments on
the server" (``createPaymentMethod({elements})``, the server confirms with
``use_stripe_sdk``, ``handleNextAction``). Misuse gets Stripe.js's integration errors.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.merchant import DEFERRED
from tests.browser.shopper import authenticate, fill_address, fill_card
from tests.sandbox.conftest import RETURN_URL

pytestmark = pytest.mark.browser


def test_deferred_intent_confirm_payment_three_d_secure_then_return_url(page, merchant, stripe_client):
    merchant.open(page, '<form><div id="payment-element"></div></form>', DEFERRED)
    page.wait_for_function("window.ready === true")
    incomplete = page.evaluate("pay()")["submitError"]
    assert incomplete["message"] == "Your card number is incomplete."

    fill_card(page, "4000 0027 6000 3184")
    page.evaluate("() => { window.pending = pay(); }")
    authenticate(page, "complete")  # in a modal over the page, then Stripe.js goes to return_url
    page.wait_for_url(f"{merchant.url}/return?**")
    query = dict(part.split("=", 1) for part in page.url.split("?", 1)[1].split("&"))
    assert query["redirect_status"] == "succeeded"
    pi = stripe_client.v1.payment_intents.retrieve(query["payment_intent"])
    assert (pi.status, pi.amount_received) == ("succeeded", 1099)  # the server's amount


FINALIZE_ON_SERVER = """
  const elements = stripe.elements({mode: "payment", amount: 1099, currency: "usd", paymentMethodCreation: "manual"});
  const addressElement = elements.create("address", {mode: "billing"});
  const paymentElement = elements.create("payment");
  addressElement.mount("#address-element");
  paymentElement.mount("#payment-element");
  paymentElement.on("ready", () => { window.ready = true; });

  window.createPaymentMethod = async () => {
    const {error: submitError} = await elements.submit();
    if (submitError) return {submitError};
    return stripe.createPaymentMethod({elements, params: {billing_details: {email: "jenny@example.com"}}});
  };
  window.finish = (clientSecret) => outcome(stripe.handleNextAction({clientSecret}));
"""


def test_finalize_on_the_server_with_create_payment_method_and_handle_next_action(page, merchant, stripe_client):
    merchant.open(
        page, '<form><div id="address-element"></div><div id="payment-element"></div></form>', FINALIZE_ON_SERVER
    )
    page.wait_for_function("window.ready === true")
    fill_address(page)
    fill_card(page, "4000 0027 6000 3184", postal="10001")
    created = page.evaluate("createPaymentMethod()")["paymentMethod"]
    billing = created["billing_details"]  # the billing Address Element's, over the page's and the card form's
    assert (created["card"]["last4"], billing["name"], billing["email"]) == ("3184", "Jenny Rosen", "jenny@example.com")
    assert (billing["address"]["line1"], billing["address"]["postal_code"]) == ("354 Oyster Point Blvd", "94080")

    pi = stripe_client.v1.payment_intents.create(
        params={  # what the guide's server does with the id
            "amount": 1099,
            "currency": "usd",
            "automatic_payment_methods": {"enabled": True},
            "confirm": True,
            "payment_method": created["id"],
            "return_url": RETURN_URL,
            "use_stripe_sdk": True,
        }
    )
    assert pi.status == "requires_action"
    page.evaluate("(secret) => { window.pending = finish(secret); }", pi.client_secret)
    expect(page.get_by_role("dialog", name="3D Secure authentication")).to_be_visible()
    authenticate(page, "complete")
    assert page.evaluate("window.pending")["paymentIntent"]["status"] == "succeeded"
    assert stripe_client.v1.payment_intents.retrieve(pi.id).amount_received == 1099

    done = page.evaluate("(secret) => finish(secret)", pi.client_secret)["thrown"]
    assert done.startswith("IntegrationError: stripe.handleNextAction(): the PaymentIntent must have a status of")


MISUSE = """
  const deferred = stripe.elements({mode: "payment", amount: 1099, currency: "usd"});
  const deferredPayment = deferred.create("payment");
  deferredPayment.mount("#deferred");
  const manual = stripe.elements({mode: "payment", amount: 1099, currency: "usd", paymentMethodCreation: "manual"});
  manual.create("payment").mount("#manual");
  const cards = stripe.elements();
  const cardNumber = cards.create("cardNumber");
  const thrown = (run) => { try { run(); return null; } catch (error) { return error.name + ": " + error.message; } };
  window.misuse = async () => ({
    confirmBeforeSubmit: (await outcome(stripe.confirmPayment({elements: deferred, clientSecret: DATA.clientSecret,
                                                               confirmParams: {return_url: DATA.returnUrl}}))).thrown,
    createWithoutManualCreation: thrown(() => stripe.createPaymentMethod({elements: deferred})),
    createBeforeSubmit: (await outcome(stripe.createPaymentMethod({elements: manual}))).thrown,
    confirmWithoutReturnUrl: thrown(() => stripe.confirmPayment({elements: deferred, clientSecret: DATA.clientSecret})),
    elementPassedDirectly: thrown(() => stripe.confirmCardPayment(DATA.clientSecret, cardNumber)),
    unmountedCard: thrown(() => stripe.confirmCardPayment(DATA.clientSecret, {payment_method: {card: cardNumber}})),
    paymentWithoutIntent: thrown(() => cards.create("payment")),
    addressWithoutMode: thrown(() => cards.create("address")),
    cardNextToSplit: thrown(() => cards.create("card")),
    twoPaymentElements: thrown(() => deferred.create("payment")),
    notModelledElement: thrown(() => cards.create("iban")),
    notModelledMethod: thrown(() => stripe.handleCardAction(DATA.clientSecret)),
  });
"""


def test_misuse_gets_stripe_js_integration_errors(page, merchant):
    pi = merchant.intent()
    merchant.open(page, '<div id="deferred"></div><div id="manual"></div>', MISUSE, clientSecret=pi.client_secret)
    errors = page.evaluate("misuse()")
    assert errors["confirmBeforeSubmit"] == (
        "IntegrationError: elements.submit() must be called before stripe.confirmPayment(). Call elements.submit() "
        "as soon as your customer presses pay, prior to any asynchronous work. Integration guide: "
        "https://stripe.com/docs/payments/accept-a-payment-deferred"
    )
    assert "paymentMethodCreation: 'manual'" in errors["createWithoutManualCreation"]
    assert errors["createBeforeSubmit"].startswith(
        "IntegrationError: elements.submit() must be called before createPaymentMethod()."
    )
    assert "`confirmParams.return_url` argument is required" in errors["confirmWithoutReturnUrl"]
    assert errors["elementPassedDirectly"].startswith(
        "IntegrationError: Do not pass an Element to stripe.confirmCardPayment() directly."
    )
    assert errors["unmountedCard"] == (
        "IntegrationError: We could not retrieve data from the specified Element. "
        "Please make sure the Element you are attempting to use is still mounted."
    )
    assert errors["paymentWithoutIntent"] == (
        "IntegrationError: In order to create a payment element, you must pass "
        "a clientSecret or mode when creating the Elements group."
    )
    assert "mode should be one of the following strings: shipping, billing" in errors["addressWithoutMode"]
    assert "use either the card Element or the cardNumber, cardExpiry and cardCvc Elements" in errors["cardNextToSplit"]
    assert errors["twoPaymentElements"] == "IntegrationError: Can only create one Element of type payment."
    assert "does not model the `iban` Element" in errors["notModelledElement"]
    assert "stripe.handleCardAction() is not modelled" in errors["notModelledMethod"]


def test_the_api_version_given_to_stripe_goes_with_every_call(page, merchant):
    """``Stripe(pk, {apiVersion})`` sends it as js.stripe.com does (``_stripe_version``); the sandbox checks it."""
    pi = merchant.intent(payment_method_types=["card"])
    merchant.open(
        page,
        "",
        "window.retrieve = ([version, secret]) => "
        "Stripe(DATA.publishableKey, {apiVersion: version}).retrievePaymentIntent(secret);",
    )
    found = page.evaluate("retrieve", ["2020-08-27", pi.client_secret])
    assert found["paymentIntent"]["id"] == pi.id
    refused = page.evaluate("retrieve", ["banana", pi.client_secret])
    assert refused["error"]["message"] == "Invalid Stripe API version: banana"
