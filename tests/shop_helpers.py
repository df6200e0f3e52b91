"""Small helpers the shop tests share: make an order, pay it the way the server-side lessons do, tell the shop."""

import json

import stripe

RETURN_URL = "http://127.0.0.1/return"
WEBHOOK_SECRET = "whsec_test_press_workbench"  # the ``signed_app`` fixture's (tests/conftest.py)


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


def status_of(client, order):
    """The order as ``GET /api/orders/<id>`` shows it."""
    return client.get(f"/api/orders/{order['id']}").get_json()


def event_for(stripe_client, pi_id, type):
    """The sandbox's own event of ``type`` about ``pi_id``, as a dict (what Stripe would deliver)."""
    for event in stripe_client.v1.events.list(params={"type": type, "limit": 100}).data:
        if event.data.object.id == pi_id:
            return event.to_dict()
    raise AssertionError(f"no {type} event for {pi_id}")


def post_event(client, event, secret=WEBHOOK_SECRET, header=None):
    """Deliver ``event`` to the shop's ``/webhook``, signed with ``secret`` (or with the ``header`` given)."""
    payload = json.dumps(event).encode()
    if header is None:
        header = stripe.WebhookSignature.generate_signature_header(payload.decode(), secret)
    return client.post("/webhook", data=payload, headers={"Stripe-Signature": header}, content_type="application/json")
