"""The request log: every /v1 request, who called (key type only), what it touched; bounded in size."""

import json

import pytest
import stripe

from press_workbench.launch.cli import main
from press_workbench.sandbox.request_log import RequestLog
from press_workbench.sandbox.store import Store


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


def test_publishable_key_calls_and_card_errors_are_logged_with_the_objects_they_touched(
    sandbox, stripe_client, confirm_card
):
    pi = stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    with pytest.raises(stripe.CardError) as declined:
        confirm_card(pi, "4000000000000002")  # the Payment Element's call, with the publishable key
    declined = declined.value
    entry = entry_for(sandbox, declined.request_id)
    assert (entry["status"], entry["key_type"]) == (402, "publishable")
    touching = [e["request_id"] for e in log_of(sandbox).entries(object_id=pi.id)]
    assert touching[-2:] == [pi.last_response.request_id, declined.request_id]
    charge = stripe_client.v1.payment_intents.retrieve(pi.id).latest_charge
    assert declined.request_id in [e["request_id"] for e in log_of(sandbox).entries(object_id=charge)]


def test_rejected_keys_are_logged_without_the_key(sandbox):
    key = "sk_test_not_a_real_key_but_well_formed_!"
    bad = stripe.StripeClient(key, base_addresses={"api": sandbox.url})
    with pytest.raises(stripe.AuthenticationError) as rejected:
        bad.v1.payment_intents.list()
    entry = log_of(sandbox).entry(rejected.value.request_id)
    assert (entry["status"], entry["key_type"]) == (401, None)
    assert entry["error"]["message"] == rejected.value.user_message  # Stripe's message, which masks the key itself
    assert key not in str(entry) and key[:20] not in str(entry)


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


def test_parameters_and_answers_are_kept_with_secrets_masked(sandbox, stripe_client, confirm_card):
    """What Stripe's Logs page shows of a request: its parameters and the answer, never a secret or a card number."""
    pi = stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "metadata": {"n": "7"}})
    created = log_of(sandbox).entry(pi.last_response.request_id)
    assert json.loads(created["params"]) == {"amount": "2300", "currency": "usd", "metadata": {"n": "7"}}
    answer = json.loads(created["response"])
    assert answer["id"] == pi.id and answer["client_secret"] == f"{pi.id}_secret_••••"
    assert (created["route"], created["api_version"], created["error"]) == (
        "/v1/payment_intents",
        "2026-10-28.endive",
        None,
    )

    with pytest.raises(stripe.CardError) as declined:
        confirm_card(pi, "4000 0000 0000 0002")  # the Payment Element's call, with the publishable key
    confirm = log_of(sandbox).entry(declined.value.request_id)
    sent = json.loads(confirm["params"])
    assert sent["payment_method_data"]["card"] == {
        "number": "•••• 0002",
        "exp_month": "12",
        "exp_year": "2034",
        "cvc": "••••",
    }
    assert sent["client_secret"] == f"{pi.id}_secret_••••"
    assert confirm["route"] == "/v1/payment_intents/:id/confirm"
    assert confirm["error"] == {
        "type": "card_error",
        "charge": declined.value.error.charge,
        "code": "card_declined",
        "decline_code": "generic_decline",
        "message": "Your card was declined.",
    }
    for text in (confirm["params"], confirm["response"]):
        assert "4000000000000002" not in text.replace(" ", "") and pi.client_secret not in text


def test_logs_filter_as_stripe_logs_tail_does(sandbox, stripe_client):
    """Each filter must match; within one, any of its values (docs.stripe.com/cli/logs/tail)."""
    log = log_of(sandbox)
    pi = stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    stripe_client.v1.payment_intents.retrieve(pi.id)
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.payment_intents.retrieve("pi_missing")
    newest = log.entries(limit=3)
    assert [(e["method"], e["status"]) for e in newest] == [("POST", 200), ("GET", 200), ("GET", 404)]
    after = newest[0]["id"] - 1
    ids = lambda **filters: [e["request_id"] for e in log.entries(after=after, **filters)]  # noqa: E731
    all_three = [e["request_id"] for e in newest]
    assert ids(method=["get"]) == all_three[1:]
    assert ids(method=["GET", "POST"]) == all_three
    assert ids(status_type=["4XX"]) == all_three[2:] == ids(status=["404"]) == ids(status=["402", "404"])
    assert ids(method=["POST"], status_type=["4XX"]) == []
    assert ids(path=["/v1/payment_intents"]) == all_three[:1]  # the exact path, as Stripe matches it
    assert ids(path=[f"/v1/payment_intents/{pi.id}", "/v1/payment_intents/pi_missing"]) == all_three[1:]
    with pytest.raises(ValueError):
        log.entries(status_type=["3XX"])


def test_errors_group_by_type_code_and_endpoint_with_the_latest_example(tmp_path):
    log = RequestLog(Store(str(tmp_path)))
    declined = {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}
    missing = {"type": "invalid_request_error", "code": "resource_missing", "message": "No such payment_intent: 'x'"}
    rows = [
        ("/v1/payment_intents/:id/confirm", 402, declined, "req_1"),
        ("/v1/payment_intents/:id", 404, missing, "req_2"),
        ("/v1/payment_intents/:id/confirm", 200, None, "req_3"),
        ("/v1/payment_intents/:id/confirm", 402, declined, "req_4"),
    ]
    for route, status, error, request_id in rows:
        log.record(
            method="POST" if route.endswith("confirm") else "GET",
            path=route.replace(":id", "pi_123"),
            route=route,
            status=status,
            request_id=request_id,
            idempotency_key=None,
            key_type="secret",
            duration_ms=1.0,
            objects=(),
            error=error,
        )
    groups = log.errors()
    assert [(g["type"], g["code"], g["method"], g["route"], g["count"]) for g in groups] == [
        ("card_error", "card_declined", "POST", "/v1/payment_intents/:id/confirm", 2),
        ("invalid_request_error", "resource_missing", "GET", "/v1/payment_intents/:id", 1),
    ]
    assert groups[0]["latest"]["request_id"] == "req_4" and groups[0]["latest"]["error"] == declined


def test_a_log_made_by_an_older_sandbox_gains_the_new_columns(tmp_path):
    store = Store(str(tmp_path))
    store.execute("DROP TABLE IF EXISTS requests")
    store.execute(
        "CREATE TABLE requests (id INTEGER PRIMARY KEY AUTOINCREMENT, created REAL NOT NULL, method TEXT NOT NULL, "
        "path TEXT NOT NULL, status INTEGER NOT NULL, request_id TEXT, idempotency_key TEXT, key_type TEXT, "
        "duration_ms REAL NOT NULL, objects TEXT NOT NULL)"
    )
    store.execute(
        "INSERT INTO requests(created, method, path, status, request_id, duration_ms, objects) "
        "VALUES (1, 'GET', '/v1/events', 200, 'req_old', 1, ' ')"
    )
    log = RequestLog(store)
    assert log.entry("req_old")["route"] is None and log.entries()[0]["request_id"] == "req_old"
    log.record(
        method="GET",
        path="/v1/events",
        route="/v1/events",
        status=200,
        request_id="req_new",
        idempotency_key=None,
        key_type="secret",
        duration_ms=1.0,
        objects=(),
        params="{}",
    )
    assert log.entry("req_new")["params"] == "{}"
