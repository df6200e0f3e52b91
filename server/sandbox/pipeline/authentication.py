"""Who is calling: a secret key in ``Authorization`` or a publishable key in ``key``.

Stripe authenticates a secret key in ``Authorization`` (Bearer or Basic) and a
publishable key in the ``key`` parameter Stripe.js sends; the sandbox accepts any
well-formed test key — it is one test account — and answers everything else with
Stripe's 401.
"""

import base64
import re

from flask import request

from .. import ids
from . import versions
from .context import Context
from .errors import StripeAPIError

SECRET_KEY = re.compile(r"^(sk|rk)_test_[A-Za-z0-9_]{8,247}$")
PUBLISHABLE_KEY = re.compile(r"^pk_test_[A-Za-z0-9_]{8,247}$")
NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer "
    "auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for "
    "details, or we can help at https://support.stripe.com/."
)
PUBLISHABLE_NOT_ALLOWED = (
    "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list "
    "of your API keys at https://dashboard.stripe.com/account/apikeys."
)


def authenticate(store, raw_params):
    """Build the context for this request or raise Stripe's 401."""
    key = _key_from_header() or raw_params.get("key")
    if not key:
        raise StripeAPIError(401, NO_KEY)
    if not isinstance(key, str) or not (SECRET_KEY.match(key) or PUBLISHABLE_KEY.match(key)):
        raise StripeAPIError(401, f"Invalid API Key provided: {ids.mask_key(str(key))}")
    return Context(
        store=store,
        api_key=key,
        publishable=key.startswith("pk_"),
        idempotency_key=request.headers.get("Idempotency-Key"),
        api_version=versions.requested(request.headers.get("Stripe-Version"), raw_params),
    )


def _key_from_header():
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value).decode().partition(":")[0]
        except (ValueError, UnicodeDecodeError):
            return None
    return None
