"""Shared fixtures: a real sandbox over HTTP, the shop app on top of it, and a live shop for browsers.

``--target=stripe`` (with ``WORKBENCH_VERIFY_STRIPE=yes``; ``make verify-stripe``)
points the stripe-python clients, the shop and the browser at real Stripe test mode
instead, for the conformance suite and the purchase flow only; tests that need the
sandbox itself are skipped then, with the reason.  See ``tests/fidelity/target.py``.
"""

import os
import shutil
from collections import Counter

import pytest

from press_workbench.sandbox.serving import serve_in_thread, start_sandbox
from press_workbench.shop import create_app
from press_workbench.shop.serving import register_sandbox_webhook
from tests.fidelity.target import TargetRefused, resolve, sandbox_target
from tests.shop_helpers import WEBHOOK_SECRET

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What --target=stripe runs: the conformance suite, the fidelity report and the shop's purchase flow.
VERIFIED = ("tests/sandbox/", "tests/fidelity/", "tests/browser/test_checkout.py")
STRIPE_HOSTS = (".stripe.com", ".stripe.network", ".stripecdn.com")
JUPYTER = ("tests/notebooks/", "tests/hub/")  # the tests that start JupyterLab, Voilà's server or a hub
HEAVY = ("notebooks/", "tests/browser/")  # a kernel or a browser per file: seconds to a minute each


def pytest_addoption(parser):
    parser.addoption(
        "--target",
        choices=("sandbox", "stripe"),
        default="sandbox",
        help="where the conformance suite runs: the offline sandbox (default) or Stripe test mode "
        "(also needs WORKBENCH_VERIFY_STRIPE=yes and test keys; see make verify-stripe)",
    )


def pytest_configure(config):
    """Refuse a Stripe run here, before any fixture could open a connection."""
    config.stripe_target = None
    if config.getoption("--target") == "stripe":
        try:
            config.stripe_target = resolve("stripe")
        except TargetRefused as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_collection_modifyitems(config, items):
    """Node ids made unique and the longest tests first, for ``make test``'s workers; against Stripe, run only the
    verified suites, and nothing marked ``sandbox_only``."""
    unique_node_ids(items)
    longest_first(config, items)
    if config.stripe_target is None:
        return
    for item in items:
        path = os.path.relpath(str(item.path), str(config.rootpath))
        marker = item.get_closest_marker("sandbox_only")
        if not path.startswith(VERIFIED):
            item.add_marker(pytest.mark.skip(reason="runs against the sandbox only (not part of make verify-stripe)"))
        elif marker:
            item.add_marker(pytest.mark.skip(reason=f"sandbox-only: {marker.args[0]}"))


def unique_node_ids(items):
    """Under pytest 9, schemathesis 4 gives each API operation's test its function's node id (only the name has the
    operation): pytest-xdist, which hands out work by node id, ran one operation of eleven.  Each gets the operation
    in its id, as a parametrized test has its parameters."""
    counts = Counter(item.nodeid for item in items)
    for item in items:
        label = getattr(item, "operation_label", None)  # schemathesis' items only
        if counts[item.nodeid] > 1 and label:
            item._id = item.id.with_params(label)  # pytest has no public setter for a node's id


def longest_first(config, items):
    """The tests that start JupyterLab or a hub first (the longest stretch), then the lessons under nbval and the
    browser tests, the quick files last: ``make test``'s two workers then finish at about the same time (a 30-second
    lesson left for the end kept one worker busy while the other had finished)."""

    def rank(item):
        path = os.path.relpath(str(item.path), str(config.rootpath))
        return 0 if path.startswith(JUPYTER) else 1 if path.startswith(HEAVY) else 2

    items.sort(key=rank)


@pytest.hookimpl(optionalhook=True)  # with -p no:xdist (make mutation) the hook does not exist
def pytest_xdist_make_scheduler(config, log):
    """``make test``'s two pytest-xdist workers: each file stays whole on one worker, in its order (a lesson's cells
    run in one kernel, a module's fixtures serve its tests), and the tests that start JupyterLab or a hub share one
    worker, one at a time: spread freely, a JupyterLab test failed beside another under the load (a dialog left over
    its notebook).  Without ``-n`` this is never called."""
    from xdist.scheduler import LoadScopeScheduling  # the test extra has it; a run without xdist never gets here

    class OneJupyterAtATime(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return "jupyter" if nodeid.startswith(JUPYTER) else nodeid.split("::", 1)[0]

    return OneJupyterAtATime(config, log)


@pytest.fixture(scope="session")
def sandbox(request, tmp_path_factory):
    """One sandbox server for the session (webhook retries fast so tests see them)."""
    if request.config.stripe_target:
        pytest.skip("sandbox-only: talks to the sandbox's own server (its pages, raw HTTP or local webhooks)")
    running = start_sandbox(str(tmp_path_factory.mktemp("sandbox")), webhook_retry_base=0.2)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def sandbox_url(sandbox):
    return sandbox.url


@pytest.fixture(scope="session")
def api_target(request):
    """The Stripe the clients, the shop and the browser talk to: the sandbox unless --target=stripe."""
    return request.config.stripe_target or sandbox_target(request.getfixturevalue("sandbox_url"))


@pytest.fixture
def make_client(api_target):
    """``make_client(**StripeClient options)``: e.g. ``stripe_version=`` or another ``key=``."""
    return api_target.client


@pytest.fixture
def stripe_client(api_target):
    """stripe-python 16 talking HTTP to the target with the secret key, as a shop would."""
    return api_target.client()


@pytest.fixture
def publishable_client(api_target):
    """The publishable key, as Stripe.js uses it."""
    return api_target.client(api_target.publishable_key)


@pytest.fixture
def app(tmp_path, api_target):
    return create_app(
        {"TESTING": True, "DATA_DIR": str(tmp_path / "shop"), "SECRET_KEY": "test", **api_target.shop_config()}
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signed_app(app):
    """The shop with a webhook secret, so that events signed with it (``shop_helpers.post_event``) verify."""
    app.config["STRIPE_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    return app


@pytest.fixture
def operator(app):
    """The header the notebook helper sends on operator routes: the shop's operator token as a bearer."""
    return {"Authorization": f"Bearer {app.config['OPERATOR_TOKEN']}"}


@pytest.fixture
def live_shop(app):
    """The shop served on a loopback port with its webhook registered at the sandbox."""
    running = serve_in_thread(app, name="shop")
    app.config["SHOP_URL"] = running.url
    endpoint = register_sandbox_webhook(app, running.url) if app.config["MODE"] == "sandbox" else None
    yield running
    if endpoint:
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
def page(page, request):
    """Every browser test page: loopback only (plus Stripe's own hosts under --target=stripe)."""
    allowed = ("http://127.0.0.1", "http://localhost")

    def blocked(url):
        host = url.split("/")[2] if url.startswith("https://") else ""
        return not (url.startswith(allowed) or (request.config.stripe_target and host.endswith(STRIPE_HOSTS)))

    page.route(blocked, lambda route: route.abort())
    page.set_default_timeout(15_000)
    return page
