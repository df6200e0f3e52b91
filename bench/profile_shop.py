"""Where an order's time goes: pyinstrument profiles of the shop's ``POST /api/orders`` and the sandbox's calls.

Both apps run in this process through Flask's test client (no HTTP server, so the
profile shows their own work):

- the shop, with the ceiling's no-op endpoint (``bench/ceiling.py``, its own process)
  as its Stripe: what remains is the shop's work and stripe-python's;
- the sandbox answering the PaymentIntent create the shop sends, and a create+confirm.

    .venv/bin/python -m bench.profile_shop [--orders 2000]

Writes ``bench/results/profile-shop.txt`` and ``profile-sandbox.txt`` (call trees, the
slow branches first) and prints the time per request without the profiler.
"""

import argparse
import json
import tempfile
import time
import uuid

import stripe
from pyinstrument import Profiler

from bench.common import RESULTS
from bench.shop_rate import ORDER
from bench.stack import Ceiling
from press_workbench.sandbox import SECRET_KEY, create_sandbox_app
from press_workbench.shop import create_app

SHOP_CREATE = (
    "amount=3200&currency=usd&automatic_payment_methods[enabled]=true&description=Stripe+Press+order"
    "&metadata[order_id]=ord_0123456789abcdef"
)
HEADERS = {
    "Authorization": f"Bearer {SECRET_KEY}",
    "Content-Type": "application/x-www-form-urlencoded",
    "Stripe-Version": stripe.api_version,
}


def profile(name, operation, count):
    """Microseconds per operation without the profiler, then a profile of ``count`` more written to results."""
    for _ in range(count // 10):
        operation()
    started = time.perf_counter()
    for _ in range(count):
        operation()
    per_call = (time.perf_counter() - started) / count * 1e6
    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(count):
        operation()
    profiler.stop()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"profile-{name}.txt"
    path.write_text(profiler.output_text(unicode=True, color=False))
    print(
        f"{name}: {per_call:,.0f} µs per call (test client, no profiler); "
        f"profile in {path.relative_to(RESULTS.parent.parent)}"
    )


def shop_orders(count):
    with Ceiling() as ceiling:
        app = create_app(
            {
                "TESTING": True,
                "DATA_DIR": tempfile.mkdtemp(prefix="bench-profile-"),
                "SECRET_KEY": "p",
                "SANDBOX_URL": ceiling.url,
            }
        )
        client = app.test_client()

        def order():
            if client.post("/api/orders", data=ORDER, content_type="application/json").status_code != 201:
                raise RuntimeError("the shop refused an order")

        profile("shop", order, count)


def sandbox_calls(count):
    client = create_sandbox_app(tempfile.mkdtemp(prefix="bench-profile-")).test_client()

    def post(path, body):
        answer = client.post(path, data=body, headers={**HEADERS, "Idempotency-Key": str(uuid.uuid4())})
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code}")
        return json.loads(answer.data)

    def create_confirm():
        pi = post(
            "/v1/payment_intents", "amount=2300&currency=usd&payment_method_types[0]=card&payment_method=pm_card_visa"
        )
        post(f"/v1/payment_intents/{pi['id']}/confirm", "")

    profile("sandbox-create", lambda: post("/v1/payment_intents", SHOP_CREATE), count)
    profile("sandbox-create-confirm", create_confirm, count // 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    count = parser.parse_args().orders
    shop_orders(count)
    sandbox_calls(count)


if __name__ == "__main__":
    main()
