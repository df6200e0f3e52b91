"""Objects carry the same keys as Stripe's own example objects (openapi/fixtures3.json) and stripe-python 16's types.

``stripe_object_keys.json`` pins each object's keys, nested ones under dotted names (``payment_method.sepa_debit``);
every pinned list is checked against the fields stripe-python 16 declares for that class, and live objects are
walked at every depth (``undeclared``), so a key Stripe's library does not know fails here.
"""

import json
import os
import typing

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, debit, pay

with open(os.path.join(os.path.dirname(__file__), "stripe_object_keys.json")) as fh:
    KEYS = json.load(fh)

# The stripe-python class whose declared fields each pinned list must come from.
DECLARED = {
    "payment_intent": stripe.PaymentIntent,
    "payment_method": stripe.PaymentMethod,
    "charge": stripe.Charge,
    "refund": stripe.Refund,
    "event": stripe.Event,
    "webhook_endpoint": stripe.WebhookEndpoint,
    "charge.payment_method_details.card": stripe.Charge.PaymentMethodDetails.Card,
    "payment_method.sepa_debit": stripe.PaymentMethod.SepaDebit,
    "payment_method.sepa_debit.generated_from": stripe.PaymentMethod.SepaDebit.GeneratedFrom,
    "payment_method.ideal": stripe.PaymentMethod.Ideal,
    "charge.payment_method_details.ideal": stripe.Charge.PaymentMethodDetails.Ideal,
    "charge.payment_method_details.bancontact": stripe.Charge.PaymentMethodDetails.Bancontact,
    "charge.payment_method_details.sepa_debit": stripe.Charge.PaymentMethodDetails.SepaDebit,
    "mandate": stripe.Mandate,
    "mandate.customer_acceptance": stripe.Mandate.CustomerAcceptance,
    "mandate.customer_acceptance.online": stripe.Mandate.CustomerAcceptance.Online,
    "mandate.payment_method_details": stripe.Mandate.PaymentMethodDetails,
    "mandate.payment_method_details.sepa_debit": stripe.Mandate.PaymentMethodDetails.SepaDebit,
    "mandate.single_use": stripe.Mandate.SingleUse,
    "dispute": stripe.Dispute,
    "dispute.evidence": stripe.Dispute.Evidence,
    "dispute.evidence_details": stripe.Dispute.EvidenceDetails,
    "customer": stripe.Customer,
    "customer.invoice_settings": stripe.Customer.InvoiceSettings,
    "deleted_customer": stripe.Customer,
    "payment_method.card": stripe.PaymentMethod.Card,
    "setup_intent": stripe.SetupIntent,
}
BILLING = {"name": "Jenny Rosen", "email": "jenny@example.com"}


def keys(obj):
    return sorted(obj.to_dict(recursive=False))


def declared(cls):
    """The fields stripe-python 16 declares for a class, its base classes' included (less the class constant and
    ``StripeObject``'s private bookkeeping)."""
    fields = {}
    for klass in reversed(cls.__mro__):
        fields.update(getattr(klass, "__annotations__", {}))
    return {name: kind for name, kind in fields.items() if name != "OBJECT_NAME" and not name.startswith("_")}


def declared_class(annotation):
    """The stripe-python class a field's annotation names (``Optional[Customer.Address]``, ``'PaymentMethod'``);
    None for a list (``ListObject[Refund]``) or a free-form hash (``UntypedStripeObject[Any]``): no fields to check."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = getattr(stripe, annotation.__forward_arg__, None)
    if isinstance(annotation, type):
        return annotation if issubclass(annotation, stripe.StripeObject) else None
    if typing.get_origin(annotation) is not typing.Union:
        return None
    return next(filter(None, map(declared_class, typing.get_args(annotation))), None)


def undeclared(value, cls, path=""):
    """The keys of ``value``, at any depth, that stripe-python's ``cls`` does not declare where they are."""
    fields = declared(cls)
    missing = []
    for key, item in value.items():
        if key not in fields:
            missing.append(path + key)
            continue
        nested = declared_class(fields[key])
        if nested is not None and isinstance(item, dict):
            missing += undeclared(item, nested, f"{path}{key}.")
    return missing


def with_method(method_type):
    """A PaymentMethod's top-level keys when its type is ``method_type`` (its hash of that name replaces ``card``)."""
    return sorted(set(KEYS["payment_method"]) - {"card"} | {method_type})


@pytest.mark.parametrize("name", sorted(KEYS))
def test_every_pinned_key_is_one_stripe_python_declares(name):
    assert set(KEYS[name]) <= set(declared(DECLARED[name]))


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


def test_bank_payment_methods_carry_exactly_the_declared_fields(stripe_client):
    """SEPA Debit and iDEAL PaymentMethods: Stripe's PaymentMethod with the type's hash, nested field by field."""
    sepa = stripe_client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": "AT611904300234573201"}, "billing_details": BILLING}
    )
    assert keys(sepa) == with_method("sepa_debit") and undeclared(sepa.to_dict(), stripe.PaymentMethod) == []
    assert (
        keys(sepa.sepa_debit) == KEYS["payment_method.sepa_debit"] == sorted(declared(stripe.PaymentMethod.SepaDebit))
    )
    assert keys(sepa.sepa_debit.generated_from) == KEYS["payment_method.sepa_debit.generated_from"]
    ideal = stripe_client.v1.payment_methods.create(params={"type": "ideal", "ideal": {"bank": "rabobank"}})
    assert keys(ideal) == with_method("ideal") and undeclared(ideal.to_dict(), stripe.PaymentMethod) == []
    assert keys(ideal.ideal) == KEYS["payment_method.ideal"] == sorted(declared(stripe.PaymentMethod.Ideal))
    bancontact = stripe_client.v1.payment_methods.create(params={"type": "bancontact", "billing_details": BILLING})
    assert keys(bancontact) == with_method("bancontact")
    assert keys(bancontact.bancontact) == sorted(declared(stripe.PaymentMethod.Bancontact)) == []


@pytest.mark.sandbox_only("authorizes on the sandbox's own bank test page")
@pytest.mark.parametrize("method_type", ["ideal", "bancontact"])
def test_a_redirect_payments_charge_carries_the_declared_method_details(stripe_client, bank_page, method_type):
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1500,
            "currency": "eur",
            "payment_method_types": [method_type],
            "payment_method_data": {"type": method_type, "billing_details": BILLING},
            "confirm": True,
            "return_url": RETURN_URL,
        }
    )
    bank_page.click(pi, "authorize")
    charge = stripe_client.v1.charges.retrieve(stripe_client.v1.payment_intents.retrieve(pi.id).latest_charge)
    assert keys(charge) == KEYS["charge"]
    details = charge.payment_method_details
    assert keys(details) == sorted([method_type, "type"])
    name = f"charge.payment_method_details.{method_type}"
    assert keys(details[method_type]) == KEYS[name] == sorted(declared(DECLARED[name]))


def test_a_sepa_debits_charge_and_mandate_carry_the_declared_fields(stripe_client):
    """The pending charge's ``sepa_debit`` details and the mandate, nested field by field."""
    pi = debit(stripe_client, "AT611904300234573201", expand=[])
    charge = stripe_client.v1.charges.retrieve(pi.latest_charge)
    assert keys(charge) == KEYS["charge"]
    assert keys(charge.payment_method_details) == ["sepa_debit", "type"]
    details = charge.payment_method_details.sepa_debit
    name = "charge.payment_method_details.sepa_debit"
    assert keys(details) == KEYS[name] == sorted(declared(DECLARED[name]))
    assert undeclared(charge.to_dict(), stripe.Charge) == []
    mandate = stripe_client.v1.mandates.retrieve(details.mandate)
    assert undeclared(mandate.to_dict(), stripe.Mandate) == []
    assert keys(mandate) == sorted(set(KEYS["mandate"]) - {"multi_use"} | {"single_use"})  # one payment's mandate
    for name in (
        "mandate.customer_acceptance",
        "mandate.customer_acceptance.online",
        "mandate.payment_method_details",
        "mandate.payment_method_details.sepa_debit",
        "mandate.single_use",
    ):
        nested = mandate
        for part in name.split(".")[1:]:
            nested = nested[part]
        assert keys(nested) == KEYS[name], name


@pytest.mark.sandbox_only("settles the debit at once through the sandbox's own settings")
def test_a_dispute_carries_the_fields_of_stripes_example(stripe_client, bank):
    bank.delays(normal=0)
    pi = bank.settled(debit(stripe_client, "AT591904300235473203"))
    (dispute,) = stripe_client.v1.disputes.list(params={"charge": pi.latest_charge.id}).data  # opened as it settled
    assert keys(dispute) == KEYS["dispute"]
    assert keys(dispute.evidence) == KEYS["dispute.evidence"]
    assert keys(dispute.evidence_details) == KEYS["dispute.evidence_details"]
