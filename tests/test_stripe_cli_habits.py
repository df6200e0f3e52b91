"""`workbench listen`, `trigger`, `logs` and `events resend` against a real sandbox, as a presenter types them."""

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading

import pytest
import stripe

from press_workbench.launch.cli import main
from press_workbench.sandbox import CANNOT, TRIGGERS, clear_settle_delays, set_settle_delays
from tests.receiver import Receiver


def cli_env(sandbox_url, tmp_path):
    """The environment of a shell with only SANDBOX_URL set (no Stripe keys, no .env in the working folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_", "SANDBOX_"))}
    return {**env, "SANDBOX_URL": sandbox_url, "WORKBENCH_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def workbench(sandbox_url, tmp_path, monkeypatch, capsys):
    """Run ``workbench …`` in this process; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith(("STRIPE_", "WORKBENCH_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SANDBOX_URL", sandbox_url)

    def run(*argv):
        code = main(list(argv))
        printed = capsys.readouterr()
        return code, printed.out, printed.err

    return run


def spawn(tmp_path, sandbox_url, *argv):
    return subprocess.Popen(
        [sys.executable, "-m", "press_workbench.launch.cli", *argv],
        env=cli_env(sandbox_url, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(proc, pattern, timeout=15, stream=None):
    """Lines of ``proc``'s stdout (or ``stream``) up to the first that matches ``pattern``, within ``timeout`` s."""
    lines, found = [], threading.Event()

    def reader():
        for line in stream or proc.stdout:
            lines.append(line)
            if re.search(pattern, line):
                found.set()
                return

    threading.Thread(target=reader, daemon=True).start()
    assert found.wait(timeout), f"no line matching {pattern!r} in {lines!r}"
    return lines


@pytest.fixture
def receiver():
    """A webhook endpoint that keeps what it receives, as the developer's own server would."""
    hook = Receiver()
    yield hook
    hook.server.stop()


def pay(client, amount=2300):
    return client.v1.payment_intents.create(
        params={
            "amount": amount,
            "currency": "usd",
            "confirm": True,
            "payment_method": "pm_card_visa",
            "payment_method_types": ["card"],
        }
    )


def test_listen_prints_the_secret_then_each_delivery_and_disables_its_endpoint(
    sandbox_url, tmp_path, receiver, stripe_client
):
    proc = spawn(tmp_path, sandbox_url, "listen", "--forward-to", receiver.url, "--events", "payment_intent.succeeded")
    try:
        ready = read_until(proc, r"whsec_")[-1]
        secret = re.search(r"(whsec_\w+)", ready).group(1)
        pi = pay(stripe_client)
        line = read_until(proc, r"--> payment_intent\.succeeded")[-1]
        assert re.search(
            r"\d\d:\d\d:\d\d\s+--> payment_intent\.succeeded \[evt_\w+\]\s+<-- \[200\] POST .*/hook "
            r"\(\d+ ms\)",
            line,
        ), line
        _, payload, signature = receiver.received[-1]
        event = stripe.Webhook.construct_event(payload, signature, secret)  # verifies with the printed secret
        assert event.id in line and event.data.object.id == pi.id
        assert len(receiver.received) == 1, "only the events asked for are forwarded"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert "disabled until the next listen" in proc.stdout.read()
    finally:
        proc.kill()
    (endpoint,) = [
        ep for ep in stripe_client.v1.webhook_endpoints.list(params={"limit": 100}).data if ep.url == receiver.url
    ]
    assert endpoint.status == "disabled"  # kept, with its secret, for the next session; sent nothing meanwhile
    pay(stripe_client)
    assert len(receiver.wait_for(2, timeout=1)) == 1


def test_print_secret_gives_the_secret_the_next_listen_signs_with(sandbox_url, tmp_path, receiver, stripe_client):
    """`stripe listen --print-secret` is for .env files: the secret is the same in every later session."""
    printed = [
        subprocess.run(
            [sys.executable, "-m", "press_workbench.launch.cli", "listen", "--print-secret"],
            env=cli_env(sandbox_url, tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert printed[0] == printed[1] and re.fullmatch(r"whsec_\w+\n", printed[0])
    assert stat.S_IMODE(os.stat(tmp_path / "listen.json").st_mode) == 0o600  # a secret on disk: owner only
    proc = spawn(tmp_path, sandbox_url, "listen", "--forward-to", receiver.url)
    try:
        assert printed[0].strip() in read_until(proc, r"Ready!")[-1]
        pay(stripe_client)
        (_, payload, signature), *_ = receiver.wait_for(1)
        assert stripe.Webhook.construct_event(payload, signature, printed[0].strip()).type
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)


def test_listen_format_json_prints_each_event_as_json(sandbox_url, tmp_path, receiver, stripe_client):
    proc = spawn(
        tmp_path,
        sandbox_url,
        "listen",
        "--forward-to",
        receiver.url,
        "--events",
        "charge.succeeded",
        "--format",
        "json",
    )
    try:
        read_until(proc, r".", stream=proc.stderr)  # the Ready! line, on stderr: stdout carries only events
        pi = pay(stripe_client)
        event = json.loads(read_until(proc, r"^\{")[-1])
        assert (event["object"], event["type"], event["data"]["object"]["payment_intent"]) == (
            "event",
            "charge.succeeded",
            pi.id,
        )
        assert re.search(r"--> charge\.succeeded \[" + event["id"], read_until(proc, r"-->", stream=proc.stderr)[-1])
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)


@pytest.fixture
def instant_bank(sandbox):
    """SEPA debits settle at once in the session sandbox for this test (their triggers wait for the outcome)."""
    set_settle_delays(sandbox.data_dir, normal=0, delayed=0)
    yield
    clear_settle_delays(sandbox.data_dir)


@pytest.mark.parametrize("name", list(TRIGGERS))
def test_trigger_creates_objects_that_emit_the_event(workbench, stripe_client, instant_bank, name):
    code, out, _ = workbench("trigger", name)
    assert code == 0, out
    event_type = name.split("/")[0]  # payment_intent.succeeded/sepa_debit: that event, from a SEPA Debit
    made = re.findall(r"^Created \w+ ((?:pi|re|cus|pm|seti)_\w+)", out, re.MULTILINE)
    evt_id = re.search(rf"Trigger succeeded! {re.escape(event_type)} (evt_\w+)", out).group(1)
    event = stripe_client.v1.events.retrieve(evt_id)
    about = event.data.object.to_dict()
    payments = [stripe_client.v1.payment_intents.retrieve(made_id) for made_id in made if made_id.startswith("pi_")]
    known = set(made) | {pi.payment_method for pi in payments}  # a mandate's event is about the debit's method
    assert event.type == event_type
    assert known & {about["id"], about.get("payment_intent"), about.get("payment_method")}
    if name.endswith("/sepa_debit") or event_type in ("payment_intent.processing", "charge.pending"):
        assert payments[0].payment_method_types == ["sepa_debit"]


def test_trigger_help_lists_every_event_and_why_some_cannot_be_made(workbench, capsys):
    with pytest.raises(SystemExit):
        workbench("trigger", "--help")
    shown = re.sub(r"\s+", " ", capsys.readouterr().out)
    for event_type in TRIGGERS:
        assert f" {event_type} " in shown
    for event_type, why in CANNOT.items():
        assert f" {event_type} {why}" in shown
    assert "payment_intent.processing a €10.00 SEPA Debit" in shown and "payment_intent.succeeded/sepa_debit" in shown
    assert "charge.dispute.closed the sandbox's disputes are SEPA Direct Debit ones" in shown


def test_trigger_refuses_an_event_it_cannot_make(workbench):
    with pytest.raises(SystemExit):
        workbench("trigger")
    code, _, err = workbench("trigger", "invoice.paid")
    assert code == 2 and "supported events: payment_intent.created" in err
    code, _, err = workbench("trigger", "charge.dispute.closed")
    assert code == 2 and "the sandbox cannot make it: the sandbox's disputes are SEPA Direct Debit ones" in err


def test_logs_shows_a_stripe_python_request_with_its_request_id(workbench, stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 4200, "currency": "usd"}, options={"idempotency_key": "logs-test-1"}
    )
    code, out, _ = workbench("logs", "--limit", "50")
    line = next(line for line in out.splitlines() if pi.last_response.request_id in line)
    assert code == 0 and "[200] POST /v1/payment_intents" in line
    assert "secret key" in line and "idempotency-key=logs-test-1" in line


def test_logs_follow_prints_new_requests_until_ctrl_c(sandbox_url, tmp_path, stripe_client):
    created = stripe_client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
    proc = spawn(tmp_path, sandbox_url, "logs", "--follow", "--limit", "1")
    try:
        read_until(proc, re.escape(created.last_response.request_id))
        pi = stripe_client.v1.payment_intents.retrieve(created.id)
        line = read_until(proc, re.escape(pi.last_response.request_id))[-1]
        assert f"[200] GET /v1/payment_intents/{pi.id}" in line
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        proc.kill()


def test_commands_say_when_no_sandbox_answers(workbench, monkeypatch):
    monkeypatch.setenv("SANDBOX_URL", "http://127.0.0.1:9")
    code, _, err = workbench("logs")
    assert code == 1 and "no sandbox answers at http://127.0.0.1:9" in err


def test_logs_filters_take_stripe_logs_tails_flags_and_rules(workbench, stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 4200, "currency": "usd", "payment_method_types": ["card"]}
    )
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.payment_intents.retrieve("pi_nothere")
    with pytest.raises(stripe.CardError) as declined:
        stripe_client.v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_chargeDeclined"})
    ids = {
        "created": pi.last_response.request_id,
        "missing": missing.value.request_id,
        "declined": declined.value.request_id,
    }

    def shown(*flags):
        code, out, _ = workbench("logs", "--limit", "1000", *flags)
        assert code == 0, out
        return {name for name, request_id in ids.items() if request_id in out}

    assert shown("--filter-status-code-type", "4XX") == {"missing", "declined"}
    assert shown("--filter-status-code-type", "4xx", "--filter-http-method", "GET") == {"missing"}  # both must match
    assert shown("--filter-status-code", "402,404") == {"missing", "declined"}  # any of a filter's values
    assert shown("--filter-status-code", "402", "--filter-status-code", "200") == {"created", "declined"}
    assert shown("--filter-request-path", "/v1/payment_intents") == {"created"}  # an exact match, as at Stripe
    assert shown("--filter-request-path", f"/v1/payment_intents/{pi.id}/confirm") == {"declined"}
    code, out, _ = workbench("logs", "--filter-request-path", f"/v1/payment_intents/{pi.id}/confirm")
    assert "\nType: card_error\n" in out and "\nCode: card_declined\nDeclineCode: generic_decline\n" in out


def test_logs_format_json_prints_stripes_log_payload(workbench, stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.payment_intents.retrieve("pi_nothere")
    code, out, _ = workbench("logs", "--format", "JSON", "--filter-status-code", "404", "--limit", "1")
    (line,) = out.splitlines()
    assert code == 0 and json.loads(line) == {
        "created_at": json.loads(line)["created_at"],
        "livemode": False,
        "method": "GET",
        "request_id": missing.value.request_id,
        "status": 404,
        "url": "/v1/payment_intents/pi_nothere",
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": "No such payment_intent: 'pi_nothere'",
            "param": "intent",
        },
    }


@pytest.mark.parametrize(
    "flag, value",
    [("--filter-http-method", "PUT"), ("--filter-status-code", "302"), ("--filter-status-code-type", "3XX")],
)
def test_logs_refuses_values_stripe_logs_tail_refuses(workbench, flag, value):
    code, _, err = workbench("logs", flag, value)
    assert code == 2 and f"{value!r} is not an acceptable value for {flag}" in err


def test_logs_follow_prints_only_what_its_filters_match(sandbox_url, tmp_path, stripe_client):
    proc = spawn(tmp_path, sandbox_url, "logs", "--follow", "--limit", "1", "--filter-status-code", "404")
    try:
        created = stripe_client.v1.payment_intents.create(params={"amount": 500, "currency": "usd"})
        with pytest.raises(stripe.InvalidRequestError) as missing:
            stripe_client.v1.payment_intents.retrieve("pi_followed")
        lines = read_until(proc, re.escape(missing.value.request_id))
        line = lines[-1]
        assert not any(created.last_response.request_id in seen for seen in lines)
        assert "[404] GET /v1/payment_intents/pi_followed" in line
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)


def test_events_resend_replays_to_listen_with_a_fresh_signature(sandbox_url, tmp_path, receiver, stripe_client):
    proc = spawn(tmp_path, sandbox_url, "listen", "--forward-to", receiver.url, "--events", "payment_intent.succeeded")
    try:
        secret = re.search(r"(whsec_\w+)", read_until(proc, r"whsec_")[-1]).group(1)
        pay(stripe_client)
        evt_id = re.search(r"\[(evt_\w+)\]", read_until(proc, r"--> payment_intent\.succeeded")[-1]).group(1)
        resent = subprocess.run(
            [sys.executable, "-m", "press_workbench.launch.cli", "events", "resend", evt_id],
            env=cli_env(sandbox_url, tmp_path),
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert resent.returncode == 0, resent.stderr
        assert json.loads(resent.stdout)["id"] == evt_id  # the event, printed as the Stripe CLI prints it
        assert f"Resent {evt_id}" in resent.stderr
        (_, first, _), (_, again, signature) = receiver.wait_for(2)[:2]
        assert again == first and stripe.Webhook.construct_event(again, signature, secret).id == evt_id
        assert re.search(rf"--> payment_intent\.succeeded \[{evt_id}\]", read_until(proc, evt_id)[-1])
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)


def test_events_resend_without_listen_names_the_endpoints_it_could_use(workbench, receiver, stripe_client):
    endpoint = stripe_client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["payment_intent.succeeded"]}
    )
    try:
        pay(stripe_client)
        (_, body, _), *_ = receiver.wait_for(1)
        evt_id = json.loads(body)["id"]
        code, _, err = workbench("events", "resend", evt_id)
        assert code == 1 and f"--webhook-endpoint {endpoint.id}" in err
        code, out, _ = workbench("events", "resend", evt_id, "--webhook-endpoint", endpoint.id)
        assert code == 0 and json.loads(out)["id"] == evt_id and receiver.wait_for(2)[1][1] == body
        code, _, err = workbench("events", "resend", "evt_nothere", "--webhook-endpoint", endpoint.id)
        assert code == 1 and "No such event: 'evt_nothere'" in err
    finally:
        stripe_client.v1.webhook_endpoints.delete(endpoint.id)
