"""The sandbox console over HTTP: what each page shows, and that it is read-only, loopback-only and secret-free."""

import json
import re
import time
import urllib.request

import pytest
import stripe

from press_workbench.sandbox import SECRET_KEY
from press_workbench.sandbox.triggers import trigger


@pytest.fixture
def console(sandbox):
    return sandbox.app.test_client()


@pytest.fixture(scope="module")
def refunded(sandbox):
    """A PaymentIntent that succeeded and was refunded, made by the same calls as ``workbench trigger``."""
    client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox.url})
    (pi, refund), _ = trigger(client, "charge.refunded")
    return pi, refund


def text(response):
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_payments_list_shows_amount_and_status_badge(console, refunded):
    pi, _ = refunded
    page = text(console.get("/dashboard/payments"))
    row = page[page.index(f'data-row="{pi.id}"') :]
    row = row[: row.index("</tr>")]
    assert "$1.00" in row and '<span class="badge info">Refunded</span>' in row and "Visa •••• 4242" in row


def test_payment_page_shows_lifecycle_timeline_charge_refund_and_requests(console, refunded):
    pi, refund = refunded
    deadline, page = time.monotonic() + 5, ""
    while "charge.updated" not in page and time.monotonic() < deadline:  # settled just after the charge's answer
        page = text(console.get(f"/dashboard/payments/{pi.id}"))
    path = re.findall(r"<li class=\"step[^\"]*\"[^>]*> <code>(\w+)</code>", page)
    assert path == ["requires_confirmation", "succeeded", "refunded"]
    timeline = re.findall(r'data-event-type="([\w.]+)"', page)
    settled = timeline.index("charge.updated")  # its place varies
    assert timeline[:settled] + timeline[settled + 1 :] == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.succeeded",
        "refund.created",
        "charge.refunded",
    ]
    assert "The charge&#39;s balance transaction arrived (txn_" in page
    assert "Visa •••• 4242 was charged $1.00" in page and "$1.00 of $1.00 refunded" in page
    assert refund.id in page and pi.latest_charge in page
    assert (
        pi.last_response.request_id in page
        and 'POST</span> <code class="req-path">/v1/refunds</code>' in page.replace("<wbr>", "")
    )


def test_a_charge_id_opens_its_payment(console, refunded):
    pi, _ = refunded
    answer = console.get(f"/dashboard/payments/{pi.latest_charge}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/dashboard/payments/{pi.id}")


def test_events_page_filters_by_type_and_event_page_shows_the_payload(console, refunded):
    pi, _ = refunded
    page = text(console.get("/dashboard/events?type=charge.refunded"))
    assert set(re.findall(r'class="event-type" href="[^"]+">([\w.]+)<', page)) == {"charge.refunded"}
    evt_id = re.search(r'href="/dashboard/events/(evt_\w+)"', page).group(1)
    event = text(console.get(f"/dashboard/events/{evt_id}"))
    assert "&#34;type&#34;: &#34;charge.refunded&#34;" in event and f"/dashboard/payments/{pi.id}" in event


def test_webhook_pages_show_every_attempt_and_never_the_secret(console, stripe_client):
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={
            "url": "http://127.0.0.1:9/nobody-listens",
            "enabled_events": ["payment_intent.canceled"],
            "description": "down on purpose",
        }
    )
    try:
        trigger(stripe_client, "payment_intent.canceled")
        deadline = time.monotonic() + 10
        page = ""
        while 'data-testid="attempt-row"' not in page and time.monotonic() < deadline:
            time.sleep(0.05)
            page = text(console.get(f"/dashboard/webhooks/{endpoint.id}"))
        assert "payment_intent.canceled" in page and "no answer" in page
        assert re.search(r'<td class="time">\d\d:\d\d:\d\d</td> </tr>', page), "the next retry time is shown"
        listing = text(console.get("/dashboard/webhooks"))
        assert "down on purpose" in listing
        for shown in (page, listing):
            assert endpoint.secret not in shown and not re.search(r"whsec_[A-Za-z0-9]", shown)
    finally:
        stripe_client.v1.webhook_endpoints.delete(endpoint.id)


def test_no_page_shows_a_client_secret_or_signing_secret(console, refunded):
    pi, _ = refunded
    evt_id = re.search(r"/dashboard/events/(evt_\w+)", text(console.get("/dashboard/events"))).group(1)
    for path in (
        "/dashboard/payments",
        f"/dashboard/payments/{pi.id}",
        "/dashboard/events",
        f"/dashboard/events/{evt_id}",
        "/dashboard/webhooks",
        "/dashboard/logs",
    ):
        page = text(console.get(path))
        assert not re.search(r"_secret_[A-Za-z0-9]", page) and not re.search(r"whsec_[A-Za-z0-9]", page), path
        assert SECRET_KEY not in page and not re.search(r"sk_test_[A-Za-z0-9]", page)  # Stripe's own 401 masks a key


def test_read_only_and_loopback_only(console, sandbox):
    assert console.post("/dashboard/payments").status_code == 405
    assert console.get("/dashboard/payments", headers={"Host": "evil.example:12111"}).status_code == 400  # any page
    assert console.get("/dashboard/payments", environ_base={"REMOTE_ADDR": "192.168.1.20"}).status_code == 403
    with urllib.request.urlopen(sandbox.url + "/dashboard/payments") as response:  # 127.0.0.1 over real HTTP
        assert response.status == 200
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_live_refresh_returns_only_the_live_region(console):
    fragment = console.get("/dashboard/payments", headers={"X-Console-Live": "1"}).get_data(as_text=True)
    assert "<html" not in fragment and "<h1>Payments</h1>" in fragment and 'data-testid="payments"' in fragment


def test_unknown_objects_get_a_readable_404(console):
    page = console.get("/dashboard/payments/pi_doesnotexist")
    assert page.status_code == 404 and "No such payment: pi_doesnotexist" in page.get_data(as_text=True)


def test_request_log_api_pages_after_a_row_and_rejects_bad_arguments(console, stripe_client):
    made = [stripe_client.v1.payment_intents.create(params={"amount": 1000 + n, "currency": "eur"}) for n in range(5)]
    newest = console.get("/dashboard/api/requests?limit=5").get_json()["data"]  # oldest first
    assert [e["request_id"] for e in newest] == [pi.last_response.request_id for pi in made]
    after = console.get(f"/dashboard/api/requests?after={newest[0]['id']}").get_json()["data"]
    assert [e["id"] for e in after] == [e["id"] for e in newest[1:]]
    page = console.get(f"/dashboard/api/requests?after={newest[0]['id']}&limit=2").get_json()["data"]
    assert [e["id"] for e in page] == [e["id"] for e in newest[1:3]]
    for bad in ("limit=abc", "limit=5000", "after=-1", "limit=%C2%B2", "after=%C2%B2"):  # ² is isdigit()
        answer = console.get(f"/dashboard/api/requests?{bad}")
        assert answer.status_code == 400 and "error" in json.loads(answer.get_data())
