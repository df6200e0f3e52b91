"""Stripe's official ``payment-element`` sample flow, run against the sandbox as a developer would.

``tests/browser/stripe_sample/`` is our re-creation of the sample (its routes, its
stripe-python calls with ``stripe.api_version = "2023-10-16"``, its client calls:
``Stripe(pk, {apiVersion})``, ``elements({clientSecret, loader: 'auto'})``, the
Payment and Link Authentication Elements, ``confirmPayment`` with the default redirect,
a return page using ``retrievePaymentIntent``); only the keys, ``stripe.api_base`` and
the Stripe.js URL point at the sandbox. The iframe is found with the selector Stripe's
own E2E spec for the sample uses.
"""

import re
import time

import pytest
import stripe
from playwright.sync_api import expect

from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY
from press_workbench.sandbox.serving import serve_in_thread
from tests.browser.shopper import authenticate
from tests.browser.stripe_sample.server import configure_stripe, create_app

pytestmark = pytest.mark.browser

PAYMENT_FRAME = 'form iframe[title*="payment input"][src*="elements-inner-payment"]'
EMAIL_FRAME = 'form iframe[title*="Secure email input frame"]'


@pytest.fixture(scope="module")
def sample(sandbox_url):
    """The sample's server on a free port, subscribed to the sandbox's webhooks; stripe's globals restored after."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("api_key", "api_base", "api_version"):
            patch.setattr(stripe, name, getattr(stripe, name))
        configure_stripe(SECRET_KEY, sandbox_url)
        client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox_url})
        endpoint = client.v1.webhook_endpoints.create(
            params={"url": "http://127.0.0.1:1/webhook", "enabled_events": ["payment_intent.succeeded"]}
        )
        app = create_app(PUBLISHABLE_KEY, endpoint.secret, f"{sandbox_url}/v3/")
        running = serve_in_thread(app, name="stripe-sample")
        client.v1.webhook_endpoints.update(endpoint.id, params={"url": f"{running.url}/webhook"})
        yield running
        client.v1.webhook_endpoints.delete(endpoint.id)
        running.stop()


def pay(page, sample, number):
    """What a shopper does on the sample's page (field names as Stripe's E2E spec fills them)."""
    page.goto(sample.url + "/")
    card = page.frame_locator(PAYMENT_FRAME).first
    card.locator('[data-testid="card"]').click()
    for name, value in (("number", number), ("expiry", "12 / 33"), ("cvc", "123")):
        card.locator(f"[name={name}]").fill(value)
    card.locator("[name=country]").select_option(label="United States")
    card.locator("[name=postalCode]").fill("10000")
    page.frame_locator(EMAIL_FRAME).first.locator("[name=email]").fill("test@example.com")
    page.get_by_role("button", name="Pay now").click()


def paid_on_return_page(page, sample):
    expect(page.get_by_text("Thank you!")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text(re.compile(r"Payment succeeded: pi_\w+"))
    pi_id = re.search(r"pi_\w+", page.locator("#messages").inner_text()).group()
    deadline = time.monotonic() + 10  # the webhook arrives from the sandbox's delivery thread
    while ("payment_intent.succeeded", pi_id) not in sample.app.extensions["events"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ("payment_intent.succeeded", pi_id) in sample.app.extensions["events"]
    return stripe.PaymentIntent.retrieve(pi_id)


def test_sample_completes_a_4242_payment(page, sample):
    pay(page, sample, "4242424242424242")
    intent = paid_on_return_page(page, sample)
    assert (intent.amount_received, intent.currency) == (1400, "usd")
    assert re.search(
        r"/return\.html\?payment_intent=pi_\w+&payment_intent_client_secret=.+&redirect_status=succeeded", page.url
    )


def test_sample_shows_a_decline(page, sample):
    pay(page, sample, "4000000000000002")
    expect(page.locator("#messages")).to_contain_text("Your card was declined.")
    expect(page.get_by_role("button", name="Pay now")).to_be_enabled()  # the sample re-enables the form
    assert page.url == sample.url + "/"


def test_sample_completes_a_three_d_secure_payment(page, sample):
    pay(page, sample, "4000002760003184")
    authenticate(page, "complete")  # Stripe.js's modal over the sample's page, then the redirect
    paid_on_return_page(page, sample)
