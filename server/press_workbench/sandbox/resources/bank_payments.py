"""Payments from a bank account: the redirect methods (iDEAL, Bancontact) and SEPA Direct Debit.

A redirect method sends the shopper to their bank.  Confirming answers ``requires_action`` with
``next_action.redirect_to_url`` pointing at the sandbox's test page (``stripe_js``: ``/redirect/authorize/pi_…``),
Stripe's test page for these methods: "Authorize test payment" succeeds the PaymentIntent (a charge, as a card's,
and ``payment_intent.succeeded``), "Fail test payment" sends it back to ``requires_payment_method`` with the
error Stripe records for it; either way the page returns the shopper to ``return_url`` with ``payment_intent``,
``payment_intent_client_secret`` and ``redirect_status``.  The page works once, for a PaymentIntent that waits
for it; opened for another, or again, it refuses and changes nothing (``NotWaiting``).

Confirming needs a ``return_url``, as at Stripe: the shopper must have somewhere to come back to.

A SEPA Direct Debit is taken under a mandate (``mandates``) and answered at once with the charge ``pending``
(``charge.pending``) and the PaymentIntent ``processing`` (``payment_intent.processing``): the shopper has left
before the bank answers, which is why a shop settles the order from the webhook, not from its return page.  The
answer comes later (``settlement``): the test IBAN decides it (``bank_accounts``): the charge and the PaymentIntent
succeed (``charge.succeeded``, ``payment_intent.succeeded``), or the charge fails and the PaymentIntent goes back
to ``requires_payment_method`` (``charge.failed``, ``payment_intent.payment_failed``) with the error Stripe
records; either way a single-use mandate is then spent (``mandate.updated``).  ``AT591904300235473203`` succeeds,
then its dispute is opened (``disputes``).  A refund of a SEPA payment is ``pending`` until the bank has paid it back
(the normal timing), then ``succeeded`` (``refund.updated``, ``charge.refund.updated``).
"""

import logging
from urllib.parse import urlencode

from flask import request

from .. import bank_accounts
from ..payment_method_types import TYPES
from ..pipeline.context import Context
from ..pipeline.endpoint import sandbox
from ..pipeline.errors import DOCS, invalid
from . import balance_transactions, charges, disputes, events, mandates
from .common import get_object

log = logging.getLogger(__name__)

ATTEMPT_FAILED = (
    "The latest payment attempt of this PaymentIntent has failed or been canceled, and the attached payment method "
    "has been removed. You can try confirming again with a new payment method."
)
REDIRECT_PATH = "redirect/authorize"


class NotWaiting(Exception):
    """The PaymentIntent is not waiting for its bank's page (done already, canceled, or another kind of action)."""


def confirm(ctx, pi, pm, params, return_url):
    """Confirm ``pi`` with a bank PaymentMethod ``pm``: a redirect to the bank's test page, or a debit."""
    if not TYPES[pm["type"]].redirects:
        return debit(ctx, pi, pm, params)
    if not return_url:
        raise invalid(
            f"You must provide a `return_url` when confirming a PaymentIntent with the payment method type "
            f"{pm['type']}.",
            param="return_url",
        )
    pi.update(status="requires_action", next_action=redirect_action(pi, return_url))
    ctx.store.put(pi)
    events.emit(ctx, "payment_intent.requires_action", pi)
    return pi, None


def redirect_action(pi, return_url):
    """``next_action`` for a redirect method: the sandbox's test page (behind a proxy, at its path there)."""
    url = f"{request.url_root}{REDIRECT_PATH}/{pi['id']}?{urlencode({'client_secret': pi['client_secret']})}"
    return {"type": "redirect_to_url", "redirect_to_url": {"return_url": return_url, "url": url}}


def awaiting_redirect(ctx, pi):
    """Whether ``pi`` waits for the shopper at its bank's page (not for 3D Secure, not done, not canceled)."""
    if pi["status"] != "requires_action" or (pi["next_action"] or {}).get("type") != "redirect_to_url":
        return False
    pm = ctx.store.get(pi["payment_method"], "payment_method")
    return pm is not None and TYPES[pm["type"]].redirects


def finish_redirect(ctx, pi_id, authorized):
    """The shopper authorised or failed the test payment at the bank's page; returns the PaymentIntent.

    Raises ``NotWaiting`` (nothing changed) unless the PaymentIntent still waits for that page.
    """
    with ctx.store.transaction():
        pi = get_object(ctx, pi_id, "payment_intent", "payment_intent", "intent")
        if not awaiting_redirect(ctx, pi):
            raise NotWaiting(pi["status"])
        pm = ctx.store.get(pi["payment_method"], "payment_method")
        pi["next_action"] = None
        if authorized:
            charge = charges.charge(pi, pm, status="succeeded")
            balance_transactions.for_charge(ctx, charge)
            ctx.store.put(charge)
            events.emit(ctx, "charge.succeeded", charge)
            pi.update(status="succeeded", amount_received=pi["amount"], latest_charge=charge["id"])
            ctx.store.put(pi)
            events.emit(ctx, "payment_intent.succeeded", pi)
            return pi
        attempt_failed(ctx, pi, pm, "payment_intent_authentication_failure")
        return pi


def attempt_failed(ctx, pi, pm, code, **error):
    """The attempt with ``pm`` failed: ``pi`` waits for another payment method, with the error Stripe records."""
    pi.update(
        status="requires_payment_method",
        payment_method=None,
        last_payment_error={
            **error,
            "code": code,
            "doc_url": DOCS + code.replace("_", "-"),
            "message": ATTEMPT_FAILED,
            "payment_method": pm,
            "payment_method_type": pm["type"],
            "type": "invalid_request_error",
        },
    )
    ctx.store.put(pi)
    events.emit(ctx, "payment_intent.payment_failed", pi)


def debit(ctx, pi, pm, params):
    """Take a SEPA Direct Debit under the mandate ``mandate_data`` gives: ``processing`` until the bank answers."""
    mandate = mandates.from_params(ctx, params, pi, pm)
    charge = ctx.store.put(charges.charge(pi, pm, status="pending", mandate=mandate["id"]))
    events.emit(ctx, "charge.pending", charge)
    pi.update(status="processing", next_action=None, latest_charge=charge["id"])
    ctx.store.put(pi)
    events.emit(ctx, "payment_intent.processing", pi)
    schedule(
        charge["id"],
        pi["id"],
        "delayed" if bank_accounts.debit_for(pm["sepa_debit"]["fingerprint"]).delayed else "normal",
    )
    return pi, None


def schedule(object_id, pi_id, timing="normal"):
    """Have the bank answer for pending ``object_id`` (a debit's charge, or a refund) after ``timing``'s delay."""
    running = sandbox()
    running.settlements.schedule(object_id, pi_id, timing, running.settle_delays)
    running.settler.start()


def settle(running, row):
    """The bank answers for one scheduled row (``settlement``): settle it in one transaction, then wake the webhooks.

    A row another sandbox already took is left alone; one whose settling raises is logged and tried again later.
    """
    row_id, object_id, _ = row
    ctx = Context(store=running.store, api_key="", publishable=False, request_id=None)
    try:
        with running.store.transaction():
            if running.settlements.take(row_id):
                (settle_refund if object_id.startswith("re_") else settle_debit)(ctx, object_id)
    except Exception:
        log.exception("settling %s failed", object_id)
        running.settlements.postpone(row_id)
    if ctx.deliveries_queued:
        running.worker.wake()


def settle_debit(ctx, charge_id):
    """The debit behind pending charge ``charge_id`` succeeds or fails, as its test IBAN says."""
    charge = ctx.store.get(charge_id, "charge")
    if charge is None or charge["status"] != "pending":
        return
    pi = ctx.store.get(charge["payment_intent"], "payment_intent")
    pm = ctx.store.get(charge["payment_method"], "payment_method")
    answer = bank_accounts.debit_for(pm["sepa_debit"]["fingerprint"])
    if answer.succeeds and pi["status"] == "processing":
        charge.update(status="succeeded", paid=True)
        balance_transactions.for_charge(ctx, charge)
        ctx.store.put(charge)
        events.emit(ctx, "charge.succeeded", charge)
        pi.update(status="succeeded", amount_received=pi["amount"])
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.succeeded", pi)
        if answer.disputed:  # the customer's bank takes it back at once
            disputes.open_lost(ctx, charge)
            ctx.store.put(charge)
    else:  # the bank refused (or the PaymentIntent was canceled meanwhile, and nothing is taken)
        fail_debit(ctx, charge, pi, pm)
    mandates.used(ctx, charge["payment_method_details"]["sepa_debit"]["mandate"])


def fail_debit(ctx, charge, pi, pm):
    """The bank refused the debit: the charge fails, the PaymentIntent waits for another payment method."""
    charge["outcome"].update(
        network_status="declined_by_network",
        reason="generic_decline",
        seller_message="The bank did not return any further details with this decline.",
        type="issuer_declined",
    )
    charge.update(
        status="failed",
        captured=False,
        amount_captured=0,
        failure_code=bank_accounts.FAILURE_CODE,
        failure_message=bank_accounts.FAILURE_MESSAGE,
    )
    ctx.store.put(charge)
    events.emit(ctx, "charge.failed", charge)
    if pi["status"] != "processing":
        return
    attempt_failed(
        ctx, pi, pm, "payment_intent_payment_attempt_failed", charge=charge["id"], decline_code="generic_decline"
    )


def settle_refund(ctx, refund_id):
    """A SEPA refund the bank has paid back: ``pending`` becomes ``succeeded``, with Stripe's two update events."""
    found = ctx.store.get(refund_id, "refund")
    if found is None or found["status"] != "pending":
        return
    found["status"] = "succeeded"
    ctx.store.put(found)
    events.emit(ctx, "refund.updated", found, {"status": "pending"})
    events.emit(ctx, "charge.refund.updated", found, {"status": "pending"})
