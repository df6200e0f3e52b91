"""Objects carry the same top-level keys as Stripe's own example objects (openapi/fixtures3.json)."""

import json
import os

from tests.sandbox.conftest import pay

with open(os.path.join(os.path.dirname(__file__), "stripe_object_keys.json")) as fh:
    KEYS = json.load(fh)


def keys(obj):
    return sorted(obj.to_dict(recursive=False))


def test_payment_intent_charge_payment_method_event_refund_keys(stripe_client):
    pi = pay(stripe_client, expand=[])
    assert keys(pi) == KEYS["payment_intent"]
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge)
    assert keys(charge) == KEYS["charge"]
    assert keys(charge.payment_method_details.card) == KEYS["charge.payment_method_details.card"]
    assert keys(stripe_client.v1.payment_methods.retrieve(pi.payment_method)) == KEYS["payment_method"]
    refund = stripe_client.v1.refunds.create(params={"payment_intent": pi.id})
    assert keys(refund) == KEYS["refund"]
    event = stripe_client.v1.events.list(params={"limit": 1}).data[0]
    assert keys(event) == KEYS["event"]


def test_a_typed_card_says_it_asked_for_nothing_optional(stripe_client):
    """The charge's card details say what happened: a credit card typed in, no wallet, no optional authorisation."""
    pi = pay(stripe_client)
    card = pi.latest_charge.payment_method_details.card.to_dict()
    assert (card["wallet"], card["mandate"], card["installments"], card["network_token"]) == (
        None,
        None,
        None,
        {"used": False},
    )
    assert card["overcapture"] == {"maximum_amount_capturable": 2300, "status": "unavailable"}
    assert card["extended_authorization"] == {"status": "disabled"}
    assert card["incremental_authorization"] == card["multicapture"] == {"status": "unavailable"}
    assert card["regulated_status"] == "unregulated"  # a credit card: the debit-card regulation does not apply


def test_webhook_endpoint_keys_and_the_secret_only_on_create(stripe_client):
    created = stripe_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/hook", "enabled_events": ["charge.succeeded"]}
    )
    assert keys(created) == sorted(KEYS["webhook_endpoint"] + ["secret"])
    assert created.secret.startswith("whsec_")
    fetched = stripe_client.v1.webhook_endpoints.retrieve(created.id)
    assert keys(fetched) == KEYS["webhook_endpoint"]
    stripe_client.v1.webhook_endpoints.delete(created.id)


def test_ids_look_like_stripes(stripe_client):
    pi = pay(stripe_client, expand=[])
    refund = stripe_client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 100})
    for value, prefix in ((pi.id, "pi_"), (pi.latest_charge, "ch_"), (pi.payment_method, "pm_"), (refund.id, "re_")):
        assert value.startswith(prefix) and len(value) == len(prefix) + 24 and value[len(prefix) :].isalnum()
    assert pi.client_secret.startswith(pi.id + "_secret_")
    assert stripe_client.v1.events.list(params={"limit": 1}).data[0].id.startswith("evt_")
