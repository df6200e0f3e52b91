"""The shop's JSON API: prices from the catalog only, clear JSON errors for every bad input."""

import pytest

from server.catalog import load_catalog


def book(book_id="art-of-doing-science"):
    return load_catalog()[book_id]


def test_books_lists_the_catalog(client):
    books = client.get("/api/books").get_json()["books"]
    assert len(books) >= 6
    hamming = next(b for b in books if b["id"] == "art-of-doing-science")
    assert (hamming["price"], hamming["currency"], hamming["author"]) == (2300, "usd", "Richard Hamming")
    assert client.get(hamming["cover_url"]).mimetype == "image/svg+xml"


def test_health_reports_the_mode(client, sandbox_url):
    assert client.get("/api/health").get_json() == {"ok": True, "mode": "sandbox", "sandbox_url": sandbox_url}


def test_order_amount_comes_from_the_catalog_not_the_client(client, stripe_client):
    response = client.post("/api/orders", json={
        "items": [{"book_id": "working-in-public", "quantity": 2, "price": 1, "amount": 1}],
        "amount": 1, "price": 1, "currency": "jpy",
    })  # fmt: skip
    assert response.status_code == 201
    order = response.get_json()
    assert order["amount"] == 2 * book("working-in-public").price == 5600
    assert order["currency"] == "usd"
    pi = stripe_client.v1.payment_intents.retrieve(order["payment_intent"])
    assert (pi.amount, pi.currency, pi.metadata["order_id"]) == (5600, "usd", order["id"])
    assert order["client_secret"] == pi.client_secret
    assert order["checkout_url"] == f"/checkout/{order['id']}"


def test_idempotency_key_returns_the_same_order(client, stripe_client):
    body = {"items": [{"book_id": "an-elegant-puzzle", "quantity": 1}]}
    first = client.post("/api/orders", json=body, headers={"Idempotency-Key": "k-1"}).get_json()
    second = client.post("/api/orders", json=body, headers={"Idempotency-Key": "k-1"}).get_json()
    assert first["id"] == second["id"] and first["payment_intent"] == second["payment_intent"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"items": [{"book_id": "no-such-book", "quantity": 1}]}, 400, "unknown_book"),
        ({"items": [{"book_id": "working-in-public", "quantity": 0}]}, 400, "invalid_quantity"),
        ({"items": [{"book_id": "working-in-public", "quantity": 11}]}, 400, "invalid_quantity"),
        ({"items": [{"book_id": "working-in-public", "quantity": "2"}]}, 400, "invalid_quantity"),
        ({"items": []}, 400, "empty_cart"),
        ({}, 400, "empty_cart"),
        ([1, 2], 400, "invalid_json"),
        ({"items": [{"book_id": "working-in-public"}], "email": "not-an-email"}, 400, "invalid_email"),
    ],
)
def test_bad_orders_get_json_errors(client, body, status, code):
    response = client.post("/api/orders", json=body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert response.get_json()["error"]["message"]


def test_non_json_body_is_a_json_error(client):
    response = client.post("/api/orders", data="items=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"


def test_oversized_body_is_a_json_error(client):
    response = client.post("/api/orders", data="x" * 100_000, content_type="application/json")
    assert response.status_code == 413 and "error" in response.get_json()


def test_unknown_order_is_a_json_404(client):
    response = client.get("/api/orders/ord_missing")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "order_not_found"


def test_order_api_hides_the_client_secret(client):
    order = client.post("/api/orders", json={"items": [{"book_id": "scaling-people", "quantity": 1}]}).get_json()
    fetched = client.get(f"/api/orders/{order['id']}").get_json()
    assert fetched["status"] == "awaiting_payment" and fetched["amount"] == 3500
    assert "client_secret" not in fetched
