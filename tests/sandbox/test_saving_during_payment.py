"""Saving a card while paying: ``setup_future_usage`` (or its card-only option) attaches the PaymentMethod to the
PaymentIntent's customer when, and only when, the payment succeeds."""

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, events_about, refused

CARD_ONLY = {"amount": 1099, "currency": "usd", "payment_method_types": ["card"]}


@pytest.fixture
def customer(stripe_client):
    return stripe_client.v1.customers.create(params={"description": "saving during payment"})


def saved_cards(client, customer):
    return client.v1.customers.payment_methods.list(customer.id, params={"type": "card"}).data


@pytest.mark.parametrize("usage", ["off_session", "on_session"])
def test_setup_future_usage_attaches_the_card_when_the_payment_succeeds(stripe_client, customer, usage):
    pi = stripe_client.v1.payment_intents.create(
        params={
            **CARD_ONLY,
            "customer": customer.id,
            "setup_future_usage": usage,
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert (pi.status, pi.customer, pi.setup_future_usage) == ("succeeded", customer.id, usage)
    (card,) = saved_cards(stripe_client, customer)
    assert card.id == pi.payment_method and card.customer == customer.id
    assert [e.type for e in events_about(stripe_client, card.id, "payment_method.")] == ["payment_method.attached"]
    assert stripe_client.v1.charges.retrieve(pi.latest_charge).customer == customer.id


def test_the_card_option_set_by_an_update_saves_the_card(stripe_client, customer):
    """What the shop does when the shopper ticks "Save my card": customer and the card-only option on the order's
    PaymentIntent, then the shopper pays."""
    pi = stripe_client.v1.payment_intents.create(params=CARD_ONLY)
    pi = stripe_client.v1.payment_intents.update(
        pi.id,
        params={"customer": customer.id, "payment_method_options": {"card": {"setup_future_usage": "off_session"}}},
    )
    assert pi.payment_method_options.card.setup_future_usage == "off_session" and pi.setup_future_usage is None
    paid = stripe_client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_mastercard"})
    assert paid.status == "succeeded"
    assert [card.id for card in saved_cards(stripe_client, customer)] == [paid.payment_method]


def test_unticking_save_unsets_the_card_option_and_nothing_is_saved(stripe_client, customer):
    pi = stripe_client.v1.payment_intents.create(
        params={
            **CARD_ONLY,
            "customer": customer.id,
            "payment_method_options": {"card": {"setup_future_usage": "off_session"}},
        }
    )
    pi = stripe_client.v1.payment_intents.update(
        pi.id, params={"payment_method_options": {"card": {"setup_future_usage": ""}}}
    )
    assert "setup_future_usage" not in pi.payment_method_options.card
    stripe_client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert saved_cards(stripe_client, customer) == []


def test_none_for_cards_overrides_the_intents_setup_future_usage(stripe_client, customer):
    pi = stripe_client.v1.payment_intents.create(
        params={
            **CARD_ONLY,
            "customer": customer.id,
            "setup_future_usage": "off_session",
            "payment_method_options": {"card": {"setup_future_usage": "none"}},
            "payment_method": "pm_card_visa",
            "confirm": True,
        }
    )
    assert pi.status == "succeeded" and saved_cards(stripe_client, customer) == []


def test_a_payment_with_a_customer_but_no_setup_future_usage_saves_nothing(stripe_client, customer):
    pi = stripe_client.v1.payment_intents.create(
        params={**CARD_ONLY, "customer": customer.id, "payment_method": "pm_card_visa", "confirm": True}
    )
    assert pi.status == "succeeded" and saved_cards(stripe_client, customer) == []
    assert stripe_client.v1.payment_methods.retrieve(pi.payment_method).customer is None


def test_a_declined_payment_saves_nothing(stripe_client, customer):
    error = refused(
        lambda: stripe_client.v1.payment_intents.create(
            params={
                **CARD_ONLY,
                "customer": customer.id,
                "setup_future_usage": "off_session",
                "payment_method": "pm_card_chargeDeclined",
                "confirm": True,
            }
        ),
        stripe.CardError,
    )
    assert error.code == "card_declined" and saved_cards(stripe_client, customer) == []


def test_stripe_js_save_payment_method_saves_a_typed_card(stripe_client, publishable_client, customer):
    pi = stripe_client.v1.payment_intents.create(params={**CARD_ONLY, "customer": customer.id})
    card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    paid = publishable_client.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "payment_method_data": {"type": "card", "card": card},
            "save_payment_method": True,
            "return_url": RETURN_URL,
        },
    )
    assert paid.status == "succeeded"
    assert [saved.id for saved in saved_cards(stripe_client, customer)] == [paid.payment_method]


@pytest.mark.sandbox_only("the wording of this refusal is the sandbox's own; Stripe's was not recorded")
def test_save_payment_method_needs_a_customer(stripe_client, publishable_client):
    pi = stripe_client.v1.payment_intents.create(params=CARD_ONLY)
    error = refused(
        lambda: publishable_client.v1.payment_intents.confirm(
            pi.id,
            params={"client_secret": pi.client_secret, "payment_method": "pm_card_visa", "save_payment_method": True},
        )
    )
    assert (error.http_status, error.param) == (400, "save_payment_method")
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_a_saved_card_pays_on_session_for_its_customer_only(stripe_client, publishable_client, customer):
    """``confirmCardPayment(clientSecret, {payment_method: 'pm_…'})``: the customer's own saved card, and no other."""
    saved = stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    pi = stripe_client.v1.payment_intents.create(params={**CARD_ONLY, "customer": customer.id})
    paid = publishable_client.v1.payment_intents.confirm(
        pi.id, params={"client_secret": pi.client_secret, "payment_method": saved.id}
    )
    assert (paid.status, paid.payment_method) == ("succeeded", saved.id)
    stranger = stripe_client.v1.payment_intents.create(params=CARD_ONLY)
    error = refused(
        lambda: publishable_client.v1.payment_intents.confirm(
            stranger.id, params={"client_secret": stranger.client_secret, "payment_method": saved.id}
        )
    )
    assert (error.http_status, error.code, error.param) == (400, "parameter_missing", "source")
    assert error.user_message == (
        f"The `payment_method` parameter supplied {saved.id} belongs to the Customer {customer.id}. Please include "
        "the Customer in the `customer` parameter on the PaymentIntent."
    )
    assert error.error.payment_intent.id == stranger.id
    assert stripe_client.v1.payment_intents.retrieve(stranger.id).status == "requires_payment_method"


def test_another_customers_card_is_refused(stripe_client, customer):
    saved = stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    other = stripe_client.v1.customers.create()
    pi = stripe_client.v1.payment_intents.create(params={**CARD_ONLY, "customer": other.id})
    error = refused(lambda: stripe_client.v1.payment_intents.confirm(pi.id, params={"payment_method": saved.id}))
    assert (error.http_status, error.code, error.param) == (400, None, "payment_method")
    assert error.user_message == (
        f"The PaymentMethod {saved.id} does not belong to the Customer you supplied {other.id}. Please use this "
        "PaymentMethod with the Customer that it belongs to instead."
    )
    assert stripe_client.v1.payment_intents.retrieve(pi.id).payment_method is None


def test_confirming_without_a_payment_method_uses_the_customers_default(stripe_client, customer):
    saved = stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    pi = stripe_client.v1.payment_intents.create(params={**CARD_ONLY, "customer": customer.id})
    error = refused(lambda: stripe_client.v1.payment_intents.confirm(pi.id))
    assert (error.code, error.user_message) == (
        "payment_intent_unexpected_state",
        f"You cannot confirm this PaymentIntent because it's missing a payment method. To confirm the PaymentIntent "
        f"with {customer.id}, specify a payment method attached to this customer along with the customer ID.",
    )
    stripe_client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": saved.id}})
    paid = stripe_client.v1.payment_intents.confirm(pi.id)
    assert (paid.status, paid.payment_method) == ("succeeded", saved.id)


@pytest.mark.parametrize(
    "options, param",
    [
        ({"card": {"setup_future_usage": "always"}}, "payment_method_options[card][setup_future_usage]"),
        ("x", "payment_method_options"),
    ],
)
def test_bad_card_options_are_refused(stripe_client, options, param):
    error = refused(
        lambda: stripe_client.v1.payment_intents.create(params={**CARD_ONLY, "payment_method_options": options})
    )
    assert (error.http_status, error.param) == (400, param)
