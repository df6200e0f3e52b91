"""The shop's webhook endpoint seen from a notebook: what it was sent, signed deliveries, a pause.

The shop trusts an event only if its ``Stripe-Signature`` matches the exact bytes
received, signed with the endpoint's ``whsec_`` secret, and acts on each event id
once (``server/press_workbench/shop/webhooks.py``).  Notebook 02 shows both checks at work:
``ShopWebhook.sign`` makes a delivery exactly as Stripe does (the event's JSON and
``t=…,v1=HMAC-SHA256(whsec, f"{t}.{body}")``), ``post`` sends it, and
``Delivery.forged`` changes the body after signing, as anyone without the secret
has to.  ``paused`` disables the endpoint for a while, as a shop that is down
misses events; ``workbench reconcile`` is what catches up (02, "Reconcile").

Which events reached the shop: in sandbox mode, the sandbox's delivery log (its
stand-in for the Dashboard's webhook attempts) says so per event; with real Stripe
the API only tells whether the shop's endpoint subscribes to an event's type and
whether deliveries are still pending.
"""

import json
from contextlib import contextmanager
from dataclasses import dataclass

import stripe

from press_workbench.sandbox import SandboxUnavailable, read_feed

from .errors import WorkbenchError
from .shop_api import ShopAPI

PAGE = 1000  # delivery attempts read per request (the sandbox's maximum)


@dataclass(frozen=True)
class Delivery:
    """One POST of an event as Stripe makes it: the body and its ``Stripe-Signature`` header."""

    payload: bytes
    signature: str

    def forged(self, **changes):
        """The same signature over a body changed afterwards (``data.object`` fields), as a forger must send it."""
        event = json.loads(self.payload)
        event["data"]["object"].update(changes)
        return Delivery(json.dumps(event).encode(), self.signature)


class ShopWebhook:
    """The shop's ``/webhook`` and the endpoint(s) Stripe sends it events through."""

    def __init__(self, workbench, secret=None):
        self.api = ShopAPI(workbench.api.base_url)  # where Stripe (or the sandbox) posts, not a browser; no token
        self.url = self.api.base_url + "/webhook"
        self.stripe = workbench.stripe
        self.sandbox_url = workbench.sandbox_url
        self.secret = secret

    def endpoints(self):
        """The webhook endpoints registered for the shop's ``/webhook`` (none when only ``stripe listen`` forwards)."""
        listed = self.stripe.v1.webhook_endpoints.list(params={"limit": 100})
        return [endpoint for endpoint in listed.auto_paging_iter() if endpoint.url == self.url]

    def delivery_notes(self, events):
        """``{event id: what reached the shop}`` for a timeline's "sent to shop" column; None if nothing can tell."""
        endpoints = self.endpoints()
        if not endpoints:
            return None
        subscribed = set().union(*(endpoint.enabled_events for endpoint in endpoints))
        answered = self._answers(endpoints)
        notes = {}
        for event in events:
            if "*" not in subscribed and event.type not in subscribed:
                notes[event.id] = "not subscribed"
            elif answered is not None:
                notes[event.id] = answered.get(event.id, "not sent")
            else:
                notes[event.id] = "delivered" if event.pending_webhooks == 0 else "pending"
        return notes

    def _answers(self, endpoints):
        """``{event id: "HTTP 200"…}`` from the sandbox's delivery log (the last attempt wins); None with Stripe."""
        if not self.sandbox_url:
            return None
        answered = {}
        try:
            for endpoint in endpoints:
                after = 0
                while True:
                    path = f"/dashboard/api/webhook_endpoints/{endpoint.id}/attempts"
                    rows = read_feed(self.sandbox_url, path, after=after, limit=PAGE)
                    for row in rows:
                        answered[row["event_id"]] = f"HTTP {row['status']}" if row["status"] else row["error"]
                    if len(rows) < PAGE:
                        break
                    after = rows[-1]["id"]
        except SandboxUnavailable:
            return None
        return answered

    def sign(self, event):
        """A delivery of ``event`` (a ``stripe.Event``) signed with the endpoint's secret, as Stripe signs it."""
        if not self.secret:
            raise WorkbenchError(
                "This notebook does not know the shop's webhook secret: set STRIPE_WEBHOOK_SECRET (Stripe mode), "
                "or WORKBENCH_DATA_DIR to the shop's data dir (sandbox mode; make lab sets it)."
            )
        payload = json.dumps(event.to_dict(for_json=True), indent=2).encode()
        return Delivery(payload, stripe.WebhookSignature.generate_signature_header(payload.decode(), self.secret))

    def post(self, delivery):
        """Send ``delivery`` to the shop's ``/webhook``; every HTTP status is an ``Answer``."""
        headers = {"Content-Type": "application/json", "Stripe-Signature": delivery.signature}
        return self.api.request("POST", "/webhook", headers=headers, data=delivery.payload)

    @contextmanager
    def paused(self):
        """Disable the shop's endpoint(s) inside the ``with``: events made meanwhile are never sent to it."""
        endpoints = self.endpoints()
        if not endpoints:
            raise WorkbenchError(
                "No webhook endpoint is registered for the shop's /webhook (events reach it through stripe listen): "
                "stop stripe listen to pause them."
            )
        for endpoint in endpoints:
            self.stripe.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
        try:
            yield
        finally:
            for endpoint in endpoints:
                self.stripe.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False})
