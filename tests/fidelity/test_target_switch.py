"""The switch to real Stripe refuses live keys and refuses to run without the explicit ask — before any connection."""

import os
import subprocess
import sys

import pytest
import stripe

from press_workbench.sandbox import SECRET_KEY
from tests.fidelity.target import OPT_IN, TAG, TaggingHTTPClient, TargetRefused, resolve

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
TEST_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_51AbCdEfGhIjKlMnOpQrStUvWx",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_51AbCdEfGhIjKlMnOpQrStUvWx",
}
LIVE_KEYS = {
    "STRIPE_SECRET_KEY": "sk_live_51AbCdEfGhIjKlMnOpQrStUvWx",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_51AbCdEfGhIjKlMnOpQrStUvWx",
}
# Runs pytest with an audit hook that logs every name lookup and connection the process attempts.
GUARDED_PYTEST = """
import os, sys
def log(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        with open(os.environ["NETWORK_LOG"], "a") as out:
            out.write(f"{event} {args[1] if event == 'socket.connect' else args[0]!r}\\n")
sys.addaudithook(log)
import pytest
sys.exit(pytest.main(sys.argv[1:]))
"""


def test_no_explicit_ask_no_stripe(tmp_path):
    with pytest.raises(TargetRefused, match=f"{OPT_IN}=yes"):
        resolve("stripe", TEST_KEYS, env_file=str(tmp_path / ".env"))
    with pytest.raises(TargetRefused, match=f"{OPT_IN}=yes"):
        resolve("stripe", {**TEST_KEYS, OPT_IN: "1"}, env_file=str(tmp_path / ".env"))  # only the exact "yes"


def test_live_missing_and_mismatched_keys_are_refused(tmp_path):
    env_file = str(tmp_path / ".env")
    with pytest.raises(TargetRefused, match="live-mode key"):
        resolve("stripe", {**LIVE_KEYS, OPT_IN: "yes"}, env_file=env_file)
    with pytest.raises(TargetRefused, match="live-mode key"):
        resolve(
            "stripe",
            {**TEST_KEYS, "STRIPE_SECRET_KEY": "rk_live_51AbCdEfGhIjKlMnOpQrStUvWx", OPT_IN: "yes"},
            env_file=env_file,
        )
    with pytest.raises(TargetRefused, match="STRIPE_SECRET_KEY is not set"):
        resolve("stripe", {OPT_IN: "yes"}, env_file=env_file)


def test_test_keys_and_the_explicit_ask_select_stripe(tmp_path):
    (tmp_path / ".env").write_text("\n".join(f"{k}={v}" for k, v in TEST_KEYS.items()) + "\n")
    chosen = resolve("stripe", {OPT_IN: "yes"}, env_file=str(tmp_path / ".env"))  # keys from .env count too
    assert (chosen.is_stripe, chosen.api_base, chosen.secret_key) == (True, None, TEST_KEYS["STRIPE_SECRET_KEY"])
    assert isinstance(chosen.client()._requestor._client, TaggingHTTPClient)


def guarded_pytest(tmp_path, env, *args):
    """pytest in a clean process and folder (no .env); returns the run and the network use it attempted."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_"))}
    log = tmp_path / "network.log"
    environ.update(env, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "server"), ROOT]), NETWORK_LOG=str(log))
    run = subprocess.run(
        [sys.executable, "-c", GUARDED_PYTEST, "-p", "no:cacheprovider", "--rootdir", ROOT, *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return run, log.read_text().splitlines() if log.exists() else []


@pytest.mark.sandbox_only("starts pytest itself to prove the refusals")
@pytest.mark.parametrize(
    "env, refusal",
    [
        ({**LIVE_KEYS, OPT_IN: "yes"}, "is a live-mode key"),
        (TEST_KEYS, f"confirm it with {OPT_IN}=yes"),
    ],
)
def test_pytest_refuses_before_any_connection(tmp_path, env, refusal):
    run, network = guarded_pytest(tmp_path, env, "--target=stripe", os.path.join(ROOT, "tests", "fidelity"))
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    assert refusal in run.stderr
    assert network == []  # not even a name lookup


@pytest.mark.sandbox_only("starts pytest itself to prove the default")
def test_keys_without_the_ask_stay_offline(tmp_path):
    run, network = guarded_pytest(
        tmp_path,
        {**TEST_KEYS, OPT_IN: "yes"},
        os.path.join(ROOT, "tests", "fidelity", "test_target_switch.py::test_default_target"),
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert network and all("127.0.0.1" in line for line in network), network  # the local sandbox only


@pytest.mark.sandbox_only("is about the default")
def test_default_target(api_target, stripe_client):
    assert api_target.name == "sandbox" and api_target.api_base.startswith("http://127.0.0.1:")
    assert stripe_client.v1.payment_intents.list(params={"limit": 1}).object == "list"


@pytest.mark.sandbox_only("checks the tag by reading the sandbox's copy")
def test_objects_created_on_stripe_are_tagged_but_tests_see_what_they_sent(sandbox_url):
    tagging = stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": sandbox_url}, http_client=TaggingHTTPClient("run-42")
    )
    pi = tagging.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "metadata": {"order": "7"}})
    assert pi.metadata.to_dict() == {"order": "7"}
    stored = stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox_url}).v1.payment_intents.retrieve(pi.id)
    assert stored.metadata.to_dict() == {"order": "7", TAG: "run-42"}
    full = {f"k{i}": "x" for i in range(50)}  # no room for the tag: left out, not pushed over Stripe's limit
    pi = tagging.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "metadata": full})
    assert len(pi.metadata.to_dict()) == 50
