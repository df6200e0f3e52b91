"""The lessons in a real JupyterLab, in headless Chromium: no money as maths, the run sheet's presenter path, folds.

JupyterLab typesets ``$…$`` with MathJax in markdown and in rich outputs, so
"$18.00 of the $23.00" would turn into italic maths; every lesson is opened and
must show no MathJax at all, while a control notebook in the same JupyterLab
proves MathJax is on.  The presenter path of ``docs/demo-in-15-minutes.md`` runs
at 1280×800 under ``make lab``'s launcher (the shop outside the kernel): Run All
stops at the confirmation, the presenter checks out, fills the test card with one
click and pays, and each step (a checkout beside its status panel) fits the screen
without scrolling inside it; a decline is paid again in the checkout next to its
``wait()``, and after a kernel restart a checkout still takes a 3D Secure payment.
A folded solution is left alone by Run All until the learner opens it.  Lesson 06's SEPA debit, paid in its
inline checkout, turns the status panel to processing and then, by itself, to paid.

Screenshots of each step land in the test's ``tmp_path``;
``WORKBENCH_SCREENSHOTS=static/screenshots`` also saves the presenter view shown
in the docs' lessons page (``make screenshots``).
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

from tests.browser.shopper import (
    CARD_FRAME,
    THREE_D_SECURE_FRAME,
    authenticate,
    choose_payment_method,
    fill_test_card,
)
from tests.notebooks.jupyterlab import (
    LESSONS,
    code_cell,
    kernel_ready,
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
SENTINEL = "The MathJax sentinel of lesson {number}: $x^2$"
PROJECTOR = {"width": 1280, "height": 800}
LESSON_KERNEL = {"kernelspec": nbformat.read(LESSONS[0], as_version=4).metadata.kernelspec}  # no "Select Kernel" dialog
MONEY_SHOWN = {  # amounts in prose, in a card, in a table and in a widget, shown as written
    "01_payment_intents_step_by_step.ipynb": ["Capturing $18.00 of the $23.00 authorised", "refunded $5.00"],
    "02_checkout_round_trip.ipynb": ["for $46.00", "total charged"],
    "03_extend_the_shop.ipynb": ["$32.00"],
    "04_going_live.ipynb": [],
    "05_customers_who_come_back.ipynb": ["paid $32.00", "$23.00 (2300 usd)"],
    "06_bank_payments.ipynb": ["€30.00, on its way"],
}


def control_notebook(path):
    """Dollar signs that MathJax must typeset, in markdown and in a stored HTML output: proof that it is on."""
    output = nbformat.v4.new_output("display_data", data={"text/html": "<p>$1 and $2</p>", "text/plain": "-"})
    cells = [
        nbformat.v4.new_markdown_cell("Maths on purpose: $a+b$ and $c$."),
        nbformat.v4.new_code_cell("HTML('<p>$1 and $2</p>')", execution_count=1, outputs=[output]),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=LESSON_KERNEL), path)


def lesson_copy(lesson, folder):
    """A copy of ``lesson`` ending with its own sentinel cell: once the sentinel is typeset, so is the lesson."""
    notebook = nbformat.read(lesson, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(SENTINEL.format(number=lesson.name[:2])))
    nbformat.write(notebook, folder / lesson.name)


def shown(page, name):
    """Open ``name`` in the JupyterLab already loaded, as a double click in its file browser does (a page load per
    notebook took most of this test's minute); its cells render without waiting for its kernel: nothing runs here."""
    page.evaluate("path => { window.jupyterapp.commands.execute('docmanager:open', {path}); }", name)
    return page.locator(".jp-NotebookPanel:visible")


def test_no_money_renders_as_maths_in_the_lessons(tmp_path, page):
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
    config = tmp_path / "config"  # lab_env's JUPYTER_CONFIG_DIR: window.jupyterapp, to open each notebook in one page
    config.mkdir(exist_ok=True)
    (config / "jupyter_server_config.json").write_text('{"LabApp": {"expose_app_in_browser": true}}')
    with start(tmp_path, folder) as lab:
        open_notebook(page, lab, "control.ipynb")
        expect(page.locator(f".jp-MarkdownOutput {MATHS}")).to_have_count(2, timeout=30_000)
        expect(page.locator(f".jp-OutputArea-output {MATHS}")).to_have_count(1)  # "1 and " between the dollars

        for lesson in LESSONS:
            notebook = shown(page, lesson.name)
            # this lesson's own sentinel: until it shows, the panel on top is the one before
            sentinel = notebook.locator(
                ".jp-MarkdownOutput", has_text=f"The MathJax sentinel of lesson {lesson.name[:2]}"
            )
            expect(sentinel.locator(MATHS)).to_have_count(1, timeout=30_000)
            rendered = notebook.locator(".jp-MarkdownOutput, .jp-OutputArea-output")
            for text in MONEY_SHOWN[lesson.name]:  # a widget renders from its saved state later than the markdown
                expect(rendered.get_by_text(text).first).to_be_visible(timeout=30_000)
            expect(notebook.locator(MATHS)).to_have_count(1)  # the sentinel's, nothing else


def test_the_run_sheets_presenter_path_at_1280x800(tmp_path, page):
    """docs/demo-in-15-minutes.md on a projector-sized screen, with the shop outside the kernel (make lab)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    shutil.copy(LESSONS[1], folder)
    page.set_viewport_size(PROJECTOR)
    with start_make_lab(tmp_path, folder) as lab:
        open_notebook(page, lab, LESSONS[1].name)
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()  # the run sheet: Ctrl-B
        run_all_cells(page)
        waiting = code_cell(page, "confirmation = desk.wait()")
        expect(waiting.locator(".jp-OutputArea")).to_contain_text("No order yet", timeout=60_000)  # Run All stops
        first_cell = code_cell(page, "from press_workbench.notebook import Workbench")
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
        expect(desk.locator(".wb-change-books")).to_be_visible()  # the picker folded away
        checkout = checkout_in(desk)
        expect(checkout.get_by_test_id("order-total")).to_have_text("$74.00", timeout=30_000)
        step_fits_the_screen(page, desk, checkout)
        fill_test_card(checkout, "4242 4242 4242 4242")  # one click instead of typing on a projector
        expect(checkout.get_by_test_id("pay-button")).to_be_enabled()
        save_screenshot(page, tmp_path, "presenter-checkout.png")
        checkout.get_by_test_id("pay-button").click()
        expect(checkout.get_by_test_id("confirmation-amount")).to_have_text("$74.00")
        paid_pi = checkout.get_by_test_id("payment-intent-id").inner_text()

        # the panel follows the order by itself: no cell runs from here on until the confirmation
        expect(panel.locator("[data-status=paid]")).to_be_visible(timeout=15_000)
        expect(panel.get_by_test_id("panel-total")).to_have_text("$74.00")
        expect(panel.get_by_test_id("panel-payment-intent")).to_have_text(paid_pi)
        expect(page.locator(f".jp-Notebook {MATHS}")).to_have_count(0)
        step_fits_the_screen(page, desk, checkout)
        save_screenshot(page, tmp_path, "presenter-view.png", readme=True)

        run_cell(page, "confirmation = desk.wait()")
        expect(waiting.locator(".jp-OutputArea")).to_contain_text(paid_pi, timeout=30_000)
        expect(waiting.locator(".jp-OutputArea")).to_contain_text(re.compile(r"total charged\s*\$74\.00"))

        # a decline: wait() before paying answers at once; the second checkout sits right above its wait()
        for source in ("print(confirmation.paid", "confirmation.payment_intent", "event = next(", "declined = wb."):
            run_cell(page, source)
        replay = code_cell(page, "declined = wb.create_order(")
        expect(replay.locator(".wb-status-panel")).to_contain_text("awaiting payment", timeout=30_000)
        failed = run_cell(page, "failed = declined.wait(")
        expect(failed.locator(".jp-OutputArea")).to_contain_text("Nobody has paid order", timeout=10_000)
        declined = checkout_in(replay)
        pay_with_one_click(declined, "4000 0000 0000 0002")
        expect(declined.get_by_test_id("payment-error")).to_have_text("Your card was declined.")
        expect(replay.locator(".wb-status-panel [data-status=failed]")).to_be_visible(timeout=15_000)
        step_fits_the_screen(page, replay, declined)
        save_screenshot(page, tmp_path, "presenter-declined.png")
        run_cell(page, "failed = declined.wait(")
        expect(failed.locator(".jp-OutputArea")).to_contain_text("payment error", timeout=30_000)

        again = run_cell(page, 'declined.show_checkout(card="4242')
        expect(again.locator(".wb-status-panel")).to_contain_text("failed", timeout=30_000)
        retry = checkout_in(again)
        pay_with_one_click(retry, "4242 4242 4242 4242")
        expect(retry.get_by_test_id("confirmation-amount")).to_have_text("$28.00", timeout=15_000)
        paid = run_cell(page, "paid = declined.wait(")
        expect(paid.locator(".jp-OutputArea")).to_contain_text("paid $28.00 True", timeout=30_000)

        # 3D Secure in its frame, after a kernel restart: the shop runs outside the kernel, the checkout still pays
        run_cell(page, "secure = wb.create_order(")
        secure = code_cell(page, "secure = wb.create_order(")
        expect(secure.locator(".wb-status-panel")).to_contain_text("awaiting payment", timeout=30_000)
        menu(page, "Kernel", "kernelmenu:restart")
        page.locator(".jp-Dialog-button.jp-mod-accept").click()
        expect(kernel_ready(page)).to_be_visible(timeout=30_000)
        after_restart = checkout_in(secure)
        pay_with_one_click(after_restart, "4000 0027 6000 3184")
        expect(after_restart.locator(THREE_D_SECURE_FRAME)).to_be_visible(timeout=15_000)
        step_fits_the_screen(page, secure, after_restart)
        save_screenshot(page, tmp_path, "presenter-3d-secure.png")
        authenticate(after_restart)
        expect(after_restart.get_by_test_id("confirmation-amount")).to_have_text("$32.00", timeout=15_000)


def test_run_all_leaves_a_folded_solution_alone_until_it_is_opened(tmp_path, page, monkeypatch):
    """JupyterLab sends a cell's metadata with each run: a folded solution shows a note instead of running."""
    monkeypatch.delenv("WORKBENCH_AUTOPAY", raising=False)  # a person at the keyboard, not nbval
    folder = tmp_path / "notebooks"
    folder.mkdir()
    folded = {"tags": ["solution"], "jupyter": {"source_hidden": True, "outputs_hidden": True}}
    cells = [
        nbformat.v4.new_code_cell("from press_workbench.notebook import Workbench\nwb = Workbench()"),
        nbformat.v4.new_code_cell("attempt = 'mine'"),
        nbformat.v4.new_code_cell("attempt = 'the solution'\nprint('the solution ran')", metadata=folded),
        nbformat.v4.new_code_cell("print('attempt:', attempt)"),
    ]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata=LESSON_KERNEL), folder / "exercise.ipynb")
    with start(tmp_path, folder, SHOP_URL="http://127.0.0.1:0", WORKBENCH_MODE="sandbox") as lab:
        open_notebook(page, lab, "exercise.ipynb")
        solution = page.locator(".jp-CodeCell").nth(2)
        expect(solution.locator(".jp-InputArea-editor")).to_be_hidden()
        run_all_cells(page)
        after = code_cell(page, "print('attempt:'")
        expect(after.locator(".jp-OutputArea")).to_contain_text("attempt: mine", timeout=60_000)  # the learner's
        expect(solution.locator(".jp-OutputArea")).to_contain_text("Solution not run")

        solution.locator(".jp-Cell-inputCollapser").click()  # the learner opens it…
        expect(solution.locator(".jp-InputArea-editor")).to_be_visible()
        solution.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")  # …and runs it
        expect(solution.locator(".jp-OutputArea")).to_contain_text("the solution ran", timeout=30_000)


def test_lesson_06_a_debit_in_its_inline_checkout_turns_the_panel_processing_then_paid(tmp_path, page):
    """Lesson 06 as a learner sees it: SEPA Debit in the checkout beside its panel, processing, then paid."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    lesson = next(path for path in LESSONS if path.name.startswith("06_"))
    shutil.copy(lesson, folder)
    page.set_viewport_size(PROJECTOR)
    # the kernel's own shop, in euros (the lesson asks for it), with debits the bank answers 8 s after
    with start(tmp_path, folder, SHOP_URL="http://127.0.0.1:0", SANDBOX_SEPA_SETTLE_SECONDS="8") as lab:
        open_notebook(page, lab, lesson.name)
        run_all_cells(page)
        waiting = code_cell(page, "authorized = ideal.wait()")
        expect(waiting.locator(".jp-OutputArea")).to_contain_text("Nobody has paid", timeout=60_000)  # Run All stops
        ideal = code_cell(page, 'ideal.show_checkout(ideal="authorize")')
        expect(ideal.locator(".wb-status-panel")).to_contain_text("Authorize test payment", timeout=30_000)
        bank = checkout_in(ideal)
        choose_payment_method(bank, "iDEAL")
        bank.get_by_test_id("pay-button").click()
        bank.get_by_test_id("redirect-authorize").click()  # the bank's page, in the frame
        expect(bank.get_by_test_id("confirmation-amount")).to_have_text("€26.00", timeout=15_000)
        expect(ideal.locator(".wb-status-panel [data-status=paid]")).to_be_visible(timeout=15_000)
        run_cell(page, "authorized = ideal.wait()")
        expect(waiting.locator(".jp-OutputArea")).to_contain_text("requires_action", timeout=30_000)

        cell = run_cell(page, "sepa = wb.create_order(")
        panel = cell.locator(".wb-status-panel")
        expect(panel).to_contain_text("in the SEPA Debit tab", timeout=30_000)
        checkout = checkout_in(cell)
        expect(checkout.get_by_test_id("order-total")).to_have_text("€30.00", timeout=30_000)
        choose_payment_method(checkout, "SEPA Debit")
        checkout.frame_locator(CARD_FRAME).get_by_role("button", name=re.compile(r"^Fill test IBAN AT61")).click()
        checkout.get_by_test_id("pay-button").click()

        expect(checkout.get_by_test_id("payment-processing")).to_be_visible(timeout=15_000)
        expect(panel.locator("[data-status=processing]")).to_be_visible(timeout=15_000)
        expect(panel).to_contain_text("the bank answers later")
        step_fits_the_screen(page, cell, checkout)
        save_screenshot(page, tmp_path, "lesson-06-processing.png")
        expect(panel.locator("[data-status=paid]")).to_be_visible(timeout=30_000)  # by itself: the webhook
        expect(checkout.get_by_test_id("confirmation-amount")).to_have_text("€30.00", timeout=15_000)
        save_screenshot(page, tmp_path, "lesson-06-paid.png")


def step_fits_the_screen(page, cell, checkout):
    """Scrolled once to the cell's output, its checkout (Pay button included) and status panel are all on screen."""
    cell.locator(".jp-OutputArea").evaluate("node => node.scrollIntoView({block: 'start'})")
    notebook = page.locator(".jp-NotebookPanel:visible .jp-WindowedPanel-outer").bounding_box()
    frame = cell.locator(CHECKOUT).bounding_box()
    panel = cell.locator(".wb-status-panel").bounding_box()
    pay_button = checkout.get_by_test_id("pay-button")
    pay_button = pay_button.bounding_box() if pay_button.count() else None  # gone once the confirmation shows
    top, bottom = notebook["y"] - 1, notebook["y"] + notebook["height"]  # a pixel's rounding at the top edge
    assert frame["y"] >= top and frame["y"] + frame["height"] <= bottom, (frame, notebook)
    assert panel["y"] >= top and panel["y"] + panel["height"] <= bottom, (panel, notebook)
    if pay_button:
        assert pay_button["y"] + pay_button["height"] <= frame["y"] + frame["height"], (pay_button, frame)


def pay_with_one_click(checkout, number):
    """Fill test card ``number`` with its button, then Pay: what the run sheet asks of the presenter."""
    fill_test_card(checkout, number)
    checkout.get_by_test_id("pay-button").click()


def checkout_in(cell):
    """The checkout frame in ``cell``'s output (a cell shows one; an order may have several cells)."""
    return cell.frame_locator(CHECKOUT)


def save_screenshot(page, tmp_path, name, readme=False):
    """A screenshot to look at (in ``tmp_path``); the README's also where asked (``WORKBENCH_SCREENSHOTS``)."""
    page.screenshot(path=str(tmp_path / name))
    folder = os.environ.get("WORKBENCH_SCREENSHOTS")
    if folder and readme:
        shutil.copy(tmp_path / name, os.path.join(folder, name))
