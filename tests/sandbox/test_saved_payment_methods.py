"""PaymentMethods saved to Customers: attach, detach, the two list routes, and what a detached one may no longer do."""

import pytest
import stripe

from tests.sandbox.conftest import events_about, refused

CARD_ONLY = {"amount": 1099, "currency": "usd", "payment_method_types": ["card"]}


@pytest.fixture
def customer(stripe_client):
    return stripe_client.v1.customers.create(params={"description": "saved cards test"})


def attach(client, pm, customer):
    return client.v1.payment_methods.attach(pm, params={"customer": customer.id})


def test_a_test_id_attached_becomes_a_payment_method_of_its_own(stripe_client, customer):
    first = attach(stripe_client, "pm_card_visa", customer)
    second = attach(stripe_client, "pm_card_visa", customer)
    assert first.id != second.id and first.id.startswith("pm_") and second.id.startswith("pm_")
    assert (first.customer, second.customer, first.card.last4) == (customer.id, customer.id, "4242")
    assert first.card.fingerprint == second.card.fingerprint  # the same card number, saved twice


def test_both_list_routes_list_the_customers_cards_newest_first(stripe_client, customer):
    older = attach(stripe_client, "pm_card_visa", customer)
    newer = attach(stripe_client, "pm_card_mastercard", customer)
    attach(stripe_client, "pm_card_amex", stripe_client.v1.customers.create())  # someone else's
    by_customer = stripe_client.v1.customers.payment_methods.list(customer.id, params={"type": "card"})
    by_filter = stripe_client.v1.payment_methods.list(params={"customer": customer.id, "type": "card"})
    assert [pm.id for pm in by_customer.data] == [pm.id for pm in by_filter.data] == [newer.id, older.id]
    assert by_customer.url == f"/v1/customers/{customer.id}/payment_methods"
    assert by_filter.url == "/v1/payment_methods"
    page = stripe_client.v1.customers.payment_methods.list(customer.id, params={"limit": 1})
    assert [pm.id for pm in page.data] == [newer.id] and page.has_more
    found = stripe_client.v1.customers.payment_methods.retrieve(customer.id, older.id)
    assert found.id == older.id


def test_attaching_to_the_same_customer_again_changes_nothing(stripe_client, customer):
    pm = attach(stripe_client, "pm_card_visa", customer)
    assert attach(stripe_client, pm.id, customer).to_dict() == pm.to_dict()
    attached = events_about(stripe_client, pm.id, "payment_method.")
    assert [e.type for e in attached] == ["payment_method.attached"]


def test_a_payment_method_of_another_customer_is_refused(stripe_client, customer):
    pm = attach(stripe_client, "pm_card_visa", customer)
    other = stripe_client.v1.customers.create()
    error = refused(lambda: attach(stripe_client, pm.id, other))
    assert error.http_status == 400
    assert error.user_message == "The payment method you provided has already been attached to a customer."
    assert stripe_client.v1.payment_methods.retrieve(pm.id).customer == customer.id
    error = refused(lambda: stripe_client.v1.customers.payment_methods.retrieve(other.id, pm.id))
    assert (error.http_status, error.code) == (404, "resource_missing")


def test_detach_then_the_payment_method_is_never_usable_again(stripe_client, customer):
    pm = attach(stripe_client, "pm_card_visa", customer)
    detached = stripe_client.v1.payment_methods.detach(pm.id)
    assert (detached.id, detached.customer) == (pm.id, None)
    assert stripe_client.v1.customers.payment_methods.list(customer.id).data == []
    error = refused(lambda: attach(stripe_client, pm.id, customer))
    assert error.http_status == 400 and "detached from a Customer" in error.user_message
    error = refused(
        lambda: stripe_client.v1.payment_intents.create(params={**CARD_ONLY, "payment_method": pm.id, "confirm": True})
    )
    assert (error.http_status, error.param) == (400, "payment_method") and "may not be used again" in error.user_message
    error = refused(lambda: stripe_client.v1.payment_methods.detach(pm.id))
    assert error.user_message == (
        "The payment method you provided is not attached to a customer so detachment is impossible."
    )
    events = events_about(stripe_client, pm.id, "payment_method.")
    assert [e.type for e in events] == ["payment_method.attached", "payment_method.detached"]
    assert events[1].data.previous_attributes.to_dict() == {"customer": customer.id}


def test_detaching_the_default_payment_method_clears_it(stripe_client, customer):
    pm = attach(stripe_client, "pm_card_visa", customer)
    stripe_client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": pm.id}})
    stripe_client.v1.payment_methods.detach(pm.id)
    assert stripe_client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method is None


@pytest.mark.parametrize(
    "pm_id, code, decline_code",
    [
        ("pm_card_visa_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
    ],
)
def test_a_card_the_bank_declines_is_not_attached(stripe_client, customer, pm_id, code, decline_code):
    error = refused(lambda: attach(stripe_client, pm_id, customer), stripe.CardError)
    assert (error.http_status, error.code, error.error.decline_code) == (402, code, decline_code)
    assert stripe_client.v1.customers.payment_methods.list(customer.id).data == []


def test_charge_customer_fail_attaches_then_declines_when_charged(stripe_client, customer):
    pm = attach(stripe_client, "pm_card_chargeCustomerFail", customer)
    assert pm.customer == customer.id and pm.card.last4 == "0341"


def test_attach_needs_a_customer_that_exists(stripe_client, customer):
    error = refused(lambda: stripe_client.v1.payment_methods.attach("pm_card_visa", params={}))
    assert (error.http_status, error.code, error.param) == (400, "parameter_missing", None)
    assert error.user_message == "Must provide customer or customer_account."
    error = refused(lambda: stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": "cus_nope"}))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "customer")
    error = refused(lambda: attach(stripe_client, "pm_doesnotexist", customer))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "payment_method")
    assert error.user_message == "No such PaymentMethod: 'pm_doesnotexist'"
    error = refused(lambda: stripe_client.v1.customers.payment_methods.list("cus_nope"))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")


def test_without_a_customer_the_payment_methods_list_is_empty(stripe_client, customer):
    attach(stripe_client, "pm_card_visa", customer)
    assert stripe_client.v1.payment_methods.list(params={"type": "card"}).data == []
