"""Webhook settle time: from a payment's answer to the shop's 2xx for the webhook that marks its order paid.

Nobody visits the return page, so only the webhook can settle the order.  Each payment
is made as the card frame makes it (``tests/card_frame.py``: the confirm call at the
sandbox with the publishable key); its time is when that answer arrives.  The sandbox's
delivery log says when the shop answered ``payment_intent.succeeded`` with a 2xx
(the shop commits the order as paid before it answers).  Both clocks are this
machine's ``time.time()``.

- alone: payments one at a time, each once the previous order is paid;
- burst: ``burst`` payments released together (a barrier), ``bursts`` times.
"""

import argparse
import json
import threading
import time
from dataclasses import dataclass

from bench.common import BenchError, add_compare_option, compared, distribution, machine, write_result
from bench.stack import Stack
from tests.card_frame import VISA, http_json, pay_in_card_frame

ORDER = json.dumps({"items": [{"book_id": "working-in-public", "quantity": 1}]}).encode()
TARGET_BURST_P95 = 0.5  # seconds (issue 13)


@dataclass(frozen=True)
class Plan:
    alone: int = 30
    burst: int = 30
    bursts: int = 3
    rounds: int = 1  # of (alone, bursts) per stack, alternating between stacks


QUICK = Plan(alone=5, burst=10, bursts=1)


def new_order(stack):
    order = http_json("POST", f"{stack.shop_url}/api/orders", ORDER, {"Content-Type": "application/json"})
    if order.get("status") != "awaiting_payment":
        raise BenchError(f"POST /api/orders: {order}")
    return order


def pay(stack, order):
    """Pay as the card frame does; returns the moment the answer arrived."""
    answer = pay_in_card_frame(stack.sandbox_url, order, VISA, f"{stack.shop_url}/checkout/{order['id']}/complete")
    if answer.get("status") != "succeeded":
        raise BenchError(f"payment of {order['id']}: {answer}")
    return time.time()


def wait_paid(stack, orders, timeout=30.0):
    deadline = time.monotonic() + timeout
    pending = {order["id"] for order in orders}
    while pending and time.monotonic() < deadline:
        pending = {o for o in pending if http_json("GET", f"{stack.shop_url}/api/orders/{o}")["status"] != "paid"}
        time.sleep(0.02)
    if pending:
        raise BenchError(f"{len(pending)} orders not paid {timeout:.0f} s after payment")


def alone(stack, count):
    paid = {}
    for _ in range(count):
        order = new_order(stack)
        paid[order["payment_intent"]] = pay(stack, order)
        wait_paid(stack, [order])
    return paid


def burst(stack, size):
    orders = [new_order(stack) for _ in range(size)]
    gate, paid, errors = threading.Barrier(size), {}, []

    def shopper(order):
        gate.wait()
        try:
            paid[order["payment_intent"]] = pay(stack, order)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=shopper, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    wait_paid(stack, orders)
    return paid


def settle_times(stack, paid):
    answered = stack.webhook_answered()
    missing = [pi for pi in paid if (pi, "payment_intent.succeeded") not in answered]
    if missing:
        raise BenchError(f"no answered payment_intent.succeeded for {len(missing)} payments")
    return [answered[(pi, "payment_intent.succeeded")] - at for pi, at in paid.items()]


def run(plan=Plan(), compare=None, say=print):
    """Settle times for this checkout's shop (and ``compare``: {label: root}), rounds alternating between them."""
    stacks = {}
    try:
        stacks["shop"] = Stack()
        for label, root in (compare or {}).items():
            stacks[label] = Stack(root=root)
        paid = {label: {"alone": {}, "burst": {}} for label in stacks}
        for number in range(plan.rounds):
            say(f"  settle round {number + 1}/{plan.rounds} …")
            for label, stack in stacks.items():
                alone(stack, 3)  # warm-up: connections, the shop's first webhook
                paid[label]["alone"].update(alone(stack, plan.alone))
                for _ in range(plan.bursts):
                    paid[label]["burst"].update(burst(stack, plan.burst))
                    time.sleep(1)
        times = {
            label: {kind: settle_times(stacks[label], paid[label][kind]) for kind in ("alone", "burst")}
            for label in stacks
        }
    finally:
        for stack in stacks.values():
            stack.stop()
    result = {
        "plan": plan.__dict__,
        "machine": machine(),
        "target_burst_p95_seconds": TARGET_BURST_P95,
        "series": {
            label: {kind: distribution(values) for kind, values in kinds.items()} for label, kinds in times.items()
        },
        "times": times,
    }
    write_result("settle", result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    add_compare_option(parser)
    args = parser.parse_args()
    result = run(QUICK if args.quick else Plan(rounds=args.rounds), compared(args))
    for label, kinds in result["series"].items():
        for kind, figure in kinds.items():
            print(
                f"{label:10} {kind:6} n={figure['n']:<4} p50 {1000 * figure['p50']:6.0f} ms  "
                f"p95 {1000 * figure['p95']:6.0f} ms  max {1000 * figure['max']:6.0f} ms"
            )


if __name__ == "__main__":
    main()
