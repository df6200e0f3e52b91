"""The sandbox console in headless Chromium: a payment made through the shop, its timeline, its webhook; every
page at a projector's 1024×768 (screenshots: ``WORKBENCH_SCREENSHOTS=dir`` keeps them); Resend; Errors."""

import os
import struct
from pathlib import Path

import pytest
import stripe
from playwright.sync_api import expect

from press_workbench.sandbox import SECRET_KEY
from press_workbench.sandbox.triggers import trigger
from tests.browser.shopper import buy_now, pay
from tests.receiver import Receiver

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


@pytest.fixture(scope="module")
def story(sandbox_url):
    """A demo's worth of console content: payments of every kind, a decline, a missing object, a webhook
    endpoint that is down and one that answers.  Returns the ids the pages are about."""
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox_url})
    hook = Receiver()
    down = client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/a-receiver-that-is-down", "enabled_events": ["payment_intent.succeeded"]}
    )
    up = client.v1.webhook_endpoints.create(
        params={
            "url": hook.url,
            "enabled_events": ["payment_intent.succeeded", "payment_intent.payment_failed"],
            "description": "a receiver that answers",
        }
    )
    for event_type in ("payment_intent.canceled", "charge.refunded", "payment_intent.requires_action"):
        trigger(client, event_type)
    pi = client.v1.payment_intents.create(
        params={
            "amount": 5100,
            "currency": "usd",
            "payment_method_types": ["card"],
            "description": "Stripe Press order ord_9Ur2NpQ3ULOQyPW5: 1 × The Art of Doing Science and Engineering, "
            "1 × Working in Public",
        }
    )
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclinedInsufficientFunds"})
    client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.retrieve("pi_doesnotexist")
    customer = client.v1.customers.create(
        params={"name": "Ada Lovelace", "email": "ada.lovelace@example.com", "payment_method": "pm_card_visa"}
    )
    client.v1.payment_intents.create(
        params={
            "amount": 2300,
            "currency": "usd",
            "payment_method_types": ["card"],
            "customer": customer.id,
            "setup_future_usage": "off_session",
            "payment_method": "pm_card_mastercard",
            "confirm": True,
        }
    )
    client.v1.setup_intents.create(
        params={
            "customer": customer.id,
            "payment_method_types": ["card"],
            "payment_method": "pm_card_amex",
            "confirm": True,
        }
    )
    hook.wait_for(2)
    succeeded = client.v1.events.list(params={"type": "payment_intent.succeeded", "limit": 20}).data
    event = next(e for e in succeeded if e.data.object.id == pi.id)
    yield {
        "pi": pi.id,
        "event": event.id,
        "down": down.id,
        "up": up.id,
        "declined": declined.value.request_id,
        "hook": hook,
        "customer": customer.id,
    }
    for endpoint in (down, up):
        client.v1.webhook_endpoints.delete(endpoint.id)
    hook.server.stop()


def console_pages(story):
    return {
        "payments": "/payments",
        "payment": f"/payments/{story['pi']}",
        "customers": "/customers",
        "customer": f"/customers/{story['customer']}",
        "events": "/events",
        "event": f"/events/{story['event']}",
        "webhooks": "/webhooks",
        "webhook": f"/webhooks/{story['down']}",
        "logs": "/logs",
        "request": f"/logs/{story['declined']}",
        "errors": "/errors",
    }


@pytest.mark.parametrize("width, height", [(1024, 768), (1600, 900)])
def test_every_console_page_fits_the_screen_without_scrolling_sideways(
    page, sandbox_url, story, width, height, tmp_path
):
    """A 1024×768 projector shows every page whole: nothing is wider than the window, in a table or out of it."""
    folder = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path)
    page.set_viewport_size({"width": width, "height": height})
    for name, path in console_pages(story).items():
        page.goto(sandbox_url + "/dashboard" + path)
        expect(page.locator("main h1").first).to_be_visible()
        sticking_out = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                 .map(e => e.tagName.toLowerCase() + '.' + e.className + ': ' + e.textContent.slice(0, 40))"""
        )
        assert sticking_out == [], f"{name} at {width}px"
        shot = folder / f"sandbox-console-{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        png_width, png_height = struct.unpack(">II", shot.read_bytes()[16:24])  # the PNG header's IHDR
        assert png_width == width and png_height >= height, f"{name} at {width}px is {png_width} wide"
    if width == 1024:  # the column the issue found cut off, whole and on screen
        page.goto(sandbox_url + "/dashboard/payments")
        link = page.locator(f'[data-testid=payment-row][data-row="{story["pi"]}"] a.id')
        expect(link).to_have_text(story["pi"])
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width


def test_resend_from_an_events_page_delivers_it_again(page, sandbox_url, story):
    hook = story["hook"]
    before = len(hook.received)
    label = hook.url.split("://")[1]
    page.goto(f"{sandbox_url}/dashboard/events/{story['event']}")
    attempts = page.get_by_test_id("attempt-row").filter(has_text=label)  # not the retries to the one that is down
    count = attempts.count()
    page.get_by_role("button", name=f"Resend to {label}").click()
    expect(page.get_by_test_id("resent")).to_contain_text("Sent again to")
    expect(attempts).to_have_count(count + 1)  # the new attempt, once it is made (the page refreshes itself)
    assert len(hook.wait_for(before + 1)) == before + 1
    assert hook.received[-1][1] == next(body for _, body, _ in hook.received if story["event"].encode() in body)


def test_an_error_leads_to_its_request_with_parameters_and_answer(page, sandbox_url, story):
    page.goto(sandbox_url + "/dashboard/errors")
    group = page.get_by_test_id("error-group").filter(has_text=story["declined"])  # the session saw other declines
    expect(group).to_contain_text("card_declined")
    expect(group).to_contain_text("POST /v1/payment_intents/:id/confirm")
    expect(group).to_contain_text("decline code insufficient_funds")
    group.get_by_role("link", name=story["declined"]).click()
    expect(page.get_by_test_id("log-error")).to_contain_text("Your card has insufficient funds.")
    expect(page.get_by_test_id("request-params")).to_contain_text(
        '"payment_method": "pm_card_chargeDeclinedInsufficientFunds"'
    )
    expect(page.get_by_test_id("response-body")).to_contain_text('"decline_code": "insufficient_funds"')
