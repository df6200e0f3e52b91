"""What the shop tests of payments in euros share: a shop selling in EUR, and paying its orders by bank.

Stripe's test IBANs (as the sandbox models them) pay an order by SEPA Direct Debit: the
PaymentIntent is ``processing`` first and settles later.  ``holding_sandbox`` holds every
debit until ``bank_answers`` lets the bank answer one, so a test can look at each step;
``pay_by_sepa`` confirms an order's PaymentIntent as a server would, with a mandate.
"""

import time
from contextlib import contextmanager

from press_workbench.sandbox import set_settle_delays, settle_now
from press_workbench.sandbox.serving import serve_in_thread, start_sandbox
from press_workbench.shop import create_app
from press_workbench.shop.serving import register_sandbox_webhook

IBAN_SUCCEEDS = "AT611904300234573201"
IBAN_FAILS = "AT861904300235473202"
RETURN_URL = "http://127.0.0.1/return"
MANDATE = {"customer_acceptance": {"type": "online", "online": {"ip_address": "127.0.0.1", "user_agent": "pytest"}}}


def eur_shop(tmp_path, api_target, **settings):
    """The shop of the ``app`` fixture, selling in euros."""
    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "shop"),
            "SECRET_KEY": "test",
            "SHOP_CURRENCY": "eur",
            **api_target.shop_config(),
            **settings,
        }
    )


@contextmanager
def holding_sandbox(data_dir):
    """A sandbox whose debits wait in ``processing`` until ``bank_answers``; its ``data_dir`` is on it."""
    running = start_sandbox(data_dir, webhook_retry_base=0.2)
    set_settle_delays(data_dir, normal=None, delayed=None)
    running.data_dir = data_dir
    try:
        yield running
    finally:
        running.stop()


@contextmanager
def served(app):
    """The shop served on a loopback port, its webhook registered at its sandbox (the live shop of the browser)."""
    running = serve_in_thread(app, name="shop")
    app.config["SHOP_URL"] = running.url
    register_sandbox_webhook(app, running.url)
    try:
        yield running
    finally:
        running.stop()


def pay_by_sepa(stripe_client, order, iban=IBAN_SUCCEEDS):
    """Confirm the order's PaymentIntent with a SEPA Direct Debit from ``iban``; returns it (``processing``)."""
    return stripe_client.v1.payment_intents.confirm(
        order["payment_intent"],
        params={
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": iban},
                "billing_details": {"name": "Jenny Rosen", "email": "jenny@example.com"},
            },
            "mandate_data": MANDATE,
            "return_url": RETURN_URL,
        },
    )


def wait_for(read, until, timeout=20):
    """``read()`` once ``until(value)`` holds; fails the test if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if until(value):
            return value
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        time.sleep(0.1)


def bank_answers(stripe_client, data_dir, order):
    """Make the bank answer the order's debit now (the sandbox on ``data_dir`` holds it); its PaymentIntent after."""
    settle_now(data_dir, order["payment_intent"])
    return wait_for(
        lambda: stripe_client.v1.payment_intents.retrieve(order["payment_intent"]),
        lambda pi: pi.status != "processing",
    )
