"""What the shop tests of payments in euros share: a shop selling in EUR, and paying its orders by bank.

Stripe's test IBANs (as the sandbox models them) pay an order by SEPA Direct Debit: the
PaymentIntent is ``processing`` first and settles later.  ``pay_by_sepa`` confirms an
order's PaymentIntent as a server would, with the mandate the Payment Element collects.
"""

import time

from press_workbench.shop import create_app

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
