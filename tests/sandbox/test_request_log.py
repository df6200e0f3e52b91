"""The request log: every /v1 request, who called (key type only), what it touched; bounded in size."""

import pytest
import stripe

from server.launch.cli import main
from server.sandbox import PUBLISHABLE_KEY
from server.sandbox.request_log import RequestLog
from server.sandbox.store import Store


def log_of(sandbox):
    return sandbox.app.extensions["sandbox"].requests


def entry_for(sandbox, request_id):
    return next(e for e in log_of(sandbox).entries(limit=1000) if e["request_id"] == request_id)


def test_a_stripe_python_request_is_logged_with_its_request_id_and_idempotency_key(sandbox, stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 2300, "currency": "usd"}, options={"idempotency_key": "order-42"}
    )
    entry = entry_for(sandbox, pi.last_response.request_id)
    assert entry["method"] == "POST" and entry["path"] == "/v1/payment_intents" and entry["status"] == 200
    assert entry["idempotency_key"] == "order-42" and entry["key_type"] == "secret"
    assert 0 <= entry["duration_ms"] < 5000
    assert entry in log_of(sandbox).entries(object_id=pi.id)


def test_publishable_key_calls_and_card_errors_are_logged_with_the_objects_they_touched(sandbox, stripe_client):
    pi = stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    publishable = stripe.StripeClient(PUBLISHABLE_KEY, base_addresses={"api": sandbox.url})
    card = {"number": "4000000000000002", "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    with pytest.raises(stripe.CardError) as declined:
        publishable.v1.payment_intents.confirm(
            pi.id,
            params={
                "client_secret": pi.client_secret,
                "return_url": "http://127.0.0.1/return",
                "payment_method_data": {"type": "card", "card": card},
            },
        )
    declined = declined.value
    entry = entry_for(sandbox, declined.request_id)
    assert (entry["status"], entry["key_type"]) == (402, "publishable")
    touching = [e["request_id"] for e in log_of(sandbox).entries(object_id=pi.id)]
    assert touching[-2:] == [pi.last_response.request_id, declined.request_id]
    charge = stripe_client.v1.payment_intents.retrieve(pi.id).latest_charge
    assert declined.request_id in [e["request_id"] for e in log_of(sandbox).entries(object_id=charge)]


def test_rejected_keys_are_logged_without_the_key(sandbox):
    bad = stripe.StripeClient("sk_test_not_a_real_key_but_well_formed_!", base_addresses={"api": sandbox.url})
    with pytest.raises(stripe.AuthenticationError) as rejected:
        bad.v1.payment_intents.list()
    entry = entry_for(sandbox, rejected.value.request_id)
    assert (entry["status"], entry["key_type"]) == (401, None)
    assert "sk_test" not in str(entry)


def test_the_log_keeps_only_the_newest_rows(tmp_path):
    log = RequestLog(Store(str(tmp_path)), max_rows=10, prune_every=5)
    for n in range(33):
        log.record(
            method="GET",
            path=f"/v1/x/{n}",
            status=200,
            request_id=f"req_{n}",
            idempotency_key=None,
            key_type="secret",
            duration_ms=1.0,
            objects=(),
        )
    kept = log.entries(limit=100)
    assert 10 <= len(kept) <= 15
    assert kept[-1]["request_id"] == "req_32" and [e["id"] for e in kept] == sorted(e["id"] for e in kept)
    assert [e["request_id"] for e in log.entries(after=kept[-3]["id"])] == ["req_31", "req_32"]


def test_workbench_reset_empties_the_log(tmp_path, monkeypatch):
    log = RequestLog(Store(str(tmp_path)))
    log.record(
        method="GET",
        path="/v1/events",
        status=200,
        request_id="req_1",
        idempotency_key=None,
        key_type="secret",
        duration_ms=1.0,
        objects=(),
    )
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["reset", "--yes"]) == 0
    assert log.entries() == []
