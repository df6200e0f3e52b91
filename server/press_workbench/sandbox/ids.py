"""Ids and secrets shaped like Stripe's (``pi_3Qx…``, ``pi_…_secret_…``, ``req_…``)."""

import re
import secrets
import string

_ALPHABET = (string.ascii_letters + string.digits).encode()
# Bytes 0–247 map to base62 characters (248 = 4 × 62, so each character is equally likely); 248–255 are dropped.
_TO_BASE62 = bytes(_ALPHABET[b % 62] for b in range(248)) + bytes(8)
_UNBIASED_ONLY = bytes(range(248, 256))


def random_token(length):
    """``length`` unbiased base62 characters from one ``os.urandom`` read, mapped in C (ids are made per request)."""
    token = b""
    while len(token) < length:
        token += secrets.token_bytes(2 * length).translate(_TO_BASE62, _UNBIASED_ONLY)
    return token[:length].decode()


def new_id(prefix):
    """A Stripe-looking id: ``prefix_`` + "3" + 23 base62 characters."""
    return f"{prefix}_3{random_token(23)}"


def client_secret_for(object_id):
    """A client secret shaped as Stripe's (``pi_…_secret_…``), which starts with its object's id."""
    return f"{object_id}_secret_{random_token(25)}"


def object_id_of(client_secret):
    """The id a client secret starts with (``pi_…`` of ``pi_…_secret_…``), or None if it is not shaped as one."""
    object_id, separator, _ = client_secret.partition("_secret_")
    return object_id if separator else None


def request_id():
    """A ``Request-Id`` shaped as Stripe's, to quote when asking about a request."""
    return "req_" + random_token(14)


def mask_key(key):
    """Show a key the way Stripe's 401 does: prefix (``sk_test_``), stars, last four.  The prefix is the key's
    kind, never more: a mistyped key with underscores in its secret part is masked up to its last four too."""
    kind = re.match(r"(?:sk|pk|rk)_(?:test|live)_", key)
    prefix, rest = (kind.group(), key[kind.end() :]) if kind else ("", key)
    return f"{prefix}{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
