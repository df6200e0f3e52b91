"""When the bank answers: signed webhooks for a debit's events, the delays as settings, and settling that survives
a sandbox stopped or killed in the middle."""

import time

import pytest
import stripe

from press_workbench.pytest_plugin import StripeSandbox
from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY, SettleDelays, set_settle_delays, settle_now
from press_workbench.sandbox.resources import bank_payments
from press_workbench.sandbox.serving import start_sandbox
from press_workbench.sandbox.settlement import parse_delay
from tests.processes import Workbench
from tests.sandbox.conftest import debit

pytestmark = pytest.mark.sandbox_only("starts, stops and kills sandboxes of its own")
SUCCEEDS, FAILS, SUCCEEDS_LATER = "AT611904300234573201", "AT861904300235473202", "AT321904300235473204"


def client_for(url):
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": url})


def status_within(client, pi, seconds):
    """The PaymentIntent's status once it leaves ``processing``, or ``processing`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        status = client.v1.payment_intents.retrieve(pi.id).status
        if status != "processing" or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def test_a_debits_events_arrive_as_signed_webhooks(tmp_path, receiver):
    running = start_sandbox(str(tmp_path), settle_delays=SettleDelays(normal=0.2))
    client = client_for(running.url)
    types = ["charge.pending", "payment_intent.processing", "charge.succeeded", "payment_intent.succeeded"]
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": [*types, "mandate.updated"]}
    )
    pi = debit(client, SUCCEEDS)
    received = receiver.wait_for(5)
    events = [stripe.Webhook.construct_event(body, signature, endpoint.secret) for _, body, signature in received]
    assert sorted(e.type for e in events) == sorted([*types, "mandate.updated"])
    assert {e.data.object.id for e in events if e.type.startswith("payment_intent.")} == {pi.id}
    processing = next(e for e in events if e.type == "payment_intent.processing")
    assert processing.data.object.status == "processing"
    assert [e.type for e in events].index("payment_intent.processing") < [e.type for e in events].index(
        "payment_intent.succeeded"
    )
    running.stop()


def test_each_timing_has_its_own_delay_and_hold_waits_for_settle_now(tmp_path):
    running = start_sandbox(str(tmp_path), settle_delays=SettleDelays(normal=0.3, delayed=None))
    client = client_for(running.url)
    quick, held = debit(client, SUCCEEDS), debit(client, SUCCEEDS_LATER)
    started = time.monotonic()
    assert status_within(client, quick, 5) == "succeeded"
    assert time.monotonic() - started >= 0.2  # not before its delay
    assert status_within(client, held, 1) == "processing"
    assert settle_now(str(tmp_path), held.id) == 1
    assert status_within(client, held, 5) == "succeeded"
    running.stop()


def test_delays_change_while_the_sandbox_runs(tmp_path):
    running = start_sandbox(str(tmp_path), settle_delays=SettleDelays(normal=60))
    client = client_for(running.url)
    slow = debit(client, SUCCEEDS)
    set_settle_delays(str(tmp_path), normal=0)  # as a notebook would, from another process sharing the data dir
    fast = debit(client, FAILS)
    assert status_within(client, fast, 5) == "requires_payment_method"
    assert client.v1.payment_intents.retrieve(slow.id).status == "processing"  # keeps the delay it was given
    running.stop()


def test_the_delays_read_from_the_environment():
    assert SettleDelays.from_env({}) == SettleDelays(normal=3.0, delayed=30.0)
    environ = {"SANDBOX_SEPA_SETTLE_SECONDS": "0", "SANDBOX_SEPA_DELAYED_SETTLE_SECONDS": "hold"}
    assert SettleDelays.from_env(environ) == SettleDelays(normal=0.0, delayed=None)
    assert parse_delay(" HOLD ") is None and parse_delay("2.5") == 2.5
    with pytest.raises(ValueError):
        parse_delay("-1")


def test_a_debit_settles_after_the_sandbox_is_stopped_and_started_again(tmp_path):
    first = start_sandbox(str(tmp_path), settle_delays=SettleDelays(normal=1.0))
    pi = debit(client_for(first.url), SUCCEEDS)
    first.stop()  # before the bank has answered
    time.sleep(1.2)  # it is due while no sandbox runs
    second = start_sandbox(str(tmp_path))
    client = client_for(second.url)
    assert status_within(client, pi, 5) == "succeeded"
    types = [e.type for e in client.v1.events.list(params={"limit": 10}).data]
    assert types.count("payment_intent.succeeded") == 1 and types.count("charge.succeeded") == 1
    second.stop()


def test_a_debit_settles_after_a_sandbox_process_is_killed(tmp_path):
    data_dir = str(tmp_path / "sandbox")
    first = Workbench("sandbox", "--port", "0", "--data-dir", data_dir, cwd=tmp_path, SANDBOX_SEPA_SETTLE_SECONDS="2")
    pi = debit(client_for(first.url), FAILS)
    assert pi.status == "processing"
    first.kill()  # SIGKILL, as a crash: nothing is cleaned up
    second = Workbench("sandbox", "--port", "0", "--data-dir", data_dir, cwd=tmp_path)
    try:
        client = client_for(second.url)
        assert status_within(client, pi, 10) == "requires_payment_method"
        assert client.v1.charges.retrieve(pi.latest_charge.id).status == "failed"
    finally:
        second.stop()


def test_two_sandboxes_on_one_data_dir_settle_a_debit_once(tmp_path):
    a = start_sandbox(str(tmp_path), settle_delays=SettleDelays(normal=0.5))
    b = start_sandbox(str(tmp_path))
    b.app.extensions["sandbox"].settler.start()  # both watch the schedule
    pis = [debit(client_for(a.url), SUCCEEDS) for _ in range(5)]
    client = client_for(b.url)
    assert [status_within(client, pi, 5) for pi in pis] == ["succeeded"] * 5
    time.sleep(0.5)
    succeeded = client.v1.events.list(params={"type": "payment_intent.succeeded", "limit": 20}).data
    assert sorted(e.data.object.id for e in succeeded) == sorted(pi.id for pi in pis)
    a.stop()
    b.stop()


def test_a_row_settled_twice_settles_once(tmp_path):
    """The race two sandboxes on one data dir could run: the same due row handed to ``settle`` twice."""
    running = start_sandbox(str(tmp_path), settle_delays=SettleDelays(normal=None))
    client = client_for(running.url)
    pi = debit(client, SUCCEEDS)
    sandbox = running.app.extensions["sandbox"]
    sandbox.settler.stop()  # held until now, so the thread never saw it due
    settle_now(str(tmp_path), pi.id)
    (row,) = sandbox.settlements.due()
    bank_payments.settle(sandbox, row)
    bank_payments.settle(sandbox, row)
    types = [e.type for e in client.v1.events.list(params={"limit": 20}).data]
    assert types.count("payment_intent.succeeded") == 1 and types.count("charge.succeeded") == 1
    assert "charge.failed" not in types
    running.stop()


def test_the_pytest_plugin_says_when_debits_settle(tmp_path):
    """``stripe_sandbox.settle_delays`` and ``settle_now``, as a project's tests use them."""
    running = start_sandbox(str(tmp_path))
    plugin = StripeSandbox(running.url, SECRET_KEY, PUBLISHABLE_KEY, str(tmp_path))
    plugin.settle_delays(normal=None)
    client = plugin.client()
    held = debit(client, SUCCEEDS)
    assert status_within(client, held, 0.5) == "processing"
    assert plugin.settle_now(held.id) == 1
    assert status_within(client, held, 5) == "succeeded"
    running.stop()
