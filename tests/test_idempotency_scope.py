"""Idempotency keys are scoped as Stripe scopes them to an API key: one session's (or the operator's) for 24 hours.

A second session presenting the first session's key with the same body must get an
order of its own, never the first one or its client secret.
"""

import pytest

from press_workbench.shop import orders as shop_orders

BODY = {"items": [{"book_id": "working-in-public", "quantity": 1}]}


def post(client, key, headers=None):
    return client.post("/api/orders", json=BODY, headers={"Idempotency-Key": key, **(headers or {})})


def test_another_session_with_the_same_key_and_body_gets_its_own_order(app):
    first_session, second_session = app.test_client(), app.test_client()
    first = post(first_session, "checkout-1").get_json()
    replay = post(first_session, "checkout-1")
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json()["id"] == first["id"]

    other = post(second_session, "checkout-1")
    assert other.status_code == 201 and "Idempotent-Replayed" not in other.headers
    assert other.get_json()["id"] != first["id"]
    assert other.get_json()["client_secret"] != first["client_secret"]
    assert first["client_secret"] not in other.get_data(as_text=True)


def test_a_client_without_the_session_cookie_is_another_session(app):
    first = post(app.test_client(), "no-cookie").get_json()
    again = post(app.test_client(use_cookies=False), "no-cookie").get_json()
    assert again["id"] != first["id"]


def test_the_operator_token_is_one_scope_whatever_the_session(app, operator):
    first = post(app.test_client(), "operator-1", operator).get_json()
    again = post(app.test_client(), "operator-1", operator)
    assert again.headers["Idempotent-Replayed"] == "true" and again.get_json()["id"] == first["id"]
    assert post(app.test_client(), "operator-1").get_json()["id"] != first["id"]  # a session without the token


def test_a_key_expires_after_24_hours(app, monkeypatch):
    client = app.test_client()
    clock = shop_orders.time.time()
    monkeypatch.setattr(shop_orders.time, "time", lambda: clock)  # whole seconds stored: no second may tick here
    first = post(client, "day-old").get_json()
    monkeypatch.setattr(shop_orders.time, "time", lambda: clock + shop_orders.IDEMPOTENCY_TTL - 1)
    assert post(client, "day-old").get_json()["id"] == first["id"]  # still within the day
    monkeypatch.setattr(shop_orders.time, "time", lambda: clock + shop_orders.IDEMPOTENCY_TTL + 1)
    later = post(client, "day-old")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert later.get_json()["id"] != first["id"]
    assert post(client, "day-old").get_json()["id"] == later.get_json()["id"]  # the key now names the new order


@pytest.mark.parametrize("scoped", ["another session", "the same session"])
def test_a_different_body_is_an_idempotency_error_only_within_the_scope(app, scoped):
    first_session = app.test_client()
    post(first_session, "body-check")
    client = first_session if scoped == "the same session" else app.test_client()
    other_body = {"items": [{"book_id": "scaling-people", "quantity": 1}]}
    response = client.post("/api/orders", json=other_body, headers={"Idempotency-Key": "body-check"})
    if scoped == "the same session":
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "idempotency_error"
    else:
        assert response.status_code == 201
