"""iDEAL and Bancontact: confirm, the bank's test page (driven over HTTP), and back to ``return_url``.

The page's own tests need the sandbox (Stripe's test page is Stripe's); what confirm answers runs against real
Stripe too.  The browser round trip through the Payment Element is in tests/browser.
"""

import urllib.parse

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, fetch

BILLING = {"name": "Jenny Rosen", "email": "jenny@example.com"}


def invalid(call):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call()
    return caught.value


def redirected(client, method_type="ideal", return_url=RETURN_URL, **params):
    """A euro PaymentIntent confirmed with ``method_type``, waiting for the shopper at the bank's page."""
    pi = client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "eur", "payment_method_types": [method_type], **params}
    )
    return client.v1.payment_intents.confirm(
        pi.id,
        params={
            "payment_method_data": {"type": method_type, "billing_details": BILLING},
            "return_url": return_url,
        },
    )


def query(location):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def events_about(client, pi_id):
    found = client.v1.events.list(params={"limit": 30}).data
    about = [(e.type, e.data.object.to_dict()) for e in reversed(found)]
    return [kind for kind, obj in about if pi_id in (obj.get("id"), obj.get("payment_intent"))]


@pytest.mark.parametrize("method_type", ["ideal", "bancontact"])
def test_confirm_waits_for_the_bank_with_a_redirect(stripe_client, api_target, method_type):
    pi = redirected(stripe_client, method_type)
    assert (pi.status, pi.next_action.type) == ("requires_action", "redirect_to_url")
    assert pi.next_action.redirect_to_url.return_url == RETURN_URL
    assert pi.latest_charge is None and pi.amount_received == 0
    if not api_target.is_stripe:
        assert pi.next_action.redirect_to_url.url.startswith(f"{api_target.api_base}/redirect/authorize/{pi.id}?")


@pytest.mark.parametrize("method_type", ["ideal", "bancontact"])
def test_confirm_without_a_return_url_is_refused_and_changes_nothing(stripe_client, method_type):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "eur", "payment_method_types": [method_type]}
    )
    error = invalid(
        lambda: stripe_client.v1.payment_intents.confirm(pi.id, params={"payment_method_data": {"type": method_type}})
    )
    assert (error.http_status, error.param) == (400, "return_url")
    assert error.user_message == (
        f"You must provide a `return_url` when confirming a PaymentIntent with the payment method type {method_type}."
    )
    after = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.payment_method, after.next_action) == ("requires_payment_method", None, None)


def test_stripe_js_confirms_ideal_with_the_publishable_key(stripe_client, publishable_client):
    """The Payment Element's iDEAL tab: ``payment_method_data`` and the page's ``return_url``, client-side."""
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 2300, "currency": "eur", "automatic_payment_methods": {"enabled": True}}
    )
    confirmed = publishable_client.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "payment_method_data": {"type": "ideal"},
            "return_url": RETURN_URL,
        },
    )
    assert (confirmed.status, confirmed.next_action.type) == ("requires_action", "redirect_to_url")


@pytest.mark.sandbox_only("drives the sandbox's own test page")
class TestTheBanksPage:
    def test_authorize_pays_and_returns_with_stripes_parameters(self, stripe_client, bank_page):
        pi = redirected(stripe_client, return_url=RETURN_URL + "?order=ord_7")
        status, html = bank_page.open(pi)
        assert status == 200 and "€15.00" in html
        assert 'data-testid="redirect-authorize">Authorize test payment<' in html
        assert 'data-testid="redirect-fail">Fail test payment<' in html
        status, location = bank_page.click(pi, "authorize")
        assert status == 303 and location.startswith(RETURN_URL + "?order=ord_7&")
        assert query(location) == {
            "order": "ord_7",
            "payment_intent": pi.id,
            "payment_intent_client_secret": pi.client_secret,
            "redirect_status": "succeeded",
        }
        paid = stripe_client.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]})
        assert (paid.status, paid.amount_received, paid.next_action) == ("succeeded", 1500, None)
        charge = paid.latest_charge
        assert (charge.status, charge.paid, charge.payment_method_details.type) == ("succeeded", True, "ideal")
        assert charge.payment_method_details.ideal.verified_name == "Jenny Rosen"
        assert charge.balance_transaction is not None
        assert events_about(stripe_client, pi.id)[-3:] == [
            "payment_intent.requires_action",
            "charge.succeeded",
            "payment_intent.succeeded",
        ]

    def test_fail_sends_the_intent_back_for_another_method(self, stripe_client, bank_page):
        pi = redirected(stripe_client, "bancontact")
        status, location = bank_page.click(pi, "fail")
        assert status == 303 and query(location)["redirect_status"] == "failed"
        failed = stripe_client.v1.payment_intents.retrieve(pi.id)
        assert (failed.status, failed.payment_method, failed.latest_charge) == ("requires_payment_method", None, None)
        error = failed.last_payment_error
        assert (error.code, error.type, error.payment_method.type) == (
            "payment_intent_authentication_failure",
            "invalid_request_error",
            "bancontact",
        )
        assert events_about(stripe_client, pi.id)[-1] == "payment_intent.payment_failed"
        again = stripe_client.v1.payment_intents.confirm(
            pi.id, params={"payment_method_data": {"type": "bancontact"}, "return_url": RETURN_URL}
        )
        assert again.status == "requires_action"  # the shopper may try again

    @pytest.mark.parametrize("first", ["authorize", "fail"])
    def test_the_page_answers_once_then_refuses_and_changes_nothing(self, stripe_client, bank_page, first):
        pi = redirected(stripe_client)
        assert bank_page.click(pi, first)[0] == 303
        before = stripe_client.v1.payment_intents.retrieve(pi.id)
        seen = events_about(stripe_client, pi.id)
        for result in ("authorize", "fail"):
            status, location = bank_page.click(pi, result)
            assert (status, location) == (400, None)
        status, html = bank_page.open(pi)
        assert status == 400 and 'data-testid="redirect-not-waiting"' in html and "redirect-authorize" not in html
        assert stripe_client.v1.payment_intents.retrieve(pi.id) == before
        assert events_about(stripe_client, pi.id) == seen

    def test_the_page_refuses_an_intent_that_is_not_waiting_for_it(self, stripe_client, bank_page, sandbox_url):
        card = stripe_client.v1.payment_intents.create(
            params={
                "amount": 2300,
                "currency": "eur",
                "payment_method_types": ["card"],
                "payment_method": "pm_card_authenticationRequired",
                "confirm": True,
                "return_url": RETURN_URL,
            }
        )
        assert card.status == "requires_action"  # waiting for 3D Secure, not for a bank
        page = f"{sandbox_url}/redirect/authorize/{card.id}?client_secret={card.client_secret}"
        status, _, html = fetch(page)
        assert status == 400 and "redirect-authorize" not in html
        status, _, _ = fetch(page.split("?")[0], {"client_secret": card.client_secret, "result": "authorize"})
        assert status == 400
        assert stripe_client.v1.payment_intents.retrieve(card.id).status == "requires_action"

    def test_a_wrong_client_secret_or_answer_is_refused(self, stripe_client, bank_page):
        pi = redirected(stripe_client)
        assert bank_page.click(pi, "authorize", client_secret=pi.id + "_secret_wrong")[0] == 404
        assert bank_page.click(pi, "pay")[0] == 400
        assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_action"

    def test_the_3d_secure_page_cannot_finish_a_bank_payment(self, stripe_client, authenticate):
        pi = redirected(stripe_client)
        authenticate(pi, "complete")
        assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_action"


def test_an_automatic_usd_intent_does_not_take_ideal(stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1500, "currency": "usd", "automatic_payment_methods": {"enabled": True}}
    )
    error = invalid(
        lambda: stripe_client.v1.payment_intents.confirm(
            pi.id, params={"payment_method_data": {"type": "ideal"}, "return_url": RETURN_URL}
        )
    )
    assert error.http_status == 400
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"
