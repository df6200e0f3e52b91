"""``endpoint``: wraps a resource view with everything Stripe does to every ``/v1`` request.

Routes stay one-liners; authentication, parameters, idempotency, expansion and
the JSON answer happen once, here, cheapest first: a key in the header is checked
before the body is read, and the body's size, number of parameters and nesting
depth before anything else works on it.
"""

import functools

from flask import Response, current_app, g, request

from ..store import to_json
from . import versions
from .authentication import PUBLISHABLE_NOT_ALLOWED, authenticate, header_key
from .errors import StripeAPIError, invalid
from .expansion import expand
from .forms import FormError, parse_form
from .idempotency import check_key, idempotent
from .params import Params
from .versions import render

MAX_BODY_BYTES = 256 * 1024  # Stripe.js's confirm sends about 1 KB; 50 metadata keys of 500 characters, 27 KB


def sandbox():
    """The running sandbox (its store and webhook worker)."""
    return current_app.extensions["sandbox"]


def json_response(body, status=200, request_id=None, replayed=False):
    """Compact JSON: Stripe indents its answers, but Python's encoder does that in pure Python, 3× slower, and
    that was a tenth of the sandbox's time per request (BENCHMARKS.md); no client reads the whitespace."""
    response = Response(to_json(body), status=status, mimetype="application/json")
    if request_id:
        response.headers["Request-Id"] = request_id
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def raw_params():
    """The query and (for POST/DELETE) the form body as nested values, within the limits, parsed in linear time."""
    body = ""
    if request.method in ("POST", "DELETE") and request.content_length:
        if request.content_length > MAX_BODY_BYTES:
            raise invalid(
                f"Request body too large: the sandbox accepts at most {MAX_BODY_BYTES // 1024} KB.", status=413
            )
        body = request.get_data(as_text=True)
    try:
        return parse_form(request.query_string.decode(errors="replace"), body)
    except FormError as exc:
        raise invalid(str(exc), param=exc.key) from None


def endpoint(allowed=(), publishable=False):
    """Wrap a view ``view(ctx, params, **url_args)`` with Stripe's request handling.

    The view returns the object to answer with, or ``(object, failure)`` where
    ``failure`` is a ``StripeAPIError`` answered after the view's changes were kept
    (a card decline: Stripe records the failed attempt, then answers 402).
    """
    allowed = set(allowed) | {"expand"}

    def decorate(view):
        @functools.wraps(view)
        def handler(**url_args):
            sb = sandbox()
            key = header_key()
            ctx = authenticate(sb.store, key) if key else None  # a key in the header: checked before the body
            raw = g.params = raw_params()  # the request log shows them, masked
            ctx = ctx or authenticate(sb.store, raw.get("key"), in_header=False)
            g.request_id, g.context = ctx.request_id, ctx  # the request log reads who called
            ctx.api_version = versions.requested(request.headers.get("Stripe-Version"), raw)
            if request.method == "POST":
                check_key(ctx.idempotency_key)
            if ctx.publishable and not publishable:
                raise StripeAPIError(401, PUBLISHABLE_NOT_ALLOWED)
            raw.pop("key", None)
            params = Params(raw, allowed | ({"client_secret"} if publishable else set()), strict=not ctx.publishable)

            def run():
                result = view(ctx, params, **url_args)
                obj, failure = result if isinstance(result, tuple) else (result, None)
                if failure is not None:
                    return failure.status, render(ctx.store, failure.to_dict(), ctx.api_version)
                return 200, render(ctx.store, expand(ctx, obj, params.string_list("expand") or []), ctx.api_version)

            if request.method == "POST" and ctx.idempotency_key:
                status, body, replayed = idempotent(sb.store, ctx, raw, run)
            else:
                status, body, replayed = *run(), False
            if ctx.deliveries_queued:
                sb.worker.wake()
            g.answer = body  # the request log reads the ids it touched from here, not by parsing the response again
            return json_response(body, status, ctx.request_id, replayed)

        return handler

    return decorate
