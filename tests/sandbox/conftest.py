"""Helpers for the sandbox conformance suite: confirm like Stripe.js, finish 3D Secure like a shopper."""

import urllib.parse
import urllib.request
import uuid

import pytest
import stripe

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


@pytest.fixture
def authenticate(sandbox_url):
    """Click a button on the sandbox's 3D Secure page (without following the redirect)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)

    def click(pi, result, return_url=RETURN_URL):
        body = urllib.parse.urlencode({"client_secret": pi.client_secret, "result": result, "return_url": return_url})
        request = urllib.request.Request(f"{sandbox_url}/3ds/authenticate/{pi.id}", data=body.encode())
        try:
            opener.open(request)
        except urllib.error.HTTPError as exc:  # the 303 back to return_url
            return exc.code, exc.headers["Location"]
        raise AssertionError("expected a redirect to return_url")

    return click
