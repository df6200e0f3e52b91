"""A PaymentIntent settles an order only if it is the order's own: its id, ``metadata.order_id``, amount and currency.

Each condition of ``check_belongs`` has a case here in which it alone tells the PaymentIntent is
not the order's, so removing any one of them fails a test.  The amount, currency and metadata
cases are real PaymentIntents at the sandbox, changed with the secret key before they were paid,
then reported the two ways Stripe reports a payment to the shop: the shopper's return page (the
shop retrieves the PaymentIntent) and the signed webhook event.  The id cannot differ on either
path (the return page retrieves the order's own PaymentIntent, the webhook finds the order by the
PaymentIntent's id), so its case calls the order store the way both do, with another PaymentIntent
of the same order, amount and currency.
"""

import pytest

from press_workbench.shop.orders import OrderError
from tests.shop_helpers import RETURN_URL, event_for, new_order, pay, post_event, status_of

CHANGES = {
    "amount": {"amount": 2801},
    "currency": {"currency": "eur"},
    "metadata.order_id": {"metadata": {"order_id": "ord_someoneelses"}},
}


@pytest.fixture
def client(signed_app):
    return signed_app.test_client()


def paid_with(client, stripe_client, change):
    """An order whose PaymentIntent was changed by ``change`` and then paid; the order is not yet told."""
    order = new_order(client, ("working-in-public", 1))
    stripe_client.v1.payment_intents.update(order["payment_intent"], params=change)
    assert pay(stripe_client, order).status == "succeeded"
    return order


@pytest.mark.parametrize("condition", CHANGES)
def test_the_return_page_does_not_settle_an_order_with_a_changed_payment_intent(client, stripe_client, condition):
    order = paid_with(client, stripe_client, CHANGES[condition])
    page = client.get(f"/checkout/{order['id']}/complete?payment_intent={order['payment_intent']}")
    assert page.status_code == 400 and 'data-testid="confirmation"' not in page.get_data(as_text=True)
    assert status_of(client, order)["status"] == "awaiting_payment"


@pytest.mark.parametrize("condition", CHANGES)
def test_a_signed_event_does_not_settle_an_order_with_a_changed_payment_intent(client, stripe_client, condition):
    order = paid_with(client, stripe_client, CHANGES[condition])
    event = event_for(stripe_client, order["payment_intent"], "payment_intent.succeeded")
    assert post_event(client, event).get_json() == {"received": True, "handled": True}
    settled = status_of(client, order)
    assert (settled["status"], len(settled["history"])) == ("awaiting_payment", 1)


def test_another_payment_intent_for_the_same_order_amount_and_currency_does_not_settle_it(
    signed_app, client, stripe_client
):
    order = new_order(client, ("working-in-public", 1))
    other = stripe_client.v1.payment_intents.create(
        params={
            "amount": order["amount"],
            "currency": order["currency"],
            "metadata": {"order_id": order["id"]},
            "payment_method": "pm_card_visa",
            "payment_method_types": ["card"],
            "confirm": True,
            "return_url": RETURN_URL,
        }
    )
    assert other.status == "succeeded" and other.id != order["payment_intent"]
    orders = signed_app.extensions["shop"].orders
    with pytest.raises(OrderError, match=f"PaymentIntent {other.id} does not belong to order {order['id']}"):
        orders.apply_payment_intent(orders.get(order["id"]), other.to_dict(), "webhook")
    assert status_of(client, order)["status"] == "awaiting_payment"


def test_the_order_itself_is_settled_by_both_paths(client, stripe_client):
    """The control: the unchanged PaymentIntent settles, once, whichever report comes first."""
    order = paid_with(client, stripe_client, {"description": "a change that does not matter"})
    assert client.get(f"/checkout/{order['id']}/complete?payment_intent={order['payment_intent']}").status_code == 200
    post_event(client, event_for(stripe_client, order["payment_intent"], "payment_intent.succeeded"))
    assert [h["status"] for h in status_of(client, order)["history"]] == ["awaiting_payment", "paid"]
