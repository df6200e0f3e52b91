"""SEPA Direct Debit: processing, then each of Stripe's test IBANs' outcomes, the mandate, and the events.

Against real Stripe (``make verify-stripe``) the normal IBANs settle in about 15 seconds; the delayed ones take
"at least three minutes" there, so those run in the sandbox only, where each delay is a setting.
"""

import time

import pytest
import stripe

from tests.sandbox.conftest import BILLING, IBAN_PAYMENT, ONLINE, debit

SUCCEEDS, FAILS, DISPUTED = "AT611904300234573201", "AT861904300235473202", "AT591904300235473203"
SUCCEEDS_LATER, FAILS_LATER = "AT321904300235473204", "AT051904300235473205"
SLOW = pytest.mark.sandbox_only("Stripe settles the delayed test IBANs after at least three minutes")


def invalid(call):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call()
    return caught.value


def events_about(client, *object_ids):
    found = client.v1.events.list(params={"limit": 50}).data
    about = [(e.type, e.data.object.to_dict()) for e in reversed(found)]
    return [kind for kind, obj in about if {obj.get("id"), obj.get("payment_intent")} & set(object_ids)]


def confirm_debit(client, pi, iban=SUCCEEDS, **params):
    """Confirm an existing euro PaymentIntent with a SEPA Debit from ``iban`` (``params``: the mandate, …)."""
    data = {"type": "sepa_debit", "sepa_debit": {"iban": iban}, "billing_details": BILLING}
    return client.v1.payment_intents.confirm(pi.id, params={"payment_method_data": data, **params})


def test_a_debit_is_processing_with_a_pending_charge_under_a_mandate(stripe_client):
    pi = debit(stripe_client, SUCCEEDS_LATER)
    charge = pi.latest_charge
    assert (pi.status, pi.amount_received, pi.next_action, pi.payment_method_types) == (
        "processing",
        0,
        None,
        ["sepa_debit"],
    )
    assert (charge.status, charge.paid, charge.amount, charge.payment_method_details.type) == (
        "pending",
        False,
        1000,
        "sepa_debit",
    )
    account = charge.payment_method_details.sepa_debit
    assert (account.country, account.bank_code, account.last4) == ("AT", "19043", "3204")
    assert account.mandate.startswith("mandate_")
    assert charge.outcome.risk_level == "not_assessed"


def test_the_mandate_records_the_acceptance_and_is_spent_once_the_payment_settles(stripe_client, bank):
    bank.delays(normal=0)
    pi = debit(stripe_client, SUCCEEDS)
    mandate_id = pi.latest_charge.payment_method_details.sepa_debit.mandate
    mandate = stripe_client.v1.mandates.retrieve(mandate_id)
    assert (mandate.type, mandate.payment_method, mandate.payment_method_details.type) == (
        "single_use",
        pi.payment_method,
        "sepa_debit",
    )
    assert mandate.single_use.to_dict() == {"amount": 1000, "currency": "eur"}
    assert mandate.customer_acceptance.type == "online"
    assert mandate.customer_acceptance.online.to_dict() == ONLINE["online"]
    assert mandate.payment_method_details.sepa_debit.reference
    assert bank.settled(pi).status == "succeeded"
    spent = stripe_client.v1.mandates.retrieve(mandate_id)
    assert spent.status == "inactive"
    updates = stripe_client.v1.events.list(params={"type": "mandate.updated", "limit": 10}).data
    mine = next(e for e in updates if e.data.object.id == mandate_id)
    assert mine.data.previous_attributes.to_dict() == {"status": "active"}


def test_a_mandate_for_later_payments_is_multi_use_and_stays_active(stripe_client, bank):
    bank.delays(normal=0)
    pi = debit(stripe_client, SUCCEEDS, setup_future_usage="off_session")
    bank.settled(pi)
    mandate = stripe_client.v1.mandates.retrieve(pi.latest_charge.payment_method_details.sepa_debit.mandate)
    assert (mandate.type, mandate.status, mandate.multi_use.to_dict()) == ("multi_use", "active", {})


def test_an_offline_acceptance_as_the_stripe_cli_sends_it(stripe_client):
    pi = debit(stripe_client, SUCCEEDS, mandate={"type": "offline", "accepted_at": "1590590577"})
    mandate = stripe_client.v1.mandates.retrieve(pi.latest_charge.payment_method_details.sepa_debit.mandate)
    assert mandate.customer_acceptance.to_dict() == {"accepted_at": 1590590577, "offline": {}, "type": "offline"}


@pytest.mark.sandbox_only("reads the address and browser the sandbox saw")
def test_the_payment_elements_acceptance_takes_the_address_and_browser_from_stripe_js(
    stripe_client, publishable_client
):
    """Stripe.js sends ``online[infer_from_client]=true`` when the shopper accepts the mandate text."""
    pi = stripe_client.v1.payment_intents.create(params={**IBAN_PAYMENT})
    confirmed = publishable_client.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "payment_method_data": {
                "type": "sepa_debit",
                "sepa_debit": {"iban": "AT61 1904 3002 3457 3201"},
                "billing_details": BILLING,
            },
            "mandate_data": {"customer_acceptance": {"type": "online", "online": {"infer_from_client": True}}},
            "return_url": "http://127.0.0.1/return",
        },
    )
    assert confirmed.status == "processing"
    charge = stripe_client.v1.charges.retrieve(stripe_client.v1.payment_intents.retrieve(pi.id).latest_charge)
    online = stripe_client.v1.mandates.retrieve(charge.payment_method_details.sepa_debit.mandate).customer_acceptance
    assert online.online.ip_address == "127.0.0.1" and "Stripe/v1 PythonBindings" in online.online.user_agent


@pytest.mark.parametrize(
    "iban, status",
    [
        (SUCCEEDS, "succeeded"),
        (FAILS, "requires_payment_method"),
        (DISPUTED, "succeeded"),
        pytest.param(SUCCEEDS_LATER, "succeeded", marks=SLOW),
        pytest.param(FAILS_LATER, "requires_payment_method", marks=SLOW),
    ],
)
def test_each_test_iban_settles_as_stripe_documents(stripe_client, bank, iban, status):
    bank.delays(normal=0, delayed=None)  # the delayed ones wait for the test to let them go
    pi = debit(stripe_client, iban)
    assert pi.status == "processing"
    if iban in (SUCCEEDS_LATER, FAILS_LATER):
        other = debit(stripe_client, SUCCEEDS)
        assert bank.settled(other).status == "succeeded"
        assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "processing"  # still, after the others
        bank.settle_now(pi)
    settled = bank.settled(pi)
    charge = settled.latest_charge
    assert settled.status == status
    if status == "succeeded":
        assert (settled.amount_received, charge.status, charge.paid) == (1000, "succeeded", True)
        assert charge.balance_transaction is not None
    else:
        assert (settled.amount_received, settled.payment_method, charge.status) == (0, None, "failed")
        error = settled.last_payment_error
        assert (error.code, error.decline_code, error.payment_method.type) == (
            "payment_intent_payment_attempt_failed",
            "generic_decline",
            "sepa_debit",
        )
        assert charge.failure_code == "incorrect_account_holder_name"


def test_the_events_of_a_debit_and_its_outcome(stripe_client, bank):
    bank.delays(normal=0)
    paid = bank.settled(debit(stripe_client, SUCCEEDS))
    failed = bank.settled(debit(stripe_client, FAILS))
    assert events_about(stripe_client, paid.id) == [
        "payment_intent.created",
        "charge.pending",
        "payment_intent.processing",
        "charge.succeeded",
        "payment_intent.succeeded",
    ]
    assert events_about(stripe_client, failed.id) == [
        "payment_intent.created",
        "charge.pending",
        "payment_intent.processing",
        "charge.failed",
        "payment_intent.payment_failed",
    ]


def test_a_failed_debit_can_be_paid_again(stripe_client, bank):
    bank.delays(normal=0)
    failed = bank.settled(debit(stripe_client, FAILS))
    retried = confirm_debit(stripe_client, failed, mandate_data={"customer_acceptance": ONLINE})
    assert retried.status == "processing"
    assert bank.settled(retried).status == "succeeded"


def test_a_debit_without_a_mandate_is_refused_and_changes_nothing(stripe_client):
    pi = stripe_client.v1.payment_intents.create(params={**IBAN_PAYMENT})
    error = invalid(lambda: confirm_debit(stripe_client, pi))
    assert (error.http_status, error.param) == (400, "mandate_data")
    after = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (after.status, after.latest_charge, after.payment_method) == ("requires_payment_method", None, None)


@pytest.mark.parametrize(
    "acceptance, param",
    [
        ({"type": "online", "online": {"user_agent": "x"}}, "mandate_data[customer_acceptance][online][ip_address]"),
        ({"online": {"ip_address": "203.0.113.10", "user_agent": "x"}}, "mandate_data[customer_acceptance][type]"),
        ({"type": "paper"}, "mandate_data[customer_acceptance][type]"),
    ],
)
def test_an_incomplete_acceptance_is_refused(stripe_client, acceptance, param):
    pi = stripe_client.v1.payment_intents.create(params={**IBAN_PAYMENT})
    error = invalid(lambda: confirm_debit(stripe_client, pi, mandate_data={"customer_acceptance": acceptance}))
    assert (error.http_status, error.param) == (400, param)
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_a_malformed_iban_on_confirm_is_refused_and_changes_nothing(stripe_client):
    pi = stripe_client.v1.payment_intents.create(params={**IBAN_PAYMENT})
    error = invalid(
        lambda: confirm_debit(stripe_client, pi, "AT611904300234573209", mandate_data={"customer_acceptance": ONLINE})
    )
    assert (error.http_status, error.code, error.param) == (
        400,
        "invalid_bank_account_iban",
        "payment_method_data[sepa_debit][iban]",
    )
    assert stripe_client.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


def test_an_unknown_mandate_is_stripes_404(stripe_client):
    error = invalid(lambda: stripe_client.v1.mandates.retrieve("mandate_nope"))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "mandate")
    assert error.user_message == "No such mandate: 'mandate_nope'"


def test_the_disputed_iban_succeeds_then_its_dispute_is_opened(stripe_client, api_target, bank):
    bank.delays(normal=0)
    pi = bank.settled(debit(stripe_client, DISPUTED))
    assert pi.status == "succeeded"
    found = []
    for _ in range(60 if api_target.is_stripe else 20):  # Stripe opens it "immediately": a moment after
        found = stripe_client.v1.disputes.list(params={"payment_intent": pi.id}).data
        if found:
            break
        time.sleep(3 if api_target.is_stripe else 0.05)
    (dispute,) = found
    assert (dispute.charge, dispute.amount, dispute.currency) == (pi.latest_charge.id, 1000, "eur")
    assert stripe_client.v1.charges.retrieve(pi.latest_charge.id).disputed is True
    assert stripe_client.v1.disputes.retrieve(dispute.id).id == dispute.id
    if not api_target.is_stripe:  # the sandbox's reading of Stripe's docs: final, taken back without questions
        assert (dispute.status, dispute.reason, dispute.is_charge_refundable) == ("lost", "customer_initiated", False)
        (withdrawal,) = dispute.balance_transactions
        assert (withdrawal.amount, withdrawal.reporting_category) == (-1000, "dispute")
        kinds = events_about(stripe_client, pi.id)
        assert kinds[-2:] == ["charge.dispute.created", "charge.dispute.funds_withdrawn"]


def test_a_sepa_refund_is_pending_until_the_bank_pays_it_back(stripe_client, api_target, bank):
    bank.delays(normal=0)
    pi = bank.settled(debit(stripe_client, SUCCEEDS))
    bank.delays(normal=None)
    refund = stripe_client.v1.refunds.create(params={"payment_intent": pi.id})
    assert (refund.status, refund.amount, refund.destination_details) == ("pending", 1000, None)
    if api_target.is_stripe:
        return  # Stripe's bank pays SEPA refunds back in its own time
    assert stripe_client.v1.refunds.retrieve(refund.id).status == "pending"  # held
    bank.settle_now(pi)
    deadline = time.monotonic() + 5
    while stripe_client.v1.refunds.retrieve(refund.id).status == "pending" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stripe_client.v1.refunds.retrieve(refund.id).status == "succeeded"
    updated = stripe_client.v1.events.list(params={"type": "refund.updated", "limit": 5}).data[0]
    assert (updated.data.object.id, updated.data.previous_attributes.to_dict()) == (refund.id, {"status": "pending"})
    assert (
        stripe_client.v1.events.list(params={"type": "charge.refund.updated", "limit": 1}).data[0].data.object.id
        == refund.id
    )
