"""PaymentIntent create/update/confirm/cancel/capture/list and 3D Secure, with Stripe's errors."""

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, pay


def invalid(call):
    with pytest.raises(stripe.InvalidRequestError) as caught:
        call()
    return caught.value


def test_create_accepts_what_the_shop_sends(stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={
            "amount": 4800,
            "currency": "usd",
            "automatic_payment_methods": {"enabled": True},
            "description": "Two books",
            "receipt_email": "reader@example.com",
            "metadata": {"order_id": "ord_9"},
        }
    )
    assert (pi.amount, pi.description, pi.receipt_email, pi.metadata.to_dict()) == (
        4800,
        "Two books",
        "reader@example.com",
        {"order_id": "ord_9"},
    )
    assert (pi.status, pi.amount_received, pi.latest_charge, pi.next_action) == (
        "requires_payment_method",
        0,
        None,
        None,
    )


@pytest.mark.parametrize(
    "amount, code, message",
    [
        (49, "amount_too_small", "Amount must be at least $0.50 usd"),
        (100_000_000, "amount_too_large", "Amount must be no more than $999,999.99"),
    ],
)
def test_amount_limits(stripe_client, amount, code, message):
    error = invalid(lambda: stripe_client.v1.payment_intents.create(params={"amount": amount, "currency": "usd"}))
    assert (error.http_status, error.code, error.param, error.user_message) == (400, code, "amount", message)


def test_missing_and_unknown_parameters(stripe_client):
    error = invalid(lambda: stripe_client.v1.payment_intents.create(params={"currency": "usd"}))
    assert (error.code, error.param, error.user_message) == (
        "parameter_missing",
        "amount",
        "Missing required param: amount.",
    )
    error = invalid(
        lambda: stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "colour": "blue"})
    )
    assert (error.code, error.param, error.user_message) == (
        "parameter_unknown",
        "colour",
        "Received unknown parameter: colour",
    )
    error = invalid(lambda: stripe_client.v1.payment_intents.create(params={"amount": "ten", "currency": "usd"}))
    assert error.param == "amount" and error.user_message == "Invalid integer: ten"
    error = invalid(lambda: stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "xyz"}))
    assert error.param == "currency"


def test_publishable_key_calls_ignore_unknown_stripe_js_fields(new_intent, publishable_client):
    pi = new_intent()
    done = publishable_client.v1.payment_intents.confirm(
        pi.id,
        params={
            "client_secret": pi.client_secret,
            "return_url": RETURN_URL,
            "expected_payment_method_type": "card",
            "use_stripe_sdk": "true",
            "client_context": {"currency": "usd"},
            "payment_method_data": {
                "type": "card",
                "guid": "x",
                "card": {"number": "4242424242424242", "exp_month": "12", "exp_year": "34", "cvc": "123"},
            },
        },
    )
    assert done.status == "succeeded"


def test_publishable_key_cannot_create_or_list(publishable_client):
    with pytest.raises(stripe.AuthenticationError):
        publishable_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})


def test_confirm_needs_return_url_with_automatic_payment_methods(new_intent, stripe_client):
    pi = new_intent()
    error = invalid(lambda: stripe_client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"}))
    assert error.http_status == 400 and error.param == "return_url" and "return_url" in error.user_message
    card_only = new_intent(payment_method_types=["card"])
    assert (
        stripe_client.v1.payment_intents.confirm(card_only.id, params={"payment_method": "pm_card_visa"}).status
        == "succeeded"
    )


def test_confirm_needs_a_payment_method(new_intent, stripe_client):
    error = invalid(
        lambda: stripe_client.v1.payment_intents.confirm(new_intent().id, params={"return_url": RETURN_URL})
    )
    assert error.http_status == 400 and error.code == "payment_intent_unexpected_state"
    assert "missing a payment method" in error.user_message


def test_confirm_twice_is_refused(new_intent, stripe_client):
    pi = stripe_client.v1.payment_intents.confirm(
        new_intent().id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    error = invalid(
        lambda: stripe_client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
        )
    )
    assert error.code == "payment_intent_unexpected_state" and "already succeeded" in error.user_message


def test_create_and_confirm_in_one_call_and_expand(stripe_client):
    pi = pay(stripe_client, expand=["latest_charge", "payment_method"])  # create with confirm=True
    assert pi.status == "succeeded"
    assert pi.latest_charge.object == "charge" and pi.latest_charge.amount_captured == 2300
    assert pi.payment_method.card.last4 == "4242"


def test_update_then_confirm_and_last_payment_error_cleared(new_intent, stripe_client):
    pi = new_intent(metadata={"a": "1", "b": "2"})
    with pytest.raises(stripe.CardError):
        stripe_client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": "pm_card_visa_chargeDeclined", "return_url": RETURN_URL}
        )
    updated = stripe_client.v1.payment_intents.update(
        pi.id, params={"amount": 2500, "metadata": {"a": "", "c": "3"}, "description": "updated"}
    )
    assert (updated.amount, updated.metadata.to_dict(), updated.last_payment_error) == (
        2500,
        {"b": "2", "c": "3"},
        None,
    )
    done = stripe_client.v1.payment_intents.confirm(
        pi.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    assert (done.status, done.amount_received) == ("succeeded", 2500)
    error = invalid(lambda: stripe_client.v1.payment_intents.update(pi.id, params={"amount": 9000}))
    assert error.code == "payment_intent_unexpected_state"


def test_cancel(new_intent, stripe_client):
    pi = stripe_client.v1.payment_intents.cancel(new_intent().id, params={"cancellation_reason": "abandoned"})
    assert (pi.status, pi.cancellation_reason) == ("canceled", "abandoned") and pi.canceled_at
    error = invalid(
        lambda: stripe_client.v1.payment_intents.confirm(
            pi.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
        )
    )
    assert "status of canceled" in error.user_message
    error = invalid(lambda: stripe_client.v1.payment_intents.cancel(pi.id))
    assert error.code == "payment_intent_unexpected_state"


def test_manual_capture_partial(new_intent, stripe_client):
    pi = stripe_client.v1.payment_intents.confirm(
        new_intent(capture_method="manual").id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    assert (pi.status, pi.amount_capturable, pi.amount_received) == ("requires_capture", 2300, 0)
    error = invalid(lambda: stripe_client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 9999}))
    assert error.param == "amount_to_capture"
    captured = stripe_client.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 2000})
    assert (captured.status, captured.amount_received, captured.amount_capturable) == ("succeeded", 2000, 0)
    charge = stripe_client.v1.charges.retrieve(captured.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.amount_refunded) == (True, 2000, 300)
    assert "requires_capture" in invalid(lambda: stripe_client.v1.payment_intents.capture(pi.id)).user_message
    refund = stripe_client.v1.refunds.create(params={"payment_intent": pi.id})  # what was captured, not 2000 − 300
    charge = stripe_client.v1.charges.retrieve(captured.latest_charge)
    assert (refund.amount, charge.amount_refunded, charge.refunded) == (2000, 2300, True)


def test_a_new_payment_method_clears_the_pending_three_d_secure_action(new_intent, stripe_client):
    pi = stripe_client.v1.payment_intents.confirm(
        new_intent().id, params={"payment_method": "pm_card_threeDSecure2Required", "return_url": RETURN_URL}
    )
    assert pi.status == "requires_action" and pi.next_action is not None
    updated = stripe_client.v1.payment_intents.update(pi.id, params={"payment_method": "pm_card_visa"})
    assert (updated.status, updated.next_action) == ("requires_confirmation", None)


def test_cancel_an_authorisation_releases_it(new_intent, stripe_client):
    pi = stripe_client.v1.payment_intents.confirm(
        new_intent(capture_method="manual").id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    canceled = stripe_client.v1.payment_intents.cancel(pi.id)
    assert canceled.status == "canceled" and canceled.amount_capturable == 0
    assert stripe_client.v1.charges.retrieve(pi.latest_charge).refunded is True


def test_list_with_pagination(stripe_client):
    made = [
        stripe_client.v1.payment_intents.create(params={"amount": 5000 + i, "currency": "usd"}).id for i in range(5)
    ]
    first = stripe_client.v1.payment_intents.list(params={"limit": 3})
    assert [pi.id for pi in first.data] == made[::-1][:3] and first.has_more
    rest = stripe_client.v1.payment_intents.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert [pi.id for pi in rest.data] == made[::-1][3:5]
    error = invalid(lambda: stripe_client.v1.payment_intents.list(params={"limit": 101}))
    assert error.param == "limit"


def test_three_d_secure_complete(new_intent, confirm_card, authenticate, stripe_client):
    pi = new_intent()
    assert confirm_card(pi, "4000002760003184").status == "requires_action"
    status, location = authenticate(pi, "complete")
    assert status == 303
    assert location.startswith(RETURN_URL + "?payment_intent=" + pi.id)
    assert "redirect_status=succeeded" in location and "payment_intent_client_secret=" in location
    done = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert (done.status, done.amount_received, done.next_action) == ("succeeded", 2300, None)


def test_three_d_secure_returns_to_a_url_with_its_own_query_and_fragment(new_intent, confirm_card, authenticate):
    pi = new_intent()
    confirm_card(pi, "4000002760003184")
    _, location = authenticate(pi, "complete", return_url="http://127.0.0.1/return?step=2#receipt")
    assert location.startswith(f"http://127.0.0.1/return?step=2&payment_intent={pi.id}&")
    assert location.endswith("&redirect_status=succeeded#receipt")


def test_three_d_secure_fail(new_intent, confirm_card, authenticate, stripe_client):
    pi = new_intent()
    confirm_card(pi, "4000000000003220")
    status, location = authenticate(pi, "fail", return_url=RETURN_URL + "?from=test")
    assert location.startswith(RETURN_URL + "?from=test&payment_intent=") and "redirect_status=failed" in location
    failed = stripe_client.v1.payment_intents.retrieve(pi.id)
    assert failed.status == "requires_payment_method" and failed.payment_method is None
    assert failed.last_payment_error.code == "payment_intent_authentication_failure"
    assert failed.last_payment_error.message.startswith("The provided PaymentMethod has failed authentication.")
    assert confirm_card(pi, "4242424242424242").status == "succeeded"  # retry works


def test_three_d_secure_server_side_without_return_url_uses_stripe_sdk(new_intent, stripe_client):
    pi = stripe_client.v1.payment_intents.confirm(
        new_intent(payment_method_types=["card"]).id, params={"payment_method": "pm_card_authenticationRequired"}
    )
    assert pi.status == "requires_action" and pi.next_action.type == "use_stripe_sdk"


def test_manual_confirmation_needs_the_secret_key(new_intent, confirm_card, stripe_client):
    pi = new_intent(confirmation_method="manual")
    error = invalid(lambda: confirm_card(pi, "4242424242424242"))
    assert "secret key" in error.user_message
    done = stripe_client.v1.payment_intents.confirm(
        pi.id, params={"payment_method": "pm_card_visa", "return_url": RETURN_URL}
    )
    assert done.status == "succeeded"
