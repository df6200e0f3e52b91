"""Small helpers the shop tests share: make an order, pay it the way the server-side lessons do."""

RETURN_URL = "http://127.0.0.1/return"


def new_order(client, *items, email=None):
    body = {"items": [{"book_id": book_id, "quantity": quantity} for book_id, quantity in items]}
    if email:
        body["email"] = email
    response = client.post("/api/orders", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def pay(stripe_client, order, payment_method="pm_card_visa"):
    """Confirm the order's PaymentIntent server-side (what a shopper's successful payment amounts to)."""
    return stripe_client.v1.payment_intents.confirm(
        order["payment_intent"], params={"payment_method": payment_method, "return_url": RETURN_URL}
    )
