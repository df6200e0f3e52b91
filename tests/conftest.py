"""Shared fixtures: a real sandbox over HTTP, the shop app on top of it, and a live shop for browsers."""

import os
import shutil

import pytest
import stripe

from server import create_app
from server.runner import register_sandbox_webhook, serve_in_thread, start_sandbox
from server.sandbox import PUBLISHABLE_KEY, SECRET_KEY

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """One sandbox server for the session (webhook retries fast so tests see them)."""
    running = start_sandbox(str(tmp_path_factory.mktemp("sandbox")), webhook_retry_base=0.2)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def sandbox_url(sandbox):
    return sandbox.url


@pytest.fixture
def stripe_client(sandbox_url):
    """stripe-python 16 talking HTTP to the sandbox, as a shop would."""
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox_url})


@pytest.fixture
def publishable_client(sandbox_url):
    """The publishable key, as Stripe.js uses it."""
    return stripe.StripeClient(PUBLISHABLE_KEY, base_addresses={"api": sandbox_url})


@pytest.fixture
def app(tmp_path, sandbox_url):
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path / "shop"), "SANDBOX_URL": sandbox_url,
                       "SECRET_KEY": "test"})  # fmt: skip


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def operator(app):
    """The header the notebook helper sends on operator routes: the shop's operator token as a bearer."""
    return {"Authorization": f"Bearer {app.config['OPERATOR_TOKEN']}"}


@pytest.fixture
def live_shop(app):
    """The shop served on a loopback port with its webhook registered at the sandbox."""
    running = serve_in_thread(app, name="shop")
    app.config["SHOP_URL"] = running.url
    endpoint = register_sandbox_webhook(app, running.url)
    yield running
    app.extensions["shop"].stripe.v1.webhook_endpoints.delete(endpoint.id)
    running.stop()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium (Playwright cannot download its own browser here)."""
    args = {**browser_type_launch_args, "args": CHROMIUM_ARGS}
    if os.path.exists(CHROMIUM):
        args["executable_path"] = CHROMIUM
    return args


@pytest.fixture
def page(page):
    """Every browser test page: loopback only, so a test can never reach the internet."""
    page.route(lambda url: not url.startswith(("http://127.0.0.1", "http://localhost")), lambda route: route.abort())
    page.set_default_timeout(15_000)
    return page
