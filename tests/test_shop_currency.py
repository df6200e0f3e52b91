"""SHOP_CURRENCY=eur: the catalog's own euro prices on every page and in every order, the PaymentIntent in EUR."""

import json

import pytest

from press_workbench.shop import ConfigError
from press_workbench.shop.catalog import CATALOG_PATH, catalog_currencies, load_catalog
from press_workbench.shop.config import from_environment, resolve
from tests.bank_payments import eur_shop


@pytest.fixture
def eur_client(tmp_path, api_target):
    return eur_shop(tmp_path, api_target).test_client()


def euro_prices():
    """catalog.json's own euro price of each book, read from the file rather than through the shop."""
    with open(CATALOG_PATH, encoding="utf-8") as fh:
        return {book["id"]: book["prices"]["eur"] for book in json.load(fh)["books"]}


def test_books_carry_the_catalogs_euro_prices(eur_client):
    books = eur_client.get("/api/books").get_json()["books"]
    assert {book["id"]: (book["price"], book["currency"]) for book in books} == {
        book_id: (price, "eur") for book_id, price in euro_prices().items()
    }
    assert euro_prices()["art-of-doing-science"] == 2200  # set per market: not the dollar price converted
    assert load_catalog()["art-of-doing-science"].price == 2300


def test_an_order_in_euros_is_priced_and_paid_in_euros(eur_client, stripe_client):
    answer = eur_client.post(
        "/api/orders", json={"items": [{"book_id": "working-in-public", "quantity": 2, "price": 1}], "currency": "usd"}
    )
    assert answer.status_code == 201
    order = answer.get_json()
    assert (order["amount"], order["currency"]) == (2 * euro_prices()["working-in-public"], "eur")
    pi = stripe_client.v1.payment_intents.retrieve(order["payment_intent"])
    assert (pi.amount, pi.currency, pi.automatic_payment_methods.enabled) == (5200, "eur", True)
    checkout = eur_client.get(f"/checkout/{order['id']}").get_data(as_text=True)
    assert 'data-testid="order-total">€52.00<' in checkout and "Pay €52.00" in checkout


def test_pages_and_the_cart_show_euros(eur_client):
    assert "€22.00" in eur_client.get("/").get_data(as_text=True)
    quote = eur_client.post("/api/quote", json={"items": [{"book_id": "scaling-people", "quantity": 1}]}).get_json()
    assert (quote["amount"], quote["currency"]) == (euro_prices()["scaling-people"], "eur")
    eur_client.post("/cart/add", data={"book_id": "scaling-people", "quantity": "2"})
    assert 'data-testid="cart-total">€66.00<' in eur_client.get("/cart/").get_data(as_text=True)


def test_shop_currency_comes_from_the_environment_in_any_case():
    assert resolve(from_environment({"SHOP_CURRENCY": "EUR"}))["SHOP_CURRENCY"] == "eur"
    assert resolve({})["SHOP_CURRENCY"] == "usd"
    assert catalog_currencies() == ["eur", "usd"]


def test_a_currency_the_catalog_has_no_prices_in_is_refused_with_the_choices():
    with pytest.raises(ConfigError, match=r"SHOP_CURRENCY must be one of eur, usd .*got 'gbp'"):
        resolve({"SHOP_CURRENCY": "gbp"})
