"""The shop in euros in headless Chromium: a SEPA order processing then paid by itself, iDEAL through the bank's page.

The shop sells in EUR (``SHOP_CURRENCY=eur``), so its Payment Element offers card, iDEAL
and SEPA Debit.  The module's sandbox holds each debit until the test lets the bank
answer (``bank_answers``): the return page must show ``payment-processing`` meanwhile,
then update itself to the confirmation (or back to the checkout) with nobody reloading
it.  The Voilà dashboard, started by ``workbench dashboard`` in euros, shows a processing
order as its own state and follows an iDEAL payment made in a new tab.

``WORKBENCH_SCREENSHOTS=static/screenshots`` also saves the processing page and the
iDEAL confirmation there (lesson 06 shows the first).
"""

import os
import re
import shutil

import pytest
from playwright.sync_api import expect

from press_workbench.launch.voila import free_port
from press_workbench.sandbox import settle_now
from press_workbench.shop.catalog import load_catalog
from tests.bank_payments import IBAN_FAILS, IBAN_SUCCEEDS, bank_answers, eur_shop, holding_sandbox, served
from tests.browser.shopper import add_to_cart, buy_now, choose_payment_method, fill_iban, open_checkout, open_dashboard
from tests.browser.test_dashboard import expect_receipt, loopback_only, start_workbench_dashboard, stop_with_ctrl_c
from tests.fidelity.target import sandbox_target

pytestmark = pytest.mark.browser
EUROS = load_catalog("eur")


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    with holding_sandbox(str(tmp_path_factory.mktemp("bank"))) as running:
        yield running


@pytest.fixture
def stripe_client(bank):
    return sandbox_target(bank.url).client()


@pytest.fixture
def eur_live_shop(tmp_path, bank):
    app = eur_shop(tmp_path, sandbox_target(bank.url))
    with served(app) as running:
        yield running


def euros(book_id):
    return f"€{EUROS[book_id].price / 100:.2f}"


def order_of(shop, page):
    order_id = re.search(r"/checkout/(ord_[^/?]+)", page.url).group(1)
    return shop.app.extensions["shop"].orders.get(order_id)


def save_screenshot(page, tmp_path, name):
    """A screenshot to look at (in ``tmp_path``), also saved where ``WORKBENCH_SCREENSHOTS`` says."""
    page.screenshot(path=str(tmp_path / name))
    if os.environ.get("WORKBENCH_SCREENSHOTS"):
        shutil.copy(tmp_path / name, os.path.join(os.environ["WORKBENCH_SCREENSHOTS"], name))


def pay_by_sepa_in_checkout(page, iban):
    choose_payment_method(page, "SEPA Debit")
    fill_iban(page, iban)
    button = page.get_by_test_id("pay-button")
    expect(button).to_be_enabled()
    button.click()


def test_a_sepa_order_shows_processing_then_becomes_paid_by_itself(page, eur_live_shop, stripe_client, bank, tmp_path):
    page.set_viewport_size({"width": 1100, "height": 820})
    buy_now(page, eur_live_shop.url, "working-in-public")
    expect(page.get_by_test_id("order-total")).to_have_text(euros("working-in-public"))
    pay_by_sepa_in_checkout(page, IBAN_SUCCEEDS)

    processing = page.get_by_test_id("payment-processing")
    expect(processing).to_contain_text("Your payment is processing")
    expect(processing).to_contain_text("This page updates itself")
    expect(page.get_by_test_id("payment-status")).to_have_text("processing")
    expect(page.get_by_test_id("confirmation")).to_have_count(0)
    order = order_of(eur_live_shop, page)
    assert order.status == "processing"
    save_screenshot(page, tmp_path, "sepa-processing.png")

    bank_answers(stripe_client, bank.data_dir, {"payment_intent": order.payment_intent})
    expect(page.get_by_test_id("confirmation-amount")).to_have_text(euros("working-in-public"), timeout=20_000)
    expect(page.get_by_test_id("payment-intent-id")).to_have_text(order.payment_intent)
    paid = order_of(eur_live_shop, page)
    assert (paid.status, paid.history[-1]["source"]) == ("paid", "webhook")


def test_a_failed_debit_goes_back_to_the_checkout_and_the_same_order_is_paid(page, eur_live_shop, stripe_client, bank):
    buy_now(page, eur_live_shop.url, "scaling-people")
    pay_by_sepa_in_checkout(page, IBAN_FAILS)
    expect(page.get_by_test_id("payment-processing")).to_be_visible()
    order = order_of(eur_live_shop, page)

    bank_answers(stripe_client, bank.data_dir, {"payment_intent": order.payment_intent})
    expect(page.get_by_test_id("payment-error")).to_have_text(
        "Your bank did not pay the debit. Try again with another account, or pay another way.", timeout=20_000
    )
    pay_by_sepa_in_checkout(page, IBAN_SUCCEEDS)
    expect(page.get_by_test_id("payment-processing")).to_be_visible()
    bank_answers(stripe_client, bank.data_dir, {"payment_intent": order.payment_intent})
    expect(page.get_by_test_id("confirmation-amount")).to_have_text(euros("scaling-people"), timeout=20_000)
    assert [h["status"] for h in order_of(eur_live_shop, page).history] == [
        "awaiting_payment",
        "processing",
        "failed",
        "processing",
        "paid",
    ]


def test_an_ideal_order_reaches_the_confirmation_through_the_banks_page(page, eur_live_shop, bank, tmp_path):
    page.set_viewport_size({"width": 1100, "height": 820})
    buy_now(page, eur_live_shop.url, "an-elegant-puzzle")
    order = order_of(eur_live_shop, page)
    choose_payment_method(page, "iDEAL")
    page.get_by_test_id("pay-button").click()

    authorize = page.get_by_test_id("redirect-authorize")
    expect(authorize).to_have_text("Authorize test payment")
    assert page.url.startswith(bank.url)  # the bank's page, not the shop's
    expect(page.get_by_test_id("redirect-amount")).to_have_text(euros("an-elegant-puzzle"))
    authorize.click()

    expect(page.get_by_test_id("confirmation-amount")).to_have_text(euros("an-elegant-puzzle"))
    expect(page.get_by_test_id("payment-intent-id")).to_have_text(order.payment_intent)
    assert "redirect_status=succeeded" in page.url
    assert order_of(eur_live_shop, page).status == "paid"
    save_screenshot(page, tmp_path, "ideal-confirmation.png")


# -- the Voilà dashboard, selling in euros ------------------------------------------------------------------
@pytest.fixture(scope="module")
def eur_dashboard(tmp_path_factory):
    """`workbench dashboard` selling in euros, its sandbox holding every debit until ``settle_now``."""
    data_dir, port = tmp_path_factory.mktemp("eur-dashboard"), free_port()
    process, printed = start_workbench_dashboard(
        data_dir,
        "--port",
        str(port),
        "--shop-port",
        "0",
        "--sandbox-port",
        "0",
        SHOP_URL="http://127.0.0.1:0",
        SHOP_CURRENCY="eur",
        SANDBOX_SEPA_SETTLE_SECONDS="hold",
    )
    shop_url = re.search(r"shop \(sandbox mode\) on (http://127\.0\.0\.1:\d+)", printed).group(1)
    yield f"http://127.0.0.1:{port}/", shop_url, str(data_dir)
    stop_with_ctrl_c(process)


def test_the_dashboard_shows_a_debit_processing_then_the_receipt(page, eur_dashboard, tmp_path):
    url, shop_url, data_dir = eur_dashboard
    open_dashboard(page, url)
    add_to_cart(page, "stubborn-attachments")
    expect(page.locator(".wb-cart-total")).to_have_text(f"Total {euros('stubborn-attachments')}")
    checkout, order_id = open_checkout(page)
    expect(page.locator(".wb-status")).to_contain_text("SEPA Debit")
    pay_by_sepa_in_checkout(checkout, IBAN_SUCCEEDS)

    expect(page.locator(".wb-status .wb-processing")).to_have_text("Processing")
    expect(page.locator(".wb-status")).to_contain_text("Your bank debit of €19.00 is on its way.")
    expect(page.locator(".wb-checkout-link")).to_be_hidden()  # nothing to pay while it processes
    expect(checkout.get_by_test_id("payment-processing")).to_be_visible()
    expect(page.locator(".wb-confirmation")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "dashboard-processing.png"))

    settle_now(data_dir)
    expect_receipt(page, shop_url, order_id, euros("stubborn-attachments"))


def test_the_dashboard_follows_an_ideal_payment_finished_in_a_new_tab(page, eur_dashboard):
    url, shop_url, _ = eur_dashboard
    open_dashboard(page, url)
    add_to_cart(page, "revolt-of-the-public", 2)
    _, order_id = open_checkout(page)
    expect(page.locator(".wb-checkout-link")).to_contain_text("To pay by iDEAL, use the new tab")
    with page.expect_popup() as popup:
        page.locator(".wb-checkout-link a").click()
    tab = popup.value
    loopback_only(tab)
    choose_payment_method(tab, "iDEAL")
    tab.get_by_test_id("pay-button").click()
    tab.get_by_test_id("redirect-authorize").click()
    total = f"€{2 * EUROS['revolt-of-the-public'].price / 100:.2f}"
    expect(tab.get_by_test_id("confirmation-amount")).to_have_text(total)
    expect_receipt(page, shop_url, order_id, total)  # the dashboard follows the order by itself
