"""Objects carry the same keys as Stripe's own example objects (openapi/fixtures3.json), and every key, nested ones
too, is a field stripe-python 16 declares for that object."""

import json
import os
import typing

import stripe

from tests.sandbox.conftest import pay

with open(os.path.join(os.path.dirname(__file__), "stripe_object_keys.json")) as fh:
    KEYS = json.load(fh)


def keys(obj):
    return sorted(obj.to_dict(recursive=False))


def declared_class(annotation):
    """The stripe-python class a field's annotation names (``Optional[Customer.Address]``, ``'PaymentMethod'``)."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = getattr(stripe, annotation.__forward_arg__, None)
    if isinstance(annotation, type):
        return annotation if issubclass(annotation, stripe.StripeObject) else None
    return next(filter(None, map(declared_class, typing.get_args(annotation))), None)


def undeclared(value, cls, path=""):
    """The keys of ``value``, at any depth, that stripe-python's ``cls`` does not declare where they are."""
    fields = {}
    for klass in reversed(cls.__mro__):
        fields.update(getattr(klass, "__annotations__", {}))
    missing = []
    for key, item in value.items():
        if key not in fields:
            missing.append(path + key)
            continue
        nested = declared_class(fields[key])
        if nested is not None and isinstance(item, dict):
            missing += undeclared(item, nested, f"{path}{key}.")
    return missing


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


def test_customer_deleted_customer_and_saved_payment_method_keys(stripe_client):
    customer = stripe_client.v1.customers.create(
        params={
            "email": "jenny@example.com",
            "payment_method": "pm_card_visa",
            "address": {"line1": "510 Townsend St", "country": "US"},
            "shipping": {"name": "Jenny Rosen", "address": {"line1": "510 Townsend St"}},
        }
    )
    assert keys(customer) == KEYS["customer"]
    assert keys(customer.invoice_settings) == KEYS["customer.invoice_settings"]
    assert undeclared(customer.to_dict(), stripe.Customer) == []
    (pm,) = stripe_client.v1.customers.payment_methods.list(customer.id).data
    assert (keys(pm), keys(pm.card)) == (KEYS["payment_method"], KEYS["payment_method.card"])
    assert undeclared(pm.to_dict(), stripe.PaymentMethod) == []
    deleted = stripe_client.v1.customers.delete(customer.id)
    assert keys(deleted) == KEYS["deleted_customer"] and undeclared(deleted.to_dict(), stripe.Customer) == []


def test_a_payment_for_a_customer_and_its_decline_have_only_declared_fields(stripe_client):
    customer = stripe_client.v1.customers.create(params={"payment_method": "pm_card_authenticationRequired"})
    (pm,) = stripe_client.v1.customers.payment_methods.list(customer.id).data
    params = {"amount": 1000, "currency": "usd", "customer": customer.id, "payment_method_types": ["card"]}
    pi = stripe_client.v1.payment_intents.create(
        params={**params, "payment_method_options": {"card": {"setup_future_usage": "off_session"}}}
    )
    assert keys(pi) == KEYS["payment_intent"] and undeclared(pi.to_dict(), stripe.PaymentIntent) == []
    try:
        stripe_client.v1.payment_intents.create(
            params={**params, "payment_method": pm.id, "confirm": True, "off_session": True}
        )
    except stripe.CardError as declined:
        failed = declined.error.payment_intent
    assert undeclared(failed.to_dict(), stripe.PaymentIntent) == []
    assert failed.last_payment_error.payment_method.customer == customer.id


def test_setup_intent_keys_and_its_decline_have_only_declared_fields(stripe_client):
    customer = stripe_client.v1.customers.create()
    si = stripe_client.v1.setup_intents.create(params={"customer": customer.id, "payment_method_types": ["card"]})
    assert keys(si) == KEYS["setup_intent"] and undeclared(si.to_dict(), stripe.SetupIntent) == []
    pending = stripe_client.v1.setup_intents.confirm(
        si.id, params={"payment_method": "pm_card_authenticationRequired", "expand": ["latest_attempt"]}
    )
    assert undeclared(pending.to_dict(), stripe.SetupIntent) == []
    try:
        stripe_client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_chargeDeclined"})
    except stripe.CardError as declined:
        failed = declined.error.setup_intent
    assert keys(failed) == KEYS["setup_intent"] and undeclared(failed.to_dict(), stripe.SetupIntent) == []
    assert failed.last_setup_error.payment_method.card.last4 == "0002"
