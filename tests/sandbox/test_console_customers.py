"""The sandbox console's Customers view: each customer with its saved cards, its payments and its SetupIntents."""

import re

import pytest
import stripe

from tests.sandbox.conftest import unique_email

CARD_ONLY = {"amount": 1099, "currency": "usd", "payment_method_types": ["card"]}


@pytest.fixture
def console(sandbox):
    return sandbox.app.test_client()


def text(response):
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def row(page, object_id):
    """The table row of ``object_id`` in a page."""
    found = page[page.index(f'data-row="{object_id}"') :]
    return found[: found.index("</tr>")]


@pytest.fixture
def returning(stripe_client):
    """A customer who saved a card at sign-up, paid off-session, saved a second card while paying, saved a third
    without paying, and whose fourth card was declined off-session."""
    email = unique_email()
    customer = stripe_client.v1.customers.create(
        params={"name": "Ada Lovelace", "email": email, "payment_method": "pm_card_visa"}
    )
    (visa,) = stripe_client.v1.customers.payment_methods.list(customer.id).data
    stripe_client.v1.customers.update(customer.id, params={"invoice_settings": {"default_payment_method": visa.id}})
    off = {**CARD_ONLY, "customer": customer.id, "off_session": True, "confirm": True}
    paid = stripe_client.v1.payment_intents.create(params={**off, "payment_method": visa.id})
    saved_while_paying = stripe_client.v1.payment_intents.create(
        params={
            **CARD_ONLY,
            "customer": customer.id,
            "payment_method_options": {"card": {"setup_future_usage": "off_session"}},
            "payment_method": "pm_card_mastercard",
            "confirm": True,
        }
    )
    setup = stripe_client.v1.setup_intents.create(
        params={
            "customer": customer.id,
            "payment_method_types": ["card"],
            "payment_method": "pm_card_amex",
            "confirm": True,
        }
    )
    failing = stripe_client.v1.payment_methods.attach("pm_card_chargeCustomerFail", params={"customer": customer.id})
    with pytest.raises(stripe.CardError) as caught:
        stripe_client.v1.payment_intents.create(params={**off, "payment_method": failing.id})
    return {
        "customer": customer,
        "cards": {"visa": visa, "failing": failing},
        "paid": [paid, saved_while_paying],
        "declined": caught.value.error.payment_intent,
        "setup": setup,
    }


def test_customers_list_shows_name_email_and_saved_card_count(console, returning):
    customer = returning["customer"]
    listed = row(text(console.get("/dashboard/customers")), customer.id)
    assert "Ada Lovelace" in listed and customer.email in listed
    assert re.search(r'data-testid="saved-card-count">4<', listed)


def test_a_customers_page_shows_its_saved_cards_payments_and_setups(console, returning):
    customer = returning["customer"]
    page = text(console.get(f"/dashboard/customers/{customer.id}"))
    cards = re.findall(r'data-testid="saved-card">([^<]+)<', page)
    assert sorted(label.strip() for label in cards) == [
        "Amex •••• 0005",
        "Mastercard •••• 4444",
        "Visa •••• 0341",
        "Visa •••• 4242",
    ]
    assert '<span class="badge info">Default</span>' in row(page, returning["cards"]["visa"].id)
    for pi in returning["paid"]:
        assert "$10.99" in row(page, pi.id) and '<span class="badge ok">Succeeded</span>' in row(page, pi.id)
        assert f'href="/dashboard/payments/{pi.id}"' in row(page, pi.id)
    assert '<span class="badge bad">Failed</span>' in row(page, returning["declined"].id)
    assert '<span class="badge ok">Card saved</span>' in row(page, returning["setup"].id)
    assert "Visa •••• 4242 was saved to the customer" in page and "The card was saved for future payments" in page
    assert not re.search(r"_secret_[A-Za-z0-9]", page)


def test_a_removed_card_leaves_the_page_and_a_deleted_customer_the_list(console, stripe_client, returning):
    customer, failing = returning["customer"], returning["cards"]["failing"]
    stripe_client.v1.payment_methods.detach(failing.id)
    page = text(console.get(f"/dashboard/customers/{customer.id}"))
    assert f'data-row="{failing.id}"' not in page and "Visa •••• 0341 was removed from the customer" in page
    stripe_client.v1.customers.delete(customer.id)
    assert f'data-row="{customer.id}"' not in text(console.get("/dashboard/customers"))
    assert "Deleted customer" in text(console.get(f"/dashboard/customers/{customer.id}"))


def test_a_payment_links_to_its_customer(console, returning):
    customer, (pi, _) = returning["customer"], returning["paid"]
    page = text(console.get(f"/dashboard/payments/{pi.id}"))
    assert f'href="/dashboard/customers/{customer.id}"' in page


def test_an_unknown_customer_gets_a_readable_404(console):
    page = console.get("/dashboard/customers/cus_doesnotexist")
    assert page.status_code == 404 and "No such customer: cus_doesnotexist" in page.get_data(as_text=True)
