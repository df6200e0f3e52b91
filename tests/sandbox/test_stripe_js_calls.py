"""The API calls the Stripe.js stand-in makes, checked with stripe-python as Stripe.js would send them.

Stripe.js confirms with ``use_stripe_sdk=true`` (3D Secure then comes back as a
``use_stripe_sdk`` action it shows in a modal), passes the Address Element's
shipping address on confirm, and creates PaymentMethods for the deferred flow.
"""

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL

CARD = {"number": "4000002760003184", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
SHIPPING = {
    "name": "Jenny Rosen",
    "address": {"line1": "1 Main St", "city": "Springfield", "state": "OR", "postal_code": "97477", "country": "US"},
}


def test_stripe_js_confirm_gets_use_stripe_sdk_even_with_return_url(new_intent, publishable_client, sandbox_url):
    pi = new_intent()
    done = publishable_client.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "return_url": RETURN_URL,
            "use_stripe_sdk": "true",
            "payment_method_data": {"type": "card", "card": CARD},
        },
    )
    assert (done.status, done.next_action.type) == ("requires_action", "use_stripe_sdk")
    challenge = done.next_action.use_stripe_sdk.stripe_js
    assert challenge.startswith(f"{sandbox_url}/3ds/authenticate/{pi.id}?") and "return_url=" in challenge


def test_shipping_passed_on_confirm_is_kept_in_stripes_shape(new_intent, publishable_client, stripe_client):
    pi = new_intent()
    publishable_client.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "return_url": RETURN_URL,
            "shipping": SHIPPING,
            "payment_method_data": {"type": "card", "card": {**CARD, "number": "4242424242424242"}},
        },
    )
    shipping = stripe_client.v1.payment_intents.retrieve(pi.id).shipping
    assert shipping.to_dict() == {
        "name": "Jenny Rosen",
        "carrier": None,
        "phone": None,
        "tracking_number": None,
        "address": {**SHIPPING["address"], "line2": None},
    }


@pytest.mark.parametrize(
    "shipping, param",
    [
        ({"address": SHIPPING["address"]}, "shipping[name]"),
        ({"name": "Jenny Rosen"}, "shipping[address]"),
        ({**SHIPPING, "address": {**SHIPPING["address"], "street": "x"}}, "shipping[address][street]"),
    ],
)
def test_incomplete_shipping_is_refused(stripe_client, shipping, param):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "shipping": shipping})
    assert caught.value.param == param


def test_deferred_flow_payment_method_then_server_confirm(publishable_client, stripe_client):
    """stripe.createPaymentMethod({elements}) then the server confirms, as "finalize payments on the server" shows."""
    pm = publishable_client.v1.payment_methods.create(
        params={"type": "card", "card": CARD, "billing_details": {"email": "jenny@example.com"}}
    )
    assert (pm.card.last4, pm.billing_details.email) == ("3184", "jenny@example.com")
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1099,
            "currency": "usd",
            "automatic_payment_methods": {"enabled": True},
            "confirm": True,
            "payment_method": pm.id,
            "return_url": RETURN_URL,
            "use_stripe_sdk": True,
        }
    )
    assert (pi.status, pi.next_action.type) == ("requires_action", "use_stripe_sdk")


def test_a_payment_method_keeps_its_metadata(publishable_client):
    pm = publishable_client.v1.payment_methods.create(
        params={
            "type": "card",
            "metadata": {"cart": "42"},
            "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"},
        }
    )
    assert pm.metadata.to_dict() == {"cart": "42"}
