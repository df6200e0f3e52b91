"""`workbench listen`, `trigger` and `logs` against a real sandbox, as a presenter types them."""

import os
import re
import signal
import subprocess
import sys
import threading

import pytest
import stripe
from flask import Flask, request

from server.launch.cli import main
from server.sandbox.serving import serve_in_thread

TRIGGERED = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.requires_action",
    "payment_intent.canceled",
    "charge.refunded",
]


def cli_env(sandbox_url, tmp_path):
    """The environment of a shell with only SANDBOX_URL set (no Stripe keys, no .env in the working folder)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_", "SANDBOX_"))}
    return {**env, "SANDBOX_URL": sandbox_url, "WORKBENCH_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def workbench(sandbox_url, tmp_path, monkeypatch, capsys):
    """Run ``workbench …`` in this process; returns (exit code, stdout)."""
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith(("STRIPE_", "WORKBENCH_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SANDBOX_URL", sandbox_url)

    def run(*argv):
        code = main(list(argv))
        return code, capsys.readouterr().out

    return run


def spawn(tmp_path, sandbox_url, *argv):
    return subprocess.Popen(
        [sys.executable, "-m", "server.launch.cli", *argv],
        env=cli_env(sandbox_url, tmp_path),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(proc, pattern, timeout=15):
    """Lines of ``proc``'s output up to the first that matches ``pattern`` (fails after ``timeout`` seconds)."""
    lines, found = [], threading.Event()

    def reader():
        for line in proc.stdout:
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
    received = []
    app = Flask(__name__)

    @app.post("/hook")
    def hook():
        received.append((request.get_data(), request.headers["Stripe-Signature"]))
        return {"received": True}

    running = serve_in_thread(app, name="receiver")
    yield running.url + "/hook", received
    running.stop()


def test_listen_prints_the_secret_then_each_delivery_and_removes_its_endpoint(
    sandbox_url, tmp_path, receiver, stripe_client
):
    url, received = receiver
    proc = spawn(tmp_path, sandbox_url, "listen", "--forward-to", url, "--events", "payment_intent.succeeded")
    try:
        ready = read_until(proc, r"whsec_")[-1]
        secret = re.search(r"(whsec_\w+)", ready).group(1)
        pi = stripe_client.v1.payment_intents.create(
            params={
                "amount": 2300,
                "currency": "usd",
                "confirm": True,
                "payment_method": "pm_card_visa",
                "payment_method_types": ["card"],
            }
        )
        line = read_until(proc, r"--> payment_intent\.succeeded")[-1]
        assert re.search(
            r"\d\d:\d\d:\d\d\s+--> payment_intent\.succeeded \[evt_\w+\]\s+<-- \[200\] POST .*/hook "
            r"\(\d+ ms\)",
            line,
        ), line
        payload, signature = received[-1]
        event = stripe.Webhook.construct_event(payload, signature, secret)  # verifies with the printed secret
        assert event.id in line and event.data.object.id == pi.id
        assert len(received) == 1, "only the events asked for are forwarded"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert "removed webhook endpoint" in proc.stdout.read()
    finally:
        proc.kill()
    assert url not in [ep.url for ep in stripe_client.v1.webhook_endpoints.list(params={"limit": 100}).data]


@pytest.mark.parametrize("event_type", TRIGGERED)
def test_trigger_creates_objects_that_emit_the_event(workbench, stripe_client, event_type):
    code, out = workbench("trigger", event_type)
    assert code == 0, out
    created = re.findall(r"^Created (\w+) ((?:pi|re)_\w+)", out, re.MULTILINE)
    assert created and created[0][0] == "payment_intent"
    evt_id = re.search(rf"Trigger succeeded! {re.escape(event_type)} (evt_\w+)", out).group(1)
    event = stripe_client.v1.events.retrieve(evt_id)
    about = event.data.object.to_dict()
    assert event.type == event_type and created[0][1] in (about["id"], about.get("payment_intent"))


def test_trigger_refuses_an_event_it_cannot_make(workbench):
    with pytest.raises(SystemExit):
        workbench("trigger")
    code, _ = workbench("trigger", "customer.created")
    assert code == 2


def test_logs_shows_a_stripe_python_request_with_its_request_id(workbench, stripe_client):
    pi = stripe_client.v1.payment_intents.create(
        params={"amount": 4200, "currency": "usd"}, options={"idempotency_key": "logs-test-1"}
    )
    code, out = workbench("logs", "--limit", "50")
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


def test_commands_say_when_no_sandbox_answers(workbench, monkeypatch, capsys):
    monkeypatch.setenv("SANDBOX_URL", "http://127.0.0.1:9")
    assert main(["logs"]) == 1
    assert "no sandbox answers at http://127.0.0.1:9" in capsys.readouterr().err
