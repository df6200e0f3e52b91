"""Events: recorded for every state change and queued for each webhook endpoint that wants them."""

from flask import Blueprint

from .. import ids
from ..pipeline.versions import API_VERSION
from .common import now, read_only_routes

bp = Blueprint("events", __name__, url_prefix="/v1")
read_only_routes(bp, "events", "event", "event", "id", ("type",))


def event(type, data_object, *, request_id, idempotency_key, api_version, previous_attributes=None):
    """An event as Stripe builds it, for one object change.

    The request id and idempotency key are recorded as Stripe records them, so an event can be traced to the call
    that caused it (the sandbox console shows that link).
    """
    data = {"object": data_object}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return {
        "id": ids.new_id("evt"),
        "object": "event",
        "api_version": api_version,
        "created": now(),
        "data": data,
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type,
    }


def emit(ctx, type, data_object, previous_attributes=None):
    """Store an ``evt_…`` for ``type`` and queue one delivery per subscribed endpoint.

    The stored event is rendered in the account's default version, whatever version
    the request that caused it spoke (Stripe: "not according to your current Stripe
    API version or Stripe-Version header"); delivery re-renders it per endpoint.
    """
    stored = event(
        type,
        data_object,
        request_id=ctx.request_id,
        idempotency_key=ctx.idempotency_key,
        api_version=API_VERSION,
        previous_attributes=previous_attributes,
    )
    if ctx.subscriptions is None:  # every endpoint, however many; once per request, not per event
        ctx.subscriptions = [ep for ep in ctx.store.all_of("webhook_endpoint") if ep["status"] == "enabled"]
    subscribed = [ep for ep in ctx.subscriptions if "*" in ep["enabled_events"] or type in ep["enabled_events"]]
    stored["pending_webhooks"] = len(subscribed)
    ctx.store.put(stored)
    for endpoint in subscribed:
        ctx.store.enqueue_delivery(stored["id"], endpoint["id"])
    if subscribed:
        ctx.deliveries_queued = True
    return stored
