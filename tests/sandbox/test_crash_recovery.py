"""A sandbox killed with SIGKILL in the middle of a burst of payments: every retry afterwards works, once.

Before, a request killed between "key claimed" and "answer saved" left its
Idempotency-Key "in progress" forever (the shop's checkout for that order answered
502 for good), and one killed after its changes could create a second PaymentIntent
on retry.
"""

import http.client
import json
import sqlite3
import threading
import time
from urllib.parse import urlencode, urlsplit

import stripe

from press_workbench.sandbox import SECRET_KEY
from press_workbench.sandbox.pipeline.forms import encode_form
from tests.processes import Workbench


def client(url):
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": url}, max_network_retries=0)


PAYMENT = {
    "amount": 2300,
    "currency": "usd",
    "confirm": True,
    "payment_method": "pm_card_visa",
    "payment_method_types": ["card"],
}


def create(stripe_client, key):
    return stripe_client.v1.payment_intents.create(
        params={**PAYMENT, "metadata": {"order_id": key}}, options={"idempotency_key": key}
    )


def burst(url, sent, answered, shoppers=16):
    """Shoppers paying as fast as the sandbox answers: raw keep-alive HTTP, so the sandbox (not this process's
    clients) is the bottleneck and a kill finds requests half-way through."""

    def shopper(n):
        connection = http.client.HTTPConnection("127.0.0.1", urlsplit(url).port, timeout=30)
        for i in range(100_000):
            key = f"order-{n}-{i}"
            body = urlencode(encode_form({**PAYMENT, "metadata": {"order_id": key}}))  # as stripe-python encodes
            sent.append(key)
            try:
                connection.request(
                    "POST",
                    "/v1/payment_intents",
                    body,
                    {
                        "Authorization": f"Bearer {SECRET_KEY}",
                        "Idempotency-Key": key,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = connection.getresponse()
                answered[key] = response.read()
            except (OSError, http.client.HTTPException):
                return  # the sandbox is gone

    threads = [threading.Thread(target=shopper, args=(n,), daemon=True) for n in range(shoppers)]
    for thread in threads:
        thread.start()
    return threads


def test_every_key_works_once_after_a_kill_mid_burst(tmp_path):
    data_dir = str(tmp_path / "sandbox")
    sandbox = Workbench("sandbox", "--port", "0", "--data-dir", data_dir, cwd=tmp_path)
    sent, answered = [], {}
    shoppers = burst(sandbox.url, sent, answered)
    deadline = time.monotonic() + 30
    while len(answered) < 200 and time.monotonic() < deadline:
        time.sleep(0.01)
    sandbox.kill()
    for thread in shoppers:
        thread.join(30)
    answered = {key: json.loads(body)["id"] for key, body in answered.items()}
    unanswered = [key for key in sent if key not in answered]
    assert len(answered) >= 200 and unanswered, "the kill should land with requests in flight"

    restarted = Workbench("sandbox", "--port", "0", "--data-dir", data_dir, cwd=tmp_path)
    try:
        api = client(restarted.url)
        retried = {key: create(api, key) for key in sent}  # would raise IdempotencyError (409) for a stuck key
        assert all(pi.status == "succeeded" for pi in retried.values())
        assert all(retried[key].id == pi_id for key, pi_id in answered.items())  # replayed, not charged again
        with sqlite3.connect(f"{data_dir}/sandbox.sqlite3") as db:
            per_order = dict(
                db.execute(
                    "SELECT json_extract(body, '$.metadata.order_id'), count(*) FROM objects "
                    "WHERE type = 'payment_intent' GROUP BY 1"
                )
            )
        assert per_order == dict.fromkeys(sent, 1)  # one PaymentIntent per order, none lost, none doubled
    finally:
        restarted.stop()
