"""The Voilà dashboard as a shopper uses it, in headless Chromium: `workbench dashboard`, books, cart, pay, receipt.

One ``workbench dashboard`` (which starts its own shop and sandbox, as ``make demo``
does) serves most tests; the restart test runs the shop in this process instead, so
it can stop it and start it again while the dashboard stays open.
"""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from press_workbench.launch.voila import READY_PATH, answers, free_port
from press_workbench.sandbox.currencies import format_amount
from press_workbench.shop.catalog import load_catalog
from press_workbench.shop.serving import start_shop
from tests.browser.shopper import add_to_cart, open_checkout, open_dashboard, pay

pytestmark = pytest.mark.browser

WORKBENCH = str(Path(sys.executable).parent / "workbench")
LOOPBACK = ("http://127.0.0.1", "http://localhost")


@dataclass
class Dashboard:
    url: str
    shop_url: str


def workbench_env(data_dir, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_", "SHOP_", "SANDBOX_"))}
    return {**env, "WORKBENCH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **extra}


def start_workbench_dashboard(data_dir, *args, **env):
    """`workbench dashboard …`; returns the process and the lines it printed up to "Press Ctrl-C"."""
    process = subprocess.Popen(
        [WORKBENCH, "dashboard", *args],
        env=workbench_env(data_dir, **env),
        cwd=data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    printed = []
    while not printed or "Ctrl-C" not in printed[-1]:
        line = process.stdout.readline()
        assert line, f"workbench dashboard stopped: {''.join(printed)}{process.stderr.read()}"
        printed.append(line)
    return process, "".join(printed)


def stop_with_ctrl_c(process):
    process.send_signal(signal.SIGINT)
    try:
        assert process.wait(timeout=30) == 0
        assert "Stopping" in process.stdout.read()
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    """`workbench dashboard` on a fresh machine: no shop at SHOP_URL, so it starts shop + sandbox, then Voilà."""
    data_dir = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    process, printed = start_workbench_dashboard(
        data_dir, "--port", str(port), "--shop-port", "0", "--sandbox-port", "0", SHOP_URL="http://127.0.0.1:0"
    )
    shop_url = re.search(r"shop \(sandbox mode\) on (http://127\.0\.0\.1:\d+)", printed).group(1)
    assert re.search(r"Offline Stripe sandbox on http://127\.0\.0\.1:\d+", printed)
    assert f"dashboard (Voilà) on http://127.0.0.1:{port}/" in printed
    yield Dashboard(f"http://127.0.0.1:{port}/", shop_url)
    stop_with_ctrl_c(process)  # Voilà and its kernels, the shop and the sandbox, in that order
    assert not answers(f"http://127.0.0.1:{port}/{READY_PATH}") and not answers(f"{shop_url}/api/health")


# -- what a shopper does --------------------------------------------------------------------------------
def loopback_only(page):
    page.route(lambda url: not url.startswith(LOOPBACK), lambda route: route.abort())
    page.set_default_timeout(15_000)


def price(*lines):
    """The total the catalog gives for ``(book_id, quantity)`` lines, formatted as the page shows it."""
    catalog = load_catalog()
    return format_amount(sum(catalog[book_id].price * quantity for book_id, quantity in lines), "usd")


def shop_order(shop_url, order_id):
    with urllib.request.urlopen(f"{shop_url}/api/orders/{order_id}", timeout=5) as response:
        return json.load(response)


def expect_receipt(page, shop_url, order_id, total):
    """The confirmation panel shows what the shop recorded for the order: total charged and PaymentIntent."""
    receipt = page.locator(".wb-confirmation")
    expect(receipt).to_contain_text("Payment received")
    order = shop_order(shop_url, order_id)
    assert order["status"] == "paid" and order["payment_intent"].startswith("pi_")
    assert format_amount(order["amount_received"], order["currency"]) == total
    expect(receipt.locator(".wb-amount")).to_have_text(total)
    expect(receipt.locator(".wb-pi")).to_have_text(order["payment_intent"])
    dashboard_page = re.compile(rf"^http://127\.0\.0\.1:\d+/dashboard/payments/{order['payment_intent']}$")
    expect(receipt.locator("a:has(.wb-pi)")).to_have_attribute(
        "href", dashboard_page
    )  # its page in the sandbox console
    expect(receipt.locator(".wb-order-id")).to_have_text(order_id)


# -- the tests ----------------------------------------------------------------------------------------
def test_two_books_paid_in_the_inline_checkout_show_the_shops_receipt_without_a_reload(page, dashboard):
    elsewhere = []
    page.on(
        "request",
        lambda request: None if request.url.startswith((*LOOPBACK, "data:")) else elsewhere.append(request.url),
    )
    open_dashboard(page, dashboard.url)
    expect(page.locator(".wb-mode")).to_have_text("SANDBOX — offline, no real money")
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page

    add_to_cart(page, "art-of-doing-science")
    add_to_cart(page, "working-in-public", 2)  # at once: the second click must not be lost while the first is priced
    total = price(("art-of-doing-science", 1), ("working-in-public", 2))
    expect(page.locator(".wb-cart-total")).to_have_text(f"Total {total}")
    expect(page.locator(".wb-cart-line")).to_have_count(2)
    expect(page.locator(".wb-pay")).to_have_text(f"Pay {total}")

    checkout, order_id = open_checkout(page)
    expect(page.locator(".wb-checkout-link a")).to_have_attribute("target", "_blank")
    expect(page.locator(".wb-status")).to_contain_text("Awaiting payment")
    expect(checkout.get_by_test_id("order-total")).to_have_text(total)
    pay(checkout, "4242 4242 4242 4242")

    expect_receipt(page, dashboard.shop_url, order_id, total)
    expect(page.locator("iframe.wb-frame")).to_have_count(0)
    assert page.evaluate("window.sameDocument") is True
    assert elsewhere == []  # renders offline: no CDN, nothing but loopback

    page.locator(".wb-new-order").click()
    expect(page.locator(".wb-cart-total")).to_have_text("Total —")
    expect(page.locator(".wb-book-card").first).to_be_visible()


def test_a_decline_shows_stripes_message_and_a_retry_in_a_new_tab_pays(page, dashboard):
    open_dashboard(page, dashboard.url)
    add_to_cart(page, "an-elegant-puzzle")
    checkout, order_id = open_checkout(page)
    pay(checkout, "4000 0000 0000 9995")

    expect(checkout.get_by_test_id("payment-error")).to_have_text("Your card has insufficient funds.")
    expect(page.locator(".wb-status")).to_contain_text("Payment failed. Your card has insufficient funds.")
    expect(page.locator(".wb-confirmation")).to_be_hidden()

    with page.expect_popup() as popup:  # the shopper retries in the checkout's own tab
        page.locator(".wb-checkout-link a").click()
    tab = popup.value
    loopback_only(tab)
    expect(tab.get_by_test_id("order-total")).to_have_text(price(("an-elegant-puzzle", 1)))
    pay(tab, "4242 4242 4242 4242")
    expect(tab.get_by_test_id("confirmation")).to_be_visible()
    expect_receipt(page, dashboard.shop_url, order_id, price(("an-elegant-puzzle", 1)))  # the dashboard follows


def test_two_tabs_keep_their_own_carts(context, page, dashboard):
    other = context.new_page()
    loopback_only(other)
    open_dashboard(page, dashboard.url)
    open_dashboard(other, dashboard.url)

    add_to_cart(page, "stubborn-attachments")
    add_to_cart(other, "scaling-people", 3)
    expect(other.locator(".wb-cart-total")).to_have_text(f"Total {price(('scaling-people', 3))}")
    add_to_cart(other, "scaling-people", 8)  # 11 copies: the shop refuses, the cart stays as it was
    expect(other.locator(".wb-notice")).to_have_text("The quantity of Scaling People must be from 1 to 10, not 11.")
    expect(other.locator(".wb-cart-total")).to_have_text(f"Total {price(('scaling-people', 3))}")
    expect(page.locator(".wb-cart-total")).to_have_text(f"Total {price(('stubborn-attachments', 1))}")
    for tab, mine, theirs in (
        (page, "Stubborn Attachments", "Scaling People"),
        (other, "Scaling People", "Stubborn Attachments"),
    ):
        expect(tab.locator(".wb-cart-line")).to_have_count(1)
        expect(tab.locator(".wb-cart-lines")).to_contain_text(mine)
        expect(tab.locator(".wb-cart-lines")).not_to_contain_text(theirs)

    _, first = open_checkout(page)
    _, second = open_checkout(other)
    assert first != second
    assert shop_order(dashboard.shop_url, first)["amount"] == 2000
    assert shop_order(dashboard.shop_url, second)["amount"] == 10500


class RestartableShop:
    """A shop served from this process (its own data, the session's sandbox): stop it, start it on the same port."""

    def __init__(self, config):
        self.config = config
        self.server, _ = start_shop(config)
        self.url = self.server.url

    def stop(self):
        if self.server:
            self.server.stop()
            self.server = None

    def start(self):
        self.server, _ = start_shop(self.config, port=int(self.url.rsplit(":", 1)[1]))


@pytest.fixture
def restartable_shop(tmp_path, sandbox_url):
    shop = RestartableShop(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path / "shop"),
            "SANDBOX_URL": sandbox_url,
            "SECRET_KEY": "t",
            "DASHBOARD_PORT": free_port(),
        }
    )
    yield shop
    shop.stop()


def test_the_dashboard_rides_out_a_shop_restart(page, restartable_shop, tmp_path):
    shop = restartable_shop
    port = shop.config["DASHBOARD_PORT"]  # the shop lets this dashboard frame its checkout
    process, printed = start_workbench_dashboard(tmp_path, "--port", str(port), SHOP_URL=shop.url)
    try:
        assert f"Using the Press Workbench shop (sandbox mode) already running on {shop.url}" in printed
        open_dashboard(page, f"http://127.0.0.1:{port}/")
        add_to_cart(page, "high-growth-handbook", 2)
        total = price(("high-growth-handbook", 2))
        expect(page.locator(".wb-cart-total")).to_have_text(f"Total {total}")

        shop.stop()
        expect(page.locator(".wb-notice")).to_contain_text("The shop is not answering right now.")
        expect(page.locator(".wb-pay")).to_be_disabled()
        expect(page.locator(".wb-add-to-cart").first).to_be_disabled()

        shop.start()
        expect(page.locator(".wb-notice")).to_contain_text("The shop is back. Your cart is as you left it.")
        expect(page.locator(".wb-cart-total")).to_have_text(f"Total {total}")
        checkout, order_id = open_checkout(page)
        pay(checkout, "4242 4242 4242 4242")
        expect_receipt(page, shop.url, order_id, total)
    finally:
        stop_with_ctrl_c(process)
