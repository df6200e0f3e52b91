"""Pay an order the way the sandbox's Payment Element frame does, without a browser (tests and bench/).

The frame (served by the sandbox) POSTs the card to ``/v1/payment_intents/<id>/confirm``
with the publishable key and the client secret; for a 3D Secure card the shopper then
presses a button on the sandbox's challenge page.  Nothing here goes through the shop,
so it works while the shop is down.
"""

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

from press_workbench.sandbox import PUBLISHABLE_KEY
from press_workbench.sandbox.pipeline.forms import encode_form

VISA, THREE_D_SECURE, DECLINED = "4242424242424242", "4000002760003184", "4000000000000002"


def http_json(method, url, body=None, headers=None, timeout=30):
    """One request; the decoded JSON answer, whatever the status."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        return json.load(exc)


def pay_in_card_frame(sandbox_url, order, number, return_url, authenticate="complete"):
    """Confirm ``order``'s PaymentIntent with a card, as the frame does; returns the PaymentIntent or ``{error}``."""
    intent = f"{sandbox_url}/v1/payment_intents/{order['payment_intent']}"
    card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    form = {
        "key": PUBLISHABLE_KEY,
        "client_secret": order["client_secret"],
        "return_url": return_url,
        "payment_method_data": {"type": "card", "card": card},
    }
    frame = {"Origin": sandbox_url, "Content-Type": "application/x-www-form-urlencoded"}
    answer = http_json("POST", f"{intent}/confirm", urlencode(encode_form(form)).encode(), frame)
    if answer.get("status") == "requires_action":
        button = urlencode({"client_secret": order["client_secret"], "result": authenticate, "embedded": "1"})
        urllib.request.urlopen(f"{sandbox_url}/3ds/authenticate/{order['payment_intent']}", button.encode()).close()
        answer = http_json(
            "GET", f"{intent}?" + urlencode({"key": PUBLISHABLE_KEY, "client_secret": order["client_secret"]})
        )
    return answer
