"""Customers as stripe-python 16 uses them: create, retrieve, update, list by email, delete, and their events."""

import pytest
import stripe

from tests.sandbox.conftest import events_about, refused, unique_email


def test_create_retrieve_and_update_email_name_and_metadata(stripe_client):
    email = unique_email()
    created = stripe_client.v1.customers.create(
        params={"email": email, "name": "Jenny Rosen", "metadata": {"shop_session": "s1", "tier": "gold"}}
    )
    assert created.id.startswith("cus_") and created.object == "customer"
    assert (created.email, created.name, created.metadata.to_dict()) == (
        email,
        "Jenny Rosen",
        {"shop_session": "s1", "tier": "gold"},
    )
    assert stripe_client.v1.customers.retrieve(created.id).to_dict() == created.to_dict()
    updated = stripe_client.v1.customers.update(
        created.id, params={"name": "Jenny R.", "metadata": {"tier": "", "visits": "2"}}
    )
    assert (updated.name, updated.email, updated.metadata.to_dict()) == (
        "Jenny R.",
        email,
        {"shop_session": "s1", "visits": "2"},
    )


def test_a_new_customer_answers_with_stripes_defaults(stripe_client):
    created = stripe_client.v1.customers.create().to_dict()
    assert (created["address"], created["shipping"], created["email"], created["name"]) == (None, None, None, None)
    assert created["invoice_settings"] == {
        "custom_fields": None,
        "default_payment_method": None,
        "footer": None,
        "rendering_options": None,
    }
    assert (created["balance"], created["delinquent"], created["tax_exempt"], created["preferred_locales"]) == (
        0,
        False,
        "none",
        [],
    )
    assert created["invoice_prefix"].isalnum() and created["invoice_prefix"].upper() == created["invoice_prefix"]


def test_address_and_shipping_are_stored_with_every_field(stripe_client):
    created = stripe_client.v1.customers.create(
        params={
            "address": {"line1": "510 Townsend St", "city": "San Francisco", "country": "US"},
            "shipping": {"name": "Jenny Rosen", "address": {"line1": "1 Main St", "postal_code": "94103"}},
        }
    )
    assert created.address.to_dict() == {
        "city": "San Francisco",
        "country": "US",
        "line1": "510 Townsend St",
        "line2": None,
        "postal_code": None,
        "state": None,
    }
    assert created.shipping.name == "Jenny Rosen" and created.shipping.address.postal_code == "94103"
    assert stripe_client.v1.customers.update(created.id, params={"address": ""}).address is None


def test_list_filters_by_email_exactly_and_newest_first(stripe_client):
    email = unique_email()
    first = stripe_client.v1.customers.create(params={"email": email})
    second = stripe_client.v1.customers.create(params={"email": email})
    stripe_client.v1.customers.create(params={"email": email.upper()})  # Stripe's filter is case-sensitive
    stripe_client.v1.customers.create(params={"email": unique_email()})
    found = stripe_client.v1.customers.list(params={"email": email, "limit": 10})
    assert [c.id for c in found.data] == [second.id, first.id] and found.has_more is False
    assert found.url == "/v1/customers"
    page = stripe_client.v1.customers.list(params={"email": email, "limit": 1})
    assert [c.id for c in page.data] == [second.id] and page.has_more is True


def test_delete_leaves_stripes_stub_and_nothing_else_works_on_it(stripe_client):
    email = unique_email()
    customer = stripe_client.v1.customers.create(params={"email": email})
    answer = stripe_client.v1.customers.delete(customer.id)
    assert answer.to_dict() == {"id": customer.id, "object": "customer", "deleted": True}
    assert stripe_client.v1.customers.retrieve(customer.id).to_dict() == answer.to_dict()
    assert stripe_client.v1.customers.list(params={"email": email}).data == []
    for call in (
        lambda: stripe_client.v1.customers.update(customer.id, params={"name": "x"}),
        lambda: stripe_client.v1.customers.delete(customer.id),
    ):
        error = refused(call)
        assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
        assert error.user_message == f"No such customer: '{customer.id}'"
    error = refused(
        lambda: stripe_client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "usd", "customer": customer.id}
        )
    )
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "customer")


def test_payment_method_on_create_attaches_a_payment_method_of_its_own(stripe_client):
    customer = stripe_client.v1.customers.create(params={"payment_method": "pm_card_visa"})
    (card,) = stripe_client.v1.customers.payment_methods.list(customer.id, params={"type": "card"}).data
    assert card.id.startswith("pm_") and card.id != "pm_card_visa"
    assert (card.customer, card.card.last4, card.card.brand) == (customer.id, "4242", "visa")
    assert customer.invoice_settings.default_payment_method is None  # attaching does not make it the default


def test_a_card_the_bank_refuses_leaves_no_customer_behind(stripe_client):
    email = unique_email()
    error = refused(
        lambda: stripe_client.v1.customers.create(params={"email": email, "payment_method": "pm_card_chargeDeclined"}),
        stripe.CardError,
    )
    assert (error.http_status, error.code, error.error.decline_code) == (402, "card_declined", "generic_decline")
    assert stripe_client.v1.customers.list(params={"email": email}).data == []


def test_the_default_payment_method_must_be_the_customers_own(stripe_client):
    customer = stripe_client.v1.customers.create(params={"payment_method": "pm_card_visa"})
    other = stripe_client.v1.customers.create(params={"payment_method": "pm_card_mastercard"})
    (own,) = stripe_client.v1.customers.payment_methods.list(customer.id).data
    (foreign,) = stripe_client.v1.customers.payment_methods.list(other.id).data
    error = refused(
        lambda: stripe_client.v1.customers.update(
            customer.id, params={"invoice_settings": {"default_payment_method": foreign.id}}
        )
    )
    assert error.http_status == 400 and error.param == "invoice_settings[default_payment_method]"
    assert error.user_message == (
        f"The customer does not have a payment method with the ID {foreign.id}. The payment method must be "
        "attached to the customer."
    )
    updated = stripe_client.v1.customers.update(
        customer.id,
        params={
            "invoice_settings": {"default_payment_method": own.id},
            "expand": ["invoice_settings.default_payment_method"],
        },
    )
    assert updated.invoice_settings.default_payment_method.card.last4 == "4242"


def test_customer_events_say_what_changed(stripe_client):
    customer = stripe_client.v1.customers.create(params={"name": "Before", "metadata": {"a": "1"}})
    stripe_client.v1.customers.update(customer.id, params={"name": "After", "metadata": {"b": "2"}})
    stripe_client.v1.customers.update(customer.id, params={"name": "After"})  # changes nothing: no event
    stripe_client.v1.customers.delete(customer.id)
    events = events_about(stripe_client, customer.id, "customer.")
    assert [e.type for e in events] == ["customer.created", "customer.updated", "customer.deleted"]
    created, updated, deleted = events
    assert created.data.object.name == "Before"
    assert updated.data.object.name == "After"
    assert updated.data.previous_attributes.to_dict() == {"name": "Before", "metadata": {"b": None}}
    assert deleted.data.object.name == "After"


@pytest.mark.parametrize(
    "params, code, param",
    [
        ({"emial": "a@example.com"}, "parameter_unknown", "emial"),
        ({"email": "not an address"}, "email_invalid", "email"),
        ({"metadata": "x"}, None, "metadata"),
        ({"address": {"street": "1 Main St"}}, "parameter_unknown", "address[street]"),
        ({"shipping": {"address": {"line1": "1 Main St"}}}, "parameter_missing", "shipping[name]"),
        ({"invoice_settings": {"colour": "red"}}, "parameter_unknown", "invoice_settings[colour]"),
        ({"payment_method": "pm_doesnotexist"}, "resource_missing", "payment_method"),
    ],
)
def test_bad_input_is_refused_with_stripes_code_and_creates_nothing(stripe_client, params, code, param):
    email = unique_email()
    error = refused(lambda: stripe_client.v1.customers.create(params={**params, "description": email}))
    assert 400 <= error.http_status < 500 and (error.code, error.param) == (code, param)
    assert email not in [c.description for c in stripe_client.v1.customers.list(params={"limit": 100}).data]


def test_an_unknown_customer_is_stripes_404(stripe_client):
    error = refused(lambda: stripe_client.v1.customers.retrieve("cus_doesnotexist"))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
    assert error.user_message == "No such customer: 'cus_doesnotexist'"
    error = refused(lambda: stripe_client.v1.customers.list(params={"email": ["a@example.com", "b@example.com"]}))
    assert (error.http_status, error.param) == (400, "email")
