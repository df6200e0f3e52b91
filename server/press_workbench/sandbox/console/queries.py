"""What the console pages show, read from the sandbox's store and request log (never written).

Labels follow Stripe's Dashboard ("Succeeded", "Failed", "Uncaptured", "Processing", "Refunded"…),
and every event is also put in words, so a room can follow a payment without
reading JSON.
"""

import json
from dataclasses import asdict
from urllib.parse import urlsplit

from ..currencies import format_amount
from ..payment_method_types import TYPES
from ..redaction import redacted
from ..request_log import MAX_BODY_CHARS
from ..resources.events import listens_to
from ..store import ATTEMPT_COLUMNS, Attempt

PAGE_SIZE = 25

# An event's object is the PaymentIntent itself, or a charge/refund that names it.  No event predates its
# PaymentIntent, so the (type, created) index limits the scan to the events since then.
EVENTS_ABOUT = (
    "SELECT body FROM objects WHERE type = 'event' AND created >= ? AND (json_extract(body, '$.data.object.id') = ? "
    "OR json_extract(body, '$.data.object.payment_intent') = ?) ORDER BY created, rowid"
)


# A customer's events: its own, and those of its cards, payments and SetupIntents (by ``customer``, or by what it was
# before a card was detached).  No event predates the customer.
EVENTS_OF_CUSTOMER = (
    "SELECT body FROM objects WHERE type = 'event' AND created >= ? AND (json_extract(body, '$.data.object.id') = ? "
    "OR coalesce(json_extract(body, '$.data.object.customer'), "
    "json_extract(body, '$.data.previous_attributes.customer')) = ?) ORDER BY created, rowid"
)


# The delivery log after a row already seen, for ``listen``: ``Store.delivery_attempts`` pages by count, not by row.
ATTEMPTS_AFTER = (
    f"SELECT id, {', '.join(ATTEMPT_COLUMNS)} FROM delivery_attempts WHERE endpoint_id = ? AND id > ? "
    "ORDER BY id LIMIT ?"
)


def payment_badge(pi, charge=None):
    """(label, tone) for a PaymentIntent, as Stripe's payments list words it."""
    status = pi["status"]
    if status == "succeeded":
        if charge and charge["refunded"]:
            return "Refunded", "info"
        if charge and charge["amount_refunded"]:
            return "Partially refunded", "info"
        return "Succeeded", "ok"
    if status == "requires_payment_method":
        return ("Failed", "bad") if pi["last_payment_error"] else ("Incomplete", "neutral")
    return {
        "requires_confirmation": ("Incomplete", "neutral"),
        "requires_action": ("Requires action", "warn"),
        "requires_capture": ("Uncaptured", "warn"),
        "processing": ("Processing", "warn"),
        "canceled": ("Canceled", "neutral"),
    }.get(status, (status, "neutral"))


def payments(store, starting_after=None):
    """A page of PaymentIntents, newest first, each with its latest charge and badge."""
    rows, has_more = store.list("payment_intent", limit=PAGE_SIZE, starting_after=starting_after)
    listed = []
    for pi in rows:
        charge = store.get(pi["latest_charge"], "charge") if pi["latest_charge"] else None
        listed.append({"pi": pi, "charge": charge, "label": payment_badge(pi, charge), "method": method_of(charge)})
    return listed, has_more


def card_label(card):
    """``Visa •••• 4242`` for a card (a charge's details or a PaymentMethod's ``card``), or None."""
    return f"{card['brand'].title()} •••• {card['last4']}" if card else None


def method_of(charge):
    """How a charge was paid, as Stripe's Dashboard shows it: ``Visa •••• 4242``, ``SEPA Debit •••• 3201``,
    ``iDEAL``; None without a charge."""
    details = (charge or {}).get("payment_method_details")
    if not details:
        return None
    method_type = details["type"]
    paid_with = details[method_type]
    if method_type == "card":
        return card_label(paid_with)
    label = TYPES[method_type].label if method_type in TYPES else method_type
    return f"{label} •••• {paid_with['last4']}" if paid_with.get("last4") else label


def charge_badge(charge):
    """(label, tone) for a charge: a bank debit still ``pending`` is neither paid nor failed."""
    return charge["status"].title(), {"succeeded": "ok", "pending": "warn"}.get(charge["status"], "bad")


def customers(store, starting_after=None):
    """A page of the customers that were not deleted, newest first, each with how many cards it has saved."""
    rows, has_more = store.list("customer", limit=PAGE_SIZE, starting_after=starting_after, where={"deleted": None})
    counted = []
    for found in rows:
        cards, _ = store.list("payment_method", limit=100, where={"customer": found["id"]})
        counted.append({"customer": found, "cards": len(cards)})
    return counted, has_more


def customer(store, customer_id):
    """A customer's page: its saved cards, its payments and SetupIntents, and the events about it and its cards;
    None if there is no such customer."""
    found = store.get(customer_id, "customer")
    if found is None:
        return None
    mine = {"customer": customer_id}
    cards, _ = store.list("payment_method", limit=100, where=mine)
    intents, _ = store.list("payment_intent", limit=100, where=mine)
    setups, _ = store.list("setup_intent", limit=100, where=mine)
    payments = []
    for pi in intents:
        charge = store.get(pi["latest_charge"], "charge") if pi["latest_charge"] else None
        payments.append({"pi": pi, "charge": charge, "label": payment_badge(pi, charge), "method": method_of(charge)})
    default = (found.get("invoice_settings") or {}).get("default_payment_method")
    return {
        "customer": found,
        "cards": [{"pm": pm, "label": card_label(pm["card"]), "default": pm["id"] == default} for pm in cards],
        "payments": payments,
        "setups": [{"si": si, "label": setup_badge(si)} for si in setups],
        "events": [
            {"event": e, "text": describe(e), "deliveries": latest_attempts(store, e["id"])}
            for e in events_of_customer(store, found)
        ],
    }


def setup_badge(si):
    """(label, tone) for a SetupIntent, in the words of the payments list."""
    if si["status"] == "requires_payment_method":
        return ("Failed", "bad") if si["last_setup_error"] else ("Incomplete", "neutral")
    return {
        "succeeded": ("Card saved", "ok"),
        "requires_confirmation": ("Incomplete", "neutral"),
        "requires_action": ("Requires action", "warn"),
        "canceled": ("Canceled", "neutral"),
    }.get(si["status"], (si["status"], "neutral"))


def events_of_customer(store, found):
    """Events about the customer and its cards, payments and SetupIntents, oldest first."""
    args = (found["created"], found["id"], found["id"])
    return [json.loads(row[0]) for row in store.execute(EVENTS_OF_CUSTOMER, args)]


def payment(store, requests, pi_id):
    """Everything the payment page shows about one PaymentIntent, or None if there is no such PaymentIntent."""
    pi = store.get(pi_id, "payment_intent")
    if pi is None:
        return None
    events = events_about(store, pi)
    charges = objects_in(store, events, "charge")
    refunds = objects_in(store, events, "refund")
    latest = next((c for c in charges if c["id"] == pi["latest_charge"]), None)
    return {
        "pi": pi,
        "label": payment_badge(pi, latest),
        "charge": latest,
        "method": method_of(latest),
        "charges": charges,
        "refunds": refunds,
        "events": [{"event": e, "text": describe(e), "deliveries": latest_attempts(store, e["id"])} for e in events],
        "path": lifecycle_path(events),
        "requests": requests.entries(object_id=pi_id, limit=100),
    }


def events_about(store, pi):
    """Events about a PaymentIntent and its charges and refunds, oldest first."""
    return [json.loads(row[0]) for row in store.execute(EVENTS_ABOUT, (pi["created"], pi["id"], pi["id"]))]


def objects_in(store, events, kind):
    """The current state of each ``kind`` object the events are about, oldest first (no scan of all charges)."""
    ids = dict.fromkeys(e["data"]["object"]["id"] for e in events if e["data"]["object"]["object"] == kind)
    return [store.get(object_id, kind) for object_id in ids]


def lifecycle_path(events):
    """The statuses a PaymentIntent went through, in order, with the event that moved it to each.

    A failed attempt sends it back to ``requires_payment_method``; that step carries why
    (``declined``, ``authentication failed``) so the failure shows in the path, and a
    refund is appended after ``succeeded``.
    """
    path = []
    for event in events:
        obj = event["data"]["object"]
        if event["type"] == "payment_intent.payment_failed":
            code = (obj.get("last_payment_error") or {}).get("code")
            why = "authentication failed" if code == "payment_intent_authentication_failure" else "declined"
            path.append({"status": obj["status"], "event": event["type"], "failed": why})
        elif event["type"].startswith("payment_intent.") and (not path or path[-1]["status"] != obj["status"]):
            path.append({"status": obj["status"], "event": event["type"], "failed": None})
        elif event["type"] == "charge.refunded" and obj["refunded"]:
            path.append({"status": "refunded", "event": event["type"], "failed": None})
    return path


def describe(event):
    """One sentence about an event, as a presenter would say it."""
    obj, kind = event["data"]["object"], event["type"]
    currency = obj.get("currency") or "usd"  # every sentence is built: a customer's currency is null
    amount = format_amount(obj["amount"], currency) if "amount" in obj else ""
    error = obj.get("last_payment_error") or {}
    sentences = {
        "payment_intent.created": f"A PaymentIntent for {amount} was created",
        "payment_intent.requires_action": "The card needs 3D Secure: waiting for the customer to authenticate",
        "payment_intent.amount_capturable_updated": f"{amount} authorised, ready to capture",
        "payment_intent.succeeded": f"The payment of {amount} succeeded",
        "payment_intent.payment_failed": f"The payment failed: {error.get('message', 'no reason given')}",
        "payment_intent.canceled": f"The payment was canceled ({obj.get('cancellation_reason') or 'no reason given'})",
        "payment_intent.processing": f"The payment of {amount} is processing: the bank has not answered yet",
        "charge.pending": f"{method_of(obj) or 'The account'} was asked for {amount}: pending until the bank answers",
        "charge.succeeded": f"{method_of(obj) or 'The card'} was "
        f"{'charged' if obj.get('captured') else 'authorised for'} "
        f"{amount}",
        "charge.failed": f"{method_of(obj) or 'The card'} was declined ({obj.get('failure_code')}"
        f"{', ' + obj['outcome']['reason'] if (obj.get('outcome') or {}).get('reason') else ''})",
        "charge.dispute.created": f"The customer's bank disputed {amount} ({obj.get('reason')}, {obj.get('status')})",
        "charge.dispute.funds_withdrawn": f"{amount} was withdrawn from the balance for the dispute",
        "mandate.updated": f"The mandate is now {obj.get('status')}",
        "refund.updated": f"The refund of {amount} is now {obj.get('status')}",
        "charge.captured": f"{format_amount(obj.get('amount_captured', 0), currency)} captured",
        "charge.updated": f"The charge's balance transaction arrived ({obj.get('balance_transaction')})"
        if "balance_transaction" in event["data"].get("previous_attributes", {})
        else "The charge was updated",
        "charge.refunded": f"{format_amount(obj.get('amount_refunded', 0), currency)} of {amount} refunded",
        "refund.created": f"A refund of {amount} was created",
        "customer.created": f"A customer was created: {obj.get('name') or obj.get('email') or obj['id']}",
        "customer.updated": f"The customer changed: {', '.join(sorted(event['data'].get('previous_attributes', {})))}",
        "customer.deleted": "The customer was deleted",
        "payment_method.attached": f"{card_label(obj.get('card')) or 'A payment method'} was saved to the customer",
        "payment_method.detached": f"{card_label(obj.get('card')) or 'A payment method'} was removed from the customer",
        "setup_intent.created": "A SetupIntent was created to save a card",
        "setup_intent.requires_action": "The card needs 3D Secure before it is saved: waiting for the customer",
        "setup_intent.succeeded": "The card was saved for future payments",
        "setup_intent.setup_failed": "Saving the card failed: "
        f"{(obj.get('last_setup_error') or {}).get('message', 'no reason given')}",
        "setup_intent.canceled": "The SetupIntent was canceled",
    }
    return sentences.get(kind, kind)


def endpoint_label(store, endpoint_id):
    """``127.0.0.1:4242/webhook`` for an endpoint (its id once it is deleted)."""
    endpoint = store.get(endpoint_id, "webhook_endpoint")
    if endpoint is None:
        return endpoint_id
    url = urlsplit(endpoint["url"])
    return url.netloc + url.path


def attempt_rows(store, attempts):
    """Attempts as dicts for a page: the attempt's fields, its endpoint's label and its event's type."""
    labels, types = {}, {}
    rows = []
    for attempt in attempts:
        if attempt.endpoint_id not in labels:
            labels[attempt.endpoint_id] = endpoint_label(store, attempt.endpoint_id)
        if attempt.event_id not in types:
            event = store.get(attempt.event_id, "event")
            types[attempt.event_id] = event["type"] if event else None
        rows.append({**asdict(attempt), "endpoint": labels[attempt.endpoint_id], "event_type": types[attempt.event_id]})
    return rows


def latest_attempts(store, event_id):
    """The newest attempt to each endpoint for one event: what the timeline shows next to the event."""
    latest = {}
    for attempt in store.delivery_attempts(event_id=event_id):
        latest.setdefault(attempt.endpoint_id, attempt)
    return attempt_rows(store, latest.values())


def attempts_after(store, endpoint_id, after, limit):
    """An endpoint's attempts after row ``after``, oldest first, each with its row ``id`` and event type."""
    rows = store.execute(ATTEMPTS_AFTER, (endpoint_id, after, limit)).fetchall()
    shown = attempt_rows(store, [Attempt(*row[1:]) for row in rows])
    return [{"id": row[0], **attempt} for row, attempt in zip(rows, shown, strict=True)]


def endpoint_summary(store, endpoint):
    """An endpoint with its last 100 attempts counted: delivered, failed, retrying."""
    attempts = store.delivery_attempts(endpoint_id=endpoint["id"])
    return {
        "endpoint": redacted(endpoint),
        "delivered": sum(a.delivered for a in attempts),
        "failed": sum(not a.delivered for a in attempts),
        "last": attempts[0].started if attempts else None,
    }


def events(store, type=None, starting_after=None):
    """A page of events for the Events page, each with its sentence and the payment it belongs to."""
    where = {"type": type} if type else None
    rows, has_more = store.list("event", limit=PAGE_SIZE, starting_after=starting_after, where=where)
    return [{"event": e, "text": describe(e), "payment": payment_of(e)} for e in rows], has_more


def payment_of(event):
    """The PaymentIntent an event is about, if any."""
    obj = event["data"]["object"]
    return obj["id"] if obj.get("object") == "payment_intent" else obj.get("payment_intent")


def resend_targets(store, event):
    """The endpoints an event can be resent to: enabled ones that listen to its type (``id`` and ``label``)."""
    return [
        {"id": ep["id"], "label": endpoint_label(store, ep["id"]), "description": ep["description"]}
        for ep in store.all_of("webhook_endpoint")
        if ep["status"] == "enabled" and listens_to(ep, event["type"])
    ]


def pretty_json(text):
    """Logged JSON text, indented for reading; a body the log cut short is shown as it was kept."""
    if text is None:
        return None
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return f"{text} … (cut short: the log keeps the first {MAX_BODY_CHARS // 1024} KB)"
