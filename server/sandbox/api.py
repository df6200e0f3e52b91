"""The ``/v1`` routes: the slice of Stripe's API that the shop and the lessons use."""

from flask import Blueprint, request

from . import payment_intents, refunds
from . import objects as build
from .errors import StripeAPIError, invalid, missing_param, no_such
from .http import endpoint, json_response, list_params

bp = Blueprint("sandbox_api", __name__, url_prefix="/v1")

PI_CREATE = {
    "amount", "currency", "automatic_payment_methods", "payment_method_types", "payment_method",
    "payment_method_data", "confirm", "return_url", "capture_method", "confirmation_method", "description",
    "receipt_email", "metadata", "setup_future_usage", "shipping", "statement_descriptor",
    "statement_descriptor_suffix", "payment_method_options", "off_session", "error_on_requires_action",
    "use_stripe_sdk", "mandate_data",
}  # fmt: skip
PI_UPDATE = {
    "amount", "currency", "payment_method", "capture_method", "description", "receipt_email", "metadata",
    "setup_future_usage", "shipping", "statement_descriptor", "statement_descriptor_suffix", "payment_method_types",
    "payment_method_options",
}  # fmt: skip
PI_CONFIRM = {
    "payment_method", "payment_method_data", "return_url", "receipt_email", "setup_future_usage", "shipping",
    "payment_method_options", "off_session", "error_on_requires_action", "use_stripe_sdk", "mandate_data",
    "capture_method",
}  # fmt: skip
LIST = {"limit", "starting_after", "ending_before"}


def _list(ctx, params, type, url, where=None):
    rows, has_more = ctx.store.list(type, where=where, **list_params(params))
    return build.list_of(rows, url, has_more)


def _payment_intent_for(ctx, params, pi_id):
    pi = payment_intents.load(ctx, pi_id)
    if ctx.publishable:
        secret = params.string("client_secret")
        if not secret:
            raise missing_param("client_secret")
        if secret != pi["client_secret"]:
            raise invalid(
                "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
                param="client_secret",
                code="payment_intent_invalid_parameter",
            )
    return pi


# -- PaymentIntents ------------------------------------------------------------
@bp.post("/payment_intents")
@endpoint(PI_CREATE)
def create_payment_intent(ctx, params):
    return payment_intents.create(ctx, params)


@bp.get("/payment_intents")
@endpoint(LIST)
def list_payment_intents(ctx, params):
    return _list(ctx, params, "payment_intent", "/v1/payment_intents")


@bp.get("/payment_intents/<pi_id>")
@endpoint(publishable=True)
def retrieve_payment_intent(ctx, params, pi_id):
    return ctx.payment_intent_view(_payment_intent_for(ctx, params, pi_id))


@bp.post("/payment_intents/<pi_id>")
@endpoint(PI_UPDATE)
def update_payment_intent(ctx, params, pi_id):
    return payment_intents.update(ctx, pi_id, params)


@bp.post("/payment_intents/<pi_id>/confirm")
@endpoint(PI_CONFIRM, publishable=True)
def confirm_payment_intent(ctx, params, pi_id):
    _payment_intent_for(ctx, params, pi_id)
    pi, failure = payment_intents.confirm(ctx, pi_id, params)
    return ctx.payment_intent_view(pi), failure


@bp.post("/payment_intents/<pi_id>/cancel")
@endpoint({"cancellation_reason"})
def cancel_payment_intent(ctx, params, pi_id):
    return payment_intents.cancel(ctx, pi_id, params)


@bp.post("/payment_intents/<pi_id>/capture")
@endpoint({"amount_to_capture", "metadata", "final_capture", "statement_descriptor"})
def capture_payment_intent(ctx, params, pi_id):
    return payment_intents.capture(ctx, pi_id, params)


# -- PaymentMethods, Charges, Refunds, Events ----------------------------------
@bp.post("/payment_methods")
@endpoint({"type", "card", "billing_details", "metadata"}, publishable=True)
def create_payment_method(ctx, params):
    data = {key: params.values[key] for key in ("type", "card", "billing_details") if key in params}
    with ctx.store.transaction():
        return payment_intents.create_card_payment_method(ctx, data, param_prefix=None)


@bp.get("/payment_methods/<pm_id>")
@endpoint()
def retrieve_payment_method(ctx, params, pm_id):
    return _get(ctx, pm_id, "payment_method", "PaymentMethod", "payment_method")


@bp.post("/refunds")
@endpoint({"payment_intent", "charge", "amount", "reason", "metadata", "instructions_email"})
def create_refund(ctx, params):
    return refunds.create(ctx, params)


def read_only_resource(path, type, kind, param, filters):
    """Register Stripe's list (with equality filters) and retrieve routes for an object the API only reads."""

    @endpoint(LIST | set(filters))
    def list_objects(ctx, params):
        where = {name: params.string(name) for name in filters if name in params}
        return _list(ctx, params, type, f"/v1/{path}", where)

    @endpoint()
    def retrieve_object(ctx, params, object_id):
        return _get(ctx, object_id, type, kind, param)

    bp.add_url_rule(f"/{path}", f"list_{path}", list_objects, methods=["GET"])
    bp.add_url_rule(f"/{path}/<object_id>", f"retrieve_{path}", retrieve_object, methods=["GET"])


read_only_resource("charges", "charge", "charge", "charge", ("payment_intent",))
read_only_resource("refunds", "refund", "refund", "refund", ("payment_intent", "charge"))
read_only_resource("events", "event", "event", "id", ("type",))


# -- Webhook endpoints ----------------------------------------------------------
@bp.post("/webhook_endpoints")
@endpoint({"url", "enabled_events", "description", "metadata", "api_version", "connect"})
def create_webhook_endpoint(ctx, params):
    url = params.string("url", required=True)
    if not url.startswith(("http://", "https://")):
        raise invalid(f"Invalid URL: {url}. URLs must begin with http:// or https://", param="url",
                      code="url_invalid")  # fmt: skip
    enabled = params.string_list("enabled_events")
    if not enabled:
        raise missing_param("enabled_events")
    endpoint_obj = build.webhook_endpoint(url, enabled, params.optional_string("description"), params.metadata(),
                                          params.string("api_version"))  # fmt: skip
    return ctx.store.put(endpoint_obj)


@bp.get("/webhook_endpoints")
@endpoint(LIST)
def list_webhook_endpoints(ctx, params):
    listing = _list(ctx, params, "webhook_endpoint", "/v1/webhook_endpoints")
    listing["data"] = [_without_secret(ep) for ep in listing["data"]]
    return listing


@bp.get("/webhook_endpoints/<we_id>")
@endpoint()
def retrieve_webhook_endpoint(ctx, params, we_id):
    return _without_secret(_get(ctx, we_id, "webhook_endpoint", "webhook_endpoint", "webhook_endpoint"))


@bp.post("/webhook_endpoints/<we_id>")
@endpoint({"url", "enabled_events", "description", "metadata", "disabled"})
def update_webhook_endpoint(ctx, params, we_id):
    with ctx.store.transaction():
        ep = _get(ctx, we_id, "webhook_endpoint", "webhook_endpoint", "webhook_endpoint")
        ep["url"] = params.string("url", default=ep["url"])
        ep["enabled_events"] = params.string_list("enabled_events") or ep["enabled_events"]
        if "disabled" in params:
            ep["status"] = "disabled" if params.boolean("disabled") else "enabled"
        if "description" in params:
            ep["description"] = params.optional_string("description")
        ctx.store.put(ep)
    return _without_secret(ep)


@bp.delete("/webhook_endpoints/<we_id>")
@endpoint()
def delete_webhook_endpoint(ctx, params, we_id):
    _get(ctx, we_id, "webhook_endpoint", "webhook_endpoint", "webhook_endpoint")
    ctx.store.delete(we_id)
    return {"id": we_id, "object": "webhook_endpoint", "deleted": True}


def _get(ctx, object_id, type, kind, param):
    found = ctx.store.get(object_id, type)
    if found is None:
        raise no_such(kind, object_id, param)
    return found


def _without_secret(ep):
    """Stripe returns an endpoint's secret only once, when it is created."""
    return {k: v for k, v in ep.items() if k != "secret"}


@bp.route("/<path:unknown>", methods=["GET", "POST", "DELETE"])
def unrecognized(unknown):
    raise StripeAPIError(
        404,
        f"Unrecognized request URL ({request.method}: /v1/{unknown}). Please see https://stripe.com/docs or we can "
        "help at https://support.stripe.com/.",
    )


