"""Reconciliation: open orders settle from their PaymentIntent even when no webhook or return page ever came."""

import os
import subprocess
import sys

import pytest
import stripe

from press_workbench.shop import reconcile_orders
from tests.shop_helpers import new_order, pay


@pytest.fixture
def missed(client, stripe_client):
    """Orders whose payments happened at Stripe while the shop heard nothing (no webhook is registered here)."""
    orders = {name: new_order(client, ("working-in-public", 1)) for name in ("paid", "declined", "canceled", "open")}
    pay(stripe_client, orders["paid"])
    with pytest.raises(stripe.CardError):
        pay(stripe_client, orders["declined"], "pm_card_visa_chargeDeclined")
    stripe_client.v1.payment_intents.cancel(orders["canceled"]["payment_intent"])
    return orders


def statuses(client, orders):
    return {name: client.get(f"/api/orders/{order['id']}").get_json()["status"] for name, order in orders.items()}


def test_reconcile_settles_every_open_order_from_stripe(app, client, missed):
    assert set(statuses(client, missed).values()) == {"awaiting_payment"}
    report = reconcile_orders(app.extensions["shop"])
    assert statuses(client, missed) == {
        "paid": "paid",
        "declined": "failed",
        "canceled": "canceled",
        "open": "awaiting_payment",
    }
    assert (report.checked, len(report.changed), report.problems) == (4, 3, [])
    paid = client.get(f"/api/orders/{missed['paid']['id']}").get_json()
    assert paid["history"][-1]["source"] == "reconcile" and paid["amount_received"] == 2800
    assert "reconcile" in client.get(f"/orders/{missed['paid']['id']}").get_data(as_text=True)

    again = reconcile_orders(
        app.extensions["shop"]
    )  # the declined order is still open (a retry may pay it): checked again
    assert (again.checked, again.changed) == (2, [])
    declined = client.get(f"/api/orders/{missed['declined']['id']}").get_json()["history"]
    assert [h["status"] for h in declined] == ["awaiting_payment", "failed"], "the same decline, recorded once"


def workbench_reconcile(app, sandbox_url):
    """``workbench reconcile`` in its own process, on the shop's data dir (the shop need not run)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_"))}
    env.update(WORKBENCH_DATA_DIR=app.config["DATA_DIR"], SANDBOX_URL=sandbox_url)
    return subprocess.run(
        [sys.executable, "-m", "press_workbench.launch.cli", "reconcile"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=app.config["DATA_DIR"],
        check=False,
    )


def test_workbench_reconcile_command(app, client, missed, sandbox_url):
    done = workbench_reconcile(app, sandbox_url)
    assert done.returncode == 0, done.stderr
    assert "4 open orders checked" in done.stdout and f"{missed['paid']['id']} awaiting_payment → paid" in done.stdout
    assert statuses(client, missed)["paid"] == "paid"


def test_workbench_reconcile_says_when_stripe_is_unreachable(app, client, missed):
    done = workbench_reconcile(app, "http://127.0.0.1:9")  # nothing listens there
    assert done.returncode == 1 and "Stripe is not reachable" in done.stdout
    assert statuses(client, missed)["paid"] == "awaiting_payment"
