"""Stripe.js for returning customers: SetupIntents, saved cards, and bringing a customer back on-session.

The pages follow Stripe's guides: "Set up future payments" (the Payment Element with a
SetupIntent's client secret or ``elements({mode: 'setup'})``, ``confirmSetup``, a return page
that calls ``retrieveSetupIntent``), the older "Save a card" guide (the card Element and
``confirmCardSetup``), "Charge a saved card off-session" (the server meets
``authentication_required`` or a decline, and the page recovers with ``confirmCardPayment``)
and "Save payment details during payment" (``setup_future_usage``). The assertions read what
the page shows and got from Stripe.js, and the objects stripe-python retrieves from the sandbox.
"""

from urllib.parse import parse_qsl, urlsplit

import pytest
import stripe
from playwright.sync_api import expect

from tests.browser.merchant import DEFERRED
from tests.browser.shopper import THREE_D_SECURE_FRAME, authenticate, fill_card, fill_card_element, frame

pytestmark = pytest.mark.browser

PAYMENT_FRAME = "Secure payment input frame"
TERMS = (
    "By providing your card information, you allow {} to charge your card for future payments in accordance with "
    "their terms."
)
# What Stripe returns for a SetupIntent fetched with a publishable key (stripe-js types/api/setup-intents.d.ts).
PUBLISHABLE_SETUP_INTENT = {"id", "object", "cancellation_reason", "client_secret", "created", "description",
                            "last_setup_error", "livemode", "next_action", "payment_method", "payment_method_types",
                            "status", "usage"}  # fmt: skip

SAVE_FORM = """<form id="setup-form"><div id="payment-element"></div><button id="submit">Save card</button>
<div id="error-message" role="alert"></div></form>"""

SET_UP_FUTURE_PAYMENTS = """
  const elements = stripe.elements({clientSecret: DATA.clientSecret});
  const paymentElement = elements.create("payment");
  paymentElement.mount("#payment-element");
  paymentElement.on("ready", () => { window.ready = true; });

  document.querySelector("#setup-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const {error} = await stripe.confirmSetup({elements, confirmParams: {return_url: DATA.returnUrl}});
    // Only on an error: on success Stripe.js has gone to return_url.
    document.querySelector("#error-message").textContent = error.message;
  });
"""

# The return page of Stripe's guide: what the SetupIntent's status means for the customer.
SETUP_STATUS = """
  const clientSecret = new URLSearchParams(window.location.search).get("setup_intent_client_secret");
  stripe.retrieveSetupIntent(clientSecret).then(({setupIntent}) => {
    window.setupIntent = setupIntent;
    const message = document.querySelector("#message");
    switch (setupIntent.status) {
      case "succeeded": message.innerText = "Success! Your payment method has been saved."; break;
      case "processing": message.innerText = "Processing payment details. We'll update you when processing is complete."; break;
      case "requires_payment_method": message.innerText = "Failed to process payment details. Please try another payment method."; break;
    }
  });
"""


def query_of(url):
    return dict(parse_qsl(urlsplit(url).query))


def new_customer(stripe_client, **params):
    return stripe_client.v1.customers.create(params={"email": "jenny@example.com", **params})


def setup_intent_for(stripe_client, customer, **params):
    """A SetupIntent for the customer, as the "Set up future payments" guide's server makes it."""
    params = params or {"automatic_payment_methods": {"enabled": True}}
    return stripe_client.v1.setup_intents.create(params={"customer": customer.id, **params})


def open_ready(page, merchant, body, script, **data):
    """Open the page and wait for its Element's ``ready``."""
    merchant.open(page, body, script, **data)
    page.wait_for_function("window.ready === true")


def saved_cards(stripe_client, customer):
    """The customer's saved cards, by last 4."""
    listed = stripe_client.v1.customers.payment_methods.list(customer.id, params={"type": "card"})
    return sorted(pm.card.last4 for pm in listed.data)


def test_setup_intent_payment_element_confirm_setup_three_d_secure_then_return_url(page, merchant, stripe_client):
    customer = new_customer(stripe_client)
    seti = setup_intent_for(stripe_client, customer)
    status_page = merchant.serve('<p id="message"></p>', SETUP_STATUS)
    open_ready(
        page, merchant, SAVE_FORM, SET_UP_FUTURE_PAYMENTS, clientSecret=seti.client_secret, returnUrl=status_page
    )
    expect(frame(page, PAYMENT_FRAME).get_by_text(TERMS.format("this business"))).to_be_visible()

    page.get_by_role("button", name="Save card").click()
    expect(page.locator("#error-message")).to_have_text("Your card number is incomplete.")

    fill_card(page, "4000 0027 6000 3184")
    page.get_by_role("button", name="Save card").click()
    expect(page.get_by_role("dialog", name="3D Secure authentication")).to_be_visible()
    authenticate(page, "complete")
    page.wait_for_url(f"{status_page}?**")
    assert query_of(page.url) == {
        "setup_intent": seti.id,
        "setup_intent_client_secret": seti.client_secret,
        "redirect_status": "succeeded",
    }
    expect(page.locator("#message")).to_have_text("Success! Your payment method has been saved.")
    seen = page.evaluate("window.setupIntent")  # retrieveSetupIntent: the publishable-key view
    assert set(seen) == PUBLISHABLE_SETUP_INTENT
    assert (seen["status"], seen["usage"]) == ("succeeded", "off_session")

    seti = stripe_client.v1.setup_intents.retrieve(seti.id)
    assert (seti.status, seti.customer) == ("succeeded", customer.id)
    assert stripe_client.v1.payment_methods.retrieve(seti.payment_method).customer == customer.id
    assert saved_cards(stripe_client, customer) == ["3184"]


# The Payment Element with an intent's client secret, confirmed (DATA.confirm: confirmPayment or confirmSetup) with
# redirect: "if_required" and DATA.confirmParams.
CONFIRM_IF_REQUIRED = """
  const elements = stripe.elements({clientSecret: DATA.clientSecret});
  const paymentElement = elements.create("payment");
  paymentElement.mount("#payment-element");
  paymentElement.on("ready", () => { window.ready = true; });
  window.confirmIntent = () => outcome(stripe[DATA.confirm]({elements, redirect: "if_required",
    confirmParams: Object.assign({return_url: DATA.returnUrl}, DATA.confirmParams)}));
"""


def test_confirm_setup_if_required_decline_failed_authentication_then_success(page, merchant, stripe_client):
    customer = new_customer(stripe_client)
    seti = setup_intent_for(stripe_client, customer)
    open_ready(
        page,
        merchant,
        '<div id="payment-element"></div>',
        CONFIRM_IF_REQUIRED,
        clientSecret=seti.client_secret,
        confirm="confirmSetup",
    )

    fill_card(page, "4000 0000 0000 0002")
    declined = page.evaluate("confirmIntent()")["error"]
    assert (declined["type"], declined["code"], declined["decline_code"]) == (
        "card_error",
        "card_declined",
        "generic_decline",
    )
    assert declined["message"] == "Your card was declined."
    assert (declined["setup_intent"]["id"], declined["setup_intent"]["status"]) == (seti.id, "requires_payment_method")

    fill_card(page, "4000 0027 6000 3184")
    page.evaluate("() => { window.pending = confirmIntent(); }")
    authenticate(page, "fail")
    failed = page.evaluate("window.pending")["error"]
    assert failed["code"] == "setup_intent_authentication_failure"
    assert failed["setup_intent"]["status"] == "requires_payment_method"
    expect(page.locator(THREE_D_SECURE_FRAME)).to_have_count(0)  # the modal is gone

    page.evaluate("() => { window.pending = confirmIntent(); }")
    authenticate(page, "complete")
    set_up = page.evaluate("window.pending")["setupIntent"]
    assert (set_up["id"], set_up["status"]) == (seti.id, "succeeded")
    assert urlsplit(page.url).path.startswith("/page/")  # if_required: a card stays on the page
    assert saved_cards(stripe_client, customer) == ["3184"]  # the declined card was not saved

    again = page.evaluate("confirmIntent()")["error"]  # a SetupIntent is confirmed once
    assert (again["type"], again["code"]) == ("invalid_request_error", "setup_intent_unexpected_state")


def test_deferred_setup_mode_confirm_setup_redirects_with_stripes_query(page, merchant, stripe_client, monkeypatch):
    customer = new_customer(stripe_client)
    monkeypatch.setattr(merchant, "creates", lambda: setup_intent_for(stripe_client, customer))
    made_before = len(merchant.created)
    open_ready(
        page,
        merchant,
        '<div id="payment-element"></div>',
        DEFERRED,
        elements={"mode": "setup", "currency": "usd"},
        paymentElement={"business": {"name": "Press Books"}},
        confirm="confirmSetup",
    )
    expect(frame(page, PAYMENT_FRAME).get_by_text(TERMS.format("Press Books"))).to_be_visible()
    assert page.evaluate("pay()")["submitError"]["message"] == "Your card number is incomplete."
    assert len(merchant.created) == made_before  # nothing reaches the server before elements.submit() passes

    fill_card(page, "4242 4242 4242 4242")
    page.evaluate("() => { window.pending = pay(); }")
    page.wait_for_url(f"{merchant.url}/return?**")
    seti = merchant.created[-1]
    query = query_of(page.url)
    assert (query["setup_intent"], query["setup_intent_client_secret"], query["redirect_status"]) == (
        seti.id,
        seti.client_secret,
        "succeeded",
    )
    assert stripe_client.v1.setup_intents.retrieve(seti.id).status == "succeeded"
    assert saved_cards(stripe_client, customer) == ["4242"]


SAVE_A_CARD = """
  const elements = stripe.elements();
  const card = elements.create("card");
  card.mount("#card-element");
  card.on("ready", () => { window.ready = true; });
  const email = () => document.querySelector("#email").value;

  window.saveCard = (clientSecret) => outcome(stripe.confirmCardSetup(clientSecret, {
    payment_method: {card, billing_details: {email: email()}},
  }));
  window.createCard = () => stripe.createPaymentMethod({type: "card", card});
  window.saveById = async (clientSecret) => {
    const {paymentMethod, error} = await createCard();
    return error ? {error} : outcome(stripe.confirmCardSetup(clientSecret, {payment_method: paymentMethod.id}));
  };
  window.retrieve = (clientSecret) => stripe.retrieveSetupIntent(clientSecret);
  window.finish = (clientSecret) => outcome(stripe.handleNextAction({clientSecret}));
"""
CARD_FORM = '<input id="email" value="jenny@example.com"><div id="card-element"></div>'


def test_confirm_card_setup_with_the_card_element_and_with_a_payment_method_id(page, merchant, stripe_client):
    customer = new_customer(stripe_client)
    open_ready(page, merchant, CARD_FORM, SAVE_A_CARD)

    # A card that asks for authentication when it is set up, and then not again off-session.
    first = setup_intent_for(stripe_client, customer, payment_method_types=["card"])
    fill_card_element(page, "4000 0025 0000 3155")
    page.evaluate("(secret) => { window.pending = saveCard(secret); }", first.client_secret)
    authenticate(page, "complete")
    set_up = page.evaluate("window.pending")["setupIntent"]
    assert (set_up["id"], set_up["status"]) == (first.id, "succeeded")
    retrieved = page.evaluate("retrieve", first.client_secret)["setupIntent"]
    assert (retrieved["status"], retrieved["payment_method"]) == ("succeeded", set_up["payment_method"])
    saved = stripe_client.v1.payment_methods.retrieve(set_up["payment_method"])
    assert (saved.customer, saved.billing_details.email, saved.card.last4) == (customer.id, "jenny@example.com", "3155")
    charged = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1099,
            "currency": "usd",
            "customer": customer.id,
            "payment_method": saved.id,
            "payment_method_types": ["card"],
            "off_session": True,
            "confirm": True,
        }
    )
    assert charged.status == "succeeded"  # authenticated once at setup: no authentication_required

    second = setup_intent_for(stripe_client, customer, payment_method_types=["card"])
    fill_card_element(page, "4242 4242 4242 4242")
    by_id = page.evaluate("saveById", second.client_secret)["setupIntent"]
    assert (by_id["id"], by_id["status"]) == (second.id, "succeeded")
    assert saved_cards(stripe_client, customer) == ["3155", "4242"]


def test_handle_next_action_finishes_a_setup_intent_confirmed_on_the_server(page, merchant, stripe_client):
    customer = new_customer(stripe_client)
    open_ready(page, merchant, CARD_FORM, SAVE_A_CARD)
    fill_card_element(page, "4000 0027 6000 3184")
    created = page.evaluate("createCard()")["paymentMethod"]
    seti = setup_intent_for(  # the server confirms, as in "Finalize payments on the server"
        stripe_client,
        customer,
        payment_method_types=["card"],
        payment_method=created["id"],
        confirm=True,
        use_stripe_sdk=True,
    )
    assert seti.status == "requires_action"
    page.evaluate("(secret) => { window.pending = finish(secret); }", seti.client_secret)
    expect(page.get_by_role("dialog", name="3D Secure authentication")).to_be_visible()
    authenticate(page, "complete")
    assert page.evaluate("window.pending")["setupIntent"]["status"] == "succeeded"
    assert saved_cards(stripe_client, customer) == ["3184"]


RECOVER_ON_SESSION = """
  document.querySelector("#confirm").addEventListener("click", async () => {
    const message = document.querySelector("#message");
    const result = await stripe.confirmCardPayment(DATA.clientSecret, {payment_method: DATA.paymentMethod});
    if (result.error) {
      message.textContent = result.error.message;
      return;
    }
    message.textContent = "Payment " + result.paymentIntent.status + ".";
    const {paymentIntent} = await stripe.retrievePaymentIntent(DATA.clientSecret);
    document.querySelector("#payment-intent").textContent = JSON.stringify(paymentIntent, null, 2);
  });
"""


def charge_off_session(stripe_client, customer):
    """The guide's server: charge the customer's saved card with nobody there; Stripe's CardError."""
    [card] = stripe_client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"}).data
    with pytest.raises(stripe.CardError) as refused:
        stripe_client.v1.payment_intents.create(
            params={
                "amount": 1099,
                "currency": "usd",
                "payment_method_types": [
                    "card"
                ],  # the guide's card-only intent: confirmCardPayment needs no return_url
                "customer": customer.id,
                "payment_method": card.id,
                "off_session": True,
                "confirm": True,
            }
        )
    return card, refused.value


def test_off_session_authentication_required_recovered_on_session_with_confirm_card_payment(
    page, merchant, stripe_client
):
    customer = new_customer(stripe_client, payment_method="pm_card_authenticationRequired")
    card, refused = charge_off_session(stripe_client, customer)
    assert refused.code == "authentication_required"
    assert refused.error.payment_method.id == card.id
    pi = refused.error.payment_intent
    assert pi.status == "requires_payment_method"

    merchant.open(
        page,
        '<p>Your bank needs you to confirm this payment.</p><button id="confirm">Confirm payment</button>'
        '<p id="message" role="status"></p><pre id="payment-intent"></pre>',
        RECOVER_ON_SESSION,
        clientSecret=pi.client_secret,
        paymentMethod=card.id,
    )
    page.get_by_role("button", name="Confirm payment").click()
    authenticate(page, "fail")
    expect(page.locator("#message")).to_contain_text("has failed authentication")

    page.get_by_role("button", name="Confirm payment").click()
    expect(page.get_by_role("dialog", name="3D Secure authentication")).to_be_visible()
    authenticate(page, "complete")
    expect(page.locator("#message")).to_have_text("Payment succeeded.")
    expect(page.locator("#payment-intent")).to_contain_text(f'"id": "{pi.id}"')
    paid = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (paid.status, paid.amount_received, paid.payment_method) == ("succeeded", 1099, card.id)


NEW_CARD = """
  const card = stripe.elements().create("card");
  card.mount("#card-element");
  document.querySelector("#pay").addEventListener("click", async () => {
    const result = await stripe.confirmCardPayment(DATA.clientSecret, {payment_method: {card}, save_payment_method: true});
    document.querySelector("#message").textContent = result.error
      ? result.error.message : "Payment " + result.paymentIntent.status + ".";
  });
"""


def test_charge_customer_fail_recovered_with_a_new_card_saved_while_paying(page, merchant, stripe_client):
    customer = new_customer(stripe_client, payment_method="pm_card_chargeCustomerFail")
    failing, refused = charge_off_session(stripe_client, customer)  # attaching worked; the charge does not
    assert (refused.code, refused.error.decline_code) == ("card_declined", "generic_decline")
    pi = refused.error.payment_intent

    merchant.open(
        page,
        '<p>Your card was declined: please use another one.</p><div id="card-element"></div>'
        '<button id="pay">Pay</button><p id="message" role="status"></p>',
        NEW_CARD,
        clientSecret=pi.client_secret,
    )
    fill_card_element(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Pay").click()
    expect(page.locator("#message")).to_have_text("Payment succeeded.")

    paid = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (paid.status, paid.amount_received) == ("succeeded", 1099)
    new_card = stripe_client.v1.payment_methods.retrieve(paid.payment_method)
    assert (new_card.card.last4, new_card.customer) == ("4242", customer.id)  # save_payment_method attached it
    assert saved_cards(stripe_client, customer) == sorted(["4242", failing.card.last4])


def test_confirm_payment_with_setup_future_usage_saves_the_card(page, merchant, stripe_client):
    customer = new_customer(stripe_client)
    pi = merchant.intent(customer=customer.id)
    open_ready(
        page,
        merchant,
        '<div id="payment-element"></div>',
        CONFIRM_IF_REQUIRED,
        clientSecret=pi.client_secret,
        confirm="confirmPayment",
        confirmParams={"setup_future_usage": "off_session"},
    )
    expect(frame(page, PAYMENT_FRAME).get_by_text(TERMS.format("this business"))).to_be_hidden()  # nothing saved yet

    fill_card(page, "4242 4242 4242 4242")
    paid = page.evaluate("confirmIntent()")["paymentIntent"]
    assert (paid["status"], paid["setup_future_usage"]) == ("succeeded", "off_session")
    assert saved_cards(stripe_client, customer) == ["4242"]


def test_deferred_payment_with_setup_future_usage_shows_the_terms_and_saves_the_card(
    page, merchant, stripe_client, monkeypatch
):
    customer = new_customer(stripe_client)
    monkeypatch.setattr(
        merchant, "creates", lambda: merchant.intent(customer=customer.id, setup_future_usage="off_session")
    )
    open_ready(
        page,
        merchant,
        '<div id="payment-element"></div>',
        DEFERRED,
        elements={"mode": "payment", "amount": 2300, "currency": "usd", "setupFutureUsage": "off_session"},
    )
    expect(frame(page, PAYMENT_FRAME).get_by_text(TERMS.format("this business"))).to_be_visible()

    fill_card(page, "4242 4242 4242 4242")
    page.evaluate("() => { window.pending = pay(); }")
    page.wait_for_url(f"{merchant.url}/return?**")
    pi = merchant.created[-1]
    assert query_of(page.url)["payment_intent"] == pi.id
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "succeeded"
    assert saved_cards(stripe_client, customer) == ["4242"]


MISUSE = """
  const setupGroup = stripe.elements({clientSecret: DATA.setupSecret});
  setupGroup.create("payment").mount("#setup");
  const paymentGroup = stripe.elements({clientSecret: DATA.paymentSecret});
  paymentGroup.create("payment").mount("#payment");
  const deferredPayment = stripe.elements({mode: "payment", amount: 1099, currency: "usd"});
  deferredPayment.create("payment").mount("#deferred");
  const thrown = (run) => { try { run(); return null; } catch (error) { return error.name + ": " + error.message; } };
  const returnUrl = {return_url: DATA.returnUrl};
  window.misuse = () => ({
    confirmPaymentWithSetupIntent: thrown(() => stripe.confirmPayment({elements: setupGroup, confirmParams: returnUrl})),
    confirmSetupWithPaymentIntent: thrown(() => stripe.confirmSetup({elements: paymentGroup, confirmParams: returnUrl})),
    confirmSetupInPaymentMode: thrown(() => stripe.confirmSetup({elements: deferredPayment,
                                                                 clientSecret: DATA.setupSecret, confirmParams: returnUrl})),
    confirmSetupWithoutReturnUrl: thrown(() => stripe.confirmSetup({elements: setupGroup})),
    confirmCardSetupWithPaymentIntent: thrown(() => stripe.confirmCardSetup(DATA.paymentSecret)),
    retrieveSetupIntentWithAnId: thrown(() => stripe.retrieveSetupIntent(DATA.setupSecret.split("_secret_")[0])),
    setupModeWithoutCurrency: thrown(() => stripe.elements({mode: "setup"})),
    setupModeBadCurrency: thrown(() => stripe.elements({mode: "setup", currency: "dollars"})),
    badSetupFutureUsage: thrown(() => stripe.elements({mode: "payment", amount: 1099, currency: "usd",
                                                       setupFutureUsage: "always"})),
    subscriptionMode: thrown(() => stripe.elements({mode: "subscription", amount: 1099, currency: "usd"})),
  });
"""


def test_setup_misuse_gets_stripe_js_integration_errors(page, merchant, stripe_client):
    seti = stripe_client.v1.setup_intents.create(params={"payment_method_types": ["card"]})
    pi = merchant.intent()
    merchant.open(
        page,
        '<div id="setup"></div><div id="payment"></div><div id="deferred"></div>',
        MISUSE,
        setupSecret=seti.client_secret,
        paymentSecret=pi.client_secret,
    )
    errors = page.evaluate("misuse()")
    assert errors["confirmPaymentWithSetupIntent"] == (
        "IntegrationError: Your code called confirmPayment() but you passed a client_secret associated with a "
        "SetupIntent. Did you mean to call confirmSetup() instead?"
    )
    assert errors["confirmSetupWithPaymentIntent"] == (
        "IntegrationError: Your code called confirmSetup() but you passed a client_secret associated with a "
        "PaymentIntent. Did you mean to call confirmPayment() instead?"
    )
    assert "created with mode: 'payment'" in errors["confirmSetupInPaymentMode"]
    assert errors["confirmSetupWithoutReturnUrl"] == (
        "IntegrationError: stripe.confirmSetup(): the `confirmParams.return_url` argument is required "
        "unless passing `redirect: 'if_required'`"
    )
    assert "Did you mean to call confirmCardPayment() instead?" in errors["confirmCardSetupWithPaymentIntent"]
    assert errors["retrieveSetupIntentWithAnId"].startswith(
        "IntegrationError: Invalid value for stripe.retrieveSetupIntent(): clientSecret should be a client secret"
    )
    assert errors["setupModeWithoutCurrency"] is None  # currency is optional in setup mode
    assert "currency should be a three-letter ISO currency code" in errors["setupModeBadCurrency"]
    assert "setupFutureUsage should be one of the following strings: off_session" in errors["badSetupFutureUsage"]
    assert "not mode 'subscription'" in errors["subscriptionMode"]
