"""WebhookEndpoints: only URLs the sandbox can deliver to, and every endpoint gets its events."""

import pytest

from press_workbench.sandbox import SECRET_KEY, create_sandbox_app

AUTH = {"Authorization": f"Bearer {SECRET_KEY}"}


@pytest.fixture
def api(tmp_path):
    """A sandbox of its own (its endpoints never reach the shared one), without its delivery worker."""
    app = create_sandbox_app(str(tmp_path))
    app.extensions["sandbox"].worker.stop()
    return app.test_client()


@pytest.mark.parametrize(
    "url",
    [
        "http://",
        "https://",
        "javascript:alert(1)",
        "ftp://example.com/hook",
        "http://127.0.0.1:port/hook",
        "example.com/hook",
    ],
)
def test_a_url_the_sandbox_cannot_post_to_is_refused_on_create_and_update(api, url):
    created = api.post("/v1/webhook_endpoints", headers=AUTH, data={"url": url, "enabled_events[]": "*"})
    assert created.status_code == 400 and created.get_json()["error"]["code"] == "url_invalid"
    good = api.post(
        "/v1/webhook_endpoints", headers=AUTH, data={"url": "http://127.0.0.1:9/hook", "enabled_events[]": "*"}
    ).get_json()
    updated = api.post(f"/v1/webhook_endpoints/{good['id']}", headers=AUTH, data={"url": url})
    assert updated.status_code == 400 and updated.get_json()["error"]["param"] == "url"
    assert api.get(f"/v1/webhook_endpoints/{good['id']}", headers=AUTH).get_json()["url"] == "http://127.0.0.1:9/hook"


def test_every_endpoint_gets_its_events_however_many_there_are(api):
    for number in range(101):  # a list page holds at most 100
        api.post(
            "/v1/webhook_endpoints",
            headers=AUTH,
            data={"url": f"http://127.0.0.1:9/hook{number}", "enabled_events[]": "*"},
        )
    pi = api.post("/v1/payment_intents", headers=AUTH, data={"amount": 2300, "currency": "usd"}).get_json()
    [event] = api.get("/v1/events?type=payment_intent.created", headers=AUTH).get_json()["data"]
    assert event["data"]["object"]["id"] == pi["id"] and event["pending_webhooks"] == 101
