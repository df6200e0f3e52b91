"""Fuzz the shop's JSON API (schemathesis, from its own ``/openapi.json``) and its webhook (hypothesis): no 5xx.

Schemathesis generates valid and invalid requests for each operation and checks
each answer: no server error, status codes, content types, headers and bodies as
the description says, invalid data rejected, authentication enforced.  Two checks
cannot hold by design and are left out where they can't: an order the schema
allows may still be refused (lines of one book adding up to more than 10, a key
reused with another body, an address email-validator rejects), and a webhook needs
a signature no generator can make, so the webhook is fuzzed separately with
signed, randomly shaped events.  Bounded examples: about 10 s in all on two cores.
"""

import json

import pytest
import schemathesis
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import positive_data_acceptance

from press_workbench.sandbox.serving import serve_in_thread
from press_workbench.shop import create_app
from press_workbench.shop.openapi import SPEC

MAX_EXAMPLES = 40
SECRET = "whsec_fuzz"
REFUSES_SOME_VALID = {"POST /api/orders", "POST /api/quote", "POST /webhook"}  # merged quantities over 10
fuzzing = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

schema = schemathesis.openapi.from_dict(SPEC)


@pytest.fixture(scope="module")
def shop(tmp_path_factory, sandbox_url):
    """One shop served over HTTP for every operation (the fuzzer's orders are real, with their PaymentIntents)."""
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("fuzzed")), "SANDBOX_URL": sandbox_url})
    running = serve_in_thread(app, name="fuzzed shop")
    app.config["SHOP_URL"] = running.url
    yield running
    running.stop()


@schema.parametrize()
@fuzzing
def test_api_answers_as_described_and_never_fails(case, shop):
    excluded = [positive_data_acceptance] if f"{case.method} {case.path}" in REFUSES_SOME_VALID else []
    operator = {"Authorization": f"Bearer {shop.app.config['OPERATOR_TOKEN']}"}
    case.call_and_validate(base_url=shop.url, headers=operator, excluded_checks=excluded)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
PI_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=12) | JSON,
        "status": st.sampled_from(["succeeded", "canceled", "requires_payment_method"]),
        "amount": st.integers() | JSON,
        "amount_received": st.integers() | JSON,
        "currency": st.just("usd") | JSON,
        "metadata": st.dictionaries(st.just("order_id"), st.text(max_size=12)) | JSON,
        "last_payment_error": JSON,
        "refunded": st.booleans() | JSON,
        "payment_intent": st.text(max_size=12) | JSON,
    },
)
EVENTS = (
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.text(min_size=1, max_size=12) | JSON,
            "type": st.sampled_from(
                [
                    "payment_intent.succeeded",
                    "payment_intent.payment_failed",
                    "payment_intent.canceled",
                    "charge.refunded",
                    "customer.created",
                ]
            )
            | JSON,
            "data": st.fixed_dictionaries({}, optional={"object": PI_FIELDS | JSON}) | JSON,
        },
    )
    | JSON
)


@given(event=EVENTS)
@fuzzing
def test_signed_webhooks_of_any_shape_never_fail(app, event):
    app.config["STRIPE_WEBHOOK_SECRET"] = SECRET
    payload = json.dumps(event)
    response = app.test_client().post(
        "/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(payload, SECRET)},
    )
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    assert response.is_json and ("error" in response.get_json()) == (response.status_code == 400)
