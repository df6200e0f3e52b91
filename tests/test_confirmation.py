"""The return page trusts only the PaymentIntent it retrieves with the secret key."""

import pytest
import stripe

from tests.shop_helpers import new_order, pay


def order_status(client, order):
    return client.get(f"/api/orders/{order['id']}").get_json()


def test_paid_order_shows_total_and_payment_intent(client, stripe_client):
    order = new_order(client, ("working-in-public", 2), ("art-of-doing-science", 1))
    pay(stripe_client, order)
    page = client.get(f"/checkout/{order['id']}/complete?payment_intent={order['payment_intent']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-testid="confirmation-amount">$79.00<' in html
    assert f'data-testid="payment-intent-id">{order["payment_intent"]}<' in html
    assert order_status(client, order)["status"] == "paid"


def test_reloading_the_confirmation_is_idempotent(client, stripe_client):
    order = new_order(client, ("an-elegant-puzzle", 1))
    pay(stripe_client, order)
    for _ in range(3):
        assert client.get(f"/checkout/{order['id']}/complete").status_code == 200
    history = order_status(client, order)["history"]
    assert [h["status"] for h in history] == ["awaiting_payment", "paid"]
    assert history[1]["source"] == "return page"


def test_someone_elses_payment_intent_is_never_shown_as_paid(client, stripe_client):
    mine = new_order(client, ("scaling-people", 1))
    theirs = new_order(client, ("scaling-people", 1))
    pay(stripe_client, theirs)
    page = client.get(f"/checkout/{mine['id']}/complete?payment_intent={theirs['payment_intent']}")
    assert page.status_code == 400
    assert 'data-testid="confirmation"' not in page.get_data(as_text=True)
    assert order_status(client, mine)["status"] == "awaiting_payment"


def test_made_up_payment_intent_is_refused(client):
    order = new_order(client, ("scaling-people", 1))
    page = client.get(f"/checkout/{order['id']}/complete?payment_intent=pi_madeup&redirect_status=succeeded")
    assert page.status_code == 400
    assert order_status(client, order)["status"] == "awaiting_payment"


def test_unpaid_return_goes_back_to_checkout_with_the_error(client, stripe_client):
    order = new_order(client, ("stubborn-attachments", 1))
    with pytest.raises(stripe.CardError):
        pay(stripe_client, order, "pm_card_visa_chargeDeclinedInsufficientFunds")
    page = client.get(f"/checkout/{order['id']}/complete?redirect_status=failed")
    assert page.status_code == 302
    assert page.location == f"/checkout/{order['id']}?error=insufficient_funds"  # a code; the page chooses the words
    assert order_status(client, order)["status"] == "failed"
    checkout = client.get(page.location).get_data(as_text=True)
    assert "Your card has insufficient funds." in checkout


def test_unknown_order_pages_are_readable_404s(client):
    for path in ("/checkout/ord_nope", "/checkout/ord_nope/complete", "/orders/ord_nope"):
        page = client.get(path)
        assert page.status_code == 404
        assert "There is no order ord_nope." in page.get_data(as_text=True)


def test_order_page_shows_status_and_history(client, stripe_client):
    order = new_order(client, ("revolt-of-the-public", 3))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")
    html = client.get(f"/orders/{order['id']}").get_data(as_text=True)
    assert 'data-testid="order-status">paid<' in html
    assert "return page" in html and order["payment_intent"] in html
