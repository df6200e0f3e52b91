"""The shop's sandbox webhook endpoint is registered once and reused, so deliveries queued for it survive a restart."""

import json
import os
import stat

import pytest

from press_workbench.shop.serving import WEBHOOK_FILE, register_sandbox_webhook
from press_workbench.shop.webhooks import HANDLED


def saved(app):
    with open(os.path.join(app.config["DATA_DIR"], WEBHOOK_FILE)) as fh:
        return json.load(fh)


@pytest.fixture
def endpoints(app):
    """The sandbox's webhook endpoints, seen with the shop's own client; the test's ones are deleted afterwards."""
    client = app.extensions["shop"].stripe
    before = {e.id for e in client.v1.webhook_endpoints.list(params={"limit": 100}).auto_paging_iter()}

    def current():
        listed = client.v1.webhook_endpoints.list(params={"limit": 100}).auto_paging_iter()
        return {e.id: e for e in listed if e.id not in before}

    yield client, current
    for endpoint_id in current():
        client.v1.webhook_endpoints.delete(endpoint_id)


def test_a_restarted_shop_reuses_its_endpoint_and_secret(app, endpoints):
    _, current = endpoints
    first = register_sandbox_webhook(app, "http://127.0.0.1:15501")
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    again = register_sandbox_webhook(app, "http://127.0.0.1:15501/")
    assert again.id == first.id and app.config["STRIPE_WEBHOOK_SECRET"] == secret and secret.startswith("whsec_")
    assert list(current()) == [first.id] and current()[first.id].url == "http://127.0.0.1:15501/webhook"
    path = os.path.join(app.config["DATA_DIR"], WEBHOOK_FILE)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert saved(app) == {"id": first.id, "secret": secret}


def test_a_shop_on_another_port_moves_its_endpoint(app, endpoints):
    client, current = endpoints
    first = register_sandbox_webhook(app, "http://127.0.0.1:15502")
    client.v1.webhook_endpoints.update(first.id, params={"disabled": True})
    moved = register_sandbox_webhook(app, "http://127.0.0.1:15503")
    assert moved.id == first.id and (moved.url, moved.status) == ("http://127.0.0.1:15503/webhook", "enabled")
    assert list(current()) == [first.id]


def test_a_lost_endpoint_is_registered_anew_and_older_ones_for_the_url_removed(app, endpoints):
    client, current = endpoints
    stale = client.v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:15504/webhook", "enabled_events": ["*"]}
    )
    first = register_sandbox_webhook(app, "http://127.0.0.1:15504")
    assert list(current()) == [first.id]  # the older endpoint for this URL is gone
    client.v1.webhook_endpoints.delete(first.id)  # e.g. `workbench reset` of the sandbox
    second = register_sandbox_webhook(app, "http://127.0.0.1:15504")
    assert second.id not in (first.id, stale.id) and list(current()) == [second.id]
    assert app.config["STRIPE_WEBHOOK_SECRET"] == second.secret
    assert saved(app) == {"id": second.id, "secret": second.secret}


def test_the_endpoint_listens_to_the_events_the_shop_handles_only(app, endpoints):
    """Stripe's advice: other events would be delivered, answered and ignored, ahead of those that settle orders."""
    client, current = endpoints
    first = register_sandbox_webhook(app, "http://127.0.0.1:15505")
    assert sorted(first.enabled_events) == sorted(HANDLED)
    client.v1.webhook_endpoints.update(first.id, params={"enabled_events": ["*"]})  # as an older version saved it
    again = register_sandbox_webhook(app, "http://127.0.0.1:15505")
    assert again.id == first.id and sorted(current()[first.id].enabled_events) == sorted(HANDLED)
