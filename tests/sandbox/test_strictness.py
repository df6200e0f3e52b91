"""Where Stripe refuses a request, the sandbox refuses it too: malformed values, metadata, off_session, lists."""

import time

import pytest
import stripe

from tests.sandbox.conftest import RETURN_URL, refused


def create(client, **params):
    return client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", **params})


# -- malformed values --------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "12.5", "1e3", "0x10", "٣", "99999999999999999999"])
def test_malformed_integers_are_parameter_invalid_integer(stripe_client, value):
    error = refused(lambda: create(stripe_client, amount=value))
    assert (error.http_status, error.code, error.param) == (400, "parameter_invalid_integer", "amount")
    assert error.user_message == f"Invalid integer: {value}"


@pytest.mark.parametrize("amount", [0, -100])
def test_amounts_below_one_are_parameter_invalid_integer(stripe_client, amount):
    error = refused(lambda: create(stripe_client, amount=amount))
    assert (error.code, error.param, error.user_message) == (
        "parameter_invalid_integer",
        "amount",
        "This value must be greater than or equal to 1.",
    )


def test_an_empty_value_that_cannot_be_unset_is_parameter_invalid_empty(stripe_client):
    error = refused(lambda: create(stripe_client, amount=""))
    assert (error.code, error.param) == ("parameter_invalid_empty", "amount")
    assert error.user_message.startswith(
        "You passed an empty string for 'amount'. We assume empty values are an "
        "attempt to unset a parameter; however 'amount' cannot be unset."
    )


def test_malformed_booleans_and_enum_values(stripe_client):
    error = refused(lambda: create(stripe_client, confirm="yes"))
    assert (error.param, error.user_message) == ("confirm", "Invalid boolean: yes")
    error = refused(lambda: create(stripe_client, capture_method="later"))
    assert (error.param, error.code) == ("capture_method", None)
    assert error.user_message == "Invalid capture_method: must be one of automatic, automatic_async, or manual"
    error = refused(lambda: create(stripe_client, automatic_payment_methods={"enabled": "maybe"}))
    assert (error.param, error.user_message) == ("automatic_payment_methods[enabled]", "Invalid boolean: maybe")


def test_refund_and_capture_amounts_are_checked_the_same_way(stripe_client, new_intent):
    paid = create(stripe_client, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL)
    error = refused(lambda: stripe_client.v1.refunds.create(params={"payment_intent": paid.id, "amount": 0}))
    assert (error.code, error.param) == ("parameter_invalid_integer", "amount")
    held = create(
        stripe_client, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL, capture_method="manual"
    )
    error = refused(lambda: stripe_client.v1.payment_intents.capture(held.id, params={"amount_to_capture": "all"}))
    assert (error.code, error.param) == ("parameter_invalid_integer", "amount_to_capture")


# -- metadata ----------------------------------------------------------------
def test_metadata_keys_up_to_40_characters(stripe_client):
    assert create(stripe_client, metadata={"k" * 40: "fits"}).metadata["k" * 40] == "fits"
    error = refused(lambda: create(stripe_client, metadata={"k" * 41: "too long"}))
    assert error.http_status == 400
    assert error.user_message == (
        "Metadata keys can have up to 40 characters, but you passed in a key that is 41 "
        f"characters. Invalid key: {'k' * 41}"
    )


def test_metadata_values_up_to_500_characters(stripe_client):
    assert len(create(stripe_client, metadata={"note": "v" * 500}).metadata["note"]) == 500
    error = refused(lambda: create(stripe_client, metadata={"note": "v" * 501}))
    assert error.user_message.startswith(
        "Metadata values can have up to 500 characters, but you passed in a value that is 501 characters."
    )


def test_metadata_up_to_50_keys_counted_after_an_update_merges(stripe_client):
    many = {f"key{i}": "x" for i in range(51)}
    error = refused(lambda: create(stripe_client, metadata=many))
    assert error.user_message.startswith("Metadata can have up to 50 keys, but you've set 51.")
    pi = create(stripe_client, metadata={f"key{i}": "x" for i in range(30)})
    error = refused(
        lambda: stripe_client.v1.payment_intents.update(
            pi.id, params={"metadata": {f"more{i}": "y" for i in range(25)}}
        )
    )
    assert error.user_message.startswith("Metadata can have up to 50 keys")
    emptied = stripe_client.v1.payment_intents.update(pi.id, params={"metadata": {"key0": "", "more0": "y"}})
    assert "key0" not in emptied.metadata and emptied.metadata["more0"] == "y"


def test_refund_metadata_has_the_same_limits(stripe_client):
    paid = create(stripe_client, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL)
    error = refused(
        lambda: stripe_client.v1.refunds.create(params={"payment_intent": paid.id, "metadata": {"k" * 41: "x"}})
    )
    assert error.user_message.startswith("Metadata keys can have up to 40 characters")


# -- off_session -------------------------------------------------------------
def test_off_session_needs_confirm(stripe_client):
    error = refused(lambda: create(stripe_client, payment_method="pm_card_visa", off_session=True))
    assert (error.http_status, error.param) == (400, "off_session")
    assert "confirm" in error.user_message


def test_off_session_payment_succeeds_without_a_customer_present(stripe_client):
    pi = create(
        stripe_client, payment_method="pm_card_visa", confirm=True, off_session=True, payment_method_types=["card"]
    )
    assert pi.status == "succeeded"


def test_off_session_card_that_needs_authentication_is_declined(stripe_client):
    error = refused(
        lambda: create(
            stripe_client,
            payment_method="pm_card_authenticationRequired",
            confirm=True,
            off_session=True,
            payment_method_types=["card"],
        ),
        stripe.CardError,
    )
    assert (error.http_status, error.code, error.error.decline_code) == (
        402,
        "authentication_required",
        "authentication_required",
    )
    assert error.user_message == "Your card was declined. This transaction requires authentication."
    pi = error.error.payment_intent
    assert (pi.status, pi.last_payment_error.code, pi.next_action) == (
        "requires_payment_method",
        "authentication_required",
        None,
    )


def test_off_session_cannot_set_up_future_usage(stripe_client):
    error = refused(
        lambda: create(
            stripe_client,
            payment_method="pm_card_visa",
            confirm=True,
            off_session=True,
            setup_future_usage="off_session",
            payment_method_types=["card"],
        )
    )
    assert error.user_message.startswith(
        "You cannot confirm with the `off_session` parameter when `setup_future_usage` is also set on the PaymentIntent"
    )


# -- lists -------------------------------------------------------------------
@pytest.mark.parametrize("cursor", ["starting_after", "ending_before"])
def test_unknown_cursor_ids_are_resource_missing(stripe_client, cursor):
    error = refused(lambda: stripe_client.v1.payment_intents.list(params={cursor: "pi_doesnotexist"}))
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", cursor)
    assert error.user_message == "No such payment_intent: 'pi_doesnotexist'"
    charge_id = create(stripe_client, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL).latest_charge
    error = refused(lambda: stripe_client.v1.payment_intents.list(params={cursor: charge_id}))
    assert error.code == "resource_missing"  # a cursor must name an object of the listed kind


def test_both_cursors_at_once_are_refused(stripe_client):
    pi = create(stripe_client)
    error = refused(
        lambda: stripe_client.v1.payment_intents.list(params={"starting_after": pi.id, "ending_before": pi.id})
    )
    assert error.user_message == "Received both starting_after and ending_before parameters. Please pass in only one."


def test_created_filters_on_lists(stripe_client):
    def paid_and_refunded(description):
        pi = create(
            stripe_client, description=description, confirm=True, payment_method="pm_card_visa", return_url=RETURN_URL
        )
        return pi, stripe_client.v1.refunds.create(params={"payment_intent": pi.id})

    def listed(listing, created):
        return [obj.id for obj in listing.list(params={"created": created, "limit": 100}).data]

    before, before_refund = paid_and_refunded("before")
    time.sleep(1.1)  # ``created`` has one-second resolution
    after, after_refund = paid_and_refunded("after")
    since = listed(stripe_client.v1.payment_intents, {"gte": after.created})
    assert after.id in since and before.id not in since
    until = listed(stripe_client.v1.payment_intents, {"lt": after.created})
    assert before.id in until and after.id not in until
    exact = stripe_client.v1.payment_intents.list(params={"created": before.created, "limit": 100})
    assert before.id in [pi.id for pi in exact.data] and all(pi.created == before.created for pi in exact.data)
    window, later = {"gt": before.created - 1, "lt": after.created}, {"gte": after.created}  # before's, after's
    for listing, made_before, made_after in (
        (stripe_client.v1.charges, before.latest_charge, after.latest_charge),
        (stripe_client.v1.refunds, before_refund.id, after_refund.id),
    ):
        assert made_before in listed(listing, window) and made_after not in listed(listing, window)
        assert made_after in listed(listing, later) and made_before not in listed(listing, later)
    events = stripe_client.v1.events.list(params={"created": later, "limit": 100}).data
    created = [event.data.object.id for event in events if event.type == "payment_intent.created"]
    assert after.id in created and before.id not in created
    assert events and all(event.created >= after.created for event in events)


def test_malformed_created_filters(stripe_client):
    error = refused(lambda: stripe_client.v1.payment_intents.list(params={"created": {"after": 1}}))
    assert (error.code, error.param) == ("parameter_unknown", "created[after]")
    error = refused(lambda: stripe_client.v1.payment_intents.list(params={"created": {"gt": "yesterday"}}))
    assert (error.code, error.param) == ("parameter_invalid_integer", "created[gt]")
    error = refused(lambda: stripe_client.v1.webhook_endpoints.list(params={"created": 1}))
    assert (error.code, error.param) == ("parameter_unknown", "created")  # Stripe has no such filter there
