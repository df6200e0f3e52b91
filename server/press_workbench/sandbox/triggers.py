"""``workbench trigger EVENT``: create the real objects that make Stripe emit an event, as ``stripe trigger`` does.

Nothing is faked: each recipe makes ordinary API calls with stripe-python (a
PaymentIntent confirmed with a test card, a refund…), and the event comes out of
the sandbox's own lifecycle — the same event your webhook would get from Stripe.
The recipes make the calls of the Stripe CLI's own fixtures
(stripe/stripe-cli ``pkg/fixtures/triggers/<event>.json``): the same amounts, test
PaymentMethods and parameters, with a description saying where they came from.

``TRIGGERS`` covers every ``payment_intent.*``, ``charge.*``, ``customer.*``,
``payment_method.*`` and ``setup_intent.*`` event ``stripe trigger`` offers that the
sandbox's model produces honestly, plus ``refund.*``, ``charge.updated`` and
``mandate.updated``; ``CANNOT`` names the others and says why.  The SEPA Direct Debit
outcomes have names of their own (``payment_intent.succeeded/sepa_debit``…): the event
before the slash, made by a debit from Stripe's test IBAN for that outcome, which
settles after the sandbox's delay (``settlement``), so those wait longer for their event.
"""

import textwrap
import time
from dataclasses import dataclass

import stripe

from press_workbench.sandbox.currencies import format_amount

DESCRIPTION = "(created by workbench trigger)"
SHIPPING = {  # the payment_intent.succeeded fixture's
    "name": "Jenny Rosen",
    "address": {
        "line1": "510 Townsend St",
        "postal_code": "94103",
        "city": "San Francisco",
        "state": "CA",
        "country": "US",
    },
}
HELP_WIDTH = 100
WAIT_SECONDS = 5  # charge.updated follows the answer (asynchronous capture); the others are there at once
SETTLE_WAIT_SECONDS = 60  # a debit's outcome: the sandbox's delay (3 s unless set), about 15 s at Stripe
SEPA = {"name": "Bob", "email": "bob@example.com"}  # the payment_intent.processing fixture's billing details


def _payment(client, amount=2000, card=None, methods=("card",), currency="usd", **params):
    """A PaymentIntent, confirmed with ``card`` if given; a declined one is returned as the API left it."""
    body = {"amount": amount, "currency": currency, "description": DESCRIPTION, **params}
    if methods:
        body["payment_method_types"] = list(methods)
    if card:
        body.update(payment_method=card, confirm=True)
    try:
        return [client.v1.payment_intents.create(params=body)]
    except stripe.CardError as exc:  # a decline still created the PaymentIntent and its failed charge
        return [client.v1.payment_intents.retrieve(exc.error.payment_intent.id)]


def _created(client):
    return _payment(client)


def _succeeded(client):
    return _payment(client, card="pm_card_visa", shipping=SHIPPING)


def _declined(client):
    return _payment(client, card="pm_card_chargeDeclined")


def _requires_action(client):
    return _payment(client, card="pm_card_authenticationRequired")


def _canceled(client):
    (pi,) = _payment(client, methods=())  # the fixture leaves the payment methods to the account
    return [client.v1.payment_intents.cancel(pi.id, params={"cancellation_reason": "requested_by_customer"})]


def _authorised(client):
    return _payment(client, card="pm_card_visa", capture_method="manual", confirmation_method="manual")


def _captured(client):
    (pi,) = _payment(client, card="pm_card_visa", capture_method="manual")
    return [client.v1.payment_intents.capture(pi.id)]


def _charged(client):
    return _payment(client, amount=100, card="pm_card_visa")


def _charge_failed(client):
    return _payment(client, amount=100, card="pm_card_visa_chargeDeclined")


def _refunded(client):
    (pi,) = _charged(client)
    return [pi, client.v1.refunds.create(params={"payment_intent": pi.id})]


def _sepa_debit(client, iban):
    """A €10.00 SEPA Debit from ``iban``, as the Stripe CLI's ``payment_intent.processing`` fixture makes one:
    the PaymentMethod first, then a PaymentIntent confirmed under an offline mandate."""
    pm = client.v1.payment_methods.create(
        params={"type": "sepa_debit", "sepa_debit": {"iban": iban}, "billing_details": SEPA}
    )
    return _payment(
        client,
        amount=1000,
        currency="eur",
        methods=("sepa_debit",),
        payment_method=pm.id,
        confirm=True,
        mandate_data={"customer_acceptance": {"accepted_at": "1590590577", "type": "offline"}},
    )


def _processing(client):
    return _sepa_debit(client, "AT321904300235473204")  # the fixture's: it settles after the delayed timing


def _sepa_succeeded(client):
    return _sepa_debit(client, "AT611904300234573201")


def _sepa_failed(client):
    return _sepa_debit(client, "AT861904300235473202")


def _disputed(client):
    return _sepa_debit(client, "AT591904300235473203")


def _refund_updated(client):
    pi, refund = _refunded(client)
    return [pi, client.v1.refunds.update(refund.id, params={"metadata": {"order_id": "6735"}})]


def _customer(client):
    return [client.v1.customers.create(params={"description": DESCRIPTION})]


def _customer_updated(client):
    (customer,) = _customer(client)
    return [client.v1.customers.update(customer.id, params={"metadata": {"foo": "bar"}})]


def _customer_deleted(client):
    (customer,) = _customer(client)
    return [client.v1.customers.delete(customer.id)]


def _card_saved(client):
    (customer,) = _customer(client)
    return [customer, client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})]


def _card_removed(client):
    customer, pm = _card_saved(client)
    return [customer, client.v1.payment_methods.detach(pm.id)]


def _setup(client, card=None, **params):
    """A SetupIntent for cards, confirmed with ``card`` if given; a declined one is returned as the API left it."""
    body = {"description": DESCRIPTION, "payment_method_types": ["card"], **params}
    if card:
        body.update(payment_method=card, confirm=True)
    try:
        return [client.v1.setup_intents.create(params=body)]
    except stripe.CardError as exc:  # a decline still created the SetupIntent, with its last_setup_error
        return [client.v1.setup_intents.retrieve(exc.error.setup_intent.id)]


def _setup_canceled(client):
    (si,) = _setup(client)
    return [client.v1.setup_intents.cancel(si.id, params={"cancellation_reason": "requested_by_customer"})]


@dataclass(frozen=True)
class Recipe:
    """How ``workbench trigger`` makes one event, and the line its ``--help`` says about it."""

    make: object  # client -> the objects it created
    says: str  # what it does, for ``workbench trigger --help``
    stripe_cli: bool = True  # ``stripe trigger`` offers the event too
    wait: float = WAIT_SECONDS  # how long the event may take to appear


TRIGGERS = {
    "payment_intent.created": Recipe(_created, "a $20.00 PaymentIntent"),
    "payment_intent.succeeded": Recipe(_succeeded, "a $20.00 PaymentIntent paid with pm_card_visa"),
    "payment_intent.payment_failed": Recipe(_declined, "a $20.00 PaymentIntent declined (pm_card_chargeDeclined)"),
    "payment_intent.requires_action": Recipe(_requires_action, "pm_card_authenticationRequired: 3D Secure waits"),
    "payment_intent.canceled": Recipe(_canceled, "a $20.00 PaymentIntent, canceled (requested_by_customer)"),
    "payment_intent.amount_capturable_updated": Recipe(_authorised, "$20.00 authorised, to capture by hand"),
    "charge.succeeded": Recipe(_charged, "a $1.00 payment with pm_card_visa"),
    "charge.failed": Recipe(_charge_failed, "a $1.00 payment declined (pm_card_visa_chargeDeclined)"),
    "charge.captured": Recipe(_captured, "$20.00 authorised, then captured"),
    "charge.refunded": Recipe(_refunded, "a $1.00 payment, refunded in full"),
    "charge.refund.updated": Recipe(_refund_updated, "a $1.00 refund whose metadata is then updated"),
    "charge.updated": Recipe(_charged, "a $1.00 payment: its balance transaction arrives", stripe_cli=False),
    "refund.created": Recipe(_refunded, "a $1.00 payment, refunded in full", stripe_cli=False),
    "refund.updated": Recipe(_refund_updated, "a $1.00 refund whose metadata is then updated", stripe_cli=False),
    "customer.created": Recipe(_customer, "a customer"),
    "customer.updated": Recipe(_customer_updated, "a customer whose metadata is then updated"),
    "customer.deleted": Recipe(_customer_deleted, "a customer, then deleted"),
    "payment_method.attached": Recipe(_card_saved, "pm_card_visa attached to a new customer"),
    "payment_method.detached": Recipe(_card_removed, "pm_card_visa attached to a new customer, then detached"),
    "setup_intent.created": Recipe(_setup, "a SetupIntent for cards"),
    "setup_intent.succeeded": Recipe(lambda client: _setup(client, "pm_card_visa"), "a card saved (pm_card_visa)"),
    "setup_intent.requires_action": Recipe(
        lambda client: _setup(client, "pm_card_authenticationRequired"), "pm_card_authenticationRequired: 3D Secure"
    ),
    "setup_intent.setup_failed": Recipe(
        lambda client: _setup(client, "pm_card_chargeDeclined"), "a card the bank declines (pm_card_chargeDeclined)"
    ),
    "setup_intent.canceled": Recipe(_setup_canceled, "a SetupIntent, canceled (requested_by_customer)"),
    "payment_intent.processing": Recipe(_processing, "a €10.00 SEPA Debit from AT321904300235473204: processing"),
    "charge.pending": Recipe(
        _processing, "a €10.00 SEPA Debit, its charge pending (the Stripe CLI debits a US bank account instead)"
    ),
    "charge.dispute.created": Recipe(
        _disputed,
        "a €10.00 SEPA Debit from AT591904300235473203, disputed once it settles (the Stripe CLI disputes a card)",
        wait=SETTLE_WAIT_SECONDS,
    ),
    "mandate.updated": Recipe(
        _sepa_succeeded,
        "a €10.00 SEPA Debit: its single-use mandate is spent once the debit settles",
        stripe_cli=False,
        wait=SETTLE_WAIT_SECONDS,
    ),
    "payment_intent.succeeded/sepa_debit": Recipe(
        _sepa_succeeded, "a €10.00 SEPA Debit from AT611904300234573201, once it settles", False, SETTLE_WAIT_SECONDS
    ),
    "payment_intent.payment_failed/sepa_debit": Recipe(
        _sepa_failed, "a €10.00 SEPA Debit from AT861904300235473202, once it fails", False, SETTLE_WAIT_SECONDS
    ),
}

DISPUTES = "the sandbox's disputes are SEPA Direct Debit ones, final from the start: nothing updates or closes them"
CANNOT = {  # what ``stripe trigger`` offers (or refund.* implies) and the sandbox cannot make honestly, and why
    "payment_intent.partially_funded": "it needs a Customer's cash balance funded by bank transfer "
    "(customer_balance); the sandbox's customers have no cash balance",
    "charge.dispute.updated": DISPUTES,
    "charge.dispute.closed": DISPUTES,
    "refund.failed": "refunds succeed at once: a refund that fails later (test card 4000 0000 0000 5126) "
    "is not modelled",
}


def trigger(client, name):
    """Run the recipe ``name`` (an event type, or ``<event type>/<method>``); return (the objects it created, the
    event it made, or None)."""
    recipe, event_type = TRIGGERS[name], name.split("/")[0]
    created = recipe.make(client)
    ids = {obj.id for obj in created} | {getattr(obj, "payment_method", None) for obj in created} - {None}
    deadline = time.monotonic() + recipe.wait
    while True:
        for event in client.v1.events.list(params={"type": event_type, "limit": 10}).data:
            about = event.data.object.to_dict()  # the PaymentIntent, or a charge, refund, dispute or mandate of it
            if ids & {about.get("id"), about.get("payment_intent"), about.get("payment_method")}:
                return created, event
        if time.monotonic() > deadline:
            return created, None
        time.sleep(0.1)


def help_text():
    """The events ``workbench trigger`` can make, and those it cannot, with why: its ``--help`` epilog."""
    width = max(map(len, [*TRIGGERS, *CANNOT])) + 2

    def row(name, text):
        return textwrap.fill(text, HELP_WIDTH, initial_indent=f"  {name:<{width}}", subsequent_indent=" " * (width + 2))

    lines = ["events (the API calls of `stripe trigger`'s own fixtures):"]
    lines += [row(name, recipe.says) for name, recipe in TRIGGERS.items() if recipe.stripe_cli]
    lines += ["", "also (not offered by `stripe trigger`):"]
    lines += [row(name, recipe.says) for name, recipe in TRIGGERS.items() if not recipe.stripe_cli]
    lines += ["", "not possible in the sandbox, and why:"]
    lines += [row(name, why) for name, why in CANNOT.items()]
    return "\n".join(lines)


def describe(obj):
    """One line about a created object: ``payment_intent pi_… succeeded $20.00``, ``customer cus_… deleted``."""
    state = "deleted" if getattr(obj, "deleted", False) else getattr(obj, "status", "")
    amount = format_amount(obj.amount, obj.currency) if "amount" in obj else ""
    return " ".join(filter(None, (obj.object, obj.id, state, amount)))
