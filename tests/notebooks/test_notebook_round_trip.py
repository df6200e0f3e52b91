"""Notebook 02 in JupyterLab, as a presenter runs it: Run All, pay in the checkout, see the confirmation.

JupyterLab serves a copy of the notebook (so nothing can save over the committed
one) with no test shopper configured.  Headless Chromium runs all cells, pays with
a card in the checkout the notebook shows, and the confirmation must then appear
in the notebook's output.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.notebook.unattended import UNATTENDED_ENV
from tests.browser.shopper import pay

pytestmark = pytest.mark.browser

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_checkout_round_trip.ipynb"
JUPYTER = str(Path(sys.executable).parent / "jupyter")
TOKEN = "press-workbench-test"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """JupyterLab on a free port, serving a copy of notebook 02, with its settings kept in ``tmp_path``."""
    shutil.copy(NOTEBOOK, tmp_path / NOTEBOOK.name)
    env = {**os.environ, **UNATTENDED_ENV, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}  # fmt: skip
    del env["WORKBENCH_AUTOPAY"]  # a person pays, in the browser
    port = free_port()
    with open(tmp_path / "lab.log", "w") as log:
        server = subprocess.Popen(
            [JUPYTER, "lab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _answers(f"{url}/api/status?token={TOKEN}"):
        assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "lab.log").read_text()
        time.sleep(0.2)
    yield url
    os.killpg(server.pid, signal.SIGTERM)  # the server and its kernel, whose shop stops with it
    server.wait(30)


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except OSError:
        return False


def test_the_confirmation_appears_in_jupyterlab_after_paying_in_the_notebooks_checkout(jupyterlab, page):
    page.goto(f"{jupyterlab}/lab/tree/{NOTEBOOK.name}?token={TOKEN}")
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_be_visible(timeout=60_000)
    run_all_cells(page)

    checkout = page.frame_locator('iframe[title^="Checkout for order"]')
    expect(checkout.get_by_test_id("order-total")).to_have_text("$46.00", timeout=60_000)
    pay(checkout, "4242 4242 4242 4242")
    expect(checkout.get_by_test_id("confirmation-amount")).to_have_text("$46.00")
    paid_pi = checkout.get_by_test_id("payment-intent-id").inner_text()
    assert paid_pi.startswith("pi_")

    waiting_cell = page.locator(".jp-CodeCell", has_text="confirmation = order.wait(")
    outputs = waiting_cell.locator(".jp-OutputArea")
    expect(outputs).to_contain_text(paid_pi, timeout=30_000)  # the cell's own answer, not its stored output
    expect(outputs).to_contain_text(re.compile(r"Confirmation for order ord_\w+\s*paid"))
    expect(outputs).to_contain_text(re.compile(r"total charged\s*\$46\.00"))
    expect(outputs).not_to_contain_text("test shopper")  # the browser paid, not the helper


def run_all_cells(page):
    """Run ▸ Run All Cells, once more if the kernel did not take it.

    A freshly opened notebook can report an idle kernel while its session is still
    connecting, and a Run All sent then is dropped.  Once taken, the kernel stays
    busy: the waiting cell only finishes after the payment.
    """
    busy = page.locator(".jp-Notebook-ExecutionIndicator[data-status='busy']")
    for _ in range(2):
        page.locator(".jp-Notebook").click()  # the current notebook is the one Run All acts on
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.locator("li[data-command='runmenu:run-all']").click()
        try:
            expect(busy).to_be_visible(timeout=10_000)
            return
        except AssertionError:
            continue
    raise AssertionError("JupyterLab did not run the notebook's cells")
