"""Secrets out of anything the sandbox logs or shows: one set of rules for the request log and the console.

What a ``/v1`` request or answer can carry that must never be stored in the log or
put on a projector: a PaymentIntent's ``client_secret`` (whoever has it can confirm
the payment), a webhook endpoint's signing ``secret``, a secret or restricted API
key, the raw card number and CVC that Stripe.js sends with the publishable
key, and an IBAN.  Each is cut to what identifies it without giving it away (the intent's
id, the card's or account's last four), as Stripe's own request logs do.

The rules work on the JSON text the sandbox writes (compact, ``to_json``), so the
request log masks an answer's bytes without parsing them again.
"""

import json
import re

from .store import to_json

MASK = "••••"
# One pass over the text, whichever secret each match is (the request log masks every answer).
_SECRETS = re.compile(
    r'"client_secret":"(?P<intent>\w+?)_secret_[A-Za-z0-9]+"'
    r'|"secret":"[^"]*"'
    r'|"(?P<key>(?:sk|rk)_(?:test|live))_[A-Za-z0-9]+"'
    r'|"cvc":"[^"]*"'
    r'|"(?:\d ?){9,15}(?P<last4>\d{4})"'  # a card number, wherever it was typed: 13 to 19 digits keep their last 4
    r'|"iban":"(?P<country>[A-Za-z]{2})[^"]*?(?P<iban_last4>[A-Za-z0-9]{4})"'  # an IBAN: its country and last 4
)


def _masked(match):
    if match["intent"]:
        return f'"client_secret":"{match["intent"]}_secret_{MASK}"'
    if match["key"]:
        return f'"{match["key"]}_{MASK}"'
    if match["last4"]:
        return f'"{MASK} {match["last4"]}"'
    if match["iban_last4"]:
        return f'"iban":"{match["country"].upper()}{MASK}{match["iban_last4"]}"'
    name = match.group()[1:].split('"', 1)[0]  # secret or cvc
    return f'"{name}":"{"whsec_" if name == "secret" else ""}{MASK}"'


def mask_json(text):
    """``text`` (compact JSON) with every secret masked; still JSON."""
    return _SECRETS.sub(_masked, text)


def redacted(obj):
    """A copy of ``obj`` that is safe to put on a screen (the same rules, on a Python value)."""
    return json.loads(mask_json(to_json(obj)))
