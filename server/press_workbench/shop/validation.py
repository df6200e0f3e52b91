"""Checks and limits for everything a request carries, applied before any work is done with it.

One validator per kind of value, used by every route that takes it (the JSON API,
the cart's forms, "Buy now"), so the same input gets the same answer everywhere,
and nothing unbounded reaches the database, Stripe or an error message.

Emails are checked with the maintained ``email-validator`` library rather than a
hand-written pattern: it applies the RFC 5321/5322 rules that simple patterns miss
(dots at the ends or doubled, hyphens at label ends, over-long parts, reserved
domains, invisible characters), stays offline (no DNS lookup), and says exactly what
is wrong.  It is stricter than the sandbox's ``receipt_email`` check and refuses what
Stripe is known to refuse (spaces, no @), so an address the shop stores does not
come back from Stripe as an error.  Internationalized local parts (``jörg@…``) are
refused too: Stripe does not document that receipts support them.
"""

import hashlib
import json
import re

from email_validator import EmailNotValidError, validate_email

from .errors import ShopError

MAX_QUANTITY = 10  # copies of one book in one order, however many lines name it
MAX_LINES = 50  # items in one API order (the catalog has far fewer books)
MAX_JSON_DEPTH = 8  # an order is 3 deep: {"items": [{...}]}
MAX_EMAIL = 254  # RFC 5321's limit on a forward path, which is also what email-validator enforces
MAX_IDEMPOTENCY_KEY = 255  # as at Stripe
MAX_SHOWN = 40  # characters of a client's value quoted back in an error message


def shown(value):
    """A client's value as quoted in an error message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def quantity(value, param="quantity", title=None):
    """Copies of one book on one line: an integer from 1 to ``MAX_QUANTITY`` (never a bool or a string).

    With the book's ``title`` the message speaks to a shopper; ``param`` still names the field.
    """
    what = f"The quantity of {title}" if title else param
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShopError("invalid_quantity", f"{what} must be a whole number from 1 to {MAX_QUANTITY}.", param)
    if not 1 <= value <= MAX_QUANTITY:
        raise ShopError("invalid_quantity", f"{what} must be from 1 to {MAX_QUANTITY}, not {value}.", param)
    return value


def form_quantity(raw, param="quantity"):
    """A quantity from a form field (text): the same rule as ``quantity``."""
    text = (raw or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 3):
        raise ShopError("invalid_quantity", f"Choose a quantity between 1 and {MAX_QUANTITY}.", param)
    return quantity(int(text), param)


def merged_quantity(total, title, param="quantity"):
    """Lines naming the same book add up; the sum obeys the same limit as one line."""
    if total > MAX_QUANTITY:
        raise ShopError(
            "invalid_quantity", f"You can buy at most {MAX_QUANTITY} copies of {title} in one order.", param
        )
    return total


def email(value, param="email"):
    """An email address Stripe will accept as ``receipt_email``, normalized; ``None`` when none is given."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_EMAIL:
        raise ShopError("invalid_email", f"{param} must be an email address of at most {MAX_EMAIL} characters.", param)
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False, strict=True)
    except EmailNotValidError as exc:
        raise ShopError("invalid_email", f"That email address doesn't look right: {exc}", param) from None
    return checked.ascii_email


def idempotency_key(value):
    """The ``Idempotency-Key`` header: absent is fine, present means 1–255 characters (an empty key is a 400)."""
    if value is None:
        return None
    if not 1 <= len(value) <= MAX_IDEMPOTENCY_KEY:
        raise ShopError(
            "invalid_idempotency_key",
            f"An Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters long (got {len(value)}); "
            "leave the header out to make a request without one.",
            "Idempotency-Key",
        )
    return value


def request_fingerprint(body):
    """What makes two requests "the same" for an idempotency key: the JSON value, whatever its key order."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


_JSON_STRUCTURE = re.compile(r'[\[\]{}"\\]')


def json_depth(text):
    """How deeply ``text`` nests arrays and objects, found in one pass (brackets inside strings don't count)."""
    depth = deepest = 0
    in_string, escaped_at = False, -1
    for match in _JSON_STRUCTURE.finditer(text):
        char, at = match.group(), match.start()
        if in_string:
            if at == escaped_at:
                continue
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_json(raw, max_depth=MAX_JSON_DEPTH):
    """Decode a JSON body whose nesting is checked first (the decoder recurses, so depth must be bounded)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ShopError("invalid_json", "The body must be UTF-8 encoded JSON.") from None
    if json_depth(text) > max_depth:
        raise ShopError("invalid_json", f"The JSON body nests deeper than {max_depth} levels.")
    try:
        return json.loads(text)
    except ValueError:
        raise ShopError("invalid_json", "The body is not valid JSON.") from None


def json_object(request, example):
    """A request's body as a JSON object, depth-checked (``parse_json``); ``example`` shows the shape in the error."""
    if not request.is_json:
        raise ShopError("invalid_json", "Send a JSON object with Content-Type: application/json.")
    body = parse_json(request.get_data())
    if not isinstance(body, dict):
        raise ShopError("invalid_json", f"Send a JSON object: {example}.")
    return body
