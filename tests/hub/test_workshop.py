"""``make workshop`` as a class uses it: a real JupyterHub, two learners whose browsers reach only the hub.

Each learner signs in with their own name and the workshop password, lands in their
own JupyterLab on lesson 01, buys a book in the Voilà dashboard through the hub, runs
lesson 02 and pays in its inline checkout, and sees their own confirmation.  Neither
can reach the other's shop, orders or files; Ctrl-C then stops every process of the
workshop.  The tests run in order on one workshop (module fixtures in conftest.py).

``WORKBENCH_SCREENSHOTS=static/screenshots`` also saves a learner's JupyterLab with the
paid status panel (``workshop-lesson.png``, shown in docs/workshop.md).
"""

import json
import os
import re
import stat
import subprocess
import urllib.error
import urllib.request

import psutil
import pytest
from playwright.sync_api import expect

from press_workbench.sandbox import PROXY_TOKEN_ENV, PROXY_TOKEN_HEADER
from press_workbench.sandbox.currencies import format_amount
from press_workbench.shop.catalog import load_catalog
from tests.browser.shopper import CARD_FRAME, add_to_cart, open_checkout, pay
from tests.hub.workshop import FIRST_LESSON, account
from tests.notebooks.jupyterlab import code_cell, kernel_ready, run_all_cells

pytestmark = pytest.mark.browser

LESSON_02 = "02_checkout_round_trip.ipynb"
CHECKOUT = 'iframe[title^="Checkout for order"]'
BOOKS = {"ada": "working-in-public", "grace": "an-elegant-puzzle"}  # each learner buys a different book
LESSON_NOTEBOOKS = {FIRST_LESSON, LESSON_02, "03_extend_the_shop.ipynb", "dashboard.ipynb"}


def price(book_id, quantity=1):
    book = load_catalog()[book_id]
    return format_amount(book.price * quantity, book.currency)


def process_running(workshop, learner, *words):
    """The learner's one process whose command line has these ``words`` (``jupyterhub.singleuser``: their server)."""
    (process,) = [p for p in workshop.learner_processes(learner.name) if set(words) <= set(p.info["cmdline"])]
    return process


def order_through_the_hub(learner, workshop, order_id, owner=None):
    """GET the order from ``owner``'s shop (the learner's own by default) with this learner's browser session."""
    owner = owner or learner.name
    return learner.page.context.request.get(f"{workshop.url}user/{owner}/shop/api/orders/{order_id}")


def test_make_workshop_hands_out_one_url_and_each_learner_gets_their_own_account_and_lessons(workshop, learners):
    printed = "".join(workshop.printed)
    assert workshop.url == f"http://127.0.0.1:{workshop.netloc.rsplit(':', 1)[1]}/"
    assert "Workshop password" not in printed  # the instructor chose it: never echoed
    assert "Each learner runs as a Unix account of their own" in printed
    for learner in learners:
        notebook = learner.page.locator(".jp-NotebookPanel:visible")
        expect(notebook.locator(".jp-MarkdownOutput").first).to_contain_text("PaymentIntent")
        # the lesson is trusted in the learner's account: its committed diagrams draw before any cell runs
        expect(notebook.locator(".jp-OutputArea-output svg").first).to_be_visible()
        expect(learner.page.get_by_text("Would you like to get notified about official Jupyter news?")).to_have_count(0)
        server = process_running(workshop, learner, "jupyterhub.singleuser")
        home = workshop.homes / account(learner.name)
        assert server.cwd() == str(home)
        info = home.stat()
        assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == server.uids().real
        assert set(os.listdir(home)) >= LESSON_NOTEBOOKS


def test_each_learner_buys_a_book_in_the_voila_dashboard_through_the_hub(workshop, learners):
    dashboards = {}
    for learner in learners:  # both dashboards render at once, each in its learner's own kernel
        dashboards[learner.name] = learner.page.context.new_page()
        dashboards[learner.name].goto(
            f"{workshop.url}user/{learner.name}/voila/render/dashboard.ipynb", wait_until="commit"
        )
    for learner in learners:
        page, book = dashboards[learner.name], BOOKS[learner.name]
        expect(page.locator(".wb-book-card")).to_have_count(len(load_catalog()), timeout=90_000)
        expect(page.locator("img.wb-cover").first).to_have_attribute(
            "src", re.compile(rf"^{learner.prefix}shop/covers/")
        )
        page.wait_for_function(
            "[...document.querySelectorAll('img.wb-cover')].every(i => i.complete && i.naturalWidth)"
        )
        add_to_cart(page, book)
        expect(page.locator(".wb-cart-total")).to_have_text(f"Total {price(book)}")
        checkout, order_id = open_checkout(page)
        expect(checkout.get_by_test_id("order-total")).to_have_text(price(book), timeout=30_000)
        pay(checkout, "4242 4242 4242 4242")

        receipt = page.locator(".wb-confirmation")
        expect(receipt).to_contain_text("Payment received", timeout=30_000)
        order = order_through_the_hub(learner, workshop, order_id).json()
        assert order["status"] == "paid" and format_amount(order["amount_received"], order["currency"]) == price(book)
        expect(receipt.locator(".wb-amount")).to_have_text(price(book))
        expect(receipt.locator(".wb-pi")).to_have_text(order["payment_intent"])
        learner.orders = [order]
        page.close()
    assert [learner.elsewhere for learner in learners] == [[], []]


def test_each_learner_runs_lesson_02_and_pays_in_its_inline_checkout(workshop, learners):
    for learner in learners:  # both kernels run the lesson at once
        learner.page.goto(f"{workshop.url}user/{learner.name}/lab/tree/{LESSON_02}?reset")  # lesson 01 closed
        expect(kernel_ready(learner.page)).to_be_visible(timeout=60_000)
        run_all_cells(learner.page)
    total = price("art-of-doing-science", 2)  # the lesson's desk starts with two copies selected
    for learner in learners:
        page = learner.page
        waiting = code_cell(page, "confirmation = desk.wait()")
        expect(waiting.locator(".jp-OutputArea")).to_contain_text("No order yet", timeout=120_000)
        first_cell = code_cell(page, "from press_workbench.notebook import Workbench").locator(".jp-OutputArea")
        expect(first_cell).to_contain_text(f"{learner.prefix}shop")  # the browser's way in: through the hub
        expect(first_cell).to_contain_text("run by this Jupyter server")
        desk = code_cell(page, "desk = wb.checkout_desk(")
        desk.locator(".wb-check-out").click()
        panel = desk.locator(".wb-status-panel")
        expect(panel).to_contain_text("awaiting payment", timeout=30_000)
        title = desk.locator(CHECKOUT).get_attribute("title")
        checkout = page.frame_locator(f'{CHECKOUT}[title="{title}"]')
        expect(checkout.get_by_test_id("order-total")).to_have_text(total, timeout=30_000)
        expect(checkout.frame_locator(CARD_FRAME).get_by_test_id("same-origin-note")).to_be_visible()
        pay(checkout, "4242 4242 4242 4242")

        expect(checkout.get_by_test_id("confirmation-amount")).to_have_text(total, timeout=30_000)
        paid_pi = checkout.get_by_test_id("payment-intent-id").inner_text()
        expect(panel.locator("[data-status=paid]")).to_be_visible(timeout=30_000)
        expect(panel.get_by_test_id("panel-total")).to_have_text(total)
        expect(panel.get_by_test_id("panel-payment-intent")).to_have_text(paid_pi)
        order_id = re.search(r"ord_\w+", title).group(0)
        order = order_through_the_hub(learner, workshop, order_id).json()
        assert order["status"] == "paid" and order["payment_intent"] == paid_pi
        learner.orders.append(order)
        expect(page.get_by_text("Would you like to get notified about official Jupyter news?")).to_have_count(0)
        if learner.name == "ada":
            save_screenshot(page)
    assert [learner.elsewhere for learner in learners] == [[], []]


def save_screenshot(page):
    """A learner's JupyterLab through the hub (docs/workshop.md), when asked: from the shop's path to the paid panel."""
    folder = os.environ.get("WORKBENCH_SCREENSHOTS")
    if folder:
        page.set_viewport_size({"width": 1280, "height": 1180})
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()  # closes the file browser
        workbench = code_cell(page, "from press_workbench.notebook import Workbench").locator(".jp-OutputArea")
        workbench.evaluate("node => node.scrollIntoView({block: 'start'})")
        page.screenshot(path=os.path.join(folder, "workshop-lesson.png"))


def test_a_learner_cannot_reach_another_learners_shop_orders_console_or_files(workshop, learners):
    ada, grace = learners
    order = ada.orders[0]
    assert order_through_the_hub(ada, workshop, order["id"]).ok  # ada reads her own order

    # grace's session, through the hub: every path of ada's server is refused by the hub's authentication
    for path in (f"shop/api/orders/{order['id']}", f"stripe/dashboard/payments/{order['payment_intent']}", "lab"):
        response = grace.page.context.request.get(f"{workshop.url}user/ada/{path}")
        assert response.status == 403, (path, response.status)
        assert order["id"] not in response.text() and order["payment_intent"] not in response.text()

    # on this machine: ada's shop port answers nobody without her server's proxy token, which no command line shows
    shop = process_running(workshop, ada, "press_workbench.launch.cli", "serve")
    shop_url = f"http://127.0.0.1:{shop.info['cmdline'][shop.info['cmdline'].index('--port') + 1]}"
    token = shop.environ()[PROXY_TOKEN_ENV]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{shop_url}/api/orders/{order['id']}", timeout=10)
    assert 400 <= refused.value.code < 500 and order["payment_intent"] not in refused.value.read().decode()
    with_token = urllib.request.Request(f"{shop_url}/api/orders/{order['id']}", headers={PROXY_TOKEN_HEADER: token})
    with urllib.request.urlopen(with_token, timeout=10) as answer:  # the same request as her server's proxy sends it
        assert json.load(answer)["payment_intent"] == order["payment_intent"]
    assert not [p.pid for p in psutil.process_iter(["cmdline"]) if token in " ".join(p.info["cmdline"] or ())]

    # grace's account cannot read ada's home (lessons, data dir, operator token) nor her processes' environment
    as_grace = {"user": account("grace"), "group": account("grace"), "extra_groups": [], "capture_output": True}
    home = workshop.homes / account("ada")
    for command in (["ls", home], ["cat", home / "var" / "operator-token"], ["cat", f"/proc/{shop.pid}/environ"]):
        denied = subprocess.run(command, cwd="/", text=True, **as_grace)
        assert denied.returncode != 0 and "Permission denied" in denied.stderr, command


def test_ctrl_c_stops_the_hub_the_proxy_and_every_learners_processes(workshop, learners):
    assert len(workshop.processes()) >= 2 * 4  # per learner at least: server, kernels, shop (+ the hub's own)
    workshop.ctrl_c()
    assert [(p.pid, p.info["username"], p.info["cmdline"]) for p in workshop.wait_until_stopped()] == []
    with pytest.raises(OSError):
        urllib.request.urlopen(workshop.url + "hub/health", timeout=5)
