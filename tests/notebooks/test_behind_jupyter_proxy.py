"""A remote shopper: the browser reaches only a Jupyter server, at ``/user/alice/``, and pays all the same.

A real single-user Jupyter server with no hub in front (JupyterLab with jupyter-server-proxy
and Voilà's extension, a base URL and a token, ``WORKBENCH_PROXY=on``, as on Binder or a
lab server of one's own) serves the shop at ``/user/alice/shop/`` and the sandbox at
``/user/alice/stripe/``, started on demand.  The browser may reach nothing else: every
request (and WebSocket) to another host:port is aborted and counted, and the count must
stay 0.  The dashboard is paid through ``/user/alice/voila/render/``; a lesson's inline
checkout through such a server is paid in tests/hub (the hub adds its proxy in front).

``WORKBENCH_SCREENSHOTS=<folder>`` also saves the screen (``remote-dashboard.png``).
"""

import json
import os
import re
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from press_workbench.launch.lab import lab_command, write_setting_overrides
from press_workbench.launch.voila import free_port
from press_workbench.sandbox.currencies import format_amount
from press_workbench.shop.catalog import load_catalog
from tests.browser.shopper import add_to_cart, open_checkout, open_dashboard, pay
from tests.notebooks.jupyterlab import TOKEN, lab_env, running

pytestmark = pytest.mark.browser

BASE_URL = "/user/alice/"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """JupyterLab at ``/user/alice/`` on a free port, serving a copy of the dashboard notebook."""
    tmp_path = tmp_path_factory.mktemp("remote")
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "dashboard.ipynb", folder)
    port = free_port()
    command = [
        *lab_command(port, folder, write_setting_overrides(tmp_path / "app-settings")),
        f"--ServerApp.base_url={BASE_URL}",
    ]
    env = lab_env(tmp_path, WORKBENCH_PROXY="on", WORKBENCH_DATA_DIR=str(tmp_path / "var"))
    for name in ("SHOP_URL", "SANDBOX_URL", "SHOP_PORT", "SANDBOX_PORT", "WORKBENCH_AUTOPAY", "WORKBENCH_MODE"):
        env.pop(name, None)  # a person pays; the Jupyter server picks the ports
    with running(command, env, tmp_path / "lab.log", port, BASE_URL) as url:
        yield url


@pytest.fixture
def only_the_jupyter_server(page, jupyter):
    """Abort and count whatever the page asks of any other host:port (CDNs, the shop's or sandbox's own ports)."""
    allowed = urlsplit(jupyter).netloc
    elsewhere = []

    def other(url):
        parts = urlsplit(url)
        return parts.scheme not in ("data", "blob", "about") and parts.netloc != allowed

    def abort(route):
        elsewhere.append(route.request.url)
        route.abort()

    page.unroute("**/*")  # the loopback-only rule of tests/conftest.py: here the rule is stricter
    page.route(other, abort)
    page.on("websocket", lambda ws: elsewhere.append(ws.url) if urlsplit(ws.url).netloc != allowed else None)
    page.set_viewport_size({"width": 1280, "height": 900})
    return elsewhere


def price(book_id, quantity):
    book = load_catalog()[book_id]
    return format_amount(book.price * quantity, book.currency)


def screenshot(page, name):
    folder = os.environ.get("WORKBENCH_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name))


def shop_order(jupyter, order_id):
    """The order as the shop's API tells it, through the Jupyter server (token-authenticated)."""
    request = urllib.request.Request(
        f"{jupyter}/shop/api/orders/{order_id}", headers={"Authorization": f"token {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def test_dashboard_through_voilas_extension_covers_pay_receipt(page, jupyter, only_the_jupyter_server):
    open_dashboard(page, f"{jupyter}/voila/render/dashboard.ipynb?token={TOKEN}")
    covers = page.locator("img.wb-cover")
    expect(covers.first).to_have_attribute("src", re.compile(rf"^{BASE_URL}shop/covers/"))
    page.wait_for_function("[...document.querySelectorAll('img.wb-cover')].every(i => i.complete && i.naturalWidth)")

    add_to_cart(page, "working-in-public", 2)
    total = price("working-in-public", 2)
    expect(page.locator(".wb-cart-total")).to_have_text(f"Total {total}")
    checkout, order_id = open_checkout(page)
    expect(page.locator(".wb-checkout-link a")).to_have_attribute("href", f"{BASE_URL}shop/checkout/{order_id}")
    expect(checkout.get_by_test_id("order-total")).to_have_text(total, timeout=30_000)
    pay(checkout, "4242 4242 4242 4242")

    receipt = page.locator(".wb-confirmation")
    expect(receipt).to_contain_text("Payment received", timeout=30_000)
    order = shop_order(jupyter, order_id)
    assert order["status"] == "paid" and format_amount(order["amount_received"], order["currency"]) == total
    expect(receipt.locator(".wb-amount")).to_have_text(total)
    expect(receipt.locator(".wb-pi")).to_have_text(order["payment_intent"])
    console = f"{BASE_URL}stripe/dashboard/payments/{order['payment_intent']}"
    expect(receipt.locator("a:has(.wb-pi)")).to_have_attribute("href", console)  # the console, through the proxy
    screenshot(page, "remote-dashboard.png")
    assert only_the_jupyter_server == []  # no CDN (FontAwesome, MathJax), no loopback port but the server's
