"""The notebook helper with bank payments: a shop in euros for the lesson that needs one, the test shopper paying by
SEPA Direct Debit and by iDEAL through the real checkout, and ``wait`` through a debit's ``processing``."""

import pytest

from press_workbench.notebook import NotPaidYet, Workbench, WorkbenchError
from press_workbench.sandbox import settle_now
from press_workbench.shop import start_shop

OWN_SHOP = "http://127.0.0.1:0"
SUCCEEDS, FAILS = "AT61 1904 3002 3457 3201", "AT86 1904 3002 3547 3202"


@pytest.fixture(autouse=True)
def sandbox_mode(monkeypatch, tmp_path):
    """Sandbox mode, no .env, and debits the test lets the bank answer (``settle_now``)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_MODE", "sandbox")
    monkeypatch.setenv("SANDBOX_SEPA_SETTLE_SECONDS", "hold")
    for name in ("SHOP_URL", "SHOP_CURRENCY", "SHOP_PROXY_PATH", "WORKBENCH_AUTOPAY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def dollar_shop(tmp_path):
    """A shop selling in dollars, as `make lab` runs one outside the kernels."""
    shop, sandbox = start_shop({"DATA_DIR": str(tmp_path / "usd"), "SANDBOX_PORT": 0, "SANDBOX_URL": None})
    yield shop
    shop.stop()
    sandbox.stop()


@pytest.fixture
def wb():
    with Workbench(OWN_SHOP, currency="eur") as workbench:
        yield workbench


def test_a_notebook_that_needs_euros_gets_a_shop_of_its_own_beside_one_in_dollars(dollar_shop):
    assert {book["currency"] for book in Workbench(dollar_shop.url).books()} == {"usd"}
    with Workbench(dollar_shop.url, currency="eur") as euros:
        assert euros.started_here and euros.url != dollar_shop.url
        assert {book["currency"] for book in euros.books()} == {"eur"}
        with pytest.raises(WorkbenchError, match="The shop started in this kernel sells in eur, not usd: restart"):
            Workbench(OWN_SHOP, currency="usd")


def test_behind_a_jupyter_servers_proxy_a_shop_in_another_currency_is_named_with_the_fix(dollar_shop, monkeypatch):
    monkeypatch.setenv("SHOP_URL", dollar_shop.url)
    monkeypatch.setenv("SHOP_PROXY_PATH", "/user/ada/shop/")  # the browser reaches only this Jupyter server's shop
    with pytest.raises(WorkbenchError, match="sells in usd. Start JupyterLab with SHOP_CURRENCY=eur"):
        Workbench(currency="eur")


def test_the_test_shopper_pays_by_sepa_and_wait_follows_the_debit_through_processing(wb):
    order = wb.create_order({"working-in-public": 1})
    visit = wb.pay_as_shopper(order, iban=SUCCEEDS)
    assert (visit.outcome, visit.total, visit.payment_intent) == ("processing", "€26.00", order.payment_intent)
    assert [step[:3] for step in visit.steps][2] == [
        "POST",
        "sandbox",
        f"/v1/payment_intents/{order.payment_intent}/confirm",
    ]

    processing = order.wait(until="processing")
    assert processing.card().rows[0] == ("amount", "€26.00, on its way: the bank has not paid it yet")
    with pytest.raises(NotPaidYet, match=f"Order {order.id}'s PaymentIntent is processing: nothing is settled yet"):
        order.wait(timeout=0.5)  # the bank holds it: wait says so instead of hanging
    settle_now(wb.servers.data_dir)
    paid = order.wait()
    assert (paid.order.status, paid.total, paid.order.history[-1]["source"]) == ("paid", "€26.00", "webhook")


def test_a_failed_debit_is_waited_for_and_the_panel_suggests_the_iban_that_pays(wb):
    order = wb.create_order({"scaling-people": 1})
    view = order.show_checkout(iban=FAILS)
    assert "<b>AT86 1904 3002 3547 3202</b> in the SEPA Debit tab" in view.panel.value
    assert wb.pay_as_shopper(order, iban=FAILS).outcome == "processing"
    settle_now(wb.servers.data_dir)
    failed = order.wait(until="failed")
    assert failed.payment_intent.last_payment_error.code == "payment_intent_payment_attempt_failed"
    view.show(failed)
    assert f"try again, e.g. with <b>{SUCCEEDS}</b>" in view.panel.value
    view.stop()


def test_the_test_shopper_authorizes_or_fails_ideal_at_the_banks_page(wb):
    paid = wb.create_order({"an-elegant-puzzle": 1})
    visit = wb.pay_as_shopper(paid, ideal="authorize")
    assert (visit.outcome, visit.total) == ("paid", "€30.00")
    assert [step[2] for step in visit.steps][3:] == [f"/redirect/authorize/{paid.payment_intent}"] * 2

    failed = wb.create_order({"an-elegant-puzzle": 1})
    visit = wb.pay_as_shopper(failed, ideal="fail")
    assert visit.outcome == "authentication failed" and visit.message.startswith("The provided PaymentMethod")


def test_wait_says_what_to_do_at_the_banks_page(wb):
    order = wb.create_order({"stubborn-attachments": 1})
    wb.stripe.v1.payment_intents.confirm(
        order.payment_intent, params={"payment_method_data": {"type": "ideal"}, "return_url": order.checkout_url}
    )
    with pytest.raises(NotPaidYet, match="is waiting at the bank's test page: press Authorize test payment"):
        order.wait()


def test_one_way_to_pay_at_a_time():
    with pytest.raises(WorkbenchError, match="Pay with one of card=, iban= or ideal=, not several"):
        Workbench.pay_as_shopper(None, None, card="4242 4242 4242 4242", iban=SUCCEEDS)


def test_lesson_06s_exercises_are_checked_against_what_the_bank_does(monkeypatch):
    monkeypatch.setenv("SANDBOX_SEPA_SETTLE_SECONDS", "0")  # nobody to let the bank answer: it answers at once
    with Workbench(OWN_SHOP, currency="eur") as wb:
        check = wb.exercises("06")
        refused = check(
            1, order_status="failed", told_by="return page", error_code="payment_intent_payment_attempt_failed"
        )
        assert refused.marks == {"order_status": "right", "told_by": "wrong", "error_code": "right"}
        assert "Hint: who told the shop" in repr(refused) and "webhook" not in repr(refused)
        assert check(
            2,
            payment_intent_status="requires_payment_method",
            error_code="payment_intent_authentication_failure",
            order_status="failed",
        ).right
