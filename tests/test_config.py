"""Mode selection: sandbox by default, real test keys → stripe mode, anything else refused clearly."""

import os
import subprocess
import sys

import pytest

from press_workbench.shop import ConfigError, create_app
from press_workbench.shop.config import resolve, stripe_endpoints

SK = "sk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"
PK = "pk_test_51AbCdEfGhIjKlMnOpQrStUvWxYz9876543210"


def test_no_keys_means_sandbox():
    config = resolve({})
    assert config["MODE"] == "sandbox"
    assert stripe_endpoints(config) == ("http://127.0.0.1:12111", "http://127.0.0.1:12111/v3/")


def test_test_keys_mean_stripe_mode_with_stripe_defaults(tmp_path):
    app = create_app(
        {"TESTING": True, "STRIPE_SECRET_KEY": SK, "STRIPE_PUBLISHABLE_KEY": PK, "DATA_DIR": str(tmp_path)}
    )
    assert app.config["MODE"] == "stripe"
    assert app.config["STRIPE_JS_URL"] == "https://js.stripe.com/v3/"


@pytest.mark.parametrize(
    "settings, fragment",
    [
        ({"STRIPE_SECRET_KEY": SK}, "STRIPE_PUBLISHABLE_KEY is not set"),
        ({"STRIPE_PUBLISHABLE_KEY": PK}, "STRIPE_SECRET_KEY is not set"),
        ({"STRIPE_SECRET_KEY": "sk_live_51AbCdEfGhIjKlMnOpQr", "STRIPE_PUBLISHABLE_KEY": PK}, "live-mode key"),
        ({"STRIPE_SECRET_KEY": SK, "STRIPE_PUBLISHABLE_KEY": "pk_live_51AbCdEfGhIjKlMnOpQr"}, "live-mode key"),
        ({"STRIPE_SECRET_KEY": "hello", "STRIPE_PUBLISHABLE_KEY": PK}, "does not look like a Stripe key"),
        ({"STRIPE_SECRET_KEY": PK, "STRIPE_PUBLISHABLE_KEY": SK}, "does not look like a Stripe key"),
        (
            {"STRIPE_SECRET_KEY": SK, "STRIPE_PUBLISHABLE_KEY": "pk_test_51ZzZzZzZzZzZzZzZzZzZzZzZz"},
            "different Stripe accounts",
        ),
        ({"MODE": "stripe"}, "is not set"),
        ({"MODE": "production"}, "WORKBENCH_MODE must be"),
    ],
)
def test_bad_configuration_is_refused_with_a_fix(settings, fragment):
    with pytest.raises(ConfigError, match=fragment):
        resolve(settings)


def test_workbench_serve_refuses_a_live_key(tmp_path):
    env = {
        **os.environ,
        "STRIPE_SECRET_KEY": "sk_live_51AbCdEfGhIjKlMnOpQrStUv",
        "STRIPE_PUBLISHABLE_KEY": PK,
        "WORKBENCH_DATA_DIR": str(tmp_path),
        "SHOP_PORT": "0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "press_workbench.launch.cli", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "STRIPE_SECRET_KEY is a live-mode key" in result.stderr
    assert "Press Workbench shop" not in result.stdout


def run_check(tmp_path, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_"))}
    # Any attempt to reach api.stripe.com goes to a closed loopback port: offline, and never the internet.
    environ.update(
        HTTPS_PROXY="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1",
        WORKBENCH_DATA_DIR=str(tmp_path),
        SANDBOX_PORT="9",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "press_workbench.launch.cli", "check"],
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_in_sandbox_mode_prints_the_sandbox_keys(tmp_path):
    result = run_check(tmp_path)
    assert result.returncode == 0
    assert "mode: sandbox" in result.stdout and "pk_test_sandbox_press_workbench" in result.stdout
    assert "not running (workbench serve starts it)" in result.stdout


def test_check_with_test_keys_offline_reports_unreachable_without_crashing(tmp_path):
    result = run_check(tmp_path, STRIPE_SECRET_KEY=SK, STRIPE_PUBLISHABLE_KEY=PK)
    assert result.returncode == 1
    assert "mode: stripe" in result.stdout
    assert "api.stripe.com is not reachable" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_refuses_mismatched_keys(tmp_path):
    result = run_check(tmp_path, STRIPE_SECRET_KEY=SK, STRIPE_PUBLISHABLE_KEY="pk_test_51ZzZzZzZzZzZzZzZzZzZzZzZz")
    assert result.returncode == 2
    assert "different Stripe accounts" in result.stdout
