"""Shoppers pay while the shop is down; once it is back, every order settles and every webhook arrives, in seconds.

The shop and the sandbox run as separate processes, as with ``workbench sandbox``
and ``workbench serve``.  The shop is killed with orders open; their checkout pages
(the card frame is the sandbox's) still confirm payments, whose webhooks find
nobody listening.  Before, the restarted shop registered a new webhook endpoint,
the pending deliveries failed with "endpoint removed or disabled", and 0 of 20 such
orders were paid a minute after the restart.  Now the restarted shop reconciles
its open orders and the sandbox's retries reach it: whichever comes first settles
the order, and the test checks that the webhook of every payment was answered 200.
"""

import json
import sqlite3
import time

import stripe

from press_workbench.launch.voila import free_port
from press_workbench.sandbox import SECRET_KEY
from tests.card_frame import DECLINED, THREE_D_SECURE, VISA, pay_in_card_frame
from tests.card_frame import http_json as http
from tests.processes import Workbench

CARDS = [VISA] * 5 + [THREE_D_SECURE, DECLINED, "5555555555554444"]


def test_orders_paid_while_the_shop_was_down_settle_and_get_their_webhooks_after_its_restart(tmp_path):
    sandbox = Workbench("sandbox", "--port", "0", "--data-dir", str(tmp_path / "sandbox"), cwd=tmp_path)
    port, shop_dir = free_port(), str(tmp_path / "shop")
    shop = Workbench("serve", "--port", str(port), cwd=tmp_path, WORKBENCH_DATA_DIR=shop_dir, SANDBOX_URL=sandbox.url)
    try:
        book = http("GET", f"{shop.url}/api/books")["books"][0]["id"]
        body = json.dumps({"items": [{"book_id": book, "quantity": 1}]}).encode()
        orders = [http("POST", f"{shop.url}/api/orders", body, {"Content-Type": "application/json"}) for _ in CARDS]
        shop.kill()
        for order, number in zip(orders, CARDS, strict=True):  # over a few seconds, with nobody at the shop's /webhook
            pay_in_card_frame(sandbox.url, order, number, f"{shop.url}/checkout/{order['id']}/complete")
            time.sleep(0.3)
        time.sleep(1)
        shop = Workbench(
            "serve", "--port", str(port), cwd=tmp_path, WORKBENCH_DATA_DIR=shop_dir, SANDBOX_URL=sandbox.url
        )
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
        sources = [http("GET", f"{shop.url}/api/orders/{order['id']}")["history"][-1]["source"] for order in orders]
        print(
            f"\n{len(orders)} orders paid while the shop was down settled {slowest:.2f} s after its restart "
            f"(first by: {', '.join(sorted(set(sources)))})"
        )
        assert slowest < 10 and set(sources) <= {"webhook", "reconcile"}  # the shop also reconciles at start-up

        sandbox_api = stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox.url})
        settling = {
            event.data.object.id: event.id
            for event in sandbox_api.v1.events.list(params={"limit": 100}).data
            if event.type in ("payment_intent.succeeded", "payment_intent.payment_failed")
        }
        assert len(settling) == len(orders)
        while time.time() < back + 30 and any(
            sandbox_api.v1.events.retrieve(event_id).pending_webhooks for event_id in settling.values()
        ):
            time.sleep(0.1)
        with sqlite3.connect(str(tmp_path / "sandbox" / "sandbox.sqlite3")) as db:
            deliveries = [
                db.execute(
                    "SELECT status, started, started + duration_ms / 1000.0 FROM delivery_attempts "
                    "WHERE event_id = ? ORDER BY id",
                    (settling[order["payment_intent"]],),
                ).fetchall()
                for order in orders
            ]
        assert all(attempts[0][0] is None and attempts[0][1] < back for attempts in deliveries)  # the shop was down
        assert all(attempts[-1][0] == 200 for attempts in deliveries)  # then its webhook took every one
        webhooks = max(attempts[-1][2] for attempts in deliveries) - back
        print(f"every order's webhook answered 200 by {webhooks:.2f} s after the restart")
        assert webhooks < 5
    finally:
        shop.stop()
        sandbox.stop()
