"""The presenter's tools outside JupyterLab: the Check out desk, the self-updating panel, the frame, port clashes.

``test_lessons_in_jupyterlab.py`` runs the same flow in a real JupyterLab; these
tests pin down each piece quickly.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import expect

from press_workbench.launch import workshop
from press_workbench.launch.lab import check_port_free
from press_workbench.notebook import NotPaidYet, Workbench
from press_workbench.notebook.presenter import SHOP_GONE, checkout_frame_html
from press_workbench.notebook.unattended import still_checkouts
from press_workbench.sandbox.serving import start_sandbox

OWN_SHOP = "http://127.0.0.1:0"
LESSONS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture
def wb(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_MODE", "sandbox")
    monkeypatch.delenv("WORKBENCH_AUTOPAY", raising=False)
    with Workbench(OWN_SHOP) as workbench:
        yield workbench


def test_the_order_is_made_from_the_picker_when_check_out_is_clicked(wb):
    desk = wb.checkout_desk(selected={"art-of-doing-science": 2})
    with pytest.raises(NotPaidYet, match=r"No order yet: choose the books above and click Check out"):
        desk.wait()
    desk.picker.quantities["art-of-doing-science"].value = 0
    desk.picker.quantities["scaling-people"].value = 3
    desk.button.click()
    assert [(item["book_id"], item["quantity"]) for item in desk.order.items] == [("scaling-people", 3)]
    assert desk.order.total == "$105.00" and desk.children[-1] is desk.view
    assert "Total <b>$105.00</b>" in desk.view.panel.value


def test_unattended_the_desk_checks_out_the_picker_as_it_is(wb, monkeypatch):
    monkeypatch.setenv("WORKBENCH_AUTOPAY", "1")
    desk = wb.checkout_desk(selected={"stubborn-attachments": 1})
    confirmation = desk.wait(timeout=10)
    assert (confirmation.paid, confirmation.total) == (True, "$20.00")


def test_the_panel_turns_to_paid_by_itself(wb):
    order = wb.create_order({"working-in-public": 1})
    view = order.show_checkout()
    assert 'data-status="awaiting_payment"' in view.panel.value
    assert wb.pay_as_shopper(order).paid  # as a shopper paying in the frame: nothing runs in the notebook
    deadline = time.monotonic() + 10
    while 'data-status="paid"' not in view.panel.value:
        assert time.monotonic() < deadline, view.panel.value
        time.sleep(0.1)
    pi = wb.stripe.v1.payment_intents.retrieve(order.payment_intent)
    assert f'data-testid="panel-payment-intent">{pi.id}<' in view.panel.value and "$28.00" in view.panel.value
    view._thread.join(5)
    assert not view._thread.is_alive()  # a paid order changes no more: the watcher stops


def test_a_declined_payment_turns_the_panel_red_with_stripes_message(wb):
    order = wb.create_order({"working-in-public": 1})
    view = order.show_checkout(card="4000 0000 0000 0002")
    assert wb.pay_as_shopper(order, card="4000 0000 0000 0002").outcome == "declined"
    deadline = time.monotonic() + 10  # the watcher redraws the panel; nothing here waits on the order
    while 'data-status="failed"' not in view.panel.value:
        assert time.monotonic() < deadline, view.panel.value
        time.sleep(0.1)
    assert "Stripe said: Your card was declined." in view.panel.value
    assert view._thread.is_alive()  # a failed order may still be paid: the watcher keeps following it


@pytest.mark.browser
def test_a_frame_whose_shop_is_gone_says_how_to_get_a_live_checkout(wb, page):
    """(A frame whose shop runs opens the checkout: test_lessons_in_jupyterlab.py pays in one.)"""
    order = wb.create_order({"an-elegant-puzzle": 1})
    url = wb.url
    wb.close()  # as when the kernel that ran the shop has gone, or the notebook was saved and reopened
    page.set_content(checkout_frame_html(order))
    checkout = page.frame_locator('iframe[title^="Checkout for order"]')
    expect(checkout.locator("#note")).to_have_text(SHOP_GONE.format(shop=url))


def test_a_port_in_use_is_named_with_the_fix(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WORKSHOP_DIR", str(tmp_path / "workshop"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            OSError,
            match=rf"The sandbox cannot listen on 127.0.0.1:{port}: that port is already in "
            rf"use .* SANDBOX_PORT={port + 1} in .env",
        ):
            start_sandbox(str(tmp_path), port=port)
        with pytest.raises(OSError, match=rf"Port {port} is already in use.* make lab LAB_PORT={port + 1}"):
            check_port_free(port, lambda free: f"make lab LAB_PORT={free}")
        assert workshop.main(["--port", str(port)]) == 1  # the hub's port: refused before anything starts
        assert f"make workshop WORKSHOP_PORT={port + 1}" in capsys.readouterr().err
        env = {**os.environ, "LAB_PORT": str(port)}
        lab = subprocess.run(
            [sys.executable, "-m", "press_workbench.launch.lab"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert lab.returncode == 1 and f"make lab: Port {port} is already in use" in lab.stderr


def test_a_stored_checkout_frame_is_kept_still_and_the_committed_lessons_keep_none_live(wb):
    """A committed live frame would ask a CI run's long-gone shop at 127.0.0.1 (on a hub: the laptop) if it answers."""
    order = wb.create_order({"scaling-people": 1})
    notebook = nbformat.v4.new_notebook()
    frame = checkout_frame_html(order, height=480)
    models = {"m": {"state": {"value": f"<div>{frame}</div>"}}}
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": models}}
    still_checkouts(notebook)
    state = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]["m"]["state"]
    assert "<iframe" not in state["value"] and "srcdoc" not in state["value"]
    assert "new tab" not in state["value"] and "href" not in state["value"]  # no link to the gone shop either
    assert f'title="Checkout for order {order.id}" style="height:480px' in state["value"]
    assert "The checkout opens here when you run the cell." in state["value"]
    for lesson in LESSONS.glob("0*.ipynb"):
        assert "api/health" not in lesson.read_text(encoding="utf-8"), f"{lesson.name} stores a live checkout"
