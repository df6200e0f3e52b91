"""Stripe's test cards and test PaymentMethod ids give Stripe's outcomes, codes and messages."""

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL

DECLINES = [
    ("4000000000000002", "card_declined", "generic_decline", "Your card was declined."),
    ("4000000000009995", "card_declined", "insufficient_funds", "Your card has insufficient funds."),
    ("4000000000009987", "card_declined", "lost_card", "Your card was declined."),
    ("4000000000009979", "card_declined", "stolen_card", "Your card was declined."),
    ("4000000000000069", "expired_card", "expired_card", "Your card has expired."),
    ("4000000000000127", "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
    (
        "4000000000000119",
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
    ("4000000000000341", "card_declined", "generic_decline", "Your card was declined."),
]


@pytest.mark.parametrize("number, code, decline_code, message", DECLINES)
def test_declining_cards(new_intent, confirm_card, stripe_client, number, code, decline_code, message):
    pi = new_intent()
    with pytest.raises(stripe.CardError) as caught:
        confirm_card(pi, number)
    error = caught.value
    assert (error.http_status, error.code, error.error.decline_code, error.user_message) == (
        402,
        code,
        decline_code,
        message,
    )
    assert error.error.type == "card_error"
    assert error.error.charge.startswith("ch_")
    assert error.error.payment_intent.status == "requires_payment_method"
    assert error.error.payment_intent.last_payment_error.decline_code == decline_code
    charge = stripe_client.v1.charges.retrieve(error.error.charge)
    assert (charge.status, charge.failure_code, charge.outcome.reason) == ("failed", code, decline_code)


@pytest.mark.parametrize(
    "number, brand",
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("4000056655665556", "visa"),
    ],
)
def test_succeeding_cards(new_intent, confirm_card, stripe_client, number, brand):
    pi = new_intent()
    assert confirm_card(pi, number).status == "succeeded"
    charge = stripe_client.v1.charges.retrieve(stripe_client.v1.payment_intents.retrieve(pi.id).latest_charge)
    assert charge.payment_method_details.card.brand == brand
    assert charge.payment_method_details.card.last4 == number[-4:]


@pytest.mark.parametrize("number", ["4000002760003184", "4000002500003155", "4000000000003220"])
def test_three_d_secure_cards_require_action(new_intent, confirm_card, number, sandbox_url):
    pi = confirm_card(new_intent(), number)
    assert pi.status == "requires_action"
    assert pi.next_action.type == "redirect_to_url"
    assert pi.next_action.redirect_to_url.url.startswith(f"{sandbox_url}/3ds/authenticate/{pi.id}?")
    assert pi.next_action.redirect_to_url.return_url == RETURN_URL


@pytest.mark.parametrize("number", ["4111111111111111", "4000000000024242", "4000000000180002"])
def test_live_card_numbers_are_declined_in_test_mode(new_intent, confirm_card, number):
    """Also a live card whose last four match a test card's (4242, 0002): the whole number decides."""
    with pytest.raises(stripe.CardError) as caught:
        confirm_card(new_intent(), number)
    assert caught.value.error.decline_code == "test_mode_live_card"


def test_a_card_keeps_its_fingerprint(publishable_client):
    """Stripe's fingerprint is per card number: the same number twice, the same fingerprint; another, another."""

    def card(number):
        pm = publishable_client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}}
        )
        return pm.card.fingerprint

    assert card("4242424242424242") == card("4242 4242 4242 4242") != card("5555555555554444")


def test_invalid_numbers_and_expiry_are_card_errors(new_intent, confirm_card):
    with pytest.raises(stripe.CardError) as caught:
        confirm_card(new_intent(), "4242424242424241")
    assert (caught.value.code, caught.value.param, caught.value.user_message) == (
        "incorrect_number",
        "number",
        "Your card number is incorrect.",
    )
    with pytest.raises(stripe.CardError) as caught:
        confirm_card(new_intent(), "4242424242424242", exp_year="2001")
    assert caught.value.code == "invalid_expiry_year"


@pytest.mark.parametrize(
    "pm_id, decline_code",
    [
        ("pm_card_visa_chargeDeclined", "generic_decline"),
        ("pm_card_chargeDeclined", "generic_decline"),
        ("pm_card_visa_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"),
        ("pm_card_visa_chargeDeclinedLostCard", "lost_card"),
        ("pm_card_chargeDeclinedStolenCard", "stolen_card"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc"),
        ("pm_card_chargeDeclinedProcessingError", "processing_error"),
        ("pm_card_chargeCustomerFail", "generic_decline"),
    ],
)
def test_declining_test_payment_methods(new_intent, stripe_client, pm_id, decline_code):
    with pytest.raises(stripe.CardError) as caught:
        stripe_client.v1.payment_intents.confirm(
            new_intent().id, params={"payment_method": pm_id, "return_url": RETURN_URL}
        )
    assert caught.value.error.decline_code == decline_code


@pytest.mark.parametrize(
    "pm_id, status",
    [
        ("pm_card_visa", "succeeded"),
        ("pm_card_mastercard", "succeeded"),
        ("pm_card_amex", "succeeded"),
        ("pm_card_authenticationRequired", "requires_action"),
        ("pm_card_threeDSecure2Required", "requires_action"),
    ],
)
def test_test_payment_methods(new_intent, stripe_client, pm_id, status):
    pi = stripe_client.v1.payment_intents.confirm(
        new_intent().id, params={"payment_method": pm_id, "return_url": RETURN_URL}
    )
    assert pi.status == status


def test_unknown_payment_method_is_resource_missing(new_intent, stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_intents.confirm(
            new_intent().id, params={"payment_method": "pm_nope", "return_url": RETURN_URL}
        )
    assert (caught.value.http_status, caught.value.code, caught.value.param) == (
        404,
        "resource_missing",
        "payment_method",
    )


def test_payment_methods_endpoint_names_its_own_params(publishable_client, stripe_client):
    created = publishable_client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "1"},
        }
    )
    assert created.card.last4 == "4242"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        publishable_client.v1.payment_methods.create(params={"card": {"number": "4242424242424242"}})
    assert caught.value.param == "type"
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.payment_methods.create(params={"type": "card", "card": {"number": "4242424242424242"}})
    assert caught.value.param == "card[number]"
