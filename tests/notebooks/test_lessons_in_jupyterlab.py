"""The lessons in a real JupyterLab, in headless Chromium: no money as maths, the presenter flow, a kernel restart.

JupyterLab typesets ``$…$`` with MathJax in markdown and in rich outputs, so
"$18.00 of the $23.00" would turn into italic maths; every lesson is opened and
must show no MathJax at all, while a control notebook in the same JupyterLab
proves MathJax is on.  The presenter flow runs ``make lab``'s launcher (the shop
outside the kernel): Run All stops at the confirmation, the presenter changes the
picker, checks out, pays in the frame and the status panel turns to paid without a
cell being run; after a kernel restart a checkout frame still takes a payment.

``WORKBENCH_SCREENSHOTS=static/screenshots`` also saves the presenter view shown in
the docs' lessons page (``make screenshots``).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from tests.browser.shopper import pay
from tests.notebooks.jupyterlab import (
    LESSONS,
    code_cell,
    lab_env,
    menu,
    open_notebook,
    run_all_cells,
    run_cell,
    start,
    start_make_lab,
)

pytestmark = pytest.mark.browser

MATHS = "mjx-container"
CHECKOUT = 'iframe[title^="Checkout for order"]'
SENTINEL = "The MathJax sentinel: $x^2$"
MONEY_SHOWN = {  # amounts in prose, in a card, in a table and in a widget, shown as written
    "01_payment_intents_step_by_step.ipynb": ["Capturing $18.00 of the $23.00 authorised", "refunded $5.00"],
    "02_checkout_round_trip.ipynb": ["Total $46.00", "total charged"],
    "03_extend_the_shop.ipynb": ["$32.00"],
}


def control_notebook(path):
    """Dollar signs that MathJax must typeset, in markdown and in a stored HTML output: proof that it is on."""
    output = nbformat.v4.new_output("display_data", data={"text/html": "<p>$1 and $2</p>", "text/plain": "-"})
    cells = [
        nbformat.v4.new_markdown_cell("Maths on purpose: $a+b$ and $c$."),
        nbformat.v4.new_code_cell("HTML('<p>$1 and $2</p>')", execution_count=1, outputs=[output]),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)


def lesson_copy(lesson, folder):
    """A copy of ``lesson`` ending with a sentinel cell: once the sentinel is typeset, so is the lesson."""
    notebook = nbformat.read(lesson, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(SENTINEL))
    nbformat.write(notebook, folder / lesson.name)


def test_no_money_renders_as_maths_in_the_three_lessons(tmp_path, page):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    control_notebook(folder / "control.ipynb")
    for lesson in LESSONS:
        lesson_copy(lesson, folder)
    copies = sorted(str(path) for path in folder.glob("*.ipynb"))
    env = lab_env(tmp_path)
    subprocess.run(
        [str(Path(sys.executable).parent / "jupyter"), "trust", *copies], env=env, check=True, capture_output=True
    )  # trusted: stored HTML (cards, diagrams, frames) renders in full
    with start(tmp_path, folder) as lab:
        open_notebook(page, lab, "control.ipynb")
        expect(page.locator(f".jp-MarkdownOutput {MATHS}")).to_have_count(2, timeout=30_000)
        expect(page.locator(f".jp-OutputArea-output {MATHS}")).to_have_count(1)  # "1 and " between the dollars

        for lesson in LESSONS:
            notebook = open_notebook(page, lab, lesson.name)
            sentinel = notebook.locator(".jp-MarkdownOutput", has_text="The MathJax sentinel")
            expect(sentinel.locator(MATHS)).to_have_count(1, timeout=30_000)
            expect(notebook.locator(MATHS)).to_have_count(1)  # the sentinel's, nothing else
            rendered = notebook.locator(".jp-MarkdownOutput, .jp-OutputArea-output")
            for text in MONEY_SHOWN[lesson.name]:
                expect(rendered.get_by_text(text).first).to_be_visible()


def test_presenter_flow_with_the_shop_outside_the_kernel(tmp_path, page):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(LESSONS[1], folder)
    page.set_viewport_size({"width": 1280, "height": 800})
    with start_make_lab(tmp_path, folder) as lab:
        open_notebook(page, lab, LESSONS[1].name)
        run_all_cells(page)
        waiting = code_cell(page, "confirmation = desk.wait()")
        expect(waiting.locator(".jp-OutputArea")).to_contain_text("No order yet", timeout=60_000)  # Run All stops
        first_cell = code_cell(page, "from server.notebook import Workbench")
        expect(first_cell.locator(".jp-OutputArea")).to_contain_text("found at SHOP_URL")  # the shop runs outside
        expect(page.get_by_text("Would you like to get notified about official Jupyter news?")).to_have_count(0)

        desk = code_cell(page, "desk = wb.checkout_desk(")
        quantity = desk.locator(".widget-hbox", has_text="Working in Public").locator("input")
        quantity.fill("1")
        quantity.press("Enter")
        expect(desk.locator(".widget-html", has_text="Total $74.00")).to_be_visible()
        desk.locator(".wb-check-out").click()

        panel = desk.locator(".wb-status-panel")
        expect(panel).to_contain_text("awaiting payment", timeout=30_000)
        checkout = page.frame_locator(f"{desk_frame(desk)}")
        expect(checkout.get_by_test_id("order-total")).to_have_text("$74.00", timeout=30_000)
        pay(checkout, "4242 4242 4242 4242")
        expect(checkout.get_by_test_id("confirmation-amount")).to_have_text("$74.00")
        paid_pi = checkout.get_by_test_id("payment-intent-id").inner_text()

        # the panel follows the order by itself: no cell runs from here on until the confirmation
        expect(panel.locator("[data-status=paid]")).to_be_visible(timeout=15_000)
        expect(panel.get_by_test_id("panel-total")).to_have_text("$74.00")
        expect(panel.get_by_test_id("panel-payment-intent")).to_have_text(paid_pi)
        expect(page.locator(f".jp-Notebook {MATHS}")).to_have_count(0)
        save_screenshot(page, desk)

        run_cell(page, "confirmation = desk.wait()")
        expect(waiting.locator(".jp-OutputArea")).to_contain_text(paid_pi, timeout=30_000)
        expect(waiting.locator(".jp-OutputArea")).to_contain_text(re.compile(r"total charged\s*\$74\.00"))

        # a second checkout, then a kernel restart: the frame keeps working, its shop runs outside the kernel
        for source in (
            "print(confirmation.paid",
            "confirmation.payment_intent",
            "event = next(",
            "declined = wb.create_order(",
        ):
            run_cell(page, source)
        replay = code_cell(page, "declined = wb.create_order(")
        expect(replay.locator(".wb-status-panel")).to_contain_text("awaiting payment", timeout=30_000)
        menu(page, "Kernel", "kernelmenu:restart")
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_visible(timeout=30_000)
        after_restart = page.frame_locator(f"{desk_frame(replay)}")
        pay(after_restart, "4242 4242 4242 4242")
        expect(after_restart.get_by_test_id("confirmation-amount")).to_have_text("$28.00", timeout=15_000)


def desk_frame(cell):
    """A selector for the checkout frame inside ``cell``."""
    order_id = re.search(r"ord_\w+", cell.locator(CHECKOUT).get_attribute("title")).group(0)
    return f'iframe[title="Checkout for order {order_id}"]'


def save_screenshot(page, desk):
    """The presenter view for the README, when asked (``WORKBENCH_SCREENSHOTS``): sidebar closed, total on top."""
    folder = os.environ.get("WORKBENCH_SCREENSHOTS")
    if folder:
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()  # closes the file browser
        desk.locator(".widget-html", has_text="Total $").evaluate("node => node.scrollIntoView({block: 'start'})")
        page.screenshot(path=os.path.join(folder, "presenter-view.png"))
