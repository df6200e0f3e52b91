"""Idempotency keys, authentication and error envelopes, as stripe-python sees them."""

import base64
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import stripe

from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY


def create(client, key, **params):
    return client.v1.payment_intents.create(
        params={"amount": 2300, "currency": "usd", **params}, options={"idempotency_key": key}
    )


def test_same_key_same_params_replays_one_payment_intent(stripe_client):
    first = create(stripe_client, "order-42")
    again = create(stripe_client, "order-42")
    assert first.id == again.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert first.last_response.headers.get("Idempotent-Replayed") is None


def test_same_key_other_params_is_an_idempotency_error(stripe_client):
    create(stripe_client, "order-43")
    with pytest.raises(stripe.IdempotencyError) as caught:
        create(stripe_client, "order-43", amount=9900)
    assert caught.value.http_status == 400
    assert caught.value.user_message == (
        "Keys for idempotent requests can only be used with the same parameters they were first used with. Try "
        "using a key other than 'order-43' if you meant to execute a different request."
    )


def test_keys_are_scoped_per_api_key(stripe_client, sandbox_url):
    other = stripe.StripeClient("sk_test_another_account_key", base_addresses={"api": sandbox_url})
    assert create(stripe_client, "shared-key").id != create(other, "shared-key").id


def test_declines_are_replayed_too(stripe_client):
    pi = create(stripe_client, "pi-for-decline")
    for _ in range(2):
        with pytest.raises(stripe.CardError) as caught:
            stripe_client.v1.payment_intents.confirm(
                pi.id,
                params={"payment_method": "pm_card_chargeDeclined", "return_url": "http://127.0.0.1/r"},
                options={"idempotency_key": "confirm-once"},
            )
    assert caught.value.headers.get("Idempotent-Replayed") == "true"
    charges = stripe_client.v1.charges.list(params={"payment_intent": pi.id})
    assert len(charges.data) == 1  # the replay did not attempt a second charge


def post(url, body, key=None, secret=True):
    """A raw form POST, with the secret key unless ``secret`` is False (``key``: an Idempotency-Key).

    Returns (status, headers, JSON body).
    """
    headers = {"Authorization": f"Bearer {SECRET_KEY}"} if secret else {}
    return raw(url, {**headers, **({"Idempotency-Key": key} if key else {})}, urllib.parse.urlencode(body).encode())


def test_a_card_refused_before_any_charge_is_replayed_too(stripe_client, sandbox_url):
    """A 402 the request raised (an impossible expiry month) executed, so it is saved, as a decline is."""
    pi = create(stripe_client, "pi-for-bad-card")
    card = {"number": "4242424242424242", "exp_month": "13", "exp_year": "2034", "cvc": "123"}
    body = {
        "key": PUBLISHABLE_KEY,  # card data comes from Stripe.js, with the publishable key and the client secret
        "client_secret": pi.client_secret,
        "return_url": "http://127.0.0.1/r",
        "payment_method_data[type]": "card",
        **{f"payment_method_data[card][{name}]": value for name, value in card.items()},
    }
    url = f"{sandbox_url}/v1/payment_intents/{pi.id}/confirm"
    first, again = (post(url, body, "bad-card-once", secret=False) for _ in range(2))
    assert first[0] == again[0] == 402 and first[2] == again[2]
    assert again[2]["error"]["code"] == "invalid_expiry_month"
    assert (first[1].get("Idempotent-Replayed"), again[1].get("Idempotent-Replayed")) == (None, "true")


def test_a_request_refused_before_it_ran_is_not_saved(sandbox_url):
    """A 404 (or a 400) is answered afresh on a retry with the same key, never replayed."""
    url = f"{sandbox_url}/v1/payment_intents/pi_3NotThere00000000000000/confirm"
    for _ in range(2):
        status, headers, body = post(url, {"payment_method": "pm_card_visa"}, "confirm-missing")
        assert (status, body["error"]["code"], headers.get("Idempotent-Replayed")) == (404, "resource_missing", None)


def test_the_same_parameters_in_another_order_are_the_same_request(sandbox_url):
    url = f"{sandbox_url}/v1/payment_intents"
    first = post(url, {"amount": "2300", "currency": "usd"}, "reordered")
    again = post(url, {"currency": "usd", "amount": "2300"}, "reordered")
    assert again[2]["id"] == first[2]["id"] and again[1].get("Idempotent-Replayed") == "true"


def test_other_parameters_are_refused_whichever_came_first(stripe_client):
    """Both orders of two different requests under one key each: the comparison is "differs", not an ordering."""
    for key, amounts in (("first-a", (2300, 9900)), ("first-b", (9900, 2300))):
        create(stripe_client, key, amount=amounts[0])
        with pytest.raises(stripe.IdempotencyError):
            create(stripe_client, key, amount=amounts[1])


def test_a_one_character_key_is_a_key(stripe_client):
    assert create(stripe_client, "k").id == create(stripe_client, "k").id


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (f"Token {SECRET_KEY}", 401),  # a scheme other than Bearer and Basic carries no key
        (f"Apikey {base64.b64encode(f'{SECRET_KEY}:'.encode()).decode()}", 401),
        (f"Token {base64.b64encode(f'{SECRET_KEY}:'.encode()).decode()}", 401),
        (f"Basic {base64.b64encode(f'{SECRET_KEY}:'.encode()).decode()}!!", 401),  # not base64 as it stands
        ("Basic !!!", 401),
        (f"Basic {base64.b64encode(bytes([0xFF, 0xFE])).decode()}", 401),  # base64, but not UTF-8
        (f"bearer {SECRET_KEY}", 200),  # schemes are case-insensitive
        (f"BASIC {base64.b64encode(f'{SECRET_KEY}:'.encode()).decode()}", 200),
    ],
)
def test_only_bearer_and_basic_carry_a_key(sandbox_url, authorization, status):
    answer, _, body = raw(f"{sandbox_url}/v1/payment_intents?limit=1", {"Authorization": authorization})
    assert answer == status, body
    if status == 401:
        assert body["error"]["message"].startswith("You did not provide an API key.")


def key_length_message(length):
    return (
        f"Idempotent key length is {length} characters long, which is outside accepted lengths. Idempotent Keys "
        "must be 1-255 characters long. If you're looking for a decent generator, try using a UUID defined by IETF "
        "RFC 4122."
    )


def test_keys_over_255_characters_are_refused(stripe_client):
    with pytest.raises(stripe.IdempotencyError) as caught:
        create(stripe_client, "k" * 256)
    assert (caught.value.http_status, caught.value.user_message) == (400, key_length_message(256))
    assert create(stripe_client, "k" * 255).id == create(stripe_client, "k" * 255).id


def test_an_empty_key_is_refused_like_stripe(sandbox_url):
    """stripe-python never sends one (it generates a key instead); Stripe answers a raw empty header with 400."""
    status, _, body = raw(
        f"{sandbox_url}/v1/payment_intents",
        {"Authorization": f"Bearer {SECRET_KEY}", "Idempotency-Key": ""},
        data=b"amount=2300&currency=usd",
    )
    assert status == 400 and body["error"] == {"message": key_length_message(0), "type": "idempotency_error"}


def test_a_key_left_in_progress_by_a_crash_is_released(stripe_client, sandbox):
    """An older sandbox killed mid-request left its key "in progress": the order's checkout answered 502 for good."""
    with sqlite3.connect(sandbox.app.extensions["sandbox"].store.path) as db:
        db.execute(
            "INSERT INTO idempotency(api_key, key, fingerprint, created) VALUES (?, 'died-mid-request', "
            "'fingerprint-of-the-dead-request', 0)",
            (SECRET_KEY,),
        )
    first = create(stripe_client, "died-mid-request")
    assert create(stripe_client, "died-mid-request").id == first.id


def test_concurrent_duplicates_wait_and_replay_the_first_answer(stripe_client):
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: create(stripe_client, "double-click"), range(8)))
    assert len({pi.id for pi in answers}) == 1
    assert [pi.last_response.headers.get("Idempotent-Replayed") for pi in answers].count(None) == 1


def test_validation_errors_are_not_saved(stripe_client):
    with pytest.raises(stripe.InvalidRequestError):
        create(stripe_client, "retry-after-fix", amount=10)
    assert create(stripe_client, "retry-after-fix").status == "requires_payment_method"


def raw(url, headers=None, data=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {})) as response:
            return response.status, dict(response.headers), json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.load(exc)


def test_missing_key_and_basic_auth(sandbox_url):
    status, headers, body = raw(f"{sandbox_url}/v1/payment_intents")
    assert status == 401 and body["error"]["type"] == "invalid_request_error"
    assert body["error"]["message"].startswith("You did not provide an API key.")
    assert headers["Request-Id"].startswith("req_")

    basic = base64.b64encode(f"{SECRET_KEY}:".encode()).decode()
    status, _, body = raw(f"{sandbox_url}/v1/payment_intents?limit=1", {"Authorization": f"Basic {basic}"})
    assert status == 200 and body["object"] == "list"


def test_unknown_url_is_a_stripe_404(sandbox_url):
    status, _, body = raw(f"{sandbox_url}/v1/unicorns", {"Authorization": f"Bearer {SECRET_KEY}"})
    assert status == 404 and body["error"]["message"].startswith("Unrecognized request URL (GET: /v1/unicorns)")


def test_a_method_a_known_path_does_not_take_is_unrecognized_too(api_target):
    """Stripe routes on method and path: ``PUT /v1/payment_intents`` is a 404 like an unknown URL, not a 405."""
    base = api_target.api_base or "https://api.stripe.com"
    request = urllib.request.Request(
        f"{base}/v1/payment_intents", method="PUT", headers={"Authorization": f"Bearer {api_target.secret_key}"}
    )
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request)
    body = json.load(answer.value)
    assert answer.value.code == 404 and "Allow" not in answer.value.headers
    assert body["error"]["message"].startswith("Unrecognized request URL (PUT: /v1/payment_intents)")


def test_percent_encoded_and_raw_brackets_parse_the_same(sandbox_url, stripe_client):
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    # The newest PaymentIntent, with a payment method to expand.
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 2300, "currency": "usd", "payment_method": "pm_card_visa"}
    )
    status, _, body = raw(f"{sandbox_url}/v1/payment_intents?limit=1", auth)
    assert (status, body["data"][0]["id"]) == (200, pi.id) and body["data"][0]["payment_method"] == pi.payment_method
    for query in ("expand%5B0%5D=data.payment_method&limit=1", "expand[]=data.payment_method&limit=1"):
        status, _, body = raw(f"{sandbox_url}/v1/payment_intents?{query}", auth)
        assert (status, body["data"][0]["id"]) == (200, pi.id), body
        method = body["data"][0]["payment_method"]
        assert isinstance(method, dict) and (method["object"], method["id"]) == ("payment_method", pi.payment_method)
    status, _, body = raw(f"{sandbox_url}/v1/payment_intents?expand[]=latest_charge", auth)
    assert (status, body["error"]["param"]) == (400, "expand")
