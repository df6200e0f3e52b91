"""Events: recorded for every state change and queued for each webhook endpoint that wants them.

``POST /v1/events/:id/retry`` is the call ``stripe events resend`` makes (stripe-cli's
``pkg/cmd/resource/events_resend.go``): it queues the event once more for one
endpoint, signed afresh when it is sent.  The Stripe CLI sends ``webhook_endpoint``,
or ``for_stripecli=true`` to reach its own ``stripe listen`` sessions; the sandbox has
no CLI sessions (``workbench listen`` forwards through an ordinary endpoint, whose id
``workbench events resend`` passes), so it asks for the endpoint instead.
"""

from flask import Blueprint

from .. import ids
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, no_such
from ..pipeline.versions import API_VERSION
from .common import get_object, now, read_only_routes

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


def listens_to(endpoint, event_type):
    """Whether ``endpoint`` subscribed to ``event_type`` (``*`` is every type), as it was asked at creation."""
    return "*" in endpoint["enabled_events"] or event_type in endpoint["enabled_events"]


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
    subscribed = [ep for ep in ctx.subscriptions if listens_to(ep, type)]
    stored["pending_webhooks"] = len(subscribed)
    ctx.store.put(stored)
    for subscriber in subscribed:
        ctx.store.enqueue_delivery(stored["id"], subscriber["id"])
    if subscribed:
        ctx.deliveries_queued = True
    return stored


def resend(store, evt_id, we_id):
    """Queue event ``evt_id`` once more for endpoint ``we_id``; returns the event.  The caller wakes the worker.

    Only an enabled endpoint that listens to the event's type gets it, as when it was first sent; anything
    else is a 400 (or Stripe's 404 for an unknown id) that changes nothing.
    """
    with store.transaction():
        found = store.get(evt_id, "event")
        if found is None:
            raise no_such("event", evt_id, "id")
        target = store.get(we_id, "webhook_endpoint")
        if target is None:
            raise no_such("webhook_endpoint", we_id, "webhook_endpoint")
        if target["status"] != "enabled":
            raise invalid(f"Webhook endpoint {we_id} is disabled.", param="webhook_endpoint")
        if not listens_to(target, found["type"]):
            raise invalid(
                f"Webhook endpoint {we_id} does not listen to {found['type']} events.", param="webhook_endpoint"
            )
        found["pending_webhooks"] += 1
        store.put(found)
        store.enqueue_delivery(evt_id, we_id)
    return found


@bp.post("/events/<evt_id>/retry")
@endpoint({"webhook_endpoint", "for_stripecli"})
def retry(ctx, params, evt_id):
    """``stripe events resend EVT --webhook-endpoint WE``: deliver the event again, with a fresh signature."""
    we_id = params.string("webhook_endpoint")
    if we_id is None:
        get_object(ctx, evt_id, "event", "event", "id")
        raise invalid(
            "The sandbox has no Stripe CLI sessions to resend to: pass webhook_endpoint (the endpoint "
            "`workbench listen` forwards through, or any other).",
            param="webhook_endpoint",
        )
    resent = resend(ctx.store, evt_id, we_id)
    ctx.deliveries_queued = True
    return resent
