"""Bookstand's payments, tested against the offline Stripe sandbox with Press Workbench's pytest plugin."""

import pytest
import stripe
from bookstand import create_app


@pytest.fixture
def shop(stripe_sandbox, stripe_webhooks):
    app = create_app({"STRIPE_SECRET_KEY": stripe_sandbox.secret_key, "STRIPE_API_BASE": stripe_sandbox.api_base})
    app.config["STRIPE_WEBHOOK_SECRET"] = stripe_webhooks.forward_to(app, "/webhook")  # served until the test ends
    return app.test_client()


def test_a_paid_and_a_declined_order(shop, stripe_sandbox_client, stripe_webhooks):
    confirm = stripe_sandbox_client.v1.payment_intents.confirm  # the browser's part, done by Stripe.js in real life
    paid = shop.post("/orders", json={"book": "poor-charlies-almanack"}).json
    assert confirm(paid["payment_intent"], params={"payment_method": "pm_card_visa"}).status == "succeeded"

    declined = shop.post("/orders", json={"book": "poor-charlies-almanack"}).json
    with pytest.raises(stripe.CardError) as error:
        confirm(declined["payment_intent"], params={"payment_method": "pm_card_chargeDeclined"})
    assert error.value.code == "card_declined"

    event = stripe_webhooks.wait_for("payment_intent.succeeded", about=paid["payment_intent"])  # signed, verified
    assert event.data.object.amount_received == 2900
    stripe_webhooks.wait_for("payment_intent.payment_failed", about=declined["payment_intent"])
    assert shop.get(f"/orders/{paid['id']}").json["status"] == "paid"  # the app's own /webhook settled both
    assert shop.get(f"/orders/{declined['id']}").json["status"] == "failed"
