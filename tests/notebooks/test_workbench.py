"""The notebook helper: Workbenches side by side (and beside ``workbench serve``), friendly errors, displays.

The lessons themselves are executed and their outputs compared by nbval
(``notebooks/*.ipynb``, see ``notebooks/conftest.py``); these tests cover what the
notebooks cannot show: isolation, shutdown, and the error paths.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import stripe
from IPython.core.interactiveshell import InteractiveShell
from jupyter_client.manager import start_new_kernel

from server.notebook import Workbench, WorkbenchError
from server.notebook.display import install
from server.notebook.lifecycle_svg import STATUSES, lifecycle_svg
from server.notebook.servers import probe_shop
from server.notebook.shopper import pay_as_shopper

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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_two_workbenches_at_once_share_no_port_order_or_event():
    with Workbench(OWN_SHOP) as first, Workbench(OWN_SHOP) as second:
        assert first.started_here and second.started_here
        assert len({first.url, first.sandbox_url, second.url, second.sandbox_url}) == 4
        assert first.servers.data_dir != second.servers.data_dir

        mine = first.create_order({"art-of-doing-science": 2})
        theirs = second.create_order(["working-in-public"])
        assert first.pay_as_shopper(mine).paid
        assert mine.wait(timeout=10).total == "$46.00"

        assert second.order(theirs.id).status == "awaiting_payment"
        with pytest.raises(WorkbenchError, match="order_not_found"):
            second.order(mine.id)
        with pytest.raises(stripe.InvalidRequestError):
            second.stripe.v1.payment_intents.retrieve(mine.payment_intent)
        assert second.events(theirs).types == ["payment_intent.created"]
        data_dirs = [first.servers.data_dir, second.servers.data_dir]

    assert probe_shop(first.url) is None and probe_shop(second.url) is None
    assert not any(os.path.exists(path) for path in data_dirs)


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
    client.execute_interactive("from server.notebook import Workbench\nwb = Workbench()\n"
                               "print(wb.url, wb.servers.data_dir)", timeout=60,
                               output_hook=lambda msg: printed.append(msg["content"].get("text", "")))  # fmt: skip
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


def test_wait_falls_back_to_a_test_shopper_when_nobody_pays_in_sandbox_mode(capsys):
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["an-elegant-puzzle"])
        assert order.wait(timeout=0.2, autopay=False).paid
        assert (
            "Nobody paid within 0.2 s: a test shopper pays $32.00 with 4242 4242 4242 4242." in capsys.readouterr().out
        )


def test_wait_gives_up_with_a_friendly_message():
    with Workbench(OWN_SHOP) as wb:
        order = wb.create_order(["an-elegant-puzzle"])
        with pytest.raises(WorkbenchError, match=rf"{order.id} is still awaiting_payment after 0.2 s"):
            order.wait(timeout=0.2, until="refunded")


def test_an_uncaught_stripe_error_shows_a_card_instead_of_a_traceback(capsys):
    shell = InteractiveShell.instance()
    install()  # acts on the running IPython: this shell
    result = shell.run_cell("import stripe\nraise stripe.CardError('Your card was declined.', None, 'card_declined', "
                            "http_status=402)")  # fmt: skip
    shown = capsys.readouterr().out
    assert isinstance(result.error_in_exec, stripe.CardError)
    assert "CardError · HTTP 402 · card_declined" in shown and "Your card was declined." in shown
    assert "Traceback (most recent call last)" not in shown and "run %tb" in shown


@pytest.mark.parametrize("status", STATUSES)
def test_the_lifecycle_diagram_highlights_exactly_the_current_status(status):
    svg = lifecycle_svg(status)
    filled = re.findall(r'fill="#635bff"[^>]*/><text[^>]*>([a-z_]+)</text>', svg)
    assert filled == [status]
    assert f"current status: {status}" in svg


def test_the_sanitizer_keeps_the_prefixes_the_notebook_checks():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((ROOT / "notebooks" / "sanitize.cfg").read_text())
    text = "pi_3abcdefghijklmnopqrstuvw pi_3abcdefghijklmnopqrstuvw_secret_XyZ123 http://127.0.0.1:41234/x 12:34:56"
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    assert text == "pi_<ID> pi_<ID>_secret_<SECRET> http://127.0.0.1:<PORT>/x <HH:MM:SS>"
