"""Faults: the shop killed mid-burst loses no payment, and open orders settle at start-up without any webhook.

The shop and the sandbox run as real processes (``workbench serve`` beside
``workbench sandbox``), and the shop is killed with SIGKILL while shoppers are
ordering and paying.  After a restart every order must be paid exactly once, or
clearly unpaid, and nothing may answer 5xx.  About 10 s on two cores.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPException

import stripe

from press_workbench.launch.voila import free_port
from press_workbench.sandbox import SECRET_KEY
from press_workbench.shop.serving import start_shop
from tests.shop_helpers import RETURN_URL, new_order, pay

SHOPPERS, KILL_AFTER = 24, 8  # orders in the burst; the shop dies once this many were created


def workbench(args, env, log_path):
    with open(log_path, "a") as log:  # the child keeps its own copy of the file descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "press_workbench.launch.cli", *args], env=env, stdout=log, stderr=subprocess.STDOUT
        )


def http(method, url, body=None):
    """(status, JSON or None); None status when nothing answers, or the answer is cut off (the shop died)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (OSError, HTTPException):
        return None, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def wait_until(check, timeout, what):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


class Servers:
    """A sandbox process and a shop process that can be killed and started again on the same port."""

    def __init__(self, tmp_path):
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_", "SHOP_"))}
        self.log = tmp_path / "servers.log"
        sandbox_port = free_port()
        self.sandbox = workbench(
            ["sandbox", "--port", str(sandbox_port), "--data-dir", str(tmp_path / "sandbox")], self.env, self.log
        )
        self.sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        self.env.update(WORKBENCH_DATA_DIR=str(tmp_path / "shop"), SANDBOX_URL=self.sandbox_url)
        self.shop_url = f"http://127.0.0.1:{free_port()}"
        wait_until(lambda: http("GET", self.sandbox_url + "/")[0] == 200, 20, self.logged())
        self.start_shop()

    def start_shop(self):
        self.shop = workbench(["serve", "--port", self.shop_url.rsplit(":", 1)[1]], self.env, self.log)
        wait_until(lambda: http("GET", self.shop_url + "/api/health")[0] == 200, 20, self.logged())

    def logged(self):
        return self.log.read_text()

    def stop(self):
        for process in (self.shop, self.sandbox):
            process.kill()
            process.wait(10)


def test_shop_killed_mid_burst_loses_no_payment(tmp_path):
    servers = Servers(tmp_path)
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": servers.sandbox_url})
    statuses, created, lock = [], [], threading.Lock()
    killed = threading.Event()

    def shopper(n):
        status, order = http(
            "POST",
            servers.shop_url + "/api/orders",
            {"items": [{"book_id": "working-in-public", "quantity": 1 + n % 3}]},
        )
        with lock:
            statuses.append(status)
            created.append(order) if status == 201 else None
            if len(created) == KILL_AFTER and not killed.is_set():
                os.kill(servers.shop.pid, signal.SIGKILL)  # mid-burst: other shoppers are ordering and paying
                killed.set()
        if status != 201:
            return
        card = "pm_card_visa_chargeDeclined" if n % 5 == 4 else "pm_card_visa"
        try:
            pay(client, order, card)
        except stripe.CardError:
            pass
        statuses.append(http("GET", f"{servers.shop_url}/checkout/{order['id']}/complete")[0])

    try:
        with ThreadPoolExecutor(max_workers=6) as pool:
            list(pool.map(shopper, range(SHOPPERS)))
        assert killed.is_set() and servers.shop.wait(5) == -signal.SIGKILL
        assert None in statuses  # some shoppers did find the shop down
        servers.start_shop()

        with sqlite3.connect(tmp_path / "shop" / "shop.sqlite3") as db:
            order_ids = [row[0] for row in db.execute("SELECT id FROM orders")]
        assert len(order_ids) >= KILL_AFTER

        def settled(order_id):
            status, order = http("GET", f"{servers.shop_url}/api/orders/{order_id}")
            statuses.append(status)
            if not order.get("payment_intent"):
                return order["status"] == "awaiting_payment"  # never had a PaymentIntent: clearly unpaid
            pi = client.v1.payment_intents.retrieve(order["payment_intent"])
            if pi.status == "succeeded":
                return order["status"] == "paid" and order["amount_received"] == order["amount"] == pi.amount
            return order["status"] in ("awaiting_payment", "failed")

        wait_until(
            lambda: all(settled(order_id) for order_id in order_ids),
            20,
            "orders not settled after the restart:\n" + servers.logged(),
        )
        for order_id in order_ids:  # and each paid exactly once, each checkout page still works
            order = http("GET", f"{servers.shop_url}/api/orders/{order_id}")[1]
            if order["payment_intent"]:
                charges = client.v1.charges.list(params={"payment_intent": order["payment_intent"]}).data
                assert sum(charge.status == "succeeded" for charge in charges) == (order["status"] == "paid")
            statuses.append(http("GET", f"{servers.shop_url}/checkout/{order_id}")[0])
        paid_at_stripe = [
            pi for pi in client.v1.payment_intents.list(params={"limit": 100}).data if pi.status == "succeeded"
        ]
        assert {pi.metadata["order_id"] for pi in paid_at_stripe} <= set(order_ids)  # no payment without its order
        assert not [status for status in statuses if status and status >= 500], statuses
    finally:
        servers.stop()


def test_open_orders_settle_at_start_up_without_a_webhook(app, client, stripe_client):
    """Payments made while no shop listened: the next start reconciles them (history says ``reconcile``)."""
    paid = new_order(client, ("scaling-people", 1))
    pay(stripe_client, paid)
    declined = new_order(client, ("scaling-people", 1))
    try:
        stripe_client.v1.payment_intents.confirm(
            declined["payment_intent"],
            params={"payment_method": "pm_card_visa_chargeDeclined", "return_url": RETURN_URL},
        )
    except stripe.CardError:
        pass
    said = []
    config = {"TESTING": True, "DATA_DIR": app.config["DATA_DIR"], "SANDBOX_URL": app.config["SANDBOX_URL"]}
    shop, _ = start_shop(config, say=said.append)
    try:
        orders = shop.app.extensions["shop"].orders
        wait_until(
            lambda: orders.get(paid["id"]).status == "paid" and orders.get(declined["id"]).status == "failed",
            10,
            f"not reconciled: {said}",
        )
        assert [h["source"] for h in orders.get(paid["id"]).history] == ["shop", "reconcile"]
        wait_until(lambda: said, 5, "no summary")
        assert said[0].startswith("Reconcile: 2 open orders checked with Stripe:") and "→ paid" in said[0]
    finally:
        stripe_client.v1.webhook_endpoints.delete(
            next(e.id for e in stripe_client.v1.webhook_endpoints.list().data if e.url == shop.url + "/webhook")
        )
        shop.stop()
