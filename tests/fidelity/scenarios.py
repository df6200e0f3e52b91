"""The fidelity scenarios: the same stripe-python calls, made on Stripe test mode and on the sandbox.

Each scenario is a short story told through ``Session.call``, which makes one
call, records what came back (``observe.observation``) under a label, and hands
the result on.  A scenario never asserts: ``report`` compares the two runs.
``sandbox_only`` scenarios use something only the sandbox has (its 3D Secure test
page); ``stripe_only`` ones use what the sandbox does not model, and are skipped
offline with that reason.
"""

import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

import stripe

from tests.fidelity.observe import observation

RETURN_URL = "https://example.com/return"  # Stripe needs a real-looking URL; nothing is ever sent there
PI = {"amount": 2300, "currency": "usd"}
CARD_ONLY = {**PI, "payment_method_types": ["card"]}
SCENARIOS = []


@dataclass
class Scenario:
    name: str
    run: callable
    sandbox_only: str | None = None
    stripe_only: str | None = None


def scenario(name, sandbox_only=None, stripe_only=None):
    def register(run):
        SCENARIOS.append(Scenario(name, run, sandbox_only, stripe_only))
        return run

    return register


@dataclass
class Session:
    """One scenario's run against one target: its clients and the steps it observed."""

    target: object
    steps: list = field(default_factory=list)

    def __post_init__(self):
        self.sk = self.target.client()
        self.pk = self.target.client(self.target.publishable_key)

    def call(self, label, fn, *args, **kwargs):
        """Make the call, record what came back under ``label``; the result, or None after an error."""
        try:
            result = fn(*args, **kwargs)
        except stripe.StripeError as exc:
            self.steps.append({"step": label, **observation(exc)})
            return None
        self.steps.append({"step": label, **observation(result)})
        return result

    def note(self, label, value):
        """Record a derived fact (``True``/``False``, a count) the two runs should agree on."""
        self.steps.append({"step": label, **observation(value)})


def run_all(target, scenarios=None):
    """Every scenario against ``target``: {name: {"steps": [...]} | {"skipped": reason} | {"aborted": ...}}."""
    results = {}
    for item in scenarios or SCENARIOS:
        if item.sandbox_only and target.is_stripe:
            results[item.name] = {"skipped": f"sandbox-only: {item.sandbox_only}"}
            continue
        if item.stripe_only and not target.is_stripe:
            results[item.name] = {"skipped": f"needs Stripe (skipped offline): {item.stripe_only}"}
            continue
        session = Session(target)
        try:
            item.run(session)
        except Exception:  # a step came back unlike the story expects; the steps so far still count
            session.steps.append({"step": "aborted", "value": traceback.format_exc(limit=1).strip().splitlines()[-1]})
        results[item.name] = {"steps": session.steps}
    return results


def eventually(read, ready, timeout, interval=0.5):
    """``read()`` until ``ready(result)`` or the time is up (Stripe settles some things asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        result = read()
        if ready(result) or time.monotonic() > deadline:
            return result
        time.sleep(interval)


# -- the PaymentIntent lifecycle ---------------------------------------------
@scenario("A card payment: create, confirm with pm_card_visa, read the charge")
def card_payment(s):
    pi = s.call("create", s.sk.v1.payment_intents.create, params={**PI, "metadata": {"scenario": "card"}})
    s.call(
        "confirm",
        s.sk.v1.payment_intents.confirm,
        pi.id,
        params={"payment_method": "pm_card_visa", "return_url": RETURN_URL},
    )
    s.call(
        "retrieve with latest_charge expanded",
        s.sk.v1.payment_intents.retrieve,
        pi.id,
        params={"expand": ["latest_charge"]},
    )


@scenario("Declines: each decline test card gives its code and decline_code")
def declines(s):
    for pm in (
        "pm_card_visa_chargeDeclined",
        "pm_card_visa_chargeDeclinedInsufficientFunds",
        "pm_card_visa_chargeDeclinedLostCard",
        "pm_card_visa_chargeDeclinedStolenCard",
        "pm_card_chargeDeclinedExpiredCard",
        "pm_card_chargeDeclinedIncorrectCvc",
        "pm_card_chargeDeclinedProcessingError",
    ):
        s.call(pm, s.sk.v1.payment_intents.create, params={**CARD_ONLY, "confirm": True, "payment_method": pm})
    pi = s.call("create", s.sk.v1.payment_intents.create, params=CARD_ONLY)
    s.call(
        "confirm declined", s.sk.v1.payment_intents.confirm, pi.id, params={"payment_method": "pm_card_chargeDeclined"}
    )
    s.call("after the decline", s.sk.v1.payment_intents.retrieve, pi.id)
    s.call("retry with pm_card_visa", s.sk.v1.payment_intents.confirm, pi.id, params={"payment_method": "pm_card_visa"})


@scenario("3D Secure required: confirm with a return_url, and without one")
def three_d_secure(s):
    s.call(
        "with return_url",
        s.sk.v1.payment_intents.create,
        params={**PI, "confirm": True, "payment_method": "pm_card_authenticationRequired", "return_url": RETURN_URL},
    )
    s.call(
        "card only, no return_url",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "confirm": True, "payment_method": "pm_card_threeDSecure2Required"},
    )


@scenario("3D Secure completed on the challenge page", sandbox_only="uses the sandbox's own 3D Secure test page")
def three_d_secure_page(s):
    pi = s.call(
        "requires_action",
        s.sk.v1.payment_intents.create,
        params={**PI, "confirm": True, "payment_method": "pm_card_authenticationRequired", "return_url": RETURN_URL},
    )
    body = urllib.parse.urlencode({"client_secret": pi.client_secret, "result": "complete", "embedded": "1"}).encode()
    with urllib.request.urlopen(f"{s.target.api_base}/3ds/authenticate/{pi.id}", data=body) as response:
        s.note("challenge page answered", response.status)
    s.call("after the challenge", s.sk.v1.payment_intents.retrieve, pi.id)


@scenario("Manual capture: authorise, capture part, capture again")
def manual_capture(s):
    pi = s.call(
        "authorise",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "confirm": True, "payment_method": "pm_card_visa", "capture_method": "manual"},
    )
    s.call("capture too much", s.sk.v1.payment_intents.capture, pi.id, params={"amount_to_capture": 9999})
    s.call(
        "capture 2000",
        s.sk.v1.payment_intents.capture,
        pi.id,
        params={"amount_to_capture": 2000, "expand": ["latest_charge"]},
    )
    s.call("capture again", s.sk.v1.payment_intents.capture, pi.id)


@scenario("Cancel: an open intent, then again")
def cancel(s):
    pi = s.call("create", s.sk.v1.payment_intents.create, params=PI)
    s.call("cancel", s.sk.v1.payment_intents.cancel, pi.id, params={"cancellation_reason": "abandoned"})
    s.call("cancel again", s.sk.v1.payment_intents.cancel, pi.id)
    s.call(
        "confirm canceled",
        s.sk.v1.payment_intents.confirm,
        pi.id,
        params={"payment_method": "pm_card_visa", "return_url": RETURN_URL},
    )


@scenario("Refunds: partial, too much, the rest, once more")
def refunds(s):
    pi = s.call(
        "pay", s.sk.v1.payment_intents.create, params={**CARD_ONLY, "confirm": True, "payment_method": "pm_card_visa"}
    )
    s.call("refund 800", s.sk.v1.refunds.create, params={"payment_intent": pi.id, "amount": 800})
    s.call("refund 2000", s.sk.v1.refunds.create, params={"payment_intent": pi.id, "amount": 2000})
    s.call("refund 0", s.sk.v1.refunds.create, params={"payment_intent": pi.id, "amount": 0})
    s.call("refund the rest", s.sk.v1.refunds.create, params={"payment_intent": pi.id})
    s.call("refund again", s.sk.v1.refunds.create, params={"payment_intent": pi.id})
    s.call("charge after refunds", s.sk.v1.charges.retrieve, pi.latest_charge)


@scenario("Asynchronous capture: balance_transaction null at first, then set with charge.updated")
def async_balance_transaction(s):
    pi = s.call(
        "pay",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "confirm": True, "payment_method": "pm_card_visa", "expand": ["latest_charge"]},
    )
    charge_id = pi.latest_charge.id
    charge = eventually(lambda: s.sk.v1.charges.retrieve(charge_id), lambda c: c.balance_transaction, timeout=60)
    s.note("balance transaction set within a minute", bool(charge.balance_transaction))
    updated = eventually(
        lambda: [
            e
            for e in s.sk.v1.events.list(params={"type": "charge.updated", "limit": 30}).data
            if e.data.object.id == charge_id
        ],
        bool,
        timeout=60,
    )
    s.note("charge.updated sent", bool(updated))
    if updated:
        s.note("charge.updated previous_attributes", sorted(updated[0].data.previous_attributes.to_dict()))
    s.call(
        "synchronous capture",
        s.sk.v1.payment_intents.create,
        params={
            **CARD_ONLY,
            "confirm": True,
            "payment_method": "pm_card_visa",
            "capture_method": "automatic",
            "expand": ["latest_charge"],
        },
    )


@scenario("Publishable key: Stripe.js's view of an intent, and a wrong client secret")
def publishable_view(s):
    pi = s.call("create", s.sk.v1.payment_intents.create, params=PI)
    s.call(
        "retrieve with client_secret",
        s.pk.v1.payment_intents.retrieve,
        pi.id,
        params={"client_secret": pi.client_secret},
    )
    s.call(
        "wrong client_secret",
        s.pk.v1.payment_intents.retrieve,
        pi.id,
        params={"client_secret": pi.id + "_secret_wrong"},
    )
    s.call("publishable key cannot create", s.pk.v1.payment_intents.create, params=PI)


@scenario("Unknown ids, unknown parameters and idempotency keys")
def unknowns_and_idempotency(s):
    s.call("retrieve pi_doesnotexist", s.sk.v1.payment_intents.retrieve, "pi_doesnotexist")
    s.call("unknown parameter", s.sk.v1.payment_intents.create, params={**PI, "colour": "blue"})
    key = {"idempotency_key": f"fidelity-{time.time_ns()}"}
    first = s.call("create with a key", s.sk.v1.payment_intents.create, params=PI, options=key)
    again = s.call("same key, same params", s.sk.v1.payment_intents.create, params=PI, options=key)
    s.note("replayed the same intent", None not in (first, again) and first.id == again.id)
    s.call("same key, other params", s.sk.v1.payment_intents.create, params={**PI, "amount": 9900}, options=key)


# -- strictness --------------------------------------------------------------
@scenario("Stripe-Version: unknown versions refused, old versions' defaults honoured")
def versions(s):
    for version in ("banana", "2099-01-01", "2026-02-25"):
        s.call(f"version {version}", s.target.client(stripe_version=version).v1.payment_intents.create, params=PI)
    for version in ("2022-08-01", "2022-11-15", "2023-10-16", "2024-04-10"):
        s.call(f"create at {version}", s.target.client(stripe_version=version).v1.payment_intents.create, params=PI)
    pi = s.call(
        "pay", s.sk.v1.payment_intents.create, params={**CARD_ONLY, "confirm": True, "payment_method": "pm_card_visa"}
    )
    s.call("retrieve at 2022-08-01", s.target.client(stripe_version="2022-08-01").v1.payment_intents.retrieve, pi.id)


@scenario("Malformed values: integers, empty strings, booleans, enums")
def malformed_values(s):
    for label, params in (
        ("amount=abc", {"amount": "abc"}),
        ("amount=12.5", {"amount": "12.5"}),
        ("amount=0", {"amount": 0}),
        ("amount=-5", {"amount": -5}),
        ("amount empty", {"amount": ""}),
        ("confirm=yes", {"confirm": "yes"}),
        ("capture_method=later", {"capture_method": "later"}),
        ("currency=xyz", {"currency": "xyz"}),
        ("amount=49", {"amount": 49}),
    ):
        s.call(label, s.sk.v1.payment_intents.create, params={**PI, **params})
    s.call("amount missing", s.sk.v1.payment_intents.create, params={"currency": "usd"})


@scenario("Metadata limits: 40-character keys, 500-character values, 50 keys")
def metadata_limits(s):
    s.call("40-character key", s.sk.v1.payment_intents.create, params={**PI, "metadata": {"k" * 40: "fits"}})
    s.call("41-character key", s.sk.v1.payment_intents.create, params={**PI, "metadata": {"k" * 41: "x"}})
    s.call("500-character value", s.sk.v1.payment_intents.create, params={**PI, "metadata": {"v": "x" * 500}})
    s.call("501-character value", s.sk.v1.payment_intents.create, params={**PI, "metadata": {"v": "x" * 501}})
    s.call("51 keys", s.sk.v1.payment_intents.create, params={**PI, "metadata": {f"k{i}": "x" for i in range(51)}})


@scenario("off_session: needs confirm, declines cards that need authentication, excludes setup_future_usage")
def off_session(s):
    base = {**CARD_ONLY, "payment_method": "pm_card_visa", "off_session": True}
    s.call("without confirm", s.sk.v1.payment_intents.create, params=base)
    s.call("with confirm", s.sk.v1.payment_intents.create, params={**base, "confirm": True})
    s.call(
        "card needs authentication",
        s.sk.v1.payment_intents.create,
        params={**base, "confirm": True, "payment_method": "pm_card_authenticationRequired"},
    )
    s.call(
        "with setup_future_usage",
        s.sk.v1.payment_intents.create,
        params={**base, "confirm": True, "setup_future_usage": "off_session"},
    )


@scenario("Lists: cursors that name nothing, both cursors, created filters")
def lists(s):
    s.call("starting_after=pi_doesnotexist", s.sk.v1.payment_intents.list, params={"starting_after": "pi_doesnotexist"})
    s.call("ending_before=pi_doesnotexist", s.sk.v1.payment_intents.list, params={"ending_before": "pi_doesnotexist"})
    pi = s.call("create", s.sk.v1.payment_intents.create, params=PI)
    s.call("both cursors", s.sk.v1.payment_intents.list, params={"starting_after": pi.id, "ending_before": pi.id})
    since = s.call("created[gte]", s.sk.v1.payment_intents.list, params={"created": {"gte": pi.created}, "limit": 100})
    s.note("created[gte] includes it", since is not None and pi.id in [p.id for p in since.data])
    until = s.call("created[lt]", s.sk.v1.payment_intents.list, params={"created": {"lt": pi.created}, "limit": 100})
    s.note("created[lt] excludes it", until is not None and pi.id not in [p.id for p in until.data])
    s.call("created[after]", s.sk.v1.payment_intents.list, params={"created": {"after": 1}})
    s.call("limit=101", s.sk.v1.payment_intents.list, params={"limit": 101})


@scenario("A saved card on a Customer, charged off-session")
def customer_off_session(s):
    customer = s.call("customer", s.sk.v1.customers.create, params={"description": "Press Workbench verification"})
    pm = s.call("attach pm_card_visa", s.sk.v1.payment_methods.attach, "pm_card_visa", params={"customer": customer.id})
    s.call(
        "charge off-session",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "customer": customer.id, "payment_method": pm.id, "confirm": True, "off_session": True},
    )


# -- customers and saved cards (issue 23) ------------------------------------
@scenario("Customers: create, update, list by email, delete, then use the deleted one")
def customers(s):
    email = f"fidelity-{time.time_ns()}@example.com"
    customer = s.call(
        "create", s.sk.v1.customers.create, params={"email": email, "name": "Jenny Rosen", "metadata": {"k": "v"}}
    )
    s.call("update", s.sk.v1.customers.update, customer.id, params={"name": "Jenny R.", "metadata": {"k": ""}})
    listed = s.call("list by email", s.sk.v1.customers.list, params={"email": email})
    s.note("the email filter finds exactly it", listed is not None and [c.id for c in listed.data] == [customer.id])
    s.call("delete", s.sk.v1.customers.delete, customer.id)
    s.call("retrieve the deleted customer", s.sk.v1.customers.retrieve, customer.id)
    s.call("update the deleted customer", s.sk.v1.customers.update, customer.id, params={"name": "x"})
    s.call("delete it again", s.sk.v1.customers.delete, customer.id)
    s.call("an unknown customer", s.sk.v1.customers.retrieve, "cus_doesnotexist")
    s.call("an invalid email", s.sk.v1.customers.create, params={"email": "not an address"})


@scenario("Saved cards: attach, list both ways, another customer, detach, reuse, declining cards")
def saved_cards(s):
    customer = s.call("customer", s.sk.v1.customers.create)
    pm = s.call("attach pm_card_visa", s.sk.v1.payment_methods.attach, "pm_card_visa", params={"customer": customer.id})
    s.call("attach it again", s.sk.v1.payment_methods.attach, pm.id, params={"customer": customer.id})
    s.call("the customer's cards", s.sk.v1.customers.payment_methods.list, customer.id, params={"type": "card"})
    s.call("customer= filter", s.sk.v1.payment_methods.list, params={"customer": customer.id, "type": "card"})
    other = s.call("another customer", s.sk.v1.customers.create)
    s.call("attach to the other customer", s.sk.v1.payment_methods.attach, pm.id, params={"customer": other.id})
    s.call(
        "pay for the other customer with it",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "customer": other.id, "payment_method": pm.id, "confirm": True},
    )
    s.call(
        "pay with it without a customer",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "payment_method": pm.id, "confirm": True},
    )
    s.call("detach", s.sk.v1.payment_methods.detach, pm.id)
    s.call("detach again", s.sk.v1.payment_methods.detach, pm.id)
    s.call("attach the detached card", s.sk.v1.payment_methods.attach, pm.id, params={"customer": customer.id})
    s.call(
        "pay with the detached card",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "payment_method": pm.id, "confirm": True},
    )
    for test_id in ("pm_card_chargeDeclined", "pm_card_chargeDeclinedExpiredCard", "pm_card_chargeCustomerFail"):
        s.call(f"attach {test_id}", s.sk.v1.payment_methods.attach, test_id, params={"customer": customer.id})
    s.call("attach without a customer", s.sk.v1.payment_methods.attach, "pm_card_visa", params={})


@scenario("Off-session: Stripe's outcomes for its saved test cards")
def off_session_cards(s):
    for test_id in (
        "pm_card_authenticationRequired",
        "pm_card_chargeCustomerFail",
        "pm_card_authenticationRequiredOnSetup",
        "pm_card_authenticationRequiredSetupForOffSession",
    ):
        customer = s.call(f"{test_id}: customer", s.sk.v1.customers.create, params={"payment_method": test_id})
        cards = s.call(
            f"{test_id}: its cards", s.sk.v1.payment_methods.list, params={"customer": customer.id, "type": "card"}
        )
        s.call(
            f"{test_id}: charge off-session",
            s.sk.v1.payment_intents.create,
            params={
                **CARD_ONLY,
                "customer": customer.id,
                "payment_method": cards.data[0].id,
                "confirm": True,
                "off_session": True,
            },
        )


@scenario("Saving while paying: setup_future_usage and payment_method_options[card][setup_future_usage]")
def saving_while_paying(s):
    customer = s.call("customer", s.sk.v1.customers.create)
    paid = s.call(
        "pay with setup_future_usage",
        s.sk.v1.payment_intents.create,
        params={
            **CARD_ONLY,
            "customer": customer.id,
            "setup_future_usage": "off_session",
            "payment_method": "pm_card_visa",
            "confirm": True,
        },
    )
    s.call("the card it saved", s.sk.v1.payment_methods.retrieve, paid.payment_method)
    pi = s.call(
        "card-only option on update",
        s.sk.v1.payment_intents.update,
        s.sk.v1.payment_intents.create(params=CARD_ONLY).id,
        params={"customer": customer.id, "payment_method_options": {"card": {"setup_future_usage": "off_session"}}},
    )
    paid = s.call("pay it", s.sk.v1.payment_intents.confirm, pi.id, params={"payment_method": "pm_card_mastercard"})
    s.call("the card it saved too", s.sk.v1.payment_methods.retrieve, paid.payment_method)
    s.call(
        "no setup_future_usage",
        s.sk.v1.payment_intents.create,
        params={**CARD_ONLY, "customer": customer.id, "payment_method": "pm_card_amex", "confirm": True},
    )
    cards = s.call("the customer's cards", s.sk.v1.customers.payment_methods.list, customer.id)
    s.note("two saved, the unsaved one not", cards is not None and len(cards.data) == 2)


@scenario("SetupIntents: confirm, confirm twice, a decline, 3D Secure waits, cancel")
def setup_intents(s):
    customer = s.call("customer", s.sk.v1.customers.create)
    card_only = {"customer": customer.id, "payment_method_types": ["card"]}
    si = s.call("create", s.sk.v1.setup_intents.create, params=card_only)
    s.call(
        "retrieve with the publishable key",
        s.pk.v1.setup_intents.retrieve,
        si.id,
        params={"client_secret": si.client_secret},
    )
    s.call("confirm with pm_card_visa", s.sk.v1.setup_intents.confirm, si.id, params={"payment_method": "pm_card_visa"})
    s.call("confirm again", s.sk.v1.setup_intents.confirm, si.id, params={"payment_method": "pm_card_visa"})
    s.call("cancel the succeeded one", s.sk.v1.setup_intents.cancel, si.id)
    declined = s.call("create another", s.sk.v1.setup_intents.create, params=card_only)
    s.call(
        "confirm with a declining card",
        s.sk.v1.setup_intents.confirm,
        declined.id,
        params={"payment_method": "pm_card_chargeDeclined"},
    )
    s.call("after the decline", s.sk.v1.setup_intents.retrieve, declined.id)
    waiting = s.call(
        "a card that needs 3D Secure",
        s.sk.v1.setup_intents.create,
        params={**card_only, "payment_method": "pm_card_authenticationRequiredOnSetup", "confirm": True},
    )
    s.call("cancel it", s.sk.v1.setup_intents.cancel, waiting.id, params={"cancellation_reason": "abandoned"})
    s.call("cancel it again", s.sk.v1.setup_intents.cancel, waiting.id)
    s.call(
        "confirm without a payment method",
        s.sk.v1.setup_intents.confirm,
        s.sk.v1.setup_intents.create(params=card_only).id,
    )
    s.call("an unknown SetupIntent", s.sk.v1.setup_intents.retrieve, "seti_doesnotexist")


# -- payments from a bank account (SEPA Direct Debit, iDEAL) -----------------
EUR = {"amount": 1000, "currency": "eur"}
BILLING = {"name": "Jenny Rosen", "email": "jenny@example.com"}
MANDATE = {
    "customer_acceptance": {"type": "online", "online": {"ip_address": "203.0.113.10", "user_agent": "fidelity"}}
}


def sepa_debit(s, label, iban):
    """A euro PaymentIntent confirmed with a SEPA Debit from ``iban``, then read until the bank has answered."""
    pi = s.call(
        label,
        s.sk.v1.payment_intents.create,
        params={
            **EUR,
            "payment_method_types": ["sepa_debit"],
            "payment_method_data": {"type": "sepa_debit", "sepa_debit": {"iban": iban}, "billing_details": BILLING},
            "mandate_data": MANDATE,
            "confirm": True,
            "expand": ["latest_charge"],
        },
    )
    if pi is None:
        return None
    s.call(f"{label}: its pending charge", s.sk.v1.charges.retrieve, pi.latest_charge.id)
    # Stripe answers in about 15 s in test mode (github.com/gburgyan/aat-stripe); the sandbox after its delay, 3 s
    settled = eventually(lambda: s.sk.v1.payment_intents.retrieve(pi.id), lambda p: p.status != "processing", 180, 2)
    s.call(f"{label}: settled", s.sk.v1.payment_intents.retrieve, settled.id, params={"expand": ["latest_charge"]})
    return pi


@scenario("SEPA Direct Debit: processing, then each test IBAN's outcome, under a mandate")
def sepa_direct_debit(s):
    pi = sepa_debit(s, "AT611904300234573201", "AT611904300234573201")
    if pi is not None:
        mandate = pi.latest_charge.payment_method_details.sepa_debit.mandate
        s.call("the mandate", s.sk.v1.mandates.retrieve, mandate)
    sepa_debit(s, "AT861904300235473202", "AT861904300235473202")
    s.call("an unknown mandate", s.sk.v1.mandates.retrieve, "mandate_doesnotexist")


@scenario("Bank payments refused: no mandate, a malformed IBAN, euro-only methods in dollars, an unmodelled type")
def bank_refusals(s):
    pi = s.call("create", s.sk.v1.payment_intents.create, params={**EUR, "payment_method_types": ["sepa_debit"]})
    data = {"type": "sepa_debit", "sepa_debit": {"iban": "AT611904300234573201"}, "billing_details": BILLING}
    s.call("confirm without mandate_data", s.sk.v1.payment_intents.confirm, pi.id, params={"payment_method_data": data})
    s.call(
        "a malformed IBAN",
        s.sk.v1.payment_methods.create,
        params={**data, "sepa_debit": {"iban": "AT611904300234573202"}},
    )
    for method_type in ("ideal", "sepa_debit"):
        s.call(
            f"{method_type} in usd",
            s.sk.v1.payment_intents.create,
            params={"amount": 1000, "currency": "usd", "payment_method_types": [method_type]},
        )
    s.call(
        "klarna (not modelled: the message differs)",
        s.sk.v1.payment_intents.create,
        params={**EUR, "payment_method_types": ["klarna"]},
    )


@scenario("iDEAL: confirm without a return_url, then with one: a redirect to the bank")
def ideal_redirect(s):
    pi = s.call("create", s.sk.v1.payment_intents.create, params={**EUR, "payment_method_types": ["ideal"]})
    s.call(
        "without return_url", s.sk.v1.payment_intents.confirm, pi.id, params={"payment_method_data": {"type": "ideal"}}
    )
    s.call(
        "with return_url",
        s.sk.v1.payment_intents.confirm,
        pi.id,
        params={"payment_method_data": {"type": "ideal"}, "return_url": RETURN_URL},
    )


@scenario("iDEAL authorised on the bank's test page", sandbox_only="uses the sandbox's own bank test page")
def ideal_test_page(s):
    pi = s.call(
        "requires_action",
        s.sk.v1.payment_intents.create,
        params={
            **EUR,
            "payment_method_types": ["ideal"],
            "payment_method_data": {"type": "ideal"},
            "confirm": True,
            "return_url": RETURN_URL,
        },
    )
    url = pi.next_action.redirect_to_url.url.split("?")[0]
    body = urllib.parse.urlencode({"client_secret": pi.client_secret, "result": "authorize"}).encode()

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None  # RETURN_URL is not ours to open

    try:
        urllib.request.build_opener(Stay).open(url, data=body)
    except urllib.error.HTTPError as exc:
        s.note("the page sends the shopper back", exc.code)
    s.call("after authorizing", s.sk.v1.payment_intents.retrieve, pi.id, params={"expand": ["latest_charge"]})
