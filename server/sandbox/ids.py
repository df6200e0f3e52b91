"""Ids and secrets shaped like Stripe's (``pi_3Qx…``, ``pi_…_secret_…``, ``req_…``)."""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def random_token(length):
    """``length`` unbiased base62 characters from one ``os.urandom`` read (not one read per character)."""
    token = ""
    while len(token) < length:
        token += "".join(_ALPHABET[b % 62] for b in secrets.token_bytes(2 * length) if b < 248)
    return token[:length]


def new_id(prefix):
    """A Stripe-looking id: ``prefix_`` + "3" + 23 base62 characters."""
    return f"{prefix}_3{random_token(23)}"


def client_secret_for(object_id):
    return f"{object_id}_secret_{random_token(25)}"


def request_id():
    return "req_" + random_token(14)


def mask_key(key):
    """Show a key the way Stripe's 401 does: prefix, stars, last four."""
    prefix, _, rest = key.rpartition("_")
    if not prefix:
        return "*" * max(len(key) - 4, 0) + key[-4:]
    return f"{prefix}_{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
