"""Payments from a bank account: the redirect methods (iDEAL, Bancontact) and, next, SEPA Direct Debit.

A redirect method sends the shopper to their bank.  Confirming answers ``requires_action`` with
``next_action.redirect_to_url`` pointing at the sandbox's test page (``stripe_js``: ``/redirect/authorize/pi_…``),
Stripe's test page for these methods: "Authorize test payment" succeeds the PaymentIntent (a charge, as a card's,
and ``payment_intent.succeeded``), "Fail test payment" sends it back to ``requires_payment_method`` with the
error Stripe records for it; either way the page returns the shopper to ``return_url`` with ``payment_intent``,
``payment_intent_client_secret`` and ``redirect_status``.  The page works once, for a PaymentIntent that waits
for it; opened for another, or again, it refuses and changes nothing (``NotWaiting``).

Confirming needs a ``return_url``, as at Stripe: the shopper must have somewhere to come back to.
"""

from urllib.parse import urlencode

from flask import request

from ..payment_method_types import TYPES
from ..pipeline.errors import DOCS, invalid
from . import balance_transactions, charges, events
from .common import get_object

ATTEMPT_FAILED = (
    "The latest payment attempt of this PaymentIntent has failed or been canceled, and the attached payment method "
    "has been removed. You can try confirming again with a new payment method."
)
REDIRECT_PATH = "redirect/authorize"


class NotWaiting(Exception):
    """The PaymentIntent is not waiting for its bank's page (done already, canceled, or another kind of action)."""


def confirm(ctx, pi, pm, params, return_url):
    """Confirm ``pi`` with a bank PaymentMethod ``pm``: a redirect to the bank's test page."""
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
        pi.update(
            status="requires_payment_method",
            payment_method=None,
            last_payment_error={
                "code": "payment_intent_authentication_failure",
                "doc_url": DOCS + "payment-intent-authentication-failure",
                "message": ATTEMPT_FAILED,
                "payment_method": pm,
                "payment_method_type": pm["type"],
                "type": "invalid_request_error",
            },
        )
        ctx.store.put(pi)
        events.emit(ctx, "payment_intent.payment_failed", pi)
        return pi
