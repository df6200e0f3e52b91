"""Shoppers pay while the shop is down; once it is back, the sandbox's webhooks settle every order within seconds.

The shop and the sandbox run as separate processes, as with ``workbench sandbox``
and ``workbench serve``.  The shop is killed with orders open; their checkout pages
(the card frame is the sandbox's) still confirm payments, whose webhooks find
nobody listening.  Before, the restarted shop registered a new webhook endpoint,
the pending deliveries failed with "endpoint removed or disabled", and 0 of 20 such
orders were paid a minute after the restart.
"""

import json
import sqlite3
import time

import stripe

from server.sandbox import SECRET_KEY
from tests.card_frame import DECLINED, THREE_D_SECURE, VISA, pay_in_card_frame
from tests.card_frame import http_json as http
from tests.processes import Workbench, free_port

CARDS = [VISA] * 5 + [THREE_D_SECURE, DECLINED, "5555555555554444"]


def test_orders_paid_while_the_shop_was_down_settle_by_webhook_after_its_restart(tmp_path):
    sandbox = Workbench("sandbox", "--port", "0", "--data-dir", str(tmp_path / "sandbox"), cwd=tmp_path)
    port, shop_dir = free_port(), str(tmp_path / "shop")
    shop = Workbench("serve", "--port", str(port), cwd=tmp_path, WORKBENCH_DATA_DIR=shop_dir,
                     SANDBOX_URL=sandbox.url)  # fmt: skip
    try:
        book = http("GET", f"{shop.url}/api/books")["books"][0]["id"]
        body = json.dumps({"items": [{"book_id": book, "quantity": 1}]}).encode()
        orders = [http("POST", f"{shop.url}/api/orders", body, {"Content-Type": "application/json"}) for _ in CARDS]
        shop.kill()
        for order, number in zip(orders, CARDS):  # over a few seconds, with nobody at the shop's /webhook
            pay_in_card_frame(sandbox.url, order, number, f"{shop.url}/checkout/{order['id']}/complete")
            time.sleep(0.3)
        time.sleep(1)
        shop = Workbench("serve", "--port", str(port), cwd=tmp_path, WORKBENCH_DATA_DIR=shop_dir,
                         SANDBOX_URL=sandbox.url)  # fmt: skip
        back = time.time()
        settled = {}
        while len(settled) < len(orders) and time.time() < back + 30:
            for order in orders:
                status = http("GET", f"{shop.url}/api/orders/{order['id']}")["status"]
                if order["id"] not in settled and status != "awaiting_payment":
                    settled[order["id"]] = (status, time.time() - back)
            time.sleep(0.1)
        statuses = [settled.get(order["id"], ("awaiting_payment",))[0] for order in orders]
        assert statuses == ["paid"] * 6 + ["failed", "paid"]
        slowest = max(seconds for _, seconds in settled.values())
        print(f"\n{len(orders)} orders paid while the shop was down settled {slowest:.2f} s after its restart")
        assert slowest < 10

        events = stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox.url}).v1.events.list(
            params={"type": "payment_intent.succeeded", "limit": 100}).data  # fmt: skip
        succeeded = {event.data.object.id: event.id for event in events}
        with sqlite3.connect(str(tmp_path / "sandbox" / "sandbox.sqlite3")) as db:
            for order, status in zip(orders, statuses):
                if status != "paid":
                    continue
                attempts = db.execute("SELECT status, started FROM delivery_attempts WHERE event_id = ? ORDER BY id",
                                      (succeeded[order["payment_intent"]],)).fetchall()  # fmt: skip
                assert attempts[0][0] is None and attempts[0][1] < back  # refused: the shop was down
                assert attempts[-1][0] == 200 and attempts[-1][1] >= back  # then delivered to the restarted shop
    finally:
        shop.stop()
        sandbox.stop()
