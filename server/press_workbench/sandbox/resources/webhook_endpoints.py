"""WebhookEndpoints: where events are sent; the signing secret is shown once, at creation."""

from urllib.parse import urlsplit

from flask import Blueprint

from .. import ids
from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, missing_param
from ..pipeline.versions import checked
from .common import LIST, get_object, list_objects, now

bp = Blueprint("webhook_endpoints", __name__, url_prefix="/v1")


def webhook_endpoint(url, enabled_events, description, metadata, api_version):
    """A webhook endpoint with its signing secret, which Stripe shows only in the answer to its creation."""
    return {
        "id": ids.new_id("we"),
        "object": "webhook_endpoint",
        "api_version": api_version,
        "application": None,
        "created": now(),
        "description": description,
        "enabled_events": enabled_events,
        "livemode": False,
        "metadata": metadata,
        "secret": "whsec_" + ids.random_token(32),
        "status": "enabled",
        "url": url,
    }


def _load(ctx, we_id):
    return get_object(ctx, we_id, "webhook_endpoint", "webhook_endpoint", "webhook_endpoint")


def _checked_url(params, default=None):
    """An http(s) URL with a host (a URL the sandbox cannot POST to would be retried in vain), else Stripe's 400."""
    url = params.string("url", required=default is None, default=default)
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:  # a port that is not a number, an unclosed [IPv6 address
        valid = False
    if not valid:
        raise invalid(f"Invalid URL: {url}. URLs must begin with http:// or https://", param="url", code="url_invalid")
    return url


def _without_secret(ep):
    """Stripe returns an endpoint's secret only once, when it is created."""
    return {k: v for k, v in ep.items() if k != "secret"}


@bp.post("/webhook_endpoints")
@endpoint({"url", "enabled_events", "description", "metadata", "api_version", "connect"})
def create(ctx, params):
    """``POST /v1/webhook_endpoints``: the only answer that carries the ``whsec_`` secret, as at Stripe."""
    url = _checked_url(params)
    enabled = params.string_list("enabled_events")
    if not enabled:
        raise missing_param("enabled_events")
    api_version = params.string("api_version")
    if api_version is not None:
        checked(api_version, param="api_version")
    return ctx.store.put(
        webhook_endpoint(url, enabled, params.optional_string("description"), params.metadata(), api_version)
    )


@bp.get("/webhook_endpoints")
@endpoint(LIST)
def list_endpoints(ctx, params):
    """``GET /v1/webhook_endpoints``, without their secrets."""
    listing = list_objects(ctx, params, "webhook_endpoint", "webhook_endpoint", "/v1/webhook_endpoints")
    listing["data"] = [_without_secret(ep) for ep in listing["data"]]
    return listing


@bp.get("/webhook_endpoints/<we_id>")
@endpoint()
def retrieve(ctx, params, we_id):
    """``GET /v1/webhook_endpoints/:id``, without its secret."""
    return _without_secret(_load(ctx, we_id))


@bp.post("/webhook_endpoints/<we_id>")
@endpoint({"url", "enabled_events", "description", "metadata", "disabled"})
def update(ctx, params, we_id):
    """``POST /v1/webhook_endpoints/:id``: URL, events, description, metadata, or disabling it."""
    with ctx.store.transaction():
        ep = _load(ctx, we_id)
        ep["url"] = _checked_url(params, default=ep["url"])
        ep["enabled_events"] = params.string_list("enabled_events") or ep["enabled_events"]
        if "disabled" in params:
            ep["status"] = "disabled" if params.boolean("disabled") else "enabled"
        if "description" in params:
            ep["description"] = params.optional_string("description")
        if "metadata" in params:
            ep["metadata"] = params.metadata(ep["metadata"])
        ctx.store.put(ep)
    return _without_secret(ep)


@bp.delete("/webhook_endpoints/<we_id>")
@endpoint()
def delete(ctx, params, we_id):
    """``DELETE /v1/webhook_endpoints/:id``, as `workbench listen` does when it stops."""
    _load(ctx, we_id)
    ctx.store.delete(we_id)
    return {"id": we_id, "object": "webhook_endpoint", "deleted": True}
