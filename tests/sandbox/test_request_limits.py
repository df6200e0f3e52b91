"""Limits before work, and keys where they belong: what an abusive or careless caller gets from the sandbox.

Each case was a defect: 40,000 ``expand[]`` pairs took 27 s (quadratic), a key
nested 1,200 deep and ``payment_method_data[card]=x`` answered 500, and any web
page could use a secret key through CORS.
"""

import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest

from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY
from press_workbench.sandbox.pipeline.forms import MAX_DEPTH, MAX_PARAMS, FormError, parse_form

SECRET = {"Authorization": f"Bearer {SECRET_KEY}"}
EVIL = {"Origin": "https://evil.example"}


def call(url, body=None, headers=None, method=None):
    """(status, headers, JSON body) of one raw request; a str body is sent as a form."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, json.loads(exc.read() or b"null")


def test_too_many_parameters_are_refused_before_parsing(sandbox_url):
    many = "&".join(["expand[]=x"] * 20_000)  # 7 s before; 40,000 pairs are over the size limit
    status, _, body = call(f"{sandbox_url}/v1/payment_intents", many, SECRET)
    assert (status, body["error"]["message"]) == (
        400,
        f"Too many parameters: a request may carry at most {MAX_PARAMS}.",
    )


def test_appending_to_a_list_is_linear():
    """``expand[]`` used to count the list for every append: 40,000 pairs took 27 s, 200,000 would take minutes."""
    started = time.monotonic()
    parsed = parse_form("&".join(f"expand[]=x{i}" for i in range(200_000)), max_params=200_000)
    assert time.monotonic() - started < 10  # a bound far above linear time, far below the quadratic one
    assert parsed["expand"][:3] == ["x0", "x1", "x2"] and parsed["expand"][-1] == "x199999"
    assert parse_form("a[1]=b&a[]=c&a[0]=d") == {"a": ["d", "b", "c"]}


def test_nesting_is_bounded(sandbox_url):
    deep = "metadata" + "[a]" * 1200
    status, _, body = call(f"{sandbox_url}/v1/payment_intents", f"{deep}=x&amount=2300&currency=usd", SECRET)
    assert status == 400 and body["error"]["param"].startswith("metadata[a][a]")
    assert body["error"]["message"].endswith(f"is nested more than {MAX_DEPTH} levels deep.")
    assert parse_form("a" + "[b]" * MAX_DEPTH + "=x")["a"]["b"]["b"]["b"]
    with pytest.raises(FormError):
        parse_form("a" + "[b]" * (MAX_DEPTH + 1) + "=x")


def test_a_large_body_is_refused_and_the_header_key_checked_first(sandbox_url):
    body = "description=" + "x" * 300_000
    status, _, answer = call(f"{sandbox_url}/v1/payment_intents", body, SECRET)
    assert status == 413 and answer["error"]["message"] == "Request body too large: the sandbox accepts at most 256 KB."
    status, _, answer = call(f"{sandbox_url}/v1/payment_intents", body, {"Authorization": "Bearer sk_live_nope"})
    assert status == 401 and answer["error"]["message"].startswith("Invalid API Key provided")


@pytest.mark.parametrize("query", ["0=x", "expand[%C2%B2]=x", "a=1&a[b]=2", "a[b]=1&a=2", "expand[99999999999]=x"])
def test_odd_names_are_client_errors(sandbox_url, query):
    status, _, body = call(f"{sandbox_url}/v1/payment_intents?{query}", headers=SECRET)
    assert 400 <= status < 500 and body["error"]["type"] == "invalid_request_error"


def confirm_as_stripe_js(sandbox_url, pi, fields, headers=None):
    body = urlencode(
        {
            "key": PUBLISHABLE_KEY,
            "client_secret": pi.client_secret,
            "return_url": "http://127.0.0.1/r",
            "payment_method_data[type]": "card",
            **fields,
        }
    )
    return call(f"{sandbox_url}/v1/payment_intents/{pi.id}/confirm", body, headers)


def test_card_data_of_the_wrong_shape_is_a_400_not_a_500(sandbox_url, new_intent):
    status, _, body = confirm_as_stripe_js(sandbox_url, new_intent(), {"payment_method_data[card]": "x"})
    assert (status, body["error"]["param"]) == (400, "payment_method_data[card]")
    status, _, body = confirm_as_stripe_js(
        sandbox_url,
        new_intent(),
        {
            "payment_method_data[card][number]": "4242424242424242",
            "payment_method_data[card][exp_month][x]": "1",
            "payment_method_data[card][exp_year]": "2034",
        },
    )
    assert (status, body["error"]["code"]) == (402, "invalid_expiry_month")


def test_a_web_page_cannot_use_a_secret_key(sandbox_url, new_intent):
    status, _, body = call(f"{sandbox_url}/v1/payment_intents", headers={**SECRET, **EVIL})
    assert status == 403 and body["error"]["message"].startswith("A secret API key cannot be used from a web page")
    status, _, body = call(f"{sandbox_url}/v1/payment_intents", f"key={SECRET_KEY}&amount=2300&currency=usd", EVIL)
    assert status == 401 and body["error"]["message"].startswith("Secret API keys are accepted only in the")
    status, headers, _ = call(
        f"{sandbox_url}/v1/payment_intents",
        headers={**EVIL, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"},
        method="OPTIONS",
    )
    assert status == 200 and "authorization" not in headers["Access-Control-Allow-Headers"].lower()


def test_a_web_page_still_uses_a_publishable_key(sandbox_url, new_intent):
    pi = new_intent(payment_method_types=["card"])
    query = urlencode({"key": PUBLISHABLE_KEY, "client_secret": pi.client_secret})
    status, headers, body = call(f"{sandbox_url}/v1/payment_intents/{pi.id}?{query}", headers=EVIL)
    assert (status, body["id"], headers["Access-Control-Allow-Origin"]) == (200, pi.id, "*")
    status, _, body = confirm_as_stripe_js(
        sandbox_url,
        pi,
        {
            "payment_method_data[card][number]": "4242424242424242",
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "2034",
            "payment_method_data[card][cvc]": "123",
        },
        EVIL,
    )
    assert (status, body["status"]) == (200, "succeeded")
