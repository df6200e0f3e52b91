"""Secrets out of anything the sandbox logs or shows: one set of rules for the request log and the console.

What a ``/v1`` request or answer can carry that must never be stored in the log or
put on a projector: a PaymentIntent's ``client_secret`` (whoever has it can confirm
the payment), a webhook endpoint's signing ``secret``, a secret or restricted API
key, and the raw card number and CVC that Stripe.js sends with the publishable
key.  Each is cut to what identifies it without giving it away (the intent's id, the
card's last four digits), as Stripe's own request logs do.

The rules work on the JSON text the sandbox writes (compact, ``to_json``), so the
request log masks an answer's bytes without parsing them again.
"""

import json
import re

from .store import to_json

MASK = "••••"
_RULES = [
    (re.compile(r'"client_secret":"(\w+?)_secret_[A-Za-z0-9]+"'), rf'"client_secret":"\1_secret_{MASK}"'),
    (re.compile(r'"secret":"[^"]*"'), f'"secret":"whsec_{MASK}"'),
    (re.compile(r'"((?:sk|rk)_(?:test|live))_[A-Za-z0-9]+"'), rf'"\1_{MASK}"'),
    (re.compile(r'"cvc":"[^"]*"'), f'"cvc":"{MASK}"'),
    # a card number, wherever it was typed: 13 to 19 digits (spaces allowed) keep their last four
    (re.compile(r'"(?:\d ?){9,15}(\d{4})"'), rf'"{MASK} \1"'),
]


def mask_json(text):
    """``text`` (compact JSON) with every secret masked; still JSON."""
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text


def redacted(obj):
    """A copy of ``obj`` that is safe to put on a screen (the same rules, on a Python value)."""
    return json.loads(mask_json(to_json(obj)))
