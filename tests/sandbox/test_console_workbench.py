"""The console's Workbench views: Errors, one request's parameters and answer, and an event's guarded Resend."""

import re
import time

import pytest
import stripe

from press_workbench.sandbox import PUBLISHABLE_KEY
from tests.sandbox.test_console import text

pytestmark = pytest.mark.sandbox_only("reads the sandbox's own console pages")


@pytest.fixture
def console(sandbox):
    return sandbox.app.test_client()


@pytest.fixture
def decline(stripe_client, confirm_card):
    """``decline(number)``: a Payment Element confirm with a declined card, as a shopper makes it; the CardError."""

    def confirm(number="4000000000000002"):
        pi = stripe_client.v1.payment_intents.create(params={"amount": 1500, "currency": "usd"})
        with pytest.raises(stripe.CardError) as declined:
            confirm_card(pi, number)
        return pi, declined.value

    return confirm


def test_errors_view_groups_failures_by_error_and_endpoint(sandbox, console, stripe_client, decline):
    decline()
    _, latest = decline("4000000000009995")
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.payment_intents.retrieve("pi_nothere")
    page = text(console.get("/dashboard/errors")).replace("<wbr>", "")
    groups = re.findall(r'<tr data-row="\d+" data-testid="error-group">(.*?)</tr>', page)
    declined = next(g for g in groups if "card_declined" in g)
    assert 'POST</span> <code class="req-path">/v1/payment_intents/:id/confirm</code>' in declined
    count = int(re.search(r'<td class="num count">(\d+)</td>', declined).group(1))
    assert count >= 2 and "card_error" in declined
    assert latest.request_id in declined and "Your card has insufficient funds." in declined  # the latest example
    assert "decline code <code>insufficient_funds</code>" in declined
    gone = next(g for g in groups if "resource_missing" in g)
    assert "/v1/payment_intents/:id</code>" in gone and missing.value.request_id in gone
    assert "No such payment_intent: &#39;pi_nothere&#39;" in gone


def test_a_logged_request_shows_its_parameters_and_answer_with_secrets_masked(sandbox, console, stripe_client, decline):
    pi, declined = decline()
    listing = text(console.get("/dashboard/logs"))
    assert f'href="/dashboard/logs/{declined.request_id}"' in listing
    assert "card_declined / generic_decline: Your card was declined." in listing
    page = text(console.get(f"/dashboard/logs/{declined.request_id}"))
    params = re.search(r'data-testid="request-params">(.*?)</pre>', page).group(1)
    assert "&#34;number&#34;: &#34;•••• 0002&#34;" in params and "&#34;cvc&#34;: &#34;••••&#34;" in params
    assert f"&#34;client_secret&#34;: &#34;{pi.id}_secret_••••&#34;" in params
    response = re.search(r'data-testid="response-body">(.*?)</pre>', page).group(1)
    assert "&#34;decline_code&#34;: &#34;generic_decline&#34;" in response and pi.id in response
    assert "4000000000000002" not in page and pi.client_secret not in page and "sk_test_" not in page
    assert 'data-testid="log-error"' in page and "Your card was declined." in page
    missing = console.get("/dashboard/logs/req_notlogged")
    assert missing.status_code == 404 and "No such request in the log: req_notlogged" in missing.get_data(as_text=True)


def test_the_logs_page_filters_by_status_class(sandbox, console, stripe_client, decline):
    decline()
    page = text(console.get("/dashboard/logs?status_type=4XX"))
    statuses = re.findall(r'<td><span class="badge \w+">(\d+)</span></td>', page)
    assert statuses and all(s.startswith("4") for s in statuses)
    assert console.get("/dashboard/logs?status_type=3XX").status_code == 400


def deliveries(sandbox, evt_id):
    store = sandbox.app.extensions["sandbox"].store
    return store.execute("SELECT COUNT(*) FROM deliveries WHERE event_id = ?", (evt_id,)).fetchone()[0]


@pytest.fixture
def delivered(sandbox, stripe_client, receiver):
    """An event delivered once to a receiving endpoint: (event, endpoint with its secret, receiver)."""
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["payment_intent.canceled"]}
    )
    pi = stripe_client.v1.payment_intents.create(params={"amount": 1200, "currency": "usd"})
    stripe_client.v1.payment_intents.cancel(pi.id)
    receiver.wait_for(1)
    event = next(
        e for e in stripe_client.v1.events.list(params={"type": "payment_intent.canceled"}) if e.data.object.id == pi.id
    )
    yield event, endpoint, receiver
    stripe_client.v1.webhook_endpoints.delete(endpoint.id)


def resend_form(console, evt_id, we_id):
    """The Resend form the event page shows for one endpoint: its action and hidden fields."""
    page = console.get(f"/dashboard/events/{evt_id}").get_data(as_text=True)
    form = next(f for f in re.findall(r"<form method=\"post\".*?</form>", page, re.S) if we_id in f)
    action = re.search(r'action="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    return action, fields


def test_resend_delivers_the_event_again_with_a_fresh_signature(sandbox, console, delivered):
    event, endpoint, receiver = delivered
    action, fields = resend_form(console, event.id, endpoint.id)
    assert action == f"/dashboard/events/{event.id}/resend" and fields["webhook_endpoint"] == endpoint.id
    time.sleep(1)  # so the new signature's timestamp differs from the first one's
    resent_at = int(time.time())
    answer = console.post(action, data=fields, headers={"Sec-Fetch-Site": "same-origin"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(
        f"/dashboard/events/{event.id}?resent={endpoint.id}"
    )
    (_, first, first_signature), (_, again, signature) = receiver.wait_for(2)[:2]
    assert again == first and signature != first_signature  # the same event, signed again when it was resent
    assert int(signature.split(",")[0][2:]) >= resent_at > int(first_signature.split(",")[0][2:])
    assert stripe.Webhook.construct_event(again, signature, endpoint.secret).id == event.id
    page = text(console.get(f"/dashboard/events/{event.id}?resent={endpoint.id}"))
    rows = re.findall(r'data-testid="attempt-row">(.*?)</tr>', page)
    label = receiver.url.split("://")[1]  # other tests' endpoints may listen to this event too
    assert 'data-testid="resent"' in page and len([row for row in rows if label in row]) == 2


def test_resend_refuses_other_sites_stale_tokens_and_wrong_endpoints(sandbox, console, delivered, stripe_client):
    event, endpoint, _ = delivered
    action, fields = resend_form(console, event.id, endpoint.id)
    before = deliveries(sandbox, event.id)
    refused = [
        console.post(action, data=fields, headers={"Sec-Fetch-Site": "cross-site"}),
        console.post(action, data=fields, headers={"Origin": "http://evil.example"}),
        console.post(action, data={**fields, "token": "0" * 64}, headers={"Sec-Fetch-Site": "same-origin"}),
        console.post(action, data={"webhook_endpoint": endpoint.id}),
        console.post(f"/dashboard/events/{event.id}x/resend", data=fields),  # a token is for its own event only
        console.post(action, data=fields, headers={"Host": "evil.example:12111"}),
        console.post(action, data=fields, environ_base={"REMOTE_ADDR": "192.168.1.20"}),
    ]
    # a Host the sandbox is not served as is refused before any route (400, as by the shop): DNS rebinding
    assert [r.status_code for r in refused] == [403, 403, 403, 403, 403, 400, 403]
    assert "another website" in refused[0].get_data(as_text=True)
    assert "reload it" in refused[2].get_data(as_text=True)
    other = stripe_client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/other", "enabled_events": ["charge.succeeded"]}
    )
    try:
        wrong = console.post(action, data={**fields, "webhook_endpoint": other.id})
        assert wrong.status_code == 400 and "does not listen to payment_intent.canceled" in wrong.get_data(as_text=True)
        stripe_client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
        disabled = console.post(action, data=fields)
        assert disabled.status_code == 400 and "is disabled" in disabled.get_data(as_text=True)
        assert console.get(f"/dashboard/events/{event.id}/resend").status_code == 405
    finally:
        stripe_client.v1.webhook_endpoints.delete(other.id)
        stripe_client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": False})
    assert deliveries(sandbox, event.id) == before, "a refused Resend queues nothing"


def test_events_retry_is_stripe_events_resend(sandbox, stripe_client, delivered):
    """``POST /v1/events/:id/retry``, the call ``stripe events resend`` makes, with the secret key only."""
    event, endpoint, receiver = delivered
    pending = stripe_client.v1.events.retrieve(event.id).pending_webhooks
    answer = stripe_client.raw_request("post", f"/v1/events/{event.id}/retry", webhook_endpoint=endpoint.id)
    resent = stripe_client.deserialize(answer, api_mode="V1")
    assert (resent.id, resent.pending_webhooks) == (event.id, pending + 1)
    assert receiver.wait_for(2)[1][1] == receiver.received[0][1]
    with pytest.raises(stripe.InvalidRequestError) as no_endpoint:
        stripe_client.raw_request("post", f"/v1/events/{event.id}/retry", for_stripecli="true")
    assert no_endpoint.value.param == "webhook_endpoint" and "no Stripe CLI sessions" in no_endpoint.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        stripe_client.raw_request("post", "/v1/events/evt_nothere/retry", webhook_endpoint=endpoint.id)
    assert unknown.value.http_status == 404 and unknown.value.user_message == "No such event: 'evt_nothere'"
    publishable = stripe.StripeClient(PUBLISHABLE_KEY, base_addresses={"api": sandbox.url})
    with pytest.raises(stripe.AuthenticationError):
        publishable.raw_request("post", f"/v1/events/{event.id}/retry", webhook_endpoint=endpoint.id)
