"""Asynchronous capture: the balance transaction arrives after the answer, with a charge.updated event."""

import time

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, pay


def updated_event(client, charge_id, timeout=10):
    """The ``charge.updated`` for ``charge_id`` (Stripe promises it within the hour; the sandbox within moments)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in client.v1.events.list(params={"type": "charge.updated", "limit": 20}).data:
            if event.data.object.id == charge_id:
                return event
        time.sleep(0.2)
    raise AssertionError(f"no charge.updated for {charge_id}")


def test_automatic_async_capture_sets_the_balance_transaction_later(stripe_client):
    pi = pay(stripe_client)
    assert pi.capture_method == "automatic_async" and pi.status == "succeeded"
    assert pi.latest_charge.captured is True and pi.latest_charge.balance_transaction is None
    event = updated_event(stripe_client, pi.latest_charge.id)
    assert event.data.previous_attributes.to_dict() == {"balance_transaction": None}
    assert event.data.object.balance_transaction.startswith("txn_")
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge.id, params={"expand": ["balance_transaction"]})
    txn = charge.balance_transaction
    assert (txn.object, txn.type, txn.source, txn.amount, txn.currency) == (
        "balance_transaction",
        "charge",
        charge.id,
        2300,
        "usd",
    )
    succeeded = next(
        e
        for e in stripe_client.v1.events.list(params={"type": "charge.succeeded", "limit": 20}).data
        if e.data.object.id == charge.id
    )
    assert succeeded.data.object.balance_transaction is None  # as the webhook delivered it


def test_synchronous_and_manual_capture_set_it_at_once(stripe_client):
    pi = pay(stripe_client, capture_method="automatic")
    assert pi.latest_charge.balance_transaction.startswith("txn_")
    held = pay(stripe_client, capture_method="manual")
    assert held.latest_charge.balance_transaction is None  # nothing captured yet
    captured = stripe_client.v1.payment_intents.capture(held.id, params={"expand": ["latest_charge"]})
    assert captured.latest_charge.balance_transaction.startswith("txn_")


def test_a_refund_has_its_own_balance_transaction(stripe_client):
    pi = pay(stripe_client, capture_method="automatic")
    refund = stripe_client.v1.refunds.create(
        params={"payment_intent": pi.id, "amount": 500, "expand": ["balance_transaction"]}
    )
    assert (refund.balance_transaction.type, refund.balance_transaction.amount) == ("refund", -500)


def test_a_restarted_sandbox_settles_what_a_stopped_one_left_unsettled(tmp_path):
    """The state a crash between the answer and the settlement leaves (null, no charge.updated) heals at start-up."""
    from press_workbench.sandbox import SECRET_KEY, create_sandbox_app

    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    first = create_sandbox_app(str(tmp_path))
    paid = (
        first.test_client()
        .post(
            "/v1/payment_intents",
            headers=auth,
            data={
                "amount": 2300,
                "currency": "usd",
                "confirm": "true",
                "payment_method": "pm_card_visa",
                "return_url": RETURN_URL,
            },
        )
        .get_json()
    )
    store = first.extensions["sandbox"].store
    charge = store.get(paid["latest_charge"], "charge")
    charge["balance_transaction"] = None  # as if the process died right after answering
    with store.transaction():
        store.put(charge)
        store.execute("DELETE FROM objects WHERE type = 'event' AND body LIKE '%charge.updated%'")
    first.extensions["sandbox"].worker.stop()

    restarted = create_sandbox_app(str(tmp_path)).test_client()
    charge = restarted.get(f"/v1/charges/{charge['id']}", headers=auth).get_json()
    assert charge["balance_transaction"].startswith("txn_")
    events = restarted.get("/v1/events?type=charge.updated", headers=auth).get_json()["data"]
    assert [e["data"]["object"]["id"] for e in events] == [charge["id"]]


def test_balance_transactions_are_served_as_at_stripe(stripe_client):
    """``GET /v1/balance_transactions/txn_…`` and the list filtered by source, as Stripe serves them."""
    pi = pay(stripe_client, capture_method="automatic")
    txn_id = pi.latest_charge.balance_transaction
    txn = stripe_client.v1.balance_transactions.retrieve(txn_id)
    assert (txn.id, txn.object, txn.source, txn.amount, txn.type) == (
        txn_id,
        "balance_transaction",
        pi.latest_charge.id,
        2300,
        "charge",
    )
    listed = stripe_client.v1.balance_transactions.list(params={"source": pi.latest_charge.id})
    assert [t.id for t in listed.data] == [txn_id]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.balance_transactions.retrieve("txn_doesnotexist")
    assert missing.value.http_status == 404 and missing.value.param == "id"
    assert missing.value.user_message == "No such balance transaction: 'txn_doesnotexist'"
