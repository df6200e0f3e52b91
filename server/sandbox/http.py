"""The sandbox's request pipeline for ``/v1``: auth, params, idempotency, expansion, JSON.

Routes stay one-liners; everything Stripe does to every request happens once here.
"""

import functools
import hashlib
import json

from flask import Response, current_app, g, request

from .context import PUBLISHABLE_NOT_ALLOWED, authenticate
from .errors import StripeAPIError, invalid
from .forms import FormError, parse_form
from .params import Params

IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using "
    "a key other than '{key}' if you meant to execute a different request."
)
IN_FLIGHT = (
    "There is currently another in-progress request using this Idempotent Key (that probably means you submitted "
    "twice, and the other request is still going through): {key}. Please try again later."
)


def sandbox():
    return current_app.extensions["sandbox"]


def json_response(body, status=200, request_id=None, replayed=False):
    response = Response(json.dumps(body, indent=2), status=status, mimetype="application/json")
    if request_id:
        response.headers["Request-Id"] = request_id
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def raw_params():
    try:
        params = parse_form(request.query_string.decode())
        if request.method in ("POST", "DELETE") and request.content_length:
            params.update(parse_form(request.get_data(as_text=True)))
    except FormError as exc:
        raise invalid(str(exc), param=exc.key) from None
    return params


def endpoint(allowed=(), publishable=False):
    """Wrap a view ``view(ctx, params, **url_args)`` with Stripe's request handling."""
    allowed = set(allowed) | {"expand"}

    def decorate(view):
        @functools.wraps(view)
        def handler(**url_args):
            sb = sandbox()
            raw = raw_params()
            ctx = authenticate(sb.store, raw)
            g.request_id = ctx.request_id
            if ctx.publishable and not publishable:
                raise StripeAPIError(401, PUBLISHABLE_NOT_ALLOWED)
            raw.pop("key", None)
            params = Params(raw, allowed | ({"client_secret"} if publishable else set()), strict=not ctx.publishable)

            def run():
                result = view(ctx, params, **url_args)
                obj, failure = result if isinstance(result, tuple) else (result, None)
                if failure is not None:
                    return failure.status, failure.to_dict()
                return 200, expand(ctx, obj, params.string_list("expand") or [])

            if request.method == "POST" and ctx.idempotency_key:
                status, body, replayed = idempotent(sb.store, ctx, raw, run)
            else:
                status, body, replayed = *run(), False
            if ctx.deliveries_queued:
                sb.worker.wake()
            return json_response(body, status, ctx.request_id, replayed)

        return handler

    return decorate


def idempotent(store, ctx, raw, run):
    """Stripe's idempotency: replay the saved answer for the same key and parameters."""
    key = ctx.idempotency_key
    fingerprint = hashlib.sha256(
        json.dumps([request.path, raw], sort_keys=True).encode()
    ).hexdigest()
    existing = store.idempotency_claim(ctx.api_key, key, fingerprint)
    if existing is not None:
        saved_fingerprint, status, body = existing
        if saved_fingerprint != fingerprint:
            raise StripeAPIError(400, IDEMPOTENCY_MISMATCH.format(key=key), type="idempotency_error")
        if status is None:
            raise StripeAPIError(409, IN_FLIGHT.format(key=key), type="idempotency_error")
        return status, json.loads(body), True
    try:
        status, body = run()
    except StripeAPIError as exc:
        if exc.status == 402:  # an executed request that failed: saved like any answer
            store.idempotency_save(ctx.api_key, key, exc.status, json.dumps(exc.to_dict()))
        else:  # validation failures are not saved (Stripe: "we save results only after execution begins")
            store.idempotency_release(ctx.api_key, key)
        raise
    except BaseException:
        store.idempotency_release(ctx.api_key, key)
        raise
    if status < 400 or status == 402:
        store.idempotency_save(ctx.api_key, key, status, json.dumps(body))
    else:
        store.idempotency_release(ctx.api_key, key)
    return status, body, False


def expand(ctx, obj, paths):
    """Replace id fields named in ``expand[]`` with the objects, as Stripe does."""
    if not paths:
        return obj
    obj = json.loads(json.dumps(obj))
    for path in paths:
        _expand_path(ctx, obj, path.split("."), path)
    return obj


def _expand_path(ctx, node, parts, path):
    head, rest = parts[0], parts[1:]
    if node.get("object") == "list" and head == "data":
        for item in node["data"]:
            if rest:
                _expand_path(ctx, item, rest, path)
        return
    if head not in node:
        raise invalid(f"This property cannot be expanded ({head}).", param="expand")
    value = node[head]
    if isinstance(value, str):
        found = ctx.store.get(value)
        if found is None:
            raise invalid(f"This property cannot be expanded ({head}).", param="expand")
        node[head] = value = found
    if rest and isinstance(value, dict):
        _expand_path(ctx, value, rest, path)


def list_params(params, maximum=100):
    limit = params.integer("limit", default=10)
    if not 1 <= limit <= maximum:
        raise invalid(f"This value must be greater than or equal to 1 and less than or equal to {maximum}.",
                      param="limit")  # fmt: skip
    return {"limit": limit, "starting_after": params.string("starting_after"),
            "ending_before": params.string("ending_before")}  # fmt: skip
