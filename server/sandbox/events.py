"""Events: recorded for every state change and queued for each webhook endpoint that wants them."""

from . import objects


def emit(ctx, type, data_object, previous_attributes=None):
    """Store an ``evt_…`` for ``type`` and queue one delivery per subscribed endpoint."""
    event = objects.event(
        type,
        data_object,
        request_id=ctx.request_id,
        idempotency_key=ctx.idempotency_key,
        api_version=ctx.api_version,
        previous_attributes=previous_attributes,
    )
    endpoints, _ = ctx.store.list("webhook_endpoint", limit=100)
    subscribed = [
        ep for ep in endpoints
        if ep["status"] == "enabled" and ("*" in ep["enabled_events"] or type in ep["enabled_events"])
    ]  # fmt: skip
    event["pending_webhooks"] = len(subscribed)
    ctx.store.put(event)
    for endpoint in subscribed:
        ctx.store.enqueue_delivery(event["id"], endpoint["id"])
    if subscribed:
        ctx.deliveries_queued = True
    return event
