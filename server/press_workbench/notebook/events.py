"""The Stripe events about one payment, oldest first, as a timeline.

Stripe's ``GET /v1/events`` lists the whole account's events, newest first, and
cannot filter by object; the timeline keeps those whose object is the
PaymentIntent or belongs to it (its charges and refunds).  Stripe sends the shop's
``/webhook`` only the types its endpoint subscribes to, so each row also says
whether this one reached the shop (``webhooks.ShopWebhook.delivery_notes``).
"""

import time

from .display import Card, CardView, Link, Table, money, utc_time

AUTHENTICATION_FAILURE = "payment_intent_authentication_failure"
UNKNOWN_DELIVERIES = (
    "No webhook endpoint is registered for the shop's /webhook: events reach it only through stripe listen, "
    "which forwards every type."
)


def related_events(client, payment_intent_id, limit=100):
    """Events about a PaymentIntent, its charges and its refunds, oldest first."""
    listing = client.v1.events.list(params={"limit": limit})
    matched = [event for event in listing.data if _belongs(event, payment_intent_id)]
    return matched[::-1]  # listed newest first; events created in the same second keep their order


def wait_for_webhooks(client, payment_intent_id, timeout=5.0):
    """The related events once every webhook delivery of them has succeeded (or ``timeout`` passed)."""
    deadline = time.monotonic() + timeout
    while True:
        events = related_events(client, payment_intent_id)
        if all(event.pending_webhooks == 0 for event in events) or time.monotonic() > deadline:
            return events
        time.sleep(0.1)


def payment_path(events, current=None):
    """The ``(status, cause)`` steps a PaymentIntent went through, from its events (oldest first).

    ``current`` (its status now) ends the path if the events stop short of it, as
    they may for a moment with real Stripe, or for a status no event announces
    (``requires_confirmation``).
    """
    path = []
    for event in events:
        obj = event.data.object.to_dict()
        if obj.get("object") != "payment_intent":
            continue
        cause = _cause(event.type, path[-1][0] if path else None, obj)
        if cause:
            path.append((obj["status"], cause))
    if current and (not path or path[-1][0] != current):
        path.append((current, ""))
    return path


def _cause(event_type, before, pi):
    """What moved the PaymentIntent from status ``before`` to the one its event reports (None: not a move)."""
    if event_type == "payment_intent.created":
        return "created"
    if event_type == "payment_intent.payment_failed":
        failure = (pi.get("last_payment_error") or {}).get("code")
        if before == "processing":  # the bank refused a debit Stripe had already accepted
            return "debit failed"
        return "authentication failed" if failure == AUTHENTICATION_FAILURE else "declined"
    if event_type == "payment_intent.canceled":
        return "cancel"
    if event_type == "payment_intent.succeeded" and before in ("requires_capture", "processing"):
        return "capture" if before == "requires_capture" else "charged"
    if event_type in ("payment_intent.succeeded", "payment_intent.amount_capturable_updated"):
        return "authenticated" if before == "requires_action" else "confirm"
    if event_type in ("payment_intent.requires_action", "payment_intent.processing"):
        return "confirm"
    return None


def _belongs(event, payment_intent_id):
    obj = event.data.object.to_dict()
    return payment_intent_id in (obj.get("id"), obj.get("payment_intent"))


def _detail(obj):
    """The one fact about an event's object worth a column: a status or an amount."""
    kind = obj.get("object")
    if kind == "payment_intent":
        return obj["status"]
    if kind == "charge":
        refunded = f", refunded {money(obj['amount_refunded'], obj['currency'])}" if obj.get("amount_refunded") else ""
        return f"{obj['status']} {money(obj['amount'], obj['currency'])}{refunded}"
    if kind == "refund":
        return f"{obj['status']} {money(obj['amount'], obj['currency'])}"
    return ""


class EventTimeline(CardView):
    """A list of ``stripe.Event`` objects that displays as a timeline.

    ``stripe_page_url(object_id)`` gives each event and object its page (Stripe's,
    or the sandbox's own): in HTML the type and the object id are links there.
    ``sent_to_shop`` maps event ids to what reached the shop ("HTTP 200", "not
    subscribed"…); None when nothing can tell (only ``stripe listen`` forwards).
    """

    def __init__(self, events, subject, stripe_page_url=lambda object_id: None, sent_to_shop=None):
        self.events = list(events)
        self.subject = subject
        self.stripe_page_url = stripe_page_url
        self.sent_to_shop = sent_to_shop

    def __len__(self):
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def __getitem__(self, index):
        return self.events[index]

    def table(self):
        """One row per event: time, type and object, each linked to its Stripe page (or sandbox console page)."""
        rows = []
        for event in self.events:
            obj = event.data.object.to_dict()
            rows.append(
                [
                    utc_time(event.created),
                    Link(event.type, self.stripe_page_url(event.id)),
                    Link(obj.get("id"), self.stripe_page_url(obj.get("id"))),
                    _detail(obj),
                ]
                + ([self.sent_to_shop.get(event.id, "—")] if self.sent_to_shop is not None else [])
            )
        headers = ["time (UTC)", "type", "object", "detail"]
        return Table(headers + (["sent to shop"] if self.sent_to_shop is not None else []), rows)

    def card(self):
        """The timeline as a notebook card; it says when deliveries to the shop cannot be known."""
        note = "" if self.sent_to_shop is not None else UNKNOWN_DELIVERIES
        return Card(
            f"Events for {self.subject}", f"{len(self)} events", tone="neutral", tables=[("", self.table())], note=note
        )
