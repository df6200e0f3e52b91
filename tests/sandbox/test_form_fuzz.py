"""Fuzzing the sandbox's form parser: whatever a client sends, the answer is never a 5xx.

Hypothesis builds bracketed names (``a[b][]``, ``expand[0]``, unbalanced and unicode
ones), values and raw bodies, and sends them through the whole WSGI app to the
endpoints that parse the most: create and list with the secret key, confirm and
PaymentMethod creation with the publishable key as Stripe.js sends them, and the
customer, saved-card and SetupIntent endpoints.
"""

import json
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY, create_sandbox_app
from press_workbench.sandbox.pipeline.forms import encode_form, parse_form

FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(st.sampled_from("abc019_-[]%&=+ .²é\x00"), max_size=12)
REAL_NAMES = st.sampled_from(
    [
        "amount",
        "currency",
        "confirm",
        "payment_method",
        "payment_method_data",
        "metadata",
        "expand",
        "limit",
        "card",
        "type",
        "return_url",
        "starting_after",
        "capture_method",
        "payment_method_types",
        "automatic_payment_methods",
        "shipping",
        "billing_details",
        "customer",
        "email",
        "name",
        "address",
        "invoice_settings",
        "usage",
        "setup_future_usage",
        "payment_method_options",
        "off_session",
        "client_secret",
        "default_payment_method",
        "footer",
        "line1",
        "request_three_d_secure",
    ]
)
NAMES = st.builds(
    lambda head, segments: head + "".join(f"[{s}]" for s in segments),
    st.one_of(REAL_NAMES, TEXT),
    st.lists(st.one_of(REAL_NAMES, TEXT, st.just("")), max_size=4),
)
VALUES = st.one_of(TEXT, st.sampled_from(["2300", "usd", "true", "card", "pm_card_visa", "4242424242424242", "-1", ""]))
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=12)
SHAPES = st.recursive(
    VALUES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.one_of(REAL_NAMES, TEXT), inner, max_size=3)
    ),
    max_leaves=8,
)
NESTED = st.dictionaries(REAL_NAMES, SHAPES, max_size=5)  # the right names with the wrong shapes
CARD_DATA = st.fixed_dictionaries(
    {"type": st.just("card")},
    optional={  # what Stripe.js sends, in every shape
        "card": st.one_of(
            SHAPES,
            st.fixed_dictionaries({}, optional=dict.fromkeys(("number", "exp_month", "exp_year", "cvc"), SHAPES)),
        ),
        "billing_details": SHAPES,
    },
)
ADDRESS = st.sampled_from(["line1", "line2", "city", "state", "postal_code", "country"])
FIELD_SHAPES = {  # the customer and SetupIntent parameters, one level deeper, in wrong shapes
    "email": SHAPES,
    "name": SHAPES,
    "customer": SHAPES,
    "payment_method": SHAPES,
    "usage": SHAPES,
    "metadata": SHAPES,
    "preferred_locales": SHAPES,
    "address": st.dictionaries(ADDRESS, SHAPES, max_size=3),
    "shipping": st.dictionaries(st.sampled_from(["name", "phone", "address"]), SHAPES, max_size=3),
    "invoice_settings": st.dictionaries(st.sampled_from(["default_payment_method", "footer"]), SHAPES, max_size=2),
    "payment_method_options": st.dictionaries(
        st.just("card"),
        st.dictionaries(st.sampled_from(["setup_future_usage", "request_three_d_secure"]), SHAPES, max_size=2),
    ),
}
# One parameter per body, so that each reaches its own check (an earlier refusal would hide the later ones).
CUSTOMER_FIELDS = st.one_of(
    [shape.map(lambda value, name=name: urlencode(encode_form({name: value}))) for name, shape in FIELD_SHAPES.items()]
)
BODIES = st.one_of(
    NESTED.map(lambda params: urlencode(encode_form(params))),
    PAIRS.map(urlencode),
    PAIRS.map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
    st.binary(max_size=200).map(lambda raw: raw.decode("latin-1")),
)


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """The sandbox app driven through WSGI (no sockets: fast), on its own data dir."""
    app = create_sandbox_app(str(tmp_path_factory.mktemp("fuzz")))
    client = app.test_client()
    created = client.post(
        "/v1/payment_intents",
        data="amount=2300&currency=usd&payment_method_types[]=card",
        headers={"Authorization": f"Bearer {SECRET_KEY}"},
        content_type="application/x-www-form-urlencoded",
    )
    yield client, created.get_json()
    app.extensions["sandbox"].worker.stop()


def assert_client_error_at_worst(response):
    assert response.status_code < 500, response.get_data(as_text=True)
    body = json.loads(response.get_data())
    if response.status_code >= 400:
        assert isinstance(body["error"]["message"], str) and body["error"]["type"]


@FUZZ
@given(body=BODIES)
def test_secret_key_calls_never_answer_5xx(api, body):
    client, _ = api
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    form = "application/x-www-form-urlencoded"
    assert_client_error_at_worst(client.post("/v1/payment_intents", data=body, headers=auth, content_type=form))
    query = quote(body, safe="=&[]")
    assert_client_error_at_worst(client.get(f"/v1/payment_intents?{query}", headers=auth))


@FUZZ
@given(card=CARD_DATA, body=BODIES)
def test_publishable_key_calls_never_answer_5xx(api, card, body):
    client, pi = api
    credentials = urlencode({"key": PUBLISHABLE_KEY, "client_secret": pi["client_secret"]})
    form = "application/x-www-form-urlencoded"
    for path, fields in (
        (f"/v1/payment_intents/{pi['id']}/confirm", {"payment_method_data": card}),
        ("/v1/payment_methods", card),
    ):
        for extra in (urlencode(encode_form(fields)), body):
            response = client.post(path, data=f"{credentials}&{extra}", content_type=form)
            assert_client_error_at_worst(response)


@pytest.fixture(scope="module")
def returning(api):
    """A customer with a saved card, and a SetupIntent of theirs waiting for a card."""
    client, _ = api
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    form = "application/x-www-form-urlencoded"
    customer = client.post("/v1/customers", data="payment_method=pm_card_visa", headers=auth, content_type=form)
    setup = client.post(
        "/v1/setup_intents",
        data=f"customer={customer.get_json()['id']}&payment_method_types[]=card",
        headers=auth,
        content_type=form,
    )
    return customer.get_json(), setup.get_json()


@FUZZ
@given(body=st.one_of(CUSTOMER_FIELDS, BODIES))
def test_customer_and_setup_intent_calls_never_answer_5xx(api, returning, body):
    client, _ = api
    customer, setup = returning
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    form = "application/x-www-form-urlencoded"
    for path in (
        "/v1/customers",
        f"/v1/customers/{customer['id']}",
        "/v1/payment_methods/pm_card_visa/attach",
        "/v1/setup_intents",
        f"/v1/setup_intents/{setup['id']}",
        f"/v1/setup_intents/{setup['id']}/confirm",
    ):
        assert_client_error_at_worst(client.post(path, data=body, headers=auth, content_type=form))
    query = quote(body, safe="=&[]")
    for path in ("/v1/customers", f"/v1/customers/{customer['id']}/payment_methods", "/v1/payment_methods"):
        assert_client_error_at_worst(client.get(f"{path}?{query}", headers=auth))
    credentials = urlencode({"key": PUBLISHABLE_KEY, "client_secret": setup["client_secret"]})
    confirm = client.post(f"/v1/setup_intents/{setup['id']}/confirm", data=f"{credentials}&{body}", content_type=form)
    assert_client_error_at_worst(confirm)


@FUZZ
@given(
    params=st.dictionaries(
        st.text("abcdefgh_", min_size=1, max_size=8),
        st.one_of(
            st.text(max_size=8),
            st.lists(st.text(max_size=8), min_size=1, max_size=3),
            st.dictionaries(st.text("ijklmn_", min_size=1, max_size=8), st.text(max_size=8), min_size=1, max_size=3),
        ),
    )
)
def test_parsing_undoes_stripe_pythons_encoding(params):
    assert parse_form(urlencode(encode_form(params))) == params
