"""A PaymentIntent settles an order only if it is the order's own: its id, ``metadata.order_id``, amount and currency.

Each condition of ``check_belongs`` has cases here in which it alone tells the PaymentIntent is
not the order's, so removing any one of them fails a test; each with a value on either side of the
order's (a ``!=`` mutated into ``<`` passed one-sided cases: ``make mutation``).  The amount, currency and metadata
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

# Each differs from the order on both sides (a smaller and a larger value), so that only "differs" refuses both.
CHANGES = {
    "amount below": {"amount": 2799},
    "amount above": {"amount": 2801},
    "currency before": {"currency": "eur"},  # the order's is usd
    "currency after": {"currency": "zar"},
    "metadata.order_id before": {"metadata": {"order_id": "ord_0000000000000000"}},  # below any order's id
    "metadata.order_id after": {"metadata": {"order_id": "ord_zzzzzzzzzzzzzzzz"}},  # above any
    "metadata.order_id missing": {"metadata": {"order_id": ""}},  # "" deletes a metadata key, as at Stripe
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
    """Paid PaymentIntents of the order's amount, currency and metadata, with ids on both sides of the order's own."""
    order = new_order(client, ("working-in-public", 1))
    params = {
        "amount": order["amount"],
        "currency": order["currency"],
        "metadata": {"order_id": order["id"]},
        "payment_method": "pm_card_visa",
        "payment_method_types": ["card"],
        "confirm": True,
        "return_url": RETURN_URL,
    }
    others = {}
    while len(others) < 2:  # ids are random: one sorting before the order's PaymentIntent, one after
        other = stripe_client.v1.payment_intents.create(params=params)
        others.setdefault(other.id < order["payment_intent"], other)
    orders = signed_app.extensions["shop"].orders
    for other in others.values():
        assert other.status == "succeeded"
        with pytest.raises(OrderError, match=f"PaymentIntent {other.id} does not belong to order {order['id']}"):
            orders.apply_payment_intent(orders.get(order["id"]), other.to_dict(), "webhook")
    assert status_of(client, order)["status"] == "awaiting_payment"


def test_the_order_itself_is_settled_by_both_paths(client, stripe_client):
    """The control: the unchanged PaymentIntent settles, once, whichever report comes first."""
    order = paid_with(client, stripe_client, {"description": "a change that does not matter"})
    assert client.get(f"/checkout/{order['id']}/complete?payment_intent={order['payment_intent']}").status_code == 200
    post_event(client, event_for(stripe_client, order["payment_intent"], "payment_intent.succeeded"))
    assert [h["status"] for h in status_of(client, order)["history"]] == ["awaiting_payment", "paid"]
