"""Shop flows a shopper sees in headless Chromium: cart, retry after a decline, 3D Secure, closed tab."""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.shopper import authenticate, buy_now, pay

pytestmark = pytest.mark.browser


def order_id_from(url):
    return re.search(r"/checkout/(ord_[^/?]+)", url).group(1)


def add_to_cart(page, book_id, quantity):
    card = page.locator(f'[data-testid=book-card][data-book-id="{book_id}"]')
    card.get_by_test_id("quantity").select_option(str(quantity))
    card.get_by_test_id("add-to-cart").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Added")


def test_two_books_with_quantities_through_the_cart(page, live_shop, stripe_client):
    page.goto(live_shop.url + "/")
    add_to_cart(page, "working-in-public", 2)
    add_to_cart(page, "an-elegant-puzzle", 3)
    expect(page.get_by_test_id("cart-count")).to_have_text("5")
    page.get_by_test_id("cart-link").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    expect(page.get_by_test_id("cart-total")).to_have_text("$152.00")
    page.get_by_test_id("checkout-button").click()
    expect(page.get_by_test_id("order-total")).to_have_text("$152.00")

    pay(page, "4242 4242 4242 4242")
    expect(page.get_by_test_id("confirmation-amount")).to_have_text("$152.00")
    pi_id = page.get_by_test_id("payment-intent-id").inner_text()
    recorded = stripe_client.v1.payment_intents.retrieve(pi_id)
    assert (recorded.status, recorded.amount_received) == ("succeeded", 15200)
    assert recorded.metadata["order_id"] == order_id_from(page.url)


def test_decline_then_successful_retry_on_the_same_order(page, live_shop, stripe_client):
    buy_now(page, live_shop.url, "stubborn-attachments")
    order_id = order_id_from(page.url)
    pay(page, "4000 0000 0000 9995")
    expect(page.get_by_test_id("payment-error")).to_have_text("Your card has insufficient funds.")

    pay(page, "4242 4242 4242 4242")
    expect(page.get_by_test_id("confirmation-amount")).to_have_text("$20.00")
    assert order_id_from(page.url) == order_id
    order = live_shop.app.extensions["shop"].orders.get(order_id)
    assert order.status == "paid"
    pi = stripe_client.v1.payment_intents.retrieve(order.payment_intent, params={"expand": ["latest_charge"]})
    assert pi.latest_charge.status == "succeeded"


def test_three_d_secure_challenge_completed(page, live_shop):
    buy_now(page, live_shop.url, "high-growth-handbook")
    pay(page, "4000 0027 6000 3184")
    authenticate(page, "complete")
    expect(page.get_by_test_id("confirmation-amount")).to_have_text("$30.00")


def test_three_d_secure_challenge_failed_returns_to_checkout(page, live_shop):
    buy_now(page, live_shop.url, "high-growth-handbook")
    pay(page, "4000 0000 0000 3220")
    authenticate(page, "fail")
    expect(page.get_by_test_id("payment-error")).to_contain_text("failed authentication")
    expect(page.get_by_test_id("confirmation")).to_have_count(0)


def test_closed_tab_order_is_still_paid_by_the_webhook(page, live_shop):
    buy_now(page, live_shop.url, "art-of-doing-science")
    order_id = order_id_from(page.url)
    # The shopper closes the tab the moment the payment goes through: the return page never loads.
    page.route("**/complete?**", lambda route: route.abort())
    with page.expect_request("**/complete?**"):
        pay(page, "4242 4242 4242 4242")
    page.close()

    orders = live_shop.app.extensions["shop"].orders
    deadline = time.monotonic() + 10
    while orders.get(order_id).status != "paid" and time.monotonic() < deadline:
        time.sleep(0.05)
    order = orders.get(order_id)
    assert order.status == "paid" and order.amount_received == 2300
    assert [h["source"] for h in order.history] == ["shop", "webhook"]
