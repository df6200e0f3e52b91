"""Malformed bank payment input gets a 4xx, never a 5xx, and changes nothing — here and at Stripe.

The messages of the common mistakes are pinned in test_sepa_debit.py, test_redirect_methods.py and
test_payment_method_types.py; this file sends what a careless or hostile client might (hashes where strings
belong, strings where hashes belong) and checks only that the refusal is Stripe-shaped and harmless.
"""

import pytest
import stripe

from tests.sandbox.conftest import BILLING, RETURN_URL

IBAN = "AT611904300234573201"
ONLINE = {"type": "online", "online": {"ip_address": "203.0.113.10", "user_agent": "tests"}}


def sepa(**overrides):
    data = {"type": "sepa_debit", "sepa_debit": {"iban": IBAN}, "billing_details": BILLING, **overrides}
    return {"payment_method_data": data, "mandate_data": {"customer_acceptance": ONLINE}}


MALFORMED = {
    "sepa_debit not a hash": sepa(sepa_debit=IBAN),
    "iban a hash": sepa(sepa_debit={"iban": {"x": "1"}}),
    "iban empty": sepa(sepa_debit={"iban": ""}),
    "iban with a letter where a digit goes": sepa(sepa_debit={"iban": "ATX11904300234573201"}),
    "iban not latin": sepa(sepa_debit={"iban": "ÄT611904300234573201"}),
    "billing_details not a hash": sepa(billing_details="Jenny"),
    "name a hash": sepa(billing_details={"name": {"first": "Jenny"}, "email": "jenny@example.com"}),
    "mandate_data not a hash": {**sepa(), "mandate_data": "yes"},
    "customer_acceptance not a hash": {**sepa(), "mandate_data": {"customer_acceptance": "online"}},
    "online not a hash": {**sepa(), "mandate_data": {"customer_acceptance": {"type": "online", "online": "x"}}},
    "ip_address a hash": {
        **sepa(),
        "mandate_data": {
            "customer_acceptance": {"type": "online", "online": {"ip_address": {"a": "1"}, "user_agent": "u"}}
        },
    },
    "accepted_at not a number": {
        **sepa(),
        "mandate_data": {"customer_acceptance": {"type": "offline", "accepted_at": "yesterday"}},
    },
    "ideal not a hash": {"payment_method_data": {"type": "ideal", "ideal": "ing"}, "return_url": RETURN_URL},
    "ideal bank a hash": {
        "payment_method_data": {"type": "ideal", "ideal": {"bank": {"a": "1"}}},
        "return_url": RETURN_URL,
    },
    "type a hash": {"payment_method_data": {"type": {"a": "ideal"}}, "return_url": RETURN_URL},
    "return_url a hash": {"payment_method_data": {"type": "ideal"}, "return_url": {"a": "x"}},
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_bank_input_is_a_4xx_that_changes_nothing(stripe_client, case):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 1000, "currency": "eur", "payment_method_types": ["sepa_debit", "ideal"]}
    )
    with pytest.raises(stripe.StripeError) as refused:
        stripe_client.v1.payment_intents.confirm(pi.id, params=MALFORMED[case])
    assert 400 <= refused.value.http_status < 500 and refused.value.error.type == "invalid_request_error"
    after = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.payment_method, after.latest_charge, after.next_action) == (
        "requires_payment_method",
        None,
        None,
        None,
    )
