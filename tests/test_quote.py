"""``POST /api/quote``: the dashboard's cart total, priced by the server as an order would be, storing nothing."""

import pytest

from press_workbench.shop.catalog import load_catalog

BODY = {
    "items": [{"book_id": "working-in-public", "quantity": 2, "price": 1}, {"book_id": "scaling-people"}],
    "amount": 1,
    "currency": "jpy",
}


def test_a_quote_prices_lines_from_the_catalog_like_the_order_it_becomes(client):
    quote = client.post("/api/quote", json=BODY)
    assert quote.status_code == 200
    catalog = load_catalog()
    assert quote.get_json() == {
        "amount": 2 * catalog["working-in-public"].price + catalog["scaling-people"].price,
        "currency": "usd",
        "items": [
            {
                "book_id": "working-in-public",
                "title": "Working in Public",
                "unit_price": 2800,
                "quantity": 2,
                "amount": 5600,
            },
            {"book_id": "scaling-people", "title": "Scaling People", "unit_price": 3500, "quantity": 1, "amount": 3500},
        ],
    }
    order = client.post("/api/orders", json=BODY).get_json()
    assert (order["amount"], order["currency"], order["items"]) == (9100, "usd", quote.get_json()["items"])


def test_a_quote_stores_nothing_and_creates_no_payment_intent(client, app, stripe_client):
    before = stripe_client.v1.payment_intents.list(params={"limit": 100}).data
    client.post("/api/quote", json=BODY)
    after = stripe_client.v1.payment_intents.list(params={"limit": 100}).data
    assert [pi.id for pi in after] == [pi.id for pi in before]
    count = app.extensions["shop"].orders.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
    assert count == 0


@pytest.mark.parametrize(
    "body, code",
    [
        ({"items": [{"book_id": "no-such-book", "quantity": 1}]}, "unknown_book"),
        ({"items": [{"book_id": "working-in-public", "quantity": 11}]}, "invalid_quantity"),
        (
            {
                "items": [
                    {"book_id": "working-in-public", "quantity": 6},
                    {"book_id": "working-in-public", "quantity": 5},
                ]
            },
            "invalid_quantity",
        ),
        ({"items": []}, "empty_cart"),
        ([1, 2], "invalid_json"),
        ({"items": [{"book_id": "working-in-public"}], "email": "not-an-email"}, "invalid_email"),
    ],
)
def test_a_quote_refuses_what_an_order_refuses_with_the_same_error(client, body, code):
    quote, order = client.post("/api/quote", json=body), client.post("/api/orders", json=body)
    assert quote.status_code == order.status_code == 400
    assert quote.get_json() == order.get_json()
    assert quote.get_json()["error"]["code"] == code


def test_the_quote_route_is_described_in_openapi(client):
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/api/quote"]["post"]
    assert operation["operationId"] == "quoteOrder"
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/OrderRequest")
    assert set(spec["components"]["schemas"]["Quote"]["required"]) == {"amount", "currency", "items"}
