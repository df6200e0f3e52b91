"""Stripe's idempotency: the same key and parameters replay the saved answer; other parameters are refused.

The lookup, the request's own changes and the saved answer commit in one SQLite
transaction.  A request that dies half-way (a SIGKILL, a crash) therefore leaves
nothing behind — neither half its changes nor a key stuck "in progress" — and a
retry with the same key simply runs.  A concurrent duplicate waits for the first
and gets its answer replayed, where Stripe would answer 409.
"""

import hashlib
import json

from flask import request

from .errors import StripeAPIError

MAX_KEY_LENGTH = 255
KEY_LENGTH = (
    "Idempotent key length is {length} characters long, which is outside accepted lengths. Idempotent Keys must be "
    "1-255 characters long. If you're looking for a decent generator, try using a UUID defined by IETF RFC 4122."
)
IDEMPOTENCY_MISMATCH = (
    "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using "
    "a key other than '{key}' if you meant to execute a different request."
)


def check_key(key):
    """Stripe's 400 for an empty key or one over 255 characters (an absent header is fine)."""
    if key is not None and not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise StripeAPIError(400, KEY_LENGTH.format(length=len(key)), type="idempotency_error")


def idempotent(store, ctx, raw, run):
    """Run ``run()`` once per key; returns (status, body, replayed)."""
    key = ctx.idempotency_key
    fingerprint = hashlib.sha256(json.dumps([request.path, raw], sort_keys=True).encode()).hexdigest()
    refused = None
    with store.transaction():
        saved = store.idempotency_lookup(ctx.api_key, key)
        if saved is not None:
            saved_fingerprint, status, body = saved
            if saved_fingerprint != fingerprint:
                raise StripeAPIError(400, IDEMPOTENCY_MISMATCH.format(key=key), type="idempotency_error")
            return status, json.loads(body), True
        try:
            with store.savepoint():  # an error raised by the request undoes its changes
                status, body = run()
        except StripeAPIError as exc:
            if exc.status != 402:  # Stripe: "If incoming parameters fail validation … we don't save" the result
                raise
            refused, status, body = exc, exc.status, exc.to_dict()  # an executed request that failed: saved
        # What reaches here is saved: a success, or a 402 (raised above, or a decline the request returned)
        store.idempotency_save(ctx.api_key, key, fingerprint, status, json.dumps(body))
    if refused is not None:
        raise refused
    return status, body, False
