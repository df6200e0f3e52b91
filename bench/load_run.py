#!/usr/bin/env python3
"""Load run: many shoppers buy at once; is every order settled by its webhook, quickly, exactly once?

The shop (``workbench serve``) and the sandbox (``workbench sandbox``) run as their
own processes on 127.0.0.1, as a presenter would run them.  Each shopper (a thread
of this process) places orders one after the other, the way a browser does it:

1. ``POST /api/orders`` (a random book, quantity 1–3) and ``GET /checkout/<order>``;
2. the card frame's confirm at the sandbox with the publishable key — about 10% of
   cards are declined and 10% ask for 3D Secure, which the shopper completes;
3. for a successful payment, the return page ``/checkout/<order>/complete``.

The moment the payment's answer reaches the shopper is its payment time.  Afterwards
the bench reads both databases: the sandbox's delivery log gives, for every order,
when its ``payment_intent.succeeded`` / ``payment_intent.payment_failed`` webhook was
answered 2xx by the shop (that webhook settles the order, or confirms what the
return page already settled); the shop's order history gives who settled it first.

Checks, per order: the amount is the catalog's, the PaymentIntent's amount and
``amount_received`` match it, the final status is the one the card calls for (none
lost), and there is one PaymentIntent and at most one successful charge (none
charged twice).

    .venv/bin/python -m bench.load_run                    # 200 shoppers × 5 orders
    .venv/bin/python -m bench.load_run --shoppers 20      # a smoke run
    .venv/bin/python -m bench.load_run --one-process      # `workbench serve` with its sandbox in-process

Results: a summary on stdout and ``bench/results/load_run.json``.
"""

import argparse
import json
import random
import sys
import threading
import time
import urllib.request

from bench.common import distribution, machine, write_result
from bench.stack import Stack, sandbox_facts, settled_by
from tests.card_frame import DECLINED, THREE_D_SECURE, VISA, http_json, pay_in_card_frame

SETTLE_TARGET = 2.0  # seconds from a payment to its webhook being answered by the shop
EXPECTED = {VISA: "paid", THREE_D_SECURE: "paid", DECLINED: "failed"}


def card_for(rng):
    draw = rng.random()
    return DECLINED if draw < 0.1 else THREE_D_SECURE if draw < 0.2 else VISA


def shopper(shop_url, sandbox_url, books, orders_each, think, seed, record, errors):
    rng = random.Random(seed)
    for _ in range(orders_each):
        book, quantity, card = rng.choice(books), rng.randint(1, 3), card_for(rng)
        try:
            body = json.dumps({"items": [{"book_id": book["id"], "quantity": quantity}]}).encode()
            order = http_json("POST", f"{shop_url}/api/orders", body, {"Content-Type": "application/json"})
            with urllib.request.urlopen(f"{shop_url}/checkout/{order['id']}", timeout=60) as page:
                page.read()
            time.sleep(rng.uniform(*think))  # reading the page, typing the card
            return_url = f"{shop_url}/checkout/{order['id']}/complete"
            answer = pay_in_card_frame(sandbox_url, order, card, return_url)
            paid_at = time.time()
            if answer.get("status") == "succeeded":
                with urllib.request.urlopen(
                    f"{return_url}?payment_intent={order['payment_intent']}", timeout=60
                ) as page:
                    confirmed = 'data-testid="confirmation"' in page.read().decode()
            else:
                confirmed = None
            record.append(
                {
                    "order": order["id"],
                    "payment_intent": order["payment_intent"],
                    "card": card,
                    "expected_amount": book["price"] * quantity,
                    "amount": order["amount"],
                    "paid_at": paid_at,
                    "answer": answer.get("status") or answer["error"].get("code"),
                    "confirmation_page": confirmed,
                }
            )
        except (OSError, KeyError, ValueError) as exc:  # a failed step is a finding, not a crash of the bench
            errors.append(f"{type(exc).__name__}: {exc}")


def wait_until_settled(shop_url, records, timeout=60):
    """Poll the shop's API until no order is awaiting payment (or ``timeout``); returns {order id: order}."""
    deadline, orders = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        for r in records:
            if orders.get(r["order"], {}).get("status") in (None, "awaiting_payment"):
                orders[r["order"]] = http_json("GET", f"{shop_url}/api/orders/{r['order']}")
        if all(o["status"] != "awaiting_payment" for o in orders.values()):
            break
        time.sleep(0.5)
    return orders


def run(shoppers=200, orders_each=5, think=(2.0, 6.0), seed=9, one_process=False, name="load_run", say=print):
    """Run the shoppers against a fresh shop and sandbox, check every order; returns the summary (``pass``)."""
    with Stack(one_process=one_process) as stack:
        books = http_json("GET", f"{stack.shop_url}/api/books")["books"]
        say(f"  load run: {shoppers} shoppers × {orders_each} orders, think {think[0]:g}–{think[1]:g} s")
        records, errors = [], []
        urls = (stack.shop_url, stack.sandbox_url)
        threads = [
            threading.Thread(target=shopper, args=(*urls, books, orders_each, think, seed + n, records, errors))
            for n in range(shoppers)
        ]
        started = time.time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        shopping = time.time() - started
        orders = wait_until_settled(stack.shop_url, records)
        time.sleep(1)  # late duplicate deliveries, so the log below is complete
        intents, charges, (attempts, failed_attempts) = sandbox_facts(stack.sandbox_db)
        delivered = stack.webhook_answered()
        first_source = settled_by(stack.shop_db)

    settle, late, mismatches, lost, doubled, no_webhook = [], [], [], [], [], []
    for r in records:
        order, pi = orders[r["order"]], intents.get(r["payment_intent"], {})
        expected = EXPECTED[r["card"]]
        if (
            (r["amount"], order["amount"], pi.get("amount")) != (r["expected_amount"],) * 3
            or pi.get("metadata", {}).get("order_id") != r["order"]
            or (expected == "paid" and order.get("amount_received") != pi.get("amount_received"))
        ):
            mismatches.append(r["order"])
        if order["status"] != expected:
            lost.append(r["order"])
        if charges.get(r["payment_intent"], 0) > 1:
            doubled.append(r["order"])
        event_type = "payment_intent.succeeded" if expected == "paid" else "payment_intent.payment_failed"
        done = delivered.get((r["payment_intent"], event_type))
        if done is None:
            no_webhook.append(r["order"])
            continue
        settle.append(done - r["paid_at"])
        if done - r["paid_at"] > SETTLE_TARGET:
            late.append(r["order"])
    per_order = {}
    for pi in intents.values():
        order_id = pi.get("metadata", {}).get("order_id")
        per_order[order_id] = per_order.get(order_id, 0) + 1
    doubled += [order_id for order_id, count in per_order.items() if count > 1]

    sources = {}
    for r in records:
        source = first_source.get(r["order"], "none")
        sources[source] = sources.get(source, 0) + 1
    cards = {
        name: sum(r["card"] == card for r in records)
        for name, card in (("visa", VISA), ("3ds", THREE_D_SECURE), ("declined", DECLINED))
    }
    ok = not (errors or late or no_webhook or mismatches or lost or doubled) and len(records) == shoppers * orders_each
    summary = {
        "shoppers": shoppers,
        "orders_each": orders_each,
        "think_seconds": list(think),
        "one_process": one_process,
        "orders": len(records),
        "cards": cards,
        "errors": len(errors),
        "error_samples": errors[:5],
        "shopping_seconds": round(shopping, 1),
        "orders_per_second": round(len(records) / shopping, 1),
        "settle_seconds": distribution(settle),
        "settled_within_target": len(settle) - len(late),
        "late": len(late),
        "without_webhook": len(no_webhook),
        "mismatches": len(mismatches),
        "lost": len(lost),
        "double_charged": len(set(doubled)),
        "first_settled_by": sources,
        "delivery_attempts": attempts,
        "failed_attempts": failed_attempts,
        "confirmation_pages_ok": sum(r["confirmation_page"] is True for r in records),
        "pass": ok,
        "machine": machine(),
    }
    write_result(name, summary)
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shoppers", type=int, default=200)
    parser.add_argument("--orders", type=int, default=5, help="orders per shopper")
    parser.add_argument("--one-process", action="store_true", help="run `workbench serve` with its own sandbox")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(2.0, 6.0),
        metavar=("MIN", "MAX"),
        help="seconds a shopper spends on the checkout page before paying (default 2 6; 0 0: none)",
    )
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    summary = run(args.shoppers, args.orders, tuple(args.think), args.seed, args.one_process)
    print(json.dumps(summary, indent=2))
    print(
        "PASS: every order settled by its webhook within 2 s, none mismatched, lost or charged twice"
        if summary["pass"]
        else "FAIL: see the counts above"
    )
    return 0 if summary["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
