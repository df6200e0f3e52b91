"""The ``stripe_sandbox`` plugin's fixtures, used here as any project's tests use them.

The plugin is loaded in this suite as everywhere, by its ``pytest11`` entry point; its fixtures
have names of their own, so ours (``sandbox``, ``stripe_client``…) are untouched.
"""

import importlib.metadata
import json
import subprocess
import sys
import textwrap
import urllib.request

import pytest
import stripe
from flask import Flask, request

from press_workbench.sandbox import serve_in_thread

pytestmark = pytest.mark.sandbox_only("about the sandbox's own pytest plugin")


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers.get_content_type(), response.read().decode()


def card_payment(client, payment_method="pm_card_visa", **params):
    """A PaymentIntent confirmed with a test card, as a server confirming with a saved card would."""
    body = {"amount": 1500, "currency": "eur", "payment_method_types": ["card"], **params}
    return client.v1.payment_intents.create(params={**body, "payment_method": payment_method, "confirm": True})


def test_the_sandbox_answers_at_every_documented_address(stripe_sandbox, stripe_sandbox_client):
    assert stripe_sandbox.api_base.startswith("http://127.0.0.1:")
    assert json.loads(get(stripe_sandbox.api_base + "/")[1])["sandbox"] is True
    kind, script = get(stripe_sandbox.js_url)
    assert kind == "text/javascript" and "Stripe" in script
    kind, console = get(stripe_sandbox.dashboard_url + "/payments")
    assert kind == "text/html" and "Payments" in console

    pi = stripe_sandbox_client.v1.payment_intents.create(params={"amount": 1500, "currency": "eur"})
    browser = stripe_sandbox.client(stripe_sandbox.publishable_key)  # what Stripe.js does with the client secret
    seen = browser.v1.payment_intents.retrieve(pi.id, params={"client_secret": pi.client_secret})
    assert (seen.amount, seen.currency, seen.status) == (1500, "eur", "requires_payment_method")
    assert stripe_sandbox.secret_key.startswith("sk_test_") and stripe_sandbox.publishable_key.startswith("pk_test_")
    assert pi.id in get(stripe_sandbox.dashboard_url + "/payments")[1]


def test_forward_to_a_running_server_delivers_what_the_project_verifies(stripe_sandbox_client, stripe_webhooks):
    received = []
    project = Flask(__name__)

    @project.post("/hooks/stripe")
    def hook():
        received.append(stripe.Webhook.construct_event(request.get_data(), request.headers["Stripe-Signature"], secret))
        return "", 204

    server = serve_in_thread(project)  # the project's own test server, started its own way
    try:
        secret = stripe_webhooks.forward_to(server.url + "/hooks/stripe", events=["payment_intent.canceled"])
        assert secret.startswith("whsec_")
        pi = stripe_sandbox_client.v1.payment_intents.create(params={"amount": 900, "currency": "usd"})
        stripe_sandbox_client.v1.payment_intents.cancel(pi.id)
        event = stripe_webhooks.wait_for("payment_intent.canceled", about=pi.id)
        assert [(e.id, e.data.object.status) for e in received] == [(event.id, "canceled")]  # only what it asked for
        assert {"payment_intent.created", "payment_intent.canceled"} <= {e.type for e in stripe_webhooks.events}
    finally:
        server.stop()


def test_wait_for_waits_until_the_projects_endpoint_accepts_the_event(stripe_sandbox_client, stripe_webhooks):
    """A failing endpoint holds wait_for back, then the sandbox's retry reaches it, as Stripe's would."""
    answers = [500, 200]
    flaky = Flask(__name__)
    flaky.add_url_rule("/webhook", "hook", lambda: ("", answers.pop(0) if answers else 200), methods=["POST"])
    stripe_webhooks.forward_to(flaky, events=["payment_intent.succeeded"])
    pi = card_payment(stripe_sandbox_client)

    with pytest.raises(
        AssertionError, match=r"arrived, but not every webhook endpoint accepted it within 0.5 s"
    ) as early:
        stripe_webhooks.wait_for("payment_intent.succeeded", about=pi.id, timeout=0.5)
    assert "/dashboard/events/evt_" in str(early.value)
    event = stripe_webhooks.wait_for("payment_intent.succeeded", about=pi.id)  # the retry, a second later
    assert answers == [] and stripe_sandbox_client.v1.events.retrieve(event.id).pending_webhooks == 0


def test_wait_for_says_what_did_arrive(stripe_sandbox_client, stripe_webhooks):
    pi = stripe_sandbox_client.v1.payment_intents.create(params={"amount": 900, "currency": "usd"})
    created = stripe_webhooks.wait_for("payment_intent.created", about=pi.id)
    message = rf"no payment_intent.succeeded about {pi.id} arrived within 0.2 s; received: .*{created.id}"
    with pytest.raises(AssertionError, match=message):
        stripe_webhooks.wait_for("payment_intent.succeeded", about=pi.id, timeout=0.2)


def test_trigger_emits_the_event_with_real_objects(stripe_sandbox, stripe_sandbox_client, stripe_webhooks):
    event = stripe_sandbox.trigger("payment_intent.payment_failed")
    declined = stripe_sandbox_client.v1.payment_intents.retrieve(event.data.object.id)
    assert declined.last_payment_error.code == "card_declined"
    assert stripe_webhooks.wait_for("payment_intent.payment_failed").id == event.id
    refund = stripe_sandbox.trigger("charge.refunded")
    assert refund.type == "charge.refunded" and refund.data.object.refunded is True
    with pytest.raises(ValueError, match=r"cannot trigger 'charge.dispute.closed'; these can be: .*charge.refunded"):
        stripe_sandbox.trigger("charge.dispute.closed")


def test_reset_forgets_payments_and_keeps_the_tests_subscriptions(
    stripe_sandbox, stripe_sandbox_client, stripe_webhooks
):
    card_payment(stripe_sandbox_client)
    stripe_sandbox.reset()
    assert stripe_sandbox_client.v1.payment_intents.list().data == []
    assert stripe_sandbox_client.v1.events.list().data == []
    pi = card_payment(stripe_sandbox_client)
    assert stripe_webhooks.wait_for("payment_intent.succeeded", about=pi.id).data.object.amount == 1500


FOREIGN_TESTS = {
    # Every test notes which worker ran it against which sandbox.
    "conftest.py": """
        import json, os, pytest

        @pytest.fixture(autouse=True)
        def record(stripe_sandbox):
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            with open(os.environ["RECORD"], "a") as record:
                record.write(json.dumps([worker, stripe_sandbox.api_base, stripe_sandbox.data_dir]) + "\\n")
    """,
    "test_payments.py": """
        import pytest

        @pytest.mark.parametrize("amount", [100, 200, 300])
        def test_a_payment(amount, stripe_sandbox_client):
            params = {"amount": amount, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
                      "payment_method_types": ["card"]}
            assert stripe_sandbox_client.v1.payment_intents.create(params=params).status == "succeeded"
    """,
    # In one worker, in order: a test's endpoints and servers are gone when the next test starts.
    "test_teardown.py": """
        import urllib.error, urllib.request, pytest
        from flask import Flask

        served = []

        def test_subscribes(stripe_webhooks, stripe_sandbox_client):
            app = Flask(__name__)
            app.add_url_rule("/webhook", "hook", lambda: "", methods=["POST"])
            assert stripe_webhooks.forward_to(app).startswith("whsec_")
            served.append(stripe_sandbox_client.v1.webhook_endpoints.list().data)

        def test_nothing_is_left(stripe_sandbox_client):
            assert len(served[0]) == 2  # the capture endpoint and the app's
            assert stripe_sandbox_client.v1.webhook_endpoints.list().data == []
            for endpoint in served[0]:
                with pytest.raises(urllib.error.URLError):
                    urllib.request.urlopen(endpoint.url, data=b"{}", timeout=2)
    """,
}


# That project has our plugin and pytest-xdist, not the other plugins this venv has for our own tests
# (Playwright, nbval…): off, they cost each pytest process (and each xdist worker) a second to load.
OTHER_PLUGINS = [
    arg
    for entry in importlib.metadata.entry_points(group="pytest11")
    if entry.dist.name not in ("press-workbench", "pytest-xdist")
    for arg in ("-p", f"no:{entry.name}")
]


def run_foreign_suite(tmp_path, *options, files=FOREIGN_TESTS):
    """pytest in another project's directory, in a process of its own, as that project would run it."""
    for name, source in files.items():
        (tmp_path / name).write_text(textwrap.dedent(source))
    record = tmp_path / "record.jsonl"
    env = {"RECORD": str(record), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *OTHER_PLUGINS, *options],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return result, rows


def test_xdist_workers_each_get_a_sandbox_of_their_own(tmp_path):
    """With --dist loadfile each of the two workers runs one file: two sessions, two sandboxes."""
    result, rows = run_foreign_suite(tmp_path, "-n", "2", "--dist", "loadfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout
    used = {worker: {(api_base, data_dir) for w, api_base, data_dir in rows if w == worker} for worker, *_ in rows}
    assert sorted(used) == ["gw0", "gw1"], used
    assert [len(sandboxes) for sandboxes in used.values()] == [1, 1], "one sandbox per worker for its whole session"
    (first,), (second,) = used.values()
    assert first[0] != second[0] and first[1] != second[1], "each on its own port, with its own data"


# What is imported when pytest has loaded every plugin, then once a test asked for a fixture.
IMPORTS_PROBE = {
    "conftest.py": """
        import json, os, sys

        def imported():
            return sorted(name for name in ("flask", "stripe", "press_workbench.sandbox") if name in sys.modules)

        def record(moment):
            with open(os.environ["RECORD"], "a") as record:
                record.write(json.dumps([moment, imported()]) + "\\n")

        def pytest_configure(config):
            assert config.pluginmanager.has_plugin("stripe_sandbox")
            record("plugins loaded")
    """,
    "test_first_use.py": """
        from conftest import record

        def test_without_fixtures():
            record("a test that uses no fixture")

        def test_with_the_sandbox(stripe_sandbox):
            record("a test that uses stripe_sandbox")
    """,
}


def test_loading_the_plugin_imports_neither_flask_nor_stripe(tmp_path):
    """Every pytest run of the environment loads the plugin: the sandbox, Flask and stripe wait for a fixture."""
    result, rows = run_foreign_suite(tmp_path, files=IMPORTS_PROBE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows == [
        ["plugins loaded", []],
        ["a test that uses no fixture", []],
        ["a test that uses stripe_sandbox", ["flask", "press_workbench.sandbox", "stripe"]],
    ]


def test_p_no_stripe_sandbox_turns_the_plugin_off(tmp_path):
    result, _ = run_foreign_suite(tmp_path, "-p", "no:stripe_sandbox", "test_teardown.py")
    assert result.returncode == 1
    assert "fixture 'stripe_sandbox' not found" in result.stdout
    assert "press-workbench" not in next(line for line in result.stdout.splitlines() if line.startswith("plugins:"))
