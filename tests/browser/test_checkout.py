"""A shopper buys books through the real pages in headless Chromium, against the sandbox."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.shopper import CARD_FRAME, buy_now, pay

pytestmark = pytest.mark.browser


def test_buy_one_book_end_to_end(page, live_shop, stripe_client):
    buy_now(page, live_shop.url, "art-of-doing-science", quantity=2)
    expect(page.get_by_test_id("order-total")).to_have_text("$46.00")
    expect(page.locator(CARD_FRAME)).to_have_count(1)
    expect(page.get_by_test_id("pay-button")).to_be_disabled()  # until the card form is complete
    pay(page, "4242 4242 4242 4242")

    expect(page.get_by_test_id("confirmation")).to_be_visible()
    expect(page.get_by_test_id("confirmation-amount")).to_have_text("$46.00")
    pi_id = page.get_by_test_id("payment-intent-id").inner_text()
    assert re.fullmatch(r"pi_[A-Za-z0-9]+", pi_id)
    assert re.search(r"/checkout/ord_[^/]+/complete\?payment_intent=pi_", page.url)

    recorded = stripe_client.v1.payment_intents.retrieve(pi_id)
    assert (recorded.status, recorded.amount_received) == ("succeeded", 4600)


def test_declined_card_shows_stripes_message_and_no_confirmation(page, live_shop, stripe_client):
    buy_now(page, live_shop.url, "making-of-prince-of-persia")
    checkout_url = page.url
    pay(page, "4000 0000 0000 0002")

    expect(page.get_by_test_id("payment-error")).to_have_text("Your card was declined.")
    assert page.url == checkout_url
    expect(page.get_by_test_id("confirmation")).to_have_count(0)
    expect(page.get_by_test_id("pay-button")).to_be_enabled()
    order_id = checkout_url.rsplit("/", 1)[1]
    order = live_shop.app.extensions["shop"].orders.get(order_id)
    assert order.status in ("awaiting_payment", "failed") and order.amount_received == 0
