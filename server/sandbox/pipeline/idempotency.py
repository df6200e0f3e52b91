"""Stripe's idempotency: the same key and parameters replay the saved answer; other parameters are refused."""

import hashlib
import json

from flask import request

from .errors import StripeAPIError

IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using "
    "a key other than '{key}' if you meant to execute a different request."
)
IN_FLIGHT = (
    "There is currently another in-progress request using this Idempotent Key (that probably means you submitted "
    "twice, and the other request is still going through): {key}. Please try again later."
)


def idempotent(store, ctx, raw, run):
    """Run ``run()`` once per key; returns (status, body, replayed)."""
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
