"""Charging a saved card off-session, as Stripe's guide does it, with Stripe's outcomes for its test cards:
``Customer.create(payment_method=…)``, ``PaymentMethod.list(customer=…, type='card')``, then
``PaymentIntent.create(…, customer, payment_method, off_session=True, confirm=True)``."""

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, refused

CARD_ONLY = {"amount": 1099, "currency": "usd", "payment_method_types": ["card"]}


def saved(client, test_id):
    """A customer with ``test_id`` saved, and the saved PaymentMethod, as the guide's server finds it."""
    customer = client.v1.customers.create(params={"payment_method": test_id})
    (pm,) = client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"}).data
    return customer, pm


def charge_off_session(client, customer, pm):
    return client.v1.payment_intents.create(
        params={**CARD_ONLY, "customer": customer.id, "payment_method": pm.id, "off_session": True, "confirm": True}
    )


def declined(call):
    return refused(call, stripe.CardError)


def test_authentication_required_names_the_payment_method_and_the_payment_intent(stripe_client):
    customer, pm = saved(stripe_client, "pm_card_authenticationRequired")
    error = declined(lambda: charge_off_session(stripe_client, customer, pm))
    assert (error.http_status, error.code, error.error.decline_code) == (
        402,
        "authentication_required",
        "authentication_required",
    )
    assert error.user_message == "Your card was declined. This transaction requires authentication."
    assert (error.error.payment_method.id, error.error.payment_method.card.last4) == (pm.id, "3184")
    pi = stripe_client.v1.payment_intents.retrieve(error.error.payment_intent.id)
    assert (pi.status, pi.customer, pi.payment_method, pi.next_action) == (
        "requires_payment_method",
        customer.id,
        None,
        None,
    )
    assert (pi.last_payment_error.code, pi.last_payment_error.payment_method.id) == ("authentication_required", pm.id)
    assert error.error.payment_intent.client_secret == pi.client_secret  # what brings the customer back on-session


@pytest.mark.sandbox_only("completes 3D Secure on the sandbox's own test page")
def test_the_customer_back_on_session_authenticates_and_pays(stripe_client, publishable_client, authenticate):
    """The guide's recovery: ``stripe.confirmCardPayment(clientSecret, {payment_method: pmId})``, then 3D Secure."""
    customer, pm = saved(stripe_client, "pm_card_authenticationRequired")
    pi = declined(lambda: charge_off_session(stripe_client, customer, pm)).error.payment_intent
    pending = publishable_client.v1.payment_intents.confirm(
        pi.id, params={"client_secret": pi.client_secret, "payment_method": pm.id, "use_stripe_sdk": True}
    )
    assert (pending.status, pending.next_action.type) == ("requires_action", "use_stripe_sdk")
    authenticate(pending, "complete")
    paid = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (paid.status, paid.payment_method, paid.amount_received) == ("succeeded", pm.id, 1099)


def test_charge_customer_fail_attaches_then_its_charge_is_declined(stripe_client):
    customer, pm = saved(stripe_client, "pm_card_chargeCustomerFail")
    assert pm.customer == customer.id
    error = declined(lambda: charge_off_session(stripe_client, customer, pm))
    assert (error.http_status, error.code, error.error.decline_code) == (402, "card_declined", "generic_decline")
    assert error.user_message == "Your card was declined."
    charge = stripe_client.v1.charges.retrieve(error.error.charge)
    assert (charge.status, charge.customer, charge.failure_code) == ("failed", customer.id, "card_declined")
    pi = stripe_client.v1.payment_intents.retrieve(error.error.payment_intent.id)
    assert (pi.status, pi.last_payment_error.decline_code) == ("requires_payment_method", "generic_decline")


def test_authentication_required_on_setup_is_declined_off_session_until_set_up(stripe_client):
    customer, pm = saved(stripe_client, "pm_card_authenticationRequiredOnSetup")  # attached, never set up
    error = declined(lambda: charge_off_session(stripe_client, customer, pm))
    assert (error.code, error.error.payment_method.id) == ("authentication_required", pm.id)


@pytest.mark.sandbox_only("completes 3D Secure on the sandbox's own test page")
def test_authentication_required_on_setup_pays_off_session_once_saved_by_an_authenticated_payment(
    stripe_client, authenticate
):
    customer = stripe_client.v1.customers.create()
    first = stripe_client.v1.payment_intents.create(
        params={
            **CARD_ONLY,
            "customer": customer.id,
            "setup_future_usage": "off_session",
            "payment_method": "pm_card_authenticationRequiredOnSetup",
            "confirm": True,
            "return_url": RETURN_URL,
        }
    )
    assert first.status == "requires_action"  # on-session, this card always asks
    authenticate(first, "complete")
    (pm,) = stripe_client.v1.customers.payment_methods.list(customer.id).data
    later = charge_off_session(stripe_client, customer, pm)
    assert (later.status, later.payment_method) == ("succeeded", pm.id)


def test_authentication_required_setup_for_off_session_pays_off_session(stripe_client):
    customer, pm = saved(stripe_client, "pm_card_authenticationRequiredSetupForOffSession")
    pi = charge_off_session(stripe_client, customer, pm)
    assert (pi.status, pi.amount_received, pi.customer) == ("succeeded", 1099, customer.id)
    on_session = stripe_client.v1.payment_intents.create(
        params={**CARD_ONLY, "customer": customer.id, "payment_method": pm.id, "confirm": True}
    )
    assert on_session.status == "requires_action"  # on-session, it still asks for 3D Secure


def test_a_card_that_needs_no_authentication_pays_off_session(stripe_client):
    customer, pm = saved(stripe_client, "pm_card_visa")
    pi = charge_off_session(stripe_client, customer, pm)
    assert (pi.status, pi.payment_method, pi.customer) == ("succeeded", pm.id, customer.id)


def test_off_session_with_another_customers_card_is_refused_and_charges_nothing(stripe_client):
    customer, pm = saved(stripe_client, "pm_card_visa")
    other = stripe_client.v1.customers.create()
    error = refused(lambda: charge_off_session(stripe_client, other, pm))
    assert (error.http_status, error.param) == (400, "payment_method")
    assert "does not belong to the Customer you supplied" in error.user_message
    charges = stripe_client.v1.charges.list(params={"limit": 10}).data
    assert pm.id not in [charge.payment_method for charge in charges]
