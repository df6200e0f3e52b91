"""Refunding an order through the shop's API: once, only when paid, and Stripe agrees."""

from tests.shop_helpers import new_order, pay


def test_refund_a_paid_order(client, stripe_client):
    order = new_order(client, ("working-in-public", 2))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")
    response = client.post(f"/api/orders/{order['id']}/refund")
    assert response.status_code == 200
    refunded = response.get_json()
    assert refunded["status"] == "refunded" and refunded["history"][-1]["source"] == "refund"
    charge = stripe_client.v1.charges.retrieve(stripe_client.v1.payment_intents.retrieve(order["payment_intent"]).latest_charge)
    assert (charge.refunded, charge.amount_refunded) == (True, 5600)
    again = client.post(f"/api/orders/{order['id']}/refund")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "order_state"
    assert len(stripe_client.v1.refunds.list(params={"payment_intent": order["payment_intent"]}).data) == 1


def test_unpaid_and_unknown_orders_cannot_be_refunded(client):
    order = new_order(client, ("working-in-public", 1))
    assert client.post(f"/api/orders/{order['id']}/refund").status_code == 409
    assert client.post("/api/orders/ord_nope/refund").status_code == 404
