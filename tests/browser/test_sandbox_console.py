"""The sandbox console in headless Chromium: a payment made through the shop, its timeline, its webhook."""

import pytest
from playwright.sync_api import expect

from tests.browser.shopper import buy_now, pay

pytestmark = pytest.mark.browser


def test_a_shop_payment_with_its_timeline_and_webhook_delivery(page, live_shop, sandbox_url):
    buy_now(page, live_shop.url, "working-in-public")
    pay(page, "4000 0000 0000 9995")
    expect(page.get_by_test_id("payment-error")).to_have_text("Your card has insufficient funds.")
    pay(page, "4242 4242 4242 4242")
    link = page.get_by_test_id("payment-intent-id")
    pi_id = link.inner_text()
    assert link.get_attribute("href") == f"{sandbox_url}/dashboard/payments/{pi_id}"

    page.goto(sandbox_url + "/dashboard")
    row = page.locator(f'[data-testid=payment-row][data-row="{pi_id}"]')
    expect(row).to_contain_text("$28.00")
    expect(row).to_contain_text("Succeeded")
    row.get_by_role("link", name=pi_id).click()

    expect(page.get_by_test_id("payment-status")).to_have_text("succeeded")
    steps = page.get_by_test_id("lifecycle-path").locator("li")
    expect(steps).to_have_count(3)
    assert steps.evaluate_all("steps => steps.map(s => s.innerText.replace(/\\s+/g, ' ').trim())") == [
        "requires_payment_method",
        "requires_payment_method ✕ declined",
        "succeeded",
    ]
    timeline = page.get_by_test_id("timeline-event")
    expect(timeline.first).to_have_attribute("data-event-type", "payment_intent.created")
    succeeded = timeline.and_(page.locator('[data-event-type="payment_intent.succeeded"]'))
    expect(succeeded).to_contain_text("The payment of $28.00 succeeded")
    delivered = succeeded.locator('[data-testid=delivery][data-status="200"]')
    expect(delivered).to_contain_text("/webhook")  # the shop's endpoint answered 200 (the page refreshes itself)


def test_a_new_payment_appears_without_a_reload(page, sandbox_url, stripe_client):
    page.goto(sandbox_url + "/dashboard/payments")
    page.evaluate("window.sameDocument = true")
    pi = stripe_client.v1.payment_intents.create(params={"amount": 1234, "currency": "usd"})
    expect(page.locator(f'[data-testid=payment-row][data-row="{pi.id}"]')).to_contain_text("$12.34")
    assert page.evaluate("window.sameDocument") is True
