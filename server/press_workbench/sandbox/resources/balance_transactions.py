"""Balance transactions: what a captured charge or a refund does to the account balance.

With ``capture_method=automatic_async`` (the default since 2024-04-10) Stripe
captures in the background: the charge in the API answer and in the
``charge.succeeded`` and ``payment_intent.succeeded`` events has
``balance_transaction: null``; the ``txn_…`` arrives later with a ``charge.updated``
event (docs.stripe.com/payments/payment-intents/asynchronous-capture).  The
sandbox settles right after the answer has been sent, so a client sees ``null``
first and the ``txn_…`` on its next read.  ``capture_method=automatic`` and manual
captures set it at once, as Stripe does.  Fees are not modelled (``fee: 0``).

The API reads them as Stripe does: ``GET /v1/balance_transactions/txn_…`` and the
list, filtered by ``source``, ``type``, ``currency`` and ``created``.
"""

import logging

from flask import Blueprint, after_this_request

from .. import ids
from ..pipeline.context import Context
from ..pipeline.endpoint import sandbox
from . import events
from .common import now, read_only_routes

DAY = 86400
log = logging.getLogger(__name__)

bp = Blueprint("balance_transactions", __name__, url_prefix="/v1")
read_only_routes(
    bp, "balance_transactions", "balance_transaction", "balance transaction", "id", ("source", "type", "currency")
)


def record(ctx, source, amount, currency, type, description=None, reporting_category=None):
    """Store a ``txn_…`` for ``source`` (a charge, refund or dispute id) and return its id; its reporting category
    is its type unless told (a dispute's withdrawal is an ``adjustment`` reported as ``dispute``)."""
    created = now()
    return ctx.store.put(
        {
            "id": ids.new_id("txn"),
            "object": "balance_transaction",
            "amount": amount,
            "available_on": created - created % DAY + 2 * DAY,
            "balance_type": "payments",
            "created": created,
            "currency": currency,
            "description": description,
            "exchange_rate": None,
            "fee": 0,
            "fee_details": [],
            "net": amount,
            "reporting_category": reporting_category or type,
            "source": source,
            "status": "pending",
            "type": type,
        }
    )["id"]


def for_charge(ctx, charge):
    """Set the captured ``charge``'s balance transaction now (the caller stores the charge)."""
    charge["balance_transaction"] = record(
        ctx, charge["id"], charge["amount_captured"], charge["currency"], "charge", charge["description"]
    )


def settle_unsettled(sandbox_running):
    """At start-up: settle captured charges whose balance transaction a stopped sandbox never attached.

    ``settle_after_response`` runs after the answer, outside the request's
    transaction; a sandbox killed in between would otherwise leave the charge at
    ``balance_transaction: null`` for good.
    """
    rows = sandbox_running.store.execute(
        "SELECT id FROM objects WHERE type = 'charge' AND json_extract(body, '$.captured') "
        "AND json_extract(body, '$.balance_transaction') IS NULL"
    ).fetchall()
    for (charge_id,) in rows:
        _settle(sandbox_running, charge_id)


def settle_after_response(charge_id):
    """Asynchronous capture: once this request's answer is sent, attach the balance transaction."""
    running = sandbox()

    @after_this_request
    def schedule(response):
        response.call_on_close(lambda: _settle(running, charge_id))
        return response


def _settle(running, charge_id):
    ctx = Context(store=running.store, api_key="", publishable=False, request_id=None)
    try:
        with running.store.transaction():
            charge = running.store.get(charge_id, "charge")
            if charge is None or charge["balance_transaction"]:
                return
            for_charge(ctx, charge)
            running.store.put(charge)
            events.emit(ctx, "charge.updated", charge, previous_attributes={"balance_transaction": None})
    except Exception:  # the answer is already sent; a later read simply keeps seeing null
        log.exception("settling %s failed", charge_id)
    if ctx.deliveries_queued:
        running.worker.wake()
