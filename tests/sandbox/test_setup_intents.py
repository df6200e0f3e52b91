"""SetupIntents: saving a card without paying, with and without 3D Secure, as stripe-python and Stripe.js use them."""

import urllib.parse

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, events_about, refused

CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}


@pytest.fixture
def customer(stripe_client):
    return stripe_client.v1.customers.create(params={"description": "setup intents test"})


@pytest.fixture
def new_setup(stripe_client, customer):
    def create(**params):
        return stripe_client.v1.setup_intents.create(
            params={"customer": customer.id, "payment_method_types": ["card"], **params}
        )

    return create


def test_create_retrieve_update_and_list(stripe_client, customer, new_setup):
    si = new_setup(metadata={"order": "42"})
    assert si.id.startswith("seti_") and si.client_secret.startswith(si.id + "_secret_")
    assert (si.status, si.usage, si.customer, si.payment_method, si.latest_attempt) == (
        "requires_payment_method",
        "off_session",
        customer.id,
        None,
        None,
    )
    assert si.payment_method_options.card.request_three_d_secure == "automatic"
    on_session = new_setup(usage="on_session")
    assert on_session.usage == "on_session"
    updated = stripe_client.v1.setup_intents.update(
        si.id, params={"description": "Save a card", "metadata": {"order": "43"}}
    )
    assert (updated.description, updated.metadata.order) == ("Save a card", "43")
    assert stripe_client.v1.setup_intents.retrieve(si.id).to_dict() == updated.to_dict()
    listed = stripe_client.v1.setup_intents.list(params={"customer": customer.id})
    assert [s.id for s in listed.data] == [on_session.id, si.id]


def test_a_card_without_3d_secure_is_saved_and_set_up(stripe_client, customer, new_setup):
    si = stripe_client.v1.setup_intents.confirm(new_setup().id, params={"payment_method": "pm_card_visa"})
    assert (si.status, si.next_action, si.last_setup_error) == ("succeeded", None, None)
    pm = stripe_client.v1.payment_methods.retrieve(si.payment_method)
    assert pm.customer == customer.id
    attempt = stripe_client.v1.setup_intents.retrieve(si.id, params={"expand": ["latest_attempt"]}).latest_attempt
    assert (attempt.object, attempt.status, attempt.setup_intent, attempt.payment_method) == (
        "setup_attempt",
        "succeeded",
        si.id,
        pm.id,
    )
    kinds = [e.type for e in events_about(stripe_client, si.id, "setup_intent.")]
    assert kinds == ["setup_intent.created", "setup_intent.succeeded"]
    assert [e.type for e in events_about(stripe_client, pm.id, "payment_method.")] == ["payment_method.attached"]


def test_a_setup_intent_confirmed_twice_is_refused(stripe_client, new_setup):
    si = new_setup(payment_method="pm_card_visa", confirm=True)
    error = refused(lambda: stripe_client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"}))
    assert (error.http_status, error.code) == (400, "setup_intent_unexpected_state")
    assert error.user_message == "You cannot confirm this SetupIntent because it has already succeeded."
    assert error.error.setup_intent.id == si.id


def test_a_declined_card_fails_the_setup_and_saves_nothing(stripe_client, customer, new_setup):
    si = new_setup()
    error = refused(
        lambda: stripe_client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_chargeDeclined"}),
        stripe.CardError,
    )
    assert (error.http_status, error.code, error.error.decline_code) == (402, "card_declined", "generic_decline")
    assert error.error.setup_intent.id == si.id and error.error.payment_method.card.last4 == "0002"
    failed = stripe_client.v1.setup_intents.retrieve(si.id)
    assert (failed.status, failed.payment_method) == ("requires_payment_method", None)
    assert (failed.last_setup_error.code, failed.last_setup_error.decline_code) == ("card_declined", "generic_decline")
    assert stripe_client.v1.customers.payment_methods.list(customer.id).data == []
    kinds = [e.type for e in events_about(stripe_client, si.id, "setup_intent.")]
    assert kinds == ["setup_intent.created", "setup_intent.setup_failed"]
    retried = stripe_client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"})
    assert (retried.status, retried.last_setup_error) == ("succeeded", None)


def test_a_card_that_needs_3d_secure_waits_for_the_customer(stripe_client, new_setup):
    si = new_setup(payment_method="pm_card_authenticationRequiredOnSetup", confirm=True)
    assert (si.status, si.next_action.type) == ("requires_action", "use_stripe_sdk")
    kinds = [e.type for e in events_about(stripe_client, si.id, "setup_intent.")]
    assert kinds == ["setup_intent.created", "setup_intent.requires_action"]


@pytest.mark.sandbox_only("completes 3D Secure on the sandbox's own test page")
def test_3d_secure_completed_saves_the_card_and_off_session_payments_then_succeed(
    stripe_client, customer, new_setup, authenticate
):
    si = new_setup(payment_method="pm_card_authenticationRequiredOnSetup", confirm=True)
    authenticate(si, "complete")
    done = stripe_client.v1.setup_intents.retrieve(si.id)
    assert (done.status, done.next_action) == ("succeeded", None)
    pm = stripe_client.v1.payment_methods.retrieve(done.payment_method)
    assert pm.customer == customer.id
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 1099,
            "currency": "usd",
            "payment_method_types": ["card"],
            "customer": customer.id,
            "payment_method": pm.id,
            "off_session": True,
            "confirm": True,
        }
    )
    assert pi.status == "succeeded"


@pytest.mark.sandbox_only("fails 3D Secure on the sandbox's own test page")
def test_3d_secure_failed_is_the_last_setup_error(stripe_client, customer, new_setup, authenticate):
    si = new_setup(payment_method="pm_card_authenticationRequired", confirm=True)
    authenticate(si, "fail")
    failed = stripe_client.v1.setup_intents.retrieve(si.id)
    assert (failed.status, failed.payment_method, failed.next_action) == ("requires_payment_method", None, None)
    error = failed.last_setup_error
    assert (error.type, error.code, error.message) == (
        "invalid_request_error",
        "setup_intent_authentication_failure",
        "The latest attempt to set up the payment method has failed because authentication failed.",
    )
    assert error.payment_method.card.last4 == "3184"
    assert stripe_client.v1.customers.payment_methods.list(customer.id).data == []
    kinds = [e.type for e in events_about(stripe_client, si.id, "setup_intent.")]
    assert kinds == ["setup_intent.created", "setup_intent.requires_action", "setup_intent.setup_failed"]


@pytest.mark.sandbox_only("completes 3D Secure on the sandbox's own test page")
def test_3d_secure_by_redirect_returns_with_stripes_setup_intent_query(stripe_client, new_setup, authenticate):
    si = new_setup(payment_method="pm_card_authenticationRequiredOnSetup", confirm=True, return_url=RETURN_URL)
    assert (si.next_action.type, si.next_action.redirect_to_url.return_url) == ("redirect_to_url", RETURN_URL)
    status, location = authenticate(si, "complete")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
    assert status == 303 and location.startswith(RETURN_URL)
    assert query == {
        "setup_intent": [si.id],
        "setup_intent_client_secret": [si.client_secret],
        "redirect_status": ["succeeded"],
    }


def test_stripe_js_reads_and_confirms_with_the_publishable_key(stripe_client, publishable_client, customer, new_setup):
    si = new_setup()
    seen = publishable_client.v1.setup_intents.retrieve(si.id, params={"client_secret": si.client_secret})
    assert sorted(seen.to_dict()) == [
        "cancellation_reason",
        "client_secret",
        "created",
        "description",
        "id",
        "last_setup_error",
        "livemode",
        "next_action",
        "object",
        "payment_method",
        "payment_method_types",
        "status",
        "usage",
    ]
    confirmed = publishable_client.v1.setup_intents.confirm(
        si.id,
        params={
            "client_secret": si.client_secret,
            "payment_method_data": {"type": "card", "card": CARD, "billing_details": {"email": "jenny@example.com"}},
        },
    )
    assert confirmed.status == "succeeded" and "customer" not in confirmed
    pm = stripe_client.v1.payment_methods.retrieve(confirmed.payment_method)
    assert (pm.customer, pm.billing_details.email) == (customer.id, "jenny@example.com")
    error = refused(
        lambda: publishable_client.v1.setup_intents.retrieve(si.id, params={"client_secret": si.id + "_secret_wrong"})
    )
    assert (error.http_status, error.param) == (400, "client_secret")
    error = refused(lambda: publishable_client.v1.setup_intents.cancel(si.id), stripe.AuthenticationError)
    assert error.http_status == 401


def test_another_customers_payment_method_is_refused(stripe_client, customer, new_setup):
    saved = stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    other = stripe_client.v1.customers.create()
    error = refused(
        lambda: stripe_client.v1.setup_intents.create(params={"customer": other.id, "payment_method": saved.id})
    )
    assert (error.http_status, error.code, error.param) == (400, None, "payment_method")
    assert error.user_message == (
        f"The PaymentMethod {saved.id} does not belong to the Customer you supplied {other.id}. Please use this "
        "PaymentMethod with the Customer that it belongs to instead."
    )
    error = refused(lambda: stripe_client.v1.setup_intents.create(params={"payment_method": saved.id}))
    assert error.user_message == (
        f"The payment method supplied ({saved.id}) belongs to the Customer {customer.id}. Please include the "
        "Customer in the `customer` parameter on the SetupIntent."
    )
    assert stripe_client.v1.setup_intents.list(params={"customer": other.id}).data == []


def test_confirm_cancel_and_update_refuse_what_stripe_refuses(stripe_client, new_setup):
    si = new_setup()
    error = refused(lambda: stripe_client.v1.setup_intents.confirm(si.id))
    assert error.code == "setup_intent_unexpected_state" and "missing a payment method" in error.user_message
    canceled = stripe_client.v1.setup_intents.cancel(si.id, params={"cancellation_reason": "abandoned"})
    assert (canceled.status, canceled.cancellation_reason) == ("canceled", "abandoned")
    error = refused(lambda: stripe_client.v1.setup_intents.cancel(si.id))
    assert error.user_message == "You cannot cancel this SetupIntent because it is already canceled."
    error = refused(lambda: stripe_client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"}))
    assert error.user_message == "You cannot confirm this SetupIntent because it has been canceled."
    done = new_setup(payment_method="pm_card_visa", confirm=True)
    error = refused(lambda: stripe_client.v1.setup_intents.cancel(done.id))
    assert error.user_message == (
        "You cannot cancel this SetupIntent because it has a status of succeeded. Only a SetupIntent with one of the "
        "following statuses may be canceled: `requires_payment_method`, `requires_confirmation`, or "
        "`requires_action`."
    )
    error = refused(lambda: stripe_client.v1.setup_intents.update(done.id, params={"payment_method": "pm_card_visa"}))
    assert error.user_message == "You cannot update this SetupIntent because it has already succeeded."


def test_a_detached_payment_method_cannot_be_set_up_again(stripe_client, customer, new_setup):
    saved = stripe_client.v1.payment_methods.attach("pm_card_visa", params={"customer": customer.id})
    stripe_client.v1.payment_methods.detach(saved.id)
    error = refused(lambda: new_setup(payment_method=saved.id))
    assert (error.http_status, error.param) == (400, "payment_method")


def test_automatic_payment_methods_by_default_need_a_return_url(stripe_client, customer):
    si = stripe_client.v1.setup_intents.create(params={"customer": customer.id})
    assert si.automatic_payment_methods.enabled is True
    error = refused(lambda: stripe_client.v1.setup_intents.confirm(si.id, params={"payment_method": "pm_card_visa"}))
    assert (error.http_status, error.param) == (400, "return_url")
    done = stripe_client.v1.setup_intents.confirm(
        si.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    assert done.status == "succeeded"


@pytest.mark.parametrize(
    "params, code, param",
    [
        ({"usage": "sometimes"}, None, "usage"),
        ({"customer": "cus_nope"}, "resource_missing", "customer"),
        ({"payment_method": "pm_nope"}, "resource_missing", "payment_method"),
        ({"confirm": "yes"}, None, "confirm"),
        ({"amount": 1000}, "parameter_unknown", "amount"),
    ],
)
def test_bad_input_is_refused_and_creates_nothing(stripe_client, customer, params, code, param):
    error = refused(
        lambda: (
            stripe_client.v1.setup_intents.create(params={"customer": customer.id, **params})
            if "customer" not in params
            else stripe_client.v1.setup_intents.create(params=params)
        )
    )
    assert 400 <= error.http_status < 500 and (error.code, error.param) == (code, param)
    assert stripe_client.v1.setup_intents.list(params={"customer": customer.id}).data == []


def test_an_unknown_setup_intent_is_stripes_404(stripe_client):
    error = refused(lambda: stripe_client.v1.setup_intents.retrieve("seti_doesnotexist"))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "intent")
    assert error.user_message == "No such setupintent: 'seti_doesnotexist'"
