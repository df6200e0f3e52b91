"""The console shows bank payments as Stripe's Dashboard does: processing, a pending charge, and how it was paid."""

import re

import pytest

from tests.sandbox.conftest import RETURN_URL, debit
from tests.sandbox.test_console import text

pytestmark = pytest.mark.sandbox_only("reads the sandbox's own console pages")


@pytest.fixture
def console(sandbox):
    return sandbox.app.test_client()


def row_of(page, pi_id):
    return re.search(rf'<tr data-row="{pi_id}" data-testid="payment-row">(.*?)</tr>', page, re.S).group(1)


def test_a_processing_debit_shows_processing_its_method_and_a_pending_charge(console, stripe_client, bank):
    bank.delays(normal=None)  # the bank has not answered while the console is read
    pi = debit(stripe_client, "AT611904300234573201")
    row = row_of(text(console.get("/dashboard/payments")), pi.id)
    assert '<span class="badge warn">Processing</span>' in row
    assert 'data-testid="payment-method">SEPA Debit •••• 3201</span>' in row
    page = text(console.get(f"/dashboard/payments/{pi.id}"))
    assert 'data-testid="payment-status">processing</code>' in page
    assert '<span class="badge warn">Pending</span>' in page
    assert "The payment of €10.00 is processing: the bank has not answered yet" in page
    assert "SEPA Debit •••• 3201 was asked for €10.00: pending until the bank answers" in page
    bank.settle_now(pi)
    assert bank.settled(pi).status == "succeeded"
    page = text(console.get(f"/dashboard/payments/{pi.id}"))
    path = re.findall(r'<li class="step[^"]*" data-status="(\w+)"', page)  # not a webhook delivery's data-status
    assert path == ["requires_confirmation", "processing", "succeeded"]
    assert "SEPA Debit •••• 3201 was charged €10.00" in page and '<span class="badge ok">Succeeded</span>' in page


def test_a_failed_debit_and_an_ideal_payment_say_how_they_were_paid(console, stripe_client, bank, bank_page):
    bank.delays(normal=0)
    failed = bank.settled(debit(stripe_client, "AT861904300235473202"))
    page = text(console.get(f"/dashboard/payments/{failed.id}"))
    assert "SEPA Debit •••• 3202 was declined (incorrect_account_holder_name, generic_decline)" in page
    assert '<span class="badge bad">Failed</span>' in page
    ideal = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "eur",
            "payment_method_types": ["ideal"],
            "payment_method_data": {"type": "ideal"},
            "confirm": True,
            "return_url": RETURN_URL,
        }
    )
    assert '<span class="badge warn">Requires action</span>' in row_of(
        text(console.get("/dashboard/payments")), ideal.id
    )
    bank_page.click(ideal, "authorize")
    row = row_of(text(console.get("/dashboard/payments")), ideal.id)
    assert 'data-testid="payment-method">iDEAL</span>' in row and "Succeeded" in row


def test_an_iban_never_reaches_the_request_log(console, stripe_client):
    pi = debit(stripe_client, "AT611904300234573201")
    request_id = pi.last_response.request_id
    page = text(console.get(f"/dashboard/logs/{request_id}"))
    assert "AT611904300234573201" not in page
    assert "&#34;iban&#34;: &#34;AT••••3201&#34;" in page
