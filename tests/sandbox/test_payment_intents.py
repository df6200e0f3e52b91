"""stripe-python 16 against the sandbox over HTTP: the PaymentIntent calls the shop and lessons make."""

import pytest
import stripe

RETURN_URL = "http://127.0.0.1/return"


def create(client, **params):
    return client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", **params})


def test_create_retrieve_confirm(stripe_client):
    pi = create(stripe_client, metadata={"order_id": "ord_1"}, description="one book")
    assert pi.id.startswith("pi_") and pi.status == "requires_payment_method"
    assert pi.client_secret.startswith(pi.id + "_secret_")
    assert pi.automatic_payment_methods.enabled is True

    fetched = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (fetched.amount, fetched.currency, fetched.metadata["order_id"]) == (2300, "usd", "ord_1")

    done = stripe_client.v1.payment_intents.confirm(
        pi.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    assert done.status == "succeeded"
    assert done.amount_received == 2300
    assert done.latest_charge.startswith("ch_")
    assert done.payment_method.startswith("pm_") and done.payment_method != "pm_card_visa"


def test_decline_raises_card_error_with_stripe_fields(stripe_client):
    pi = create(stripe_client)
    with pytest.raises(stripe.CardError) as caught:
        stripe_client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": "pm_card_visa_chargeDeclined", "return_url": RETURN_URL}
        )
    error = caught.value
    assert error.http_status == 402
    assert error.code == "card_declined"
    assert error.error.decline_code == "generic_decline"
    assert error.user_message == "Your card was declined."
    assert error.error.payment_intent.status == "requires_payment_method"
    after = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert after.status == "requires_payment_method"
    assert after.last_payment_error.decline_code == "generic_decline"
    assert after.payment_method is None


def test_publishable_key_sees_restricted_fields_with_client_secret(stripe_client, publishable_client):
    pi = create(stripe_client, metadata={"order_id": "ord_2"})
    seen = publishable_client.v1.payment_intents.retrieve(pi.id, params={"client_secret": pi.client_secret})
    assert seen.status == "requires_payment_method" and seen.amount == 2300
    assert "metadata" not in seen and "latest_charge" not in seen
    for wrong in ({"client_secret": pi.id + "_secret_wrong"}, {}):
        with pytest.raises(stripe.InvalidRequestError) as caught:
            publishable_client.v1.payment_intents.retrieve(pi.id, params=wrong)
        assert (caught.value.http_status, caught.value.param) == (400, "client_secret")


def test_publishable_key_confirms_card_data_like_stripe_js(stripe_client, publishable_client):
    pi = create(stripe_client)
    card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    done = publishable_client.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "return_url": RETURN_URL,
            "payment_method_data": {"type": "card", "card": card},
        },
    )
    assert done.status == "succeeded"
    assert "amount_received" not in done  # restricted view
    full = stripe_client.v1.payment_intents.retrieve(pi.id, params={"expand": ["payment_method"]})
    assert full.payment_method.card.last4 == "4242" and full.amount_received == 2300


def test_raw_card_numbers_refused_with_secret_key(stripe_client):
    pi = create(stripe_client)
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.confirm(
            pi.id,
            params={
                "return_url": RETURN_URL,
                "payment_method_data": {
                    "type": "card",
                    "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"},
                },
            },
        )
    assert "Sending credit card numbers directly to the Stripe API is generally unsafe" in caught.value.user_message


def test_unknown_payment_intent_is_resource_missing(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.retrieve("pi_doesnotexist")
    assert caught.value.http_status == 404
    assert caught.value.code == "resource_missing"
    assert caught.value.param == "intent"
    assert caught.value.user_message == "No such payment_intent: 'pi_doesnotexist'"


def test_bad_keys_get_401(sandbox_url):
    for key in ("sk_live_abcdefghijkl", "nonsense"):
        client = stripe.StripeClient(key, base_addresses={"api": sandbox_url})
        with pytest.raises(stripe.AuthenticationError) as caught:
            client.v1.payment_intents.list()
        assert caught.value.http_status == 401
        assert "Invalid API Key provided" in caught.value.user_message


def test_responses_carry_request_id(stripe_client):
    pi = create(stripe_client)
    assert pi.last_response.request_id.startswith("req_")
