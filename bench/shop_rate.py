"""Shop order creation: ``POST /api/orders`` per second, one at a time and concurrently, as a fraction of the ceiling.

Each order is priced from the catalog, stored, and gets one PaymentIntent from the sandbox
(through stripe-python), so an order costs at least one stripe-python call: the ceiling's
rate with the same number of client threads is the most it could reach.  The shop is
driven by raw keep-alive HTTP/1.1 connections (cheap, so the client is not what is
measured); every answer must be a 201 with an ``awaiting_payment`` order and a ``pi_``.

Rounds alternate over the ceiling and every shop under test (this checkout's, and with
``--compare`` another commit's), so load from other jobs on the machine lands on all
of them; fractions are medians of per-round ratios.
"""

import argparse
import http.client
import json
import statistics
import urllib.parse
from dataclasses import dataclass

import stripe

from bench.common import BenchError, add_compare_option, compared, machine, run_ops, write_result
from bench.stack import Ceiling, Stack
from press_workbench.sandbox import SECRET_KEY

ORDER = json.dumps({"items": [{"book_id": "an-elegant-puzzle", "quantity": 1}]})
# What the shop sends for that order (press_workbench/shop/service.py), so the ceiling does the same stripe-python work.
SHOP_PARAMS = {
    "amount": 3200,
    "currency": "usd",
    "automatic_payment_methods": {"enabled": True},
    "description": "Stripe Press order ord_0123456789abcdef: 1 × An Elegant Puzzle",
    "metadata": {"order_id": "ord_0123456789abcdef"},
}


@dataclass(frozen=True)
class Plan:
    rounds: int = 5
    orders: int = 300  # per round and series
    workers: int = 8  # concurrent connections for the concurrent figure
    round_seconds: float = 8.0


QUICK = Plan(rounds=1, orders=60, round_seconds=4.0)


class ShopClient:
    """One keep-alive connection placing orders."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def __call__(self):
        self.connection.request("POST", "/api/orders", ORDER, {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        body = response.read()
        order = json.loads(body) if response.status == 201 else {}
        if order.get("status") != "awaiting_payment" or not str(order.get("payment_intent")).startswith("pi_"):
            raise BenchError(f"POST /api/orders -> HTTP {response.status}: {body[:300]!r}")

    def close(self):
        self.connection.close()


class StripePythonCreate:
    """stripe-python's ``StripeClient`` creating the PaymentIntent the shop creates for one order."""

    def __init__(self, url):
        self.http = stripe.RequestsClient()
        self.client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": url}, http_client=self.http)

    def __call__(self):
        if self.client.v1.payment_intents.create(params=SHOP_PARAMS).object != "payment_intent":
            raise BenchError("the endpoint did not answer with a PaymentIntent")

    def close(self):
        self.http.close()


def measure(targets, plan, say=print):
    """{label: {"sequential": [rates], "concurrent": [rates]}}, rounds alternating over ``targets``.

    ``targets`` maps a label to a maker of one client (a callable placing one order or creating one intent).
    """
    rates = {label: {"sequential": [], "concurrent": []} for label in targets}
    for make in targets.values():  # warm-up: first connections, imports, caches
        run_ops(make, 20, 1)
    for number in range(plan.rounds):
        say(f"  shop rate round {number + 1}/{plan.rounds} …")
        for label, make in targets.items():
            for mode, workers in (("sequential", 1), ("concurrent", plan.workers)):
                done, elapsed = run_ops(make, plan.orders, workers, plan.round_seconds)
                rates[label][mode].append(done / elapsed)
    return rates


def paired(numerator, denominator):
    """Median over rounds of the ratio of two series measured back to back."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def run(plan=Plan(), compare=None, say=print):
    """Order rates of this checkout's shop (and ``compare``: {label: root} of others) and the ceiling's."""
    stacks = {}
    try:
        with Ceiling() as ceiling:
            stacks["shop"] = Stack()
            for label, root in (compare or {}).items():
                stacks[label] = Stack(root=root)
            targets = {"ceiling": lambda: StripePythonCreate(ceiling.url)}
            for label, stack in stacks.items():
                targets[label] = lambda url=stack.shop_url: ShopClient(url)
            rates = measure(targets, plan, say)
    finally:
        for stack in stacks.values():
            stack.stop()
    result = {"plan": plan.__dict__, "machine": machine(), "rates": rates, "series": {}}
    for label in stacks:
        result["series"][label] = {
            mode: {
                "per_second": statistics.median(rates[label][mode]),
                "fraction_of_ceiling": paired(rates[label][mode], rates["ceiling"][mode]),
                "n": plan.orders * plan.rounds,
                "workers": 1 if mode == "sequential" else plan.workers,
            }
            for mode in ("sequential", "concurrent")
        }
    result["ceiling"] = {mode: statistics.median(rates["ceiling"][mode]) for mode in ("sequential", "concurrent")}
    write_result("shop_rate", result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    add_compare_option(parser)
    args = parser.parse_args()
    result = run(QUICK if args.quick else Plan(), compared(args))
    print(
        f"ceiling: {result['ceiling']['sequential']:.0f}/s sequential, "
        f"{result['ceiling']['concurrent']:.0f}/s with {result['plan']['workers']} threads"
    )
    for label, series in result["series"].items():
        for mode, figure in series.items():
            print(
                f"{label:10} {mode:10} {figure['per_second']:6.0f} orders/s = "
                f"{100 * figure['fraction_of_ceiling']:3.0f}% of the ceiling"
            )


if __name__ == "__main__":
    main()
