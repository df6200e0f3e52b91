"""The notebook helper's saved cards: each kernel's client is a shopper of its own, and bringing a customer back.

Lesson 05 runs every helper under nbval; these tests cover what it cannot show: two shoppers
in one kernel, and the paths a learner at the keyboard meets (nothing paid yet, a failed challenge).
"""

import pytest
import stripe

from press_workbench.notebook import NotPaidYet, Workbench

OWN_SHOP = "http://127.0.0.1:0"
RETURN_URL = "https://example.com/checkout/complete"


@pytest.fixture
def wb(monkeypatch, tmp_path):
    """A Workbench with a shop of its own, in sandbox mode, with somebody at the keyboard (no test shopper)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_MODE", "sandbox")
    for name in ("SHOP_URL", "WORKBENCH_AUTOPAY", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    workbench = Workbench(OWN_SHOP)
    yield workbench
    workbench.close()


def saved_while_paying(wb):
    order = wb.create_order({"an-elegant-puzzle": 1})
    assert order.save_card().ok
    assert wb.pay_as_shopper(order).paid  # the test shopper's browser session pays; the kernel's saves
    return wb.stripe.v1.payment_intents.retrieve(order.payment_intent).customer


def test_each_workbench_client_is_a_shopper_of_its_own(wb):
    customer = saved_while_paying(wb)
    [card] = wb.saved_cards()
    assert (card["brand"], card["last4"]) == ("visa", "4242") and "Visa •••• 4242" in repr(wb.saved_cards())
    other = Workbench(OWN_SHOP)  # the same shop, in the same kernel: another cookie jar, another shopper
    assert other.servers is wb.servers
    assert other.saved_cards() == []
    assert other.remove_saved_card(card).status == 404
    order = other.create_order({"an-elegant-puzzle": 1})
    assert order.pay_with_saved_card(card).status == 404 and order.status == "awaiting_payment"
    assert wb.stripe.v1.payment_methods.retrieve(card["id"]).customer == customer
    assert wb.remove_saved_card(card).ok and wb.saved_cards() == []


def test_bringing_a_customer_back_waits_for_them_and_a_failed_challenge_fails(wb):
    customer = saved_while_paying(wb)
    needs_you = wb.stripe.v1.payment_methods.attach("pm_card_authenticationRequired", params={"customer": customer})
    later = wb.create_order({"working-in-public": 1})
    wb.stripe.v1.payment_intents.update(later.payment_intent, params={"customer": customer})
    with pytest.raises(stripe.CardError):
        wb.stripe.v1.payment_intents.confirm(
            later.payment_intent, params={"payment_method": needs_you.id, "off_session": True, "return_url": RETURN_URL}
        )
    view = later.bring_back()
    assert view.page == "authenticate" and "Bank confirmation for order" in repr(view)
    with pytest.raises(NotPaidYet, match="press Complete \\(or Fail\\) on the bank's test page"):
        later.wait(until="paid")  # nobody pays on a person's behalf
    visit = wb.come_back_as_shopper(later, result="fail")
    assert visit.outcome == "authentication failed" and "failed authentication" in visit.message
    assert later.wait(until="failed").order.status == "failed"
    visit = wb.come_back_as_shopper(later)  # nothing left for the bank: back to the checkout, for another card
    assert not visit.paid and visit.steps[0][3].endswith(f"/checkout/{later.id}")
    assert wb.pay_as_shopper(later).paid and later.wait(until="paid").order.status == "paid"
