"""Stripe-Version: refused as Stripe refuses it, and honoured where a version changes our objects."""

import json
import typing
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
import stripe
from stripe.params import WebhookEndpointCreateParams

from press_workbench.sandbox import PUBLISHABLE_KEY
from press_workbench.sandbox.pipeline.versions import API_VERSION, KNOWN
from tests.sandbox.conftest import RETURN_URL
from tests.sandbox.test_webhook_delivery import own_sandbox, subscribe  # noqa: F401 (fixtures)


def create(client, **params):
    return client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", **params})


@pytest.mark.parametrize(
    "version",
    [
        "banana",
        "2099-01-01",
        "2026-02-25",
        "2024-13-45",
        "2026-10-28.basil",
        "2025-03-31.basil; checkout_server_update_beta=v1",
    ],
)
def test_unknown_versions_are_refused_as_stripe_refuses_them(make_client, version):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        create(make_client(stripe_version=version))
    error = caught.value
    assert (error.http_status, error.code, error.param) == (400, None, None)
    assert error.user_message.startswith(f"Invalid Stripe API version: {version}")


@pytest.mark.parametrize("version", ["2020-08-27", "2023-10-16", "2024-09-30.acacia", API_VERSION])
def test_real_versions_are_accepted(make_client, version):
    assert create(make_client(stripe_version=version)).status == "requires_payment_method"


def test_the_list_of_versions_is_stripes_own():
    """Stripe's spec (through stripe-python) names every version; a new stripe-python means a longer list."""
    listed = typing.get_args(typing.get_args(WebhookEndpointCreateParams.__annotations__["api_version"])[0])
    assert list(KNOWN) == list(listed)
    assert KNOWN[-1] == API_VERSION == stripe.api_version


def test_before_2023_08_16_a_payment_intent_is_card_only_and_captures_synchronously(make_client):
    old = create(make_client(stripe_version="2022-11-15"))
    assert (old.payment_method_types, old.automatic_payment_methods, old.capture_method) == (
        ["card"],
        None,
        "automatic",
    )
    done = make_client(stripe_version="2022-11-15").v1.payment_intents.confirm(
        old.id, params={"payment_method": "pm_card_visa"}
    )  # no return_url needed: nothing can redirect
    assert done.status == "succeeded"


def test_automatic_payment_methods_from_2023_08_16_and_async_capture_from_2024_04_10(make_client):
    sample = create(make_client(stripe_version="2023-10-16"))  # what Stripe's own sample pins
    assert sample.automatic_payment_methods.enabled is True and sample.capture_method == "automatic"
    current = create(make_client(stripe_version="2024-04-10"))
    assert current.automatic_payment_methods.enabled is True and current.capture_method == "automatic_async"
    explicit = create(
        make_client(stripe_version="2022-11-15"),
        automatic_payment_methods={"enabled": True},
        capture_method="automatic_async",
    )
    assert explicit.automatic_payment_methods.enabled is True and explicit.capture_method == "automatic_async"


def test_versions_before_2022_11_15_see_the_charges_list(make_client, stripe_client):
    pi = create(stripe_client, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL)
    old = make_client(stripe_version="2022-08-01").v1.payment_intents.retrieve(pi.id)
    assert [charge.id for charge in old.charges.data] == [pi.latest_charge]
    assert "charges" not in stripe_client.v1.payment_intents.retrieve(pi.id)


def test_events_are_rendered_in_the_account_version_not_the_request_version(make_client, stripe_client):
    pi = create(make_client(stripe_version="2023-10-16"))
    event = next(
        e
        for e in stripe_client.v1.events.list(params={"type": "payment_intent.created"}).data
        if e.data.object.id == pi.id
    )
    assert event.api_version == API_VERSION


def test_webhook_endpoint_api_version_must_be_a_real_version(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        stripe_client.v1.webhook_endpoints.create(
            params={"url": "https://example.com/hook", "enabled_events": ["*"], "api_version": "2099-01-01"}
        )
    assert caught.value.user_message == "Invalid Stripe API version: 2099-01-01"


@pytest.mark.sandbox_only("delivers webhooks to a local receiver (Stripe needs a public URL or stripe listen)")
def test_webhooks_are_rendered_in_the_endpoints_version(own_sandbox, receiver):  # noqa: F811
    _, client = own_sandbox
    client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["payment_intent.succeeded"], "api_version": "2022-08-01"}
    )
    subscribe(client, receiver, ["payment_intent.succeeded"])  # no api_version: the account default
    pi = create(client, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL)
    payloads = [json.loads(body) for _, body, _ in receiver.wait_for(2)]
    by_version = {p["api_version"]: p["data"]["object"] for p in payloads}
    assert set(by_version) == {"2022-08-01", API_VERSION}
    assert [c["id"] for c in by_version["2022-08-01"]["charges"]["data"]] == [pi.latest_charge]
    assert "charges" not in by_version[API_VERSION]


@pytest.mark.sandbox_only("sends Stripe.js's own request shape without stripe-python")
def test_stripe_js_sends_its_api_version_as_a_form_field(sandbox_url, stripe_client):
    """``Stripe(pk, {apiVersion})`` reaches the API as ``_stripe_version``: validated like the header."""
    pi = create(stripe_client, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL)

    def retrieve(version):
        query = urlencode({"key": PUBLISHABLE_KEY, "client_secret": pi.client_secret, "_stripe_version": version})
        try:
            with urllib.request.urlopen(f"{sandbox_url}/v1/payment_intents/{pi.id}?{query}") as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as exc:
            return exc.code, json.load(exc)

    status, body = retrieve("2020-08-27")  # what Stripe's payment-element sample passes to Stripe()
    assert status == 200 and body["status"] == "succeeded"
    status, body = retrieve("banana")
    assert status == 400 and body["error"]["message"] == "Invalid Stripe API version: banana"
