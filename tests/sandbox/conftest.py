"""Helpers for the sandbox conformance suite: confirm like Stripe.js, finish 3D Secure like a shopper."""

import time
import urllib.parse
import urllib.request
import uuid

import pytest
import stripe

from press_workbench.sandbox import clear_settle_delays, set_settle_delays, settle_now
from tests.receiver import Receiver

RETURN_URL = "http://127.0.0.1/return"


def pay(client, **params):
    """A PaymentIntent paid in one call with the Visa test card, its charge expanded; ``params`` override these."""
    return client.v1.payment_intents.create(
        params={
            "amount": 2300,
            "currency": "usd",
            "confirm": True,
            "payment_method": "pm_card_visa",
            "return_url": RETURN_URL,
            "expand": ["latest_charge"],
            **params,
        }
    )


def refused(call, error=stripe.InvalidRequestError):
    """The error ``call()`` raises, which must be of class ``error``."""
    with pytest.raises(error) as caught:
        call()
    return caught.value


def unique_email():
    """An address no other test (or earlier run against Stripe) has used, so an email filter finds only ours."""
    return f"reader-{uuid.uuid4().hex[:12]}@example.com"


def events_about(client, object_id, prefix):
    """The events whose object is ``object_id`` and whose type starts with ``prefix``, oldest first."""
    listed = client.v1.events.list(params={"limit": 100}).data
    return [e for e in reversed(listed) if e.type.startswith(prefix) and e.data.object.id == object_id]


@pytest.fixture
def receiver():
    """A webhook endpoint on loopback that keeps what it is sent (``tests/receiver.py``)."""
    hook = Receiver()
    yield hook
    hook.server.stop()


@pytest.fixture
def new_intent(stripe_client):
    def create(**params):
        return stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", **params})

    return create


@pytest.fixture
def confirm_card(publishable_client):
    """Confirm with raw card data and the publishable key, as the Payment Element does."""

    def confirm(pi, number, exp_year="2034", cvc="123"):
        card = {"number": number, "exp_month": "12", "exp_year": exp_year, "cvc": cvc}
        return publishable_client.v1.payment_intents.confirm(
            pi.id,
            params={
                "client_secret": pi.client_secret,
                "return_url": RETURN_URL,
                "payment_method_data": {"type": "card", "card": card},
            },
        )

    return confirm


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Stop at a redirect, so a test sees where a page sends the shopper."""

    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url, form=None):
    """(status, ``Location`` header, body) of a GET, or of a POST of ``form``, without following a redirect."""
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with OPENER.open(urllib.request.Request(url, data=data)) as response:
            return response.status, response.headers["Location"], response.read().decode()
    except urllib.error.HTTPError as exc:  # a redirect (303) or an error page (4xx)
        return exc.code, exc.headers["Location"], exc.read().decode()


@pytest.fixture
def authenticate(sandbox_url):
    """Click a button on the sandbox's 3D Secure page (without following the redirect)."""

    def click(pi, result, return_url=RETURN_URL):
        form = {"client_secret": pi.client_secret, "result": result, "return_url": return_url}
        status, location, _ = fetch(f"{sandbox_url}/3ds/authenticate/{pi.id}", form)
        assert status == 303, "expected a redirect to return_url"
        return status, location

    return click


@pytest.fixture
def bank_page():
    """Open the bank's test page a redirect method's ``next_action`` points to, and click one of its buttons."""

    class BankPage:
        def open(self, pi):
            """(status, html) of the page, opened as the shopper's browser opens ``redirect_to_url.url``."""
            status, _, html = fetch(pi.next_action.redirect_to_url.url)
            return status, html

        def click(self, pi, result, client_secret=None):
            """(status, Location) after clicking ``authorize`` or ``fail``."""
            url = pi.next_action.redirect_to_url.url.split("?")[0]
            status, location, _ = fetch(url, {"client_secret": client_secret or pi.client_secret, "result": result})
            return status, location

    return BankPage()


IBAN_PAYMENT = {"amount": 1000, "currency": "eur", "payment_method_types": ["sepa_debit"]}
BILLING = {"name": "Jenny Rosen", "email": "jenny@example.com"}
ONLINE = {"type": "online", "online": {"ip_address": "203.0.113.10", "user_agent": "press-workbench-tests"}}


def debit(client, iban, mandate=ONLINE, **params):
    """A euro PaymentIntent confirmed with a SEPA Debit from ``iban`` under an online mandate, its charge expanded."""
    return client.v1.payment_intents.create(
        params={
            **IBAN_PAYMENT,
            "confirm": True,
            "payment_method_data": {"type": "sepa_debit", "sepa_debit": {"iban": iban}, "billing_details": BILLING},
            "mandate_data": {"customer_acceptance": mandate},
            "expand": ["latest_charge"],
            **params,
        }
    )


@pytest.fixture
def bank(request, api_target, stripe_client):
    """When SEPA debits settle: ``delays(normal=…, delayed=…)`` (the sandbox's; Stripe's bank keeps its own time),
    ``settle_now(pi)`` (sandbox only: the test is skipped against Stripe), and ``settled(pi)`` everywhere."""

    class Bank:
        data_dir = None if api_target.is_stripe else request.getfixturevalue("sandbox").data_dir

        def delays(self, **delays):
            """Set the sandbox's delays for this test (Stripe's bank keeps its own)."""
            if self.data_dir:
                set_settle_delays(self.data_dir, **delays)

        def settle_now(self, pi):
            if self.data_dir is None:
                pytest.skip("sandbox-only: Stripe's bank settles in its own time")
            assert settle_now(self.data_dir, pi.id) >= 1

        def settled(self, pi, timeout=None):
            """The PaymentIntent once the bank has answered (Stripe: about 15 s; the sandbox: its delay)."""
            timeout = timeout or (180 if api_target.is_stripe else 10)
            deadline = time.monotonic() + timeout
            while True:
                found = stripe_client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]})
                if found.status != "processing" or time.monotonic() > deadline:
                    return found
                time.sleep(3 if api_target.is_stripe else 0.05)

    yield Bank()
    if Bank.data_dir:
        clear_settle_delays(Bank.data_dir)
