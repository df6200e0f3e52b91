"""Refunding an order through the shop's API: only by the operator, once, only when paid, and Stripe agrees."""

import pytest

from tests.shop_helpers import new_order, pay


def test_refund_a_paid_order(client, stripe_client, operator):
    order = new_order(client, ("working-in-public", 2))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")
    response = client.post(f"/api/orders/{order['id']}/refund", headers=operator)
    assert response.status_code == 200
    refunded = response.get_json()
    assert refunded["status"] == "refunded" and refunded["history"][-1]["source"] == "refund"
    charge = stripe_client.v1.charges.retrieve(
        stripe_client.v1.payment_intents.retrieve(order["payment_intent"]).latest_charge
    )
    assert (charge.refunded, charge.amount_refunded) == (True, 5600)
    again = client.post(f"/api/orders/{order['id']}/refund", headers=operator)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "order_state"
    assert len(stripe_client.v1.refunds.list(params={"payment_intent": order["payment_intent"]}).data) == 1


def test_unpaid_and_unknown_orders_cannot_be_refunded(client, operator):
    order = new_order(client, ("working-in-public", 1))
    assert client.post(f"/api/orders/{order['id']}/refund", headers=operator).status_code == 409
    assert client.post("/api/orders/ord_nope/refund", headers=operator).status_code == 404


@pytest.mark.parametrize("scheme", ["Basic", "Token"])
def test_the_operator_token_counts_only_as_a_bearer_token(app, client, stripe_client, scheme):
    order = new_order(client, ("working-in-public", 1))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")
    headers = {"Authorization": f"{scheme} {app.config['OPERATOR_TOKEN']}"}
    assert client.post(f"/api/orders/{order['id']}/refund", headers=headers).status_code == 401
    assert client.get(f"/api/orders/{order['id']}").get_json()["status"] == "paid"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no credential
        {"Authorization": "Bearer not-the-token"},
        {"Authorization": "Basic b3BlcmF0b3I6cGFzcw=="},
        {"Origin": "https://evil.example"},  # what a cross-origin form post sends
    ],
)
def test_refunds_need_the_operator_token(client, stripe_client, headers):
    """Any page the presenter visits could post this form: without the token nothing is refunded."""
    order = new_order(client, ("working-in-public", 1))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")
    response = client.post(f"/api/orders/{order['id']}/refund", data={"x": "1"}, headers=headers)
    assert response.status_code in (401, 403)
    assert response.get_json()["error"]["code"] in ("operator_credential_required", "cross_origin_request")
    assert client.get(f"/api/orders/{order['id']}").get_json()["status"] == "paid"
    assert stripe_client.v1.refunds.list(params={"payment_intent": order["payment_intent"]}).data == []


def test_a_cross_origin_page_cannot_refund_even_with_the_token(client, stripe_client, operator):
    order = new_order(client, ("working-in-public", 1))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")
    for browser in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = client.post(f"/api/orders/{order['id']}/refund", headers={**operator, **browser})
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "cross_origin_request"
    assert client.get(f"/api/orders/{order['id']}").get_json()["status"] == "paid"


def test_the_notebook_helper_finds_and_sends_the_token(live_shop, stripe_client, monkeypatch, tmp_path):
    """A Workbench beside a running shop reads the token from the shop's data dir; elsewhere it gets a 401."""
    from press_workbench.notebook import Workbench

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_OPERATOR_TOKEN", raising=False)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", live_shop.app.config["DATA_DIR"])
    wb = Workbench(live_shop.url)
    order = wb.create_order({"working-in-public": 1})
    pay(stripe_client, {"payment_intent": order.payment_intent})
    assert order.wait(timeout=10).paid
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    stranger = Workbench(live_shop.url).call("POST", f"/api/orders/{order.id}/refund")
    assert stranger.status == 401 and stranger.body["error"]["code"] == "operator_credential_required"
    refunded = wb.call("POST", f"/api/orders/{order.id}/refund")
    assert refunded.status == 200 and refunded.body["status"] == "refunded"
