"""Saved cards in headless Chromium: save while paying, pay with one click, 3D Secure, remove, and a second shopper.

The shopper uses the shop's real pages; what Stripe recorded is read back with stripe-python
and the secret key.  A second shopper is a second browser context: another cookie jar, so
another browser session, on the same shop.
"""

import re

import pytest
import stripe
from playwright.sync_api import expect

from tests.browser import test_dashboard
from tests.browser.shopper import (
    CARD_FRAME,
    add_to_cart,
    authenticate,
    buy_now,
    card_terms,
    fill_card,
    open_checkout,
    open_dashboard,
    pay,
)

pytestmark = pytest.mark.browser

VISA, THREE_D_SECURE = "4242 4242 4242 4242", "4000 0027 6000 3184"
AUTHENTICATION_FAILED = "The provided PaymentMethod has failed authentication."


def choose_saving(page, save):
    """Tick (or untick) "Save my card for next time", then wait for the card terms to follow, as a shopper
    sees them: they push the Pay button down, and a click meanwhile would land beside it."""
    page.get_by_test_id("save-card").set_checked(save)
    if save:
        expect(card_terms(page)).to_be_visible()
    else:
        expect(card_terms(page)).to_be_hidden()


def pay_new_card(page, number, save):
    """Type a new card, tick (or not) "Save my card for next time", and Pay."""
    fill_card(page, number)
    choose_saving(page, save)
    page.get_by_test_id("pay-button").click()


def order_id(page):
    return re.search(r"/checkout/(ord_\w+)", page.url).group(1)


def customer_of(stripe_client, page):
    """The Customer the shop gave this browser session, read from the paid order's PaymentIntent."""
    return stripe_client.v1.payment_intents.retrieve(page.get_by_test_id("payment-intent-id").inner_text()).customer


@pytest.fixture
def second_shopper(browser, request):
    """Another browser session (its own cookies), loopback only like every test page."""
    context = browser.new_context()
    page = context.new_page()
    page.route(lambda url: not url.startswith(("http://127.0.0.1", "http://localhost")), lambda route: route.abort())
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_save_pay_in_one_click_remove_and_a_second_shopper_sees_none(page, live_shop, stripe_client, second_shopper):
    buy_now(page, live_shop.url, "an-elegant-puzzle")
    expect(page.get_by_test_id("saved-card")).to_have_count(0)
    expect(page.get_by_test_id("save-card")).not_to_be_checked()
    expect(card_terms(page)).to_be_hidden()
    # the terms follow the choice: the shop sets the PaymentIntent's card options, then fetchUpdates()
    for save in (True, False):
        choose_saving(page, save)
    pay_new_card(page, VISA, save=True)
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    customer = customer_of(stripe_client, page)
    [saved] = stripe_client.v1.customers.payment_methods.list(customer, params={"type": "card"}).data
    assert saved.card.last4 == "4242"

    # next time: the card is offered and chosen, the card form is not needed, and Pay pays
    buy_now(page, live_shop.url, "working-in-public", quantity=2)
    offered = page.get_by_test_id("saved-card")
    expect(offered).to_have_count(1)
    expect(offered).to_contain_text("Visa •••• 4242")
    expect(page.get_by_role("radio", name=re.compile("Visa •••• 4242"))).to_be_checked()
    expect(page.locator(CARD_FRAME)).to_be_hidden()
    page.get_by_test_id("pay-button").click()
    expect(page.get_by_test_id("confirmation-amount")).to_have_text("$56.00")
    pi = stripe_client.v1.payment_intents.retrieve(page.get_by_test_id("payment-intent-id").inner_text())
    assert (pi.status, pi.payment_method, pi.customer) == ("succeeded", saved.id, customer)

    # a second shopper: no card offered, none listed, none usable
    buy_now(second_shopper, live_shop.url, "an-elegant-puzzle")
    expect(second_shopper.locator(CARD_FRAME)).to_be_visible()
    expect(second_shopper.get_by_test_id("saved-card")).to_have_count(0)
    assert "4242" not in second_shopper.content()
    listed = second_shopper.evaluate("fetch('/api/saved-cards').then((r) => r.json())")
    assert listed == {"cards": []}
    theirs = order_id(second_shopper)
    status = second_shopper.evaluate(
        """([order, card]) => fetch(`/api/orders/${order}/pay-with-saved-card`, {method: 'POST',
             headers: {'Content-Type': 'application/json'}, body: JSON.stringify({payment_method: card})})
           .then((r) => r.status)""",
        [theirs, saved.id],
    )
    removing = second_shopper.evaluate(
        f"fetch('/api/saved-cards/{saved.id}', {{method: 'DELETE'}}).then((r) => r.status)"
    )
    assert (status, removing) == (404, 404)

    # the first shopper removes it: gone from the page, from the list and from the Customer
    buy_now(page, live_shop.url, "an-elegant-puzzle")
    page.get_by_test_id("remove-saved-card").click()
    expect(page.get_by_test_id("saved-card")).to_have_count(0)
    expect(page.locator(CARD_FRAME)).to_be_visible()
    expect(page.get_by_test_id("save-card")).to_be_visible()
    assert stripe_client.v1.payment_methods.retrieve(saved.id).customer is None
    page.reload()
    expect(page.get_by_test_id("order-total")).to_be_visible()
    expect(page.get_by_test_id("saved-card")).to_have_count(0)


def test_a_saved_card_whose_bank_asks_for_3d_secure(page, live_shop, stripe_client):
    buy_now(page, live_shop.url, "an-elegant-puzzle")
    pay_new_card(page, THREE_D_SECURE, save=True)
    authenticate(page)
    expect(page.get_by_test_id("confirmation")).to_be_visible()

    buy_now(page, live_shop.url, "an-elegant-puzzle")
    checkout = page.url
    expect(page.get_by_test_id("saved-card")).to_contain_text("Visa •••• 3184")
    page.get_by_test_id("pay-button").click()
    authenticate(page, "fail")  # the bank's challenge, over the shop's authenticate page
    expect(page.get_by_test_id("payment-error")).to_contain_text(AUTHENTICATION_FAILED)
    assert page.url.startswith(checkout)

    page.get_by_test_id("pay-button").click()  # the saved card is still chosen: again, and Complete
    authenticate(page)
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    pi = stripe_client.v1.payment_intents.retrieve(page.get_by_test_id("payment-intent-id").inner_text())
    [saved] = stripe_client.v1.customers.payment_methods.list(pi.customer, params={"type": "card"}).data
    assert (pi.status, pi.payment_method, saved.card.last4) == ("succeeded", saved.id, "3184")


def test_bringing_the_shopper_back_after_an_off_session_refusal(page, live_shop, stripe_client):
    """The bank refused a charge made while the shopper was away; on the authenticate page they confirm it."""
    buy_now(page, live_shop.url, "an-elegant-puzzle")
    pay_new_card(page, VISA, save=True)
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    customer = customer_of(stripe_client, page)
    needs_you = stripe_client.v1.payment_methods.attach("pm_card_authenticationRequired", params={"customer": customer})

    buy_now(page, live_shop.url, "working-in-public")
    order = live_shop.app.extensions["shop"].orders.get(order_id(page))
    stripe_client.v1.payment_intents.update(order.payment_intent, params={"customer": customer})
    with pytest.raises(stripe.CardError) as refused:
        stripe_client.v1.payment_intents.confirm(
            order.payment_intent,
            params={"payment_method": needs_you.id, "off_session": True, "return_url": live_shop.url + "/"},
        )
    assert refused.value.code == "authentication_required"

    page.goto(f"{live_shop.url}/checkout/{order.id}/authenticate")
    authenticate(page)
    expect(page.get_by_test_id("confirmation")).to_be_visible()
    pi = stripe_client.v1.payment_intents.retrieve(order.payment_intent)
    assert (pi.status, pi.payment_method) == ("succeeded", needs_you.id)


# -- the Voilà dashboard: one shopper per page ---------------------------------------------------------------
dashboard = test_dashboard.dashboard  # the same `workbench dashboard` (its own shop and sandbox), once per module


def test_the_dashboards_second_purchase_offers_the_card_its_first_saved(page, context, dashboard):
    open_dashboard(page, dashboard.url)
    add_to_cart(page, "an-elegant-puzzle")
    expect(page.locator(".wb-saved-card")).to_have_count(0)
    save = page.locator(".wb-save-card input")
    save.check()
    checkout, _ = open_checkout(page)
    expect(checkout.get_by_test_id("save-card-notice")).to_have_text("This card will be saved for next time.")
    expect(checkout.get_by_test_id("save-card")).to_have_count(0)  # the page's kernel holds the choice
    pay(checkout, VISA)
    expect(page.locator(".wb-confirmation")).to_contain_text("Payment received")

    page.locator(".wb-new-order").click()
    offered = page.locator(".wb-saved-card")
    expect(offered).to_have_count(1)
    expect(offered).to_contain_text("Visa •••• 4242")
    add_to_cart(page, "working-in-public", 2)
    expect(page.locator(".wb-pay")).to_have_text("Pay $56.00 with Visa •••• 4242")
    expect(page.locator(".wb-save-card")).to_be_hidden()

    other = context.new_page()  # another dashboard page: another kernel, another shopper
    test_dashboard.loopback_only(other)
    open_dashboard(other, dashboard.url)
    add_to_cart(other, "an-elegant-puzzle")
    expect(other.locator(".wb-pay")).to_have_text("Pay $32.00")
    expect(other.locator(".wb-saved-card")).to_have_count(0)
    other.close()

    page.locator(".wb-pay").click()  # one click: no card form
    receipt = page.locator(".wb-confirmation")
    expect(receipt).to_contain_text("Payment received")
    expect(receipt.locator(".wb-amount")).to_have_text("$56.00")

    page.locator(".wb-new-order").click()
    expect(offered).to_have_count(1)
    page.locator(".wb-remove-saved-card").click()
    expect(offered).to_have_count(0)
    add_to_cart(page, "an-elegant-puzzle")
    expect(page.locator(".wb-pay")).to_have_text("Pay $32.00")
    expect(page.locator(".wb-save-card")).to_be_visible()
    expect(save).not_to_be_checked()
