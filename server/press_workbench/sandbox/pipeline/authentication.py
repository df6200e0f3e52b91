"""Who is calling: a secret key in ``Authorization`` or a publishable key in ``key``.

Stripe authenticates a secret key in ``Authorization`` (Bearer or Basic) and a
publishable key in the ``key`` parameter Stripe.js sends; the sandbox accepts any
well-formed test key — it is one test account — and answers everything else with
Stripe's 401.  A key in the header is checked before the body is read.
"""

import base64
import re

from flask import request

from .. import ids
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


SECRET_KEY_AS_PARAMETER = (
    "Secret API keys are accepted only in the Authorization header (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'), "
    "never as a parameter: a key in a URL or a form ends up in logs and browser history."
)
SECRET_KEY_FROM_BROWSER = (
    "A secret API key cannot be used from a web page: from a browser, the sandbox accepts only a publishable key "
    "(pk_test_…), as Stripe.js uses it. Keep secret keys on your server."
)


def header_key():
    """The API key in ``Authorization`` (Bearer, or Basic with the key as user name), or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip() or None
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value, validate=True).decode().partition(":")[0] or None
        except (ValueError, UnicodeDecodeError):
            return None
    return None


def authenticate(store, key, in_header=True):
    """Build the context for a request made with ``key`` or raise Stripe's 401 (403 for a browser's secret key).

    Only a publishable key may come from a web page: a request carrying ``Origin``
    (every cross-origin request a browser makes) with a secret key is refused, and a
    secret key is read only from the header, which a cross-origin page cannot set
    (the CORS answer does not allow ``Authorization``).
    """
    if not key:
        raise StripeAPIError(401, NO_KEY)
    if not isinstance(key, str) or not (SECRET_KEY.match(key) or PUBLISHABLE_KEY.match(key)):
        raise StripeAPIError(401, f"Invalid API Key provided: {ids.mask_key(str(key))}")
    publishable = key.startswith("pk_")
    if not publishable and not in_header:
        raise StripeAPIError(401, SECRET_KEY_AS_PARAMETER)
    if not publishable and "Origin" in request.headers:
        raise StripeAPIError(403, SECRET_KEY_FROM_BROWSER)
    return Context(
        store=store,
        api_key=key,
        publishable=publishable,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
