"""The notebook helper: Workbenches side by side (and beside ``workbench serve``), friendly errors, displays.

The lessons themselves are executed and their outputs compared by nbval
(``notebooks/*.ipynb``, see ``notebooks/conftest.py``); these tests cover what the
notebooks cannot show: isolation, shutdown, and the error paths.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import stripe
from IPython.core.interactiveshell import InteractiveShell
from jupyter_client.manager import start_new_kernel

from press_workbench.launch.voila import free_port
from press_workbench.notebook import NotPaidYet, Workbench, WorkbenchError
from press_workbench.notebook.display import install
from press_workbench.notebook.shopper import pay_as_shopper
from press_workbench.shop import probe_shop

OWN_SHOP = "http://127.0.0.1:0"  # port 0: start a shop of its own on free ports
ROOT = Path(__file__).resolve().parents[2]
WORKBENCH = str(Path(sys.executable).parent / "workbench")


@pytest.fixture(autouse=True)
def sandbox_mode(monkeypatch, tmp_path):
    """Sandbox mode and no .env, whatever the developer's machine has configured."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_MODE", "sandbox")
    for name in ("SHOP_URL", "WORKBENCH_AUTOPAY", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_workbench_twice_in_a_kernel_reuses_the_shop_it_started():
    first = Workbench(OWN_SHOP)
    threads = set(threading.enumerate())
    try:
        again = Workbench(OWN_SHOP)
        assert again.servers is first.servers and again.url == first.url
        assert set(threading.enumerate()) <= threads  # no server started again (earlier tests' threads may end)
        order = first.create_order({"art-of-doing-science": 2})
        assert again.order(order.id).total == "$46.00"
    finally:
        first.close()
    data_dir = first.servers.data_dir
    assert probe_shop(first.url) is None and not os.path.exists(data_dir)
    after_close = Workbench(OWN_SHOP)  # a closed shop is not reused: a new one starts
    try:
        assert after_close.servers is not first.servers and probe_shop(after_close.url)
    finally:
        after_close.close()


def test_a_workbench_beside_workbench_serve(tmp_path):
    shop_port, sandbox_port = free_port(), free_port()
    env = {**os.environ, "WORKBENCH_DATA_DIR": str(tmp_path / "served")}
    served_url = f"http://127.0.0.1:{shop_port}"
    with open(tmp_path / "serve.log", "w") as log:
        command = [WORKBENCH, "serve", "--port", str(shop_port), "--sandbox-port", str(sandbox_port)]
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while probe_shop(served_url) is None:
            assert process.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        with Workbench(served_url) as served, Workbench(OWN_SHOP) as own:
            assert not served.started_here and own.started_here
            assert served.sandbox_url == f"http://127.0.0.1:{sandbox_port}" != own.sandbox_url

            there = served.create_order({"scaling-people": 1})
            here = own.create_order({"scaling-people": 1})
            assert served.pay_as_shopper(there).paid and there.wait(timeout=10).paid
            assert own.order(here.id).status == "awaiting_payment"
            with pytest.raises(WorkbenchError, match="order_not_found"):
                own.order(there.id)
            with pytest.raises(WorkbenchError, match="order_not_found"):
                served.order(here.id)
        assert probe_shop(served_url), "closing a Workbench must not stop a shop it did not start"
    finally:
        process.terminate()
        process.wait(15)


def test_a_kernels_shop_stops_and_its_data_goes_when_the_kernel_shuts_down():
    manager, client = start_new_kernel(kernel_name="python3", env={**os.environ, "SHOP_URL": OWN_SHOP})
    printed = []
    client.execute_interactive(
        "from press_workbench.notebook import Workbench\nwb = Workbench()\nprint(wb.url, wb.servers.data_dir)",
        timeout=60,
        output_hook=lambda msg: printed.append(msg["content"].get("text", "")),
    )
    url, data_dir = "".join(printed).split()
    assert probe_shop(url)["mode"] == "sandbox"
    client.stop_channels()
    manager.shutdown_kernel(now=False)  # what JupyterLab and nbval do
    assert probe_shop(url) is None and not os.path.exists(data_dir)


def test_a_decline_is_stripes_message_not_a_traceback():
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["high-growth-handbook"])
        visit = wb.pay_as_shopper(order, card="4000 0000 0000 9995")
        assert (visit.outcome, visit.message) == ("declined", "Your card has insufficient funds.")
        assert [step[3] for step in visit.steps] == ["200", "200", "402"]
        failed = order.wait(timeout=10)
        assert (failed.order.status, failed.paid) == ("failed", False)
        assert "payment error         Your card has insufficient funds." in repr(failed)


def test_a_failed_3d_secure_challenge_returns_to_the_checkout_with_stripes_message():
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["stubborn-attachments"])
        visit = wb.pay_as_shopper(order, card="4000 0027 6000 3184", authenticate="fail")
        assert visit.outcome == "authentication failed"
        assert visit.message.startswith("The provided PaymentMethod has failed authentication.")
        assert visit.steps[-1][3] == f"200 after redirect to /checkout/{order.id}"


def test_pay_as_shopper_explains_itself_with_real_stripe():
    class StripeModeWorkbench:
        mode = "stripe"

    with pytest.raises(WorkbenchError, match="offline sandbox only.*4242 4242 4242 4242"):
        pay_as_shopper(StripeModeWorkbench(), order=None)


def test_wait_before_anyone_paid_returns_at_once_with_what_to_do_and_pays_nothing():
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["an-elegant-puzzle"])
        started = time.monotonic()
        with pytest.raises(
            NotPaidYet,
            match=rf"Nobody has paid order {order.id} yet. Pay in its checkout with 4242 4242 4242 4242 "
            r"\(any future date, any CVC, ZIP 10001\), then run this cell again.",
        ):
            order.wait()
        assert time.monotonic() - started < 2  # the kernel is free again: no minutes of blocking
        pi = wb.stripe.v1.payment_intents.retrieve(order.payment_intent)
        assert (order.refresh().status, pi.status, pi.payment_method) == (
            "awaiting_payment",
            "requires_payment_method",
            None,
        )


def test_wait_in_the_middle_of_3d_secure_says_to_finish_it():
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["an-elegant-puzzle"])
        wb.stripe.v1.payment_intents.confirm(
            order.payment_intent,
            params={"payment_method": "pm_card_threeDSecure2Required", "return_url": "https://example.com/done"},
        )
        with pytest.raises(NotPaidYet, match=rf"Order {order.id} is waiting for 3D Secure: press Complete"):
            order.wait()


def test_unattended_a_test_shopper_types_the_card_the_lesson_asks_for_and_says_nothing(monkeypatch, capsys):
    monkeypatch.setenv("WORKBENCH_AUTOPAY", "1")
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["working-in-public"])
        order.show_checkout(card="4000 0000 0000 0002")
        failed = order.wait(until="failed", timeout=10)
        assert failed.payment_intent.last_payment_error.code == "card_declined"
        assert [entry["source"] for entry in failed.order.history] == ["shop", "webhook"]  # no return page
        paid = order.wait(until="paid", card="4242 4242 4242 4242", timeout=10)
        assert paid.total == "$28.00" and paid.payment_intent.id == failed.payment_intent.id
        assert capsys.readouterr().out == ""
        with pytest.raises(NotPaidYet, match=f"Order {order.id} is paid at Stripe, not refunded"):
            order.wait(until="refunded")  # nothing to pay: the test shopper stays away


def test_a_payment_the_shop_never_hears_of_is_named_with_the_fix():
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["an-elegant-puzzle"])
        with wb.webhook.paused():  # as when the shop is down: the sandbox sends it nothing
            wb.stripe.v1.payment_intents.confirm(
                order.payment_intent, params={"payment_method": "pm_card_visa", "return_url": "https://example.com/"}
            )
            with pytest.raises(
                WorkbenchError,
                match=rf"Stripe says order {order.id} is paid, but after 0.5 s the shop still has it awaiting_payment"
                r".*`workbench reconcile` settles",
            ):
                order.wait(timeout=0.5)
        events = wb.events(order)
        assert {event.type: events.sent_to_shop[event.id] for event in events} == {
            "payment_intent.created": "not subscribed",
            "charge.succeeded": "not subscribed",
            "payment_intent.succeeded": "not sent",
            "charge.updated": "not subscribed",
        }


def test_an_uncaught_stripe_error_shows_a_card_instead_of_a_traceback(capsys):
    shell = InteractiveShell.instance()
    install()  # acts on the running IPython: this shell
    result = shell.run_cell(
        "import stripe\nraise stripe.CardError('Your card was declined.', None, 'card_declined', http_status=402)"
    )
    shown = capsys.readouterr().out
    assert isinstance(result.error_in_exec, stripe.CardError)
    assert "CardError · HTTP 402 · card_declined" in shown and "Your card was declined." in shown
    assert "Traceback (most recent call last)" not in shown and "run %tb" in shown
