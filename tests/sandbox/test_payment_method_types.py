"""Which payment methods a PaymentIntent offers, by currency, and the bank PaymentMethods (SEPA Debit, iDEAL).

Against real Stripe (``make verify-stripe``) an account offers what its Dashboard enables, usually more: the
checks there are that Stripe's list includes the sandbox's, never that the two are equal.
"""

import json
import urllib.parse

import pytest
import stripe

from press_workbench.sandbox import PUBLISHABLE_KEY
from tests.sandbox.conftest import fetch

SEPA = {"type": "sepa_debit", "sepa_debit": {"iban": "AT611904300234573201"}}
BILLING = {"name": "Jenny Rosen", "email": "jenny@example.com"}


def invalid(call):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call()
    return caught.value


def automatic(client, currency, **options):
    return client.v1.payment_intents.create(
        params={"amount": 2300, "currency": currency, "automatic_payment_methods": {"enabled": True, **options}}
    )


def check_offered(api_target, pi, expected):
    """Exactly ``expected`` in the sandbox; at Stripe, at least ``expected`` (the account may enable more)."""
    if api_target.is_stripe:
        assert set(expected) <= set(pi.payment_method_types), pi.payment_method_types
    else:
        assert pi.payment_method_types == expected
        assert sorted(pi.payment_method_options.to_dict()) == sorted(expected)


@pytest.mark.parametrize(
    "currency, expected",
    [("eur", ["card", "ideal", "sepa_debit"]), ("usd", ["card"]), ("gbp", ["card"]), ("jpy", ["card"])],
)
def test_automatic_payment_methods_offer_by_currency(stripe_client, api_target, currency, expected):
    amount_pi = automatic(stripe_client, currency)
    check_offered(api_target, amount_pi, expected)
    assert amount_pi.automatic_payment_methods.to_dict() == {"allow_redirects": "always", "enabled": True}


def test_allow_redirects_never_leaves_out_ideal(stripe_client, api_target):
    pi = automatic(stripe_client, "eur", allow_redirects="never")
    check_offered(api_target, pi, ["card", "sepa_debit"])
    assert "ideal" not in pi.payment_method_types


def test_payment_method_types_limit_the_intent(stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "payment_method_types": ["sepa_debit", "ideal"]}
    )
    assert (pi.payment_method_types, pi.automatic_payment_methods) == (["sepa_debit", "ideal"], None)
    assert sorted(pi.payment_method_options.to_dict()) == ["ideal", "sepa_debit"]


def test_changing_the_currency_changes_what_automatic_methods_offer(stripe_client, api_target):
    pi = automatic(stripe_client, "usd")
    pi = stripe_client.v1.payment_intents.update(pi.id, params={"currency": "eur"})
    check_offered(api_target, pi, ["card", "ideal", "sepa_debit"])
    pi = stripe_client.v1.payment_intents.update(pi.id, params={"currency": "usd"})
    check_offered(api_target, pi, ["card"])


@pytest.mark.sandbox_only("the sandbox's own words: Stripe names its Dashboard instead of the modelled types")
@pytest.mark.parametrize("method_type", ["klarna", "no_such_method"])
def test_a_type_the_sandbox_does_not_model_is_refused_naming_the_modelled_ones(stripe_client, method_type):
    error = invalid(
        lambda: stripe_client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "eur", "payment_method_types": ["card", method_type]}
        )
    )
    assert (error.http_status, error.param) == (400, "payment_method_types")
    assert error.user_message == (
        f"The payment method type provided: {method_type} is invalid. The sandbox models these payment method "
        "types only: card, ideal, sepa_debit, bancontact."
    )


@pytest.mark.parametrize("method_type", ["ideal", "sepa_debit", "bancontact"])
def test_a_euro_only_method_in_another_currency_is_refused_and_nothing_is_created(
    stripe_client, api_target, method_type
):
    before = stripe_client.v1.payment_intents.list(params={"limit": 1}).data
    error = invalid(
        lambda: stripe_client.v1.payment_intents.create(
            params={"amount": 1000, "currency": "usd", "payment_method_types": [method_type]}
        )
    )
    assert error.http_status == 400
    assert error.user_message == (
        f"The currency provided (usd) is invalid. Payments with {method_type} support the following currencies: eur."
    )
    if not api_target.is_stripe:  # other runs share a Stripe account: only the sandbox is known to be quiet
        assert stripe_client.v1.payment_intents.list(params={"limit": 1}).data == before


def test_a_sepa_debit_payment_method_shows_the_account_never_the_iban(stripe_client):
    pm = stripe_client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "DE89370400440532013000"}, "billing_details": BILLING}
    )
    account = pm.sepa_debit.to_dict()
    assert (pm.type, account["country"], account["bank_code"], account["branch_code"], account["last4"]) == (
        "sepa_debit",
        "DE",
        "37040044",
        "",
        "3000",
    )
    assert account["generated_from"] == {"charge": None, "setup_attempt": None}
    assert pm.billing_details.name == "Jenny Rosen" and "card" not in pm.to_dict()
    assert "DE89370400440532013000" not in str(pm.to_dict())
    again = stripe_client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "de89 3704 0044 0532 0130 00"}, "billing_details": BILLING}
    )
    other = stripe_client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "AT611904300234573201"}, "billing_details": BILLING}
    )
    assert again.sepa_debit.fingerprint == account["fingerprint"] != other.sepa_debit.fingerprint
    assert (other.sepa_debit.country, other.sepa_debit.bank_code, other.sepa_debit.last4) == ("AT", "19043", "3201")


@pytest.mark.parametrize(
    "iban",
    [
        "AT611904300234573202",  # check digits wrong
        "AT61190430023457320",  # one digit short
        "XX611904300234573201",  # no such country
        "US611904300234573201",  # not a SEPA country
        "AT61-1904-3002-3457-3201",
    ],
)
def test_a_malformed_iban_is_refused_with_stripes_code(stripe_client, iban):
    error = invalid(
        lambda: stripe_client.v1.payment_methods.create(
            params={"type": "sepa_debit", "sepa_debit": {"iban": iban}, "billing_details": BILLING}
        )
    )
    assert (error.http_status, error.code, error.param) == (400, "invalid_bank_account_iban", "sepa_debit[iban]")
    assert error.user_message == "The IBAN you provided is invalid."


@pytest.mark.parametrize("missing", ["name", "email"])
def test_a_sepa_debit_needs_the_account_holders_name_and_email(stripe_client, missing):
    billing = {key: value for key, value in BILLING.items() if key != missing}
    error = invalid(lambda: stripe_client.v1.payment_methods.create(params={**SEPA, "billing_details": billing}))
    assert (error.code, error.param) == ("parameter_missing", f"billing_details[{missing}]")


def test_ideal_and_bancontact_payment_methods(stripe_client):
    chosen = stripe_client.v1.payment_methods.create(params={"type": "ideal", "ideal": {"bank": "ing"}})
    assert chosen.ideal.to_dict() == {"bank": "ing", "bic": "INGBNL2A"}
    unchosen = stripe_client.v1.payment_methods.create(params={"type": "ideal"})
    assert unchosen.ideal.to_dict() == {"bank": None, "bic": None}
    bancontact = stripe_client.v1.payment_methods.create(params={"type": "bancontact", "billing_details": BILLING})
    assert (bancontact.type, bancontact.bancontact.to_dict()) == ("bancontact", {})
    error = invalid(lambda: stripe_client.v1.payment_methods.create(params={"type": "ideal", "ideal": {"bank": "x"}}))
    assert (error.http_status, error.param) == (400, "ideal[bank]")


def test_a_payment_method_the_intent_does_not_offer_is_refused(stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "payment_method_types": ["card"]}
    )
    pm = stripe_client.v1.payment_methods.create(params={**SEPA, "billing_details": BILLING})
    error = invalid(lambda: stripe_client.v1.payment_intents.update(pi.id, params={"payment_method": pm.id}))
    assert error.user_message == (
        "The PaymentMethod provided (sepa_debit) is not allowed for this PaymentIntent. Please attach a PaymentMethod "
        "of one of the following types: card. Alternatively, update the allowed payment_method_types for this "
        'PaymentIntent to include "sepa_debit".'
    )
    assert stripe_client.v1.payment_intents.retrieve(pi.id).payment_method is None


@pytest.mark.sandbox_only("Stripe.js's own endpoint: stripe-python has no call for it")
def test_a_deferred_payment_element_asks_which_methods_to_offer(sandbox_url):
    """``elements({mode: 'payment', currency})`` before any PaymentIntent: the tabs automatic methods would give."""

    def session(types=(), **deferred):
        query = {"key": PUBLISHABLE_KEY, "type": "deferred_intent", "deferred_intent[mode]": "payment"}
        query.update({f"deferred_intent[{name}]": value for name, value in deferred.items()})
        query["deferred_intent[payment_method_types][]"] = list(types)
        status, _, body = fetch(f"{sandbox_url}/v1/elements/sessions?{urllib.parse.urlencode(query, doseq=True)}")
        return status, json.loads(body)

    status, body = session(currency="eur", amount="1099")
    assert status == 200
    assert body["payment_method_preference"]["ordered_payment_method_types"] == ["card", "ideal", "sepa_debit"]
    assert session(currency="usd")[1]["payment_method_preference"]["ordered_payment_method_types"] == ["card"]
    chosen = session(["card", "sepa_debit"], currency="eur")[1]
    assert chosen["payment_method_preference"]["ordered_payment_method_types"] == ["card", "sepa_debit"]
    status, body = session(["ideal"], currency="usd")
    assert (status, body["error"]["param"]) == (400, "currency")
    status, body = session()
    assert (status, body["error"]["param"]) == (400, "deferred_intent[currency]")


@pytest.mark.sandbox_only("Stripe.js's own endpoint: stripe-python has no call for it")
def test_a_payment_element_with_a_client_secret_reads_its_intent_from_the_elements_session(stripe_client, sandbox_url):
    """``elements({clientSecret})``: the intent's types, and the intent with its ``payment_method_options`` (card terms
    show when the card is saved), to the holder of the client secret only."""

    def session(kind, secret):
        query = {"key": PUBLISHABLE_KEY, "type": kind, "client_secret": secret}
        status, _, body = fetch(f"{sandbox_url}/v1/elements/sessions?{urllib.parse.urlencode(query)}")
        return status, json.loads(body)

    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1000,
            "currency": "eur",
            "payment_method_types": ["card", "sepa_debit"],
            "payment_method_options": {"card": {"setup_future_usage": "off_session"}},
        }
    )
    status, body = session("payment_intent", pi.client_secret)
    preference = body["payment_method_preference"]
    assert (status, preference["type"], preference["ordered_payment_method_types"]) == (
        200,
        "payment_intent",
        ["card", "sepa_debit"],
    )
    shown = preference["payment_intent"]
    assert (shown["id"], shown["payment_method_options"]["card"]["setup_future_usage"]) == (pi.id, "off_session")
    assert "metadata" not in shown  # otherwise the publishable-key view

    seti = stripe_client.v1.setup_intents.create(params={"payment_method_types": ["card"]})
    status, body = session("setup_intent", seti.client_secret)
    assert (status, body["payment_method_preference"]["setup_intent"]["id"]) == (200, seti.id)

    status, body = session("payment_intent", pi.id + "_secret_wrong")
    assert (status, body["error"]["code"]) == (400, "payment_intent_invalid_parameter")
    for kind, secret in (("setup_intent", pi.client_secret), ("payment_intent", pi.id)):  # another's, or no secret
        status, body = session(kind, secret)
        assert (status, body["error"]["message"]) == (400, f"Invalid client_secret for type={kind}: {secret}")
    status, body = session("subscription", pi.client_secret)
    assert (status, body["error"]["param"]) == (400, "type")
