"""Bank payments in the shop, in euros: a SEPA debit keeps its order ``processing`` until Stripe settles it.

The webhook (or reconcile, for a webhook that was missed) settles the order to ``paid``
or ``failed``; a failed debit can be paid again on the same order; iDEAL comes back
from the bank's page to the confirmation; and what the return URL's query claims
(``redirect_status=succeeded``) never changes an order.  The module's own sandbox holds
every debit until a test lets the bank answer (``bank_answers``), so each step can be looked at.
"""

import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from press_workbench.shop import reconcile_orders
from tests.bank_payments import IBAN_FAILS, bank_answers, eur_shop, holding_sandbox, pay_by_sepa, served, wait_for
from tests.fidelity.target import sandbox_target
from tests.shop_helpers import new_order
from tests.test_webhooks import SECRET, post_event


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    """This module's sandbox: its debits wait in ``processing`` until a test lets the bank answer."""
    with holding_sandbox(str(tmp_path_factory.mktemp("bank"))) as running:
        yield running


@pytest.fixture
def target(bank):
    return sandbox_target(bank.url)


@pytest.fixture
def stripe_client(target):
    return target.client()


@pytest.fixture
def shop(tmp_path, target):
    """The shop in euros, served with its webhook registered at the bank's sandbox."""
    app = eur_shop(tmp_path, target)
    with served(app):
        yield app


@pytest.fixture
def unheard(tmp_path, target):
    """The shop in euros with no webhook endpoint: it hears of nothing unless it asks (return page, reconcile)."""
    return eur_shop(tmp_path, target)


def order_of(client, order):
    return client.get(f"/api/orders/{order['id']}").get_json()


def becomes(client, order, status):
    """The order once the shop has it in ``status`` (webhooks arrive on their own time)."""
    return wait_for(lambda: order_of(client, order), lambda now: now["status"] == status)


def returns(client, order, **claims):
    """The return page as Stripe.js's redirect opens it, with whatever the query claims."""
    return client.get(
        f"/checkout/{order['id']}/complete", query_string={"payment_intent": order["payment_intent"], **claims}
    )


def test_a_debit_is_processing_until_the_webhook_settles_it_paid(shop, stripe_client, bank):
    client = shop.test_client()
    order = new_order(client, ("working-in-public", 2))
    assert pay_by_sepa(stripe_client, order).status == "processing"
    processing = becomes(client, order, "processing")
    assert processing["history"][-1]["source"] == "webhook" and processing["amount_received"] == 0

    page = returns(client, order, redirect_status="succeeded")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="payment-processing"' in html
    assert 'data-testid="confirmation"' not in html and "€52.00" in html and "updates itself" in html
    assert client.get(f"/checkout/{order['id']}").location.endswith(f"/checkout/{order['id']}/complete")

    bank_answers(stripe_client, bank.data_dir, order)
    paid = becomes(client, order, "paid")
    assert [(h["status"], h["source"]) for h in paid["history"]] == [
        ("awaiting_payment", "shop"),
        ("processing", "webhook"),
        ("paid", "webhook"),
    ]
    assert paid["amount_received"] == 5200
    confirmation = returns(client, order).get_data(as_text=True)
    assert 'data-testid="confirmation-amount">€52.00<' in confirmation


def test_a_failed_debit_fails_the_order_which_can_then_be_paid_again(shop, stripe_client, bank):
    client = shop.test_client()
    order = new_order(client, ("scaling-people", 1))
    pay_by_sepa(stripe_client, order, IBAN_FAILS)
    becomes(client, order, "processing")
    bank_answers(stripe_client, bank.data_dir, order)
    failed = becomes(client, order, "failed")
    assert failed["history"][-1]["source"] == "webhook"

    back = returns(client, order, redirect_status="succeeded")
    assert back.status_code == 302 and back.location.endswith("error=payment_intent_payment_attempt_failed")
    checkout = client.get(back.location).get_data(as_text=True)
    assert "Your bank did not pay the debit." in checkout and 'data-testid="pay-button"' in checkout

    assert pay_by_sepa(stripe_client, order).status == "processing"  # the same order, the same PaymentIntent
    becomes(client, order, "processing")
    bank_answers(stripe_client, bank.data_dir, order)
    paid = becomes(client, order, "paid")
    assert [h["status"] for h in paid["history"]] == ["awaiting_payment", "processing", "failed", "processing", "paid"]


def test_reconcile_settles_debits_whose_webhooks_were_missed(unheard, stripe_client, bank):
    client = unheard.test_client()
    orders = {name: new_order(client, ("an-elegant-puzzle", 1)) for name in ("paid", "failed")}
    pay_by_sepa(stripe_client, orders["paid"])
    pay_by_sepa(stripe_client, orders["failed"], IBAN_FAILS)
    shop = unheard.extensions["shop"]
    reconcile_orders(shop)
    assert {name: order_of(client, order)["status"] for name, order in orders.items()} == {
        "paid": "processing",
        "failed": "processing",
    }
    for order in orders.values():
        bank_answers(stripe_client, bank.data_dir, order)
    report = reconcile_orders(shop)  # processing orders are open: a reconcile run asks Stripe about them
    assert {name: order_of(client, order)["status"] for name, order in orders.items()} == {
        "paid": "paid",
        "failed": "failed",
    }
    assert (report.checked, len(report.changed)) == (2, 2)
    assert order_of(client, orders["paid"])["history"][-1]["source"] == "reconcile"


def test_a_forged_redirect_status_changes_nothing(unheard, stripe_client):
    client = unheard.test_client()
    unpaid = new_order(client, ("stubborn-attachments", 1))
    page = returns(client, unpaid, redirect_status="succeeded", payment_intent_client_secret=unpaid["client_secret"])
    assert page.status_code == 302 and page.location.endswith(f"/checkout/{unpaid['id']}")
    assert order_of(client, unpaid)["status"] == "awaiting_payment"

    debit = new_order(client, ("stubborn-attachments", 1))
    pay_by_sepa(stripe_client, debit)
    shown = returns(client, debit, redirect_status="succeeded").get_data(as_text=True)
    assert 'data-testid="payment-processing"' in shown and 'data-testid="confirmation"' not in shown
    assert order_of(client, debit)["status"] == "processing"


def test_a_processing_event_delivered_after_its_failure_changes_nothing(unheard, stripe_client, bank):
    """Events arrive in no guaranteed order: a late ``processing`` must not reopen a debit that already failed."""
    unheard.config["STRIPE_WEBHOOK_SECRET"] = SECRET
    client = unheard.test_client()
    order = new_order(client, ("working-in-public", 1))
    pay_by_sepa(stripe_client, order, IBAN_FAILS)
    bank_answers(stripe_client, bank.data_dir, order)
    processing, failure = (event_about(stripe_client, order, kind) for kind in ("processing", "payment_failed"))
    assert post_event(client, failure).get_json()["handled"] is True
    assert post_event(client, processing).get_json()["handled"] is True  # acknowledged, and applied as Stripe has it
    assert [h["status"] for h in order_of(client, order)["history"]] == ["awaiting_payment", "failed"]


def test_a_failure_delivered_after_the_retry_began_changes_nothing(unheard, stripe_client, bank):
    """The first attempt's ``payment_failed`` arriving while the shopper's second debit processes leaves it so."""
    unheard.config["STRIPE_WEBHOOK_SECRET"] = SECRET
    client = unheard.test_client()
    order = new_order(client, ("working-in-public", 1))
    pay_by_sepa(stripe_client, order, IBAN_FAILS)
    bank_answers(stripe_client, bank.data_dir, order)
    first_failure = event_about(stripe_client, order, "payment_failed")
    returns(client, order)  # the shopper saw the failure…
    pay_by_sepa(stripe_client, order)  # …and paid again: processing
    assert returns(client, order).status_code == 200
    post_event(client, first_failure)
    assert order_of(client, order)["status"] == "processing"


def test_an_ideal_payment_comes_back_from_the_bank_to_the_confirmation(unheard, stripe_client):
    client = unheard.test_client()
    order = new_order(client, ("high-growth-handbook", 1))
    back_to = f"{order_url(unheard, order)}/complete"
    waiting = stripe_client.v1.payment_intents.confirm(
        order["payment_intent"], params={"payment_method_data": {"type": "ideal"}, "return_url": back_to}
    )
    assert (waiting.status, waiting.next_action.type) == ("requires_action", "redirect_to_url")
    assert returns(client, order, redirect_status="succeeded").status_code == 302  # not paid before the bank says so
    assert order_of(client, order)["status"] == "awaiting_payment"

    query = press_bank_button(waiting.next_action.redirect_to_url.url, order["client_secret"], "authorize")
    assert query["redirect_status"] == ["succeeded"] and query["payment_intent"] == [order["payment_intent"]]
    page = client.get(f"/checkout/{order['id']}/complete", query_string={k: v[0] for k, v in query.items()})
    html = page.get_data(as_text=True)
    assert 'data-testid="confirmation-amount">€28.00<' in html
    assert f'data-testid="payment-intent-id">{order["payment_intent"]}<' in html
    assert order_of(client, order)["status"] == "paid"


def test_a_failed_ideal_payment_goes_back_to_the_checkout(unheard, stripe_client):
    client = unheard.test_client()
    order = new_order(client, ("high-growth-handbook", 1))
    waiting = stripe_client.v1.payment_intents.confirm(
        order["payment_intent"],
        params={"payment_method_data": {"type": "ideal"}, "return_url": f"{order_url(unheard, order)}/complete"},
    )
    query = press_bank_button(waiting.next_action.redirect_to_url.url, order["client_secret"], "fail")
    assert query["redirect_status"] == ["failed"]
    back = client.get(f"/checkout/{order['id']}/complete", query_string={k: v[0] for k, v in query.items()})
    assert back.status_code == 302 and "error=" in back.location
    assert order_of(client, order)["status"] == "failed"


def test_the_operator_refunds_a_debit_and_the_refund_starts_pending(unheard, stripe_client, bank):
    client = unheard.test_client()
    order = new_order(client, ("working-in-public", 1))
    pay_by_sepa(stripe_client, order)
    bank_answers(stripe_client, bank.data_dir, order)
    assert 'data-testid="confirmation"' in returns(client, order).get_data(as_text=True)
    operator = {"Authorization": f"Bearer {unheard.config['OPERATOR_TOKEN']}"}
    answer = client.post(f"/api/orders/{order['id']}/refund", headers=operator)
    assert answer.status_code == 200
    refunded = answer.get_json()
    (refund,) = stripe_client.v1.refunds.list(params={"payment_intent": order["payment_intent"]}).data
    assert (refund.status, refund.amount, refund.currency) == ("pending", 2600, "eur")
    assert refunded["status"] == "refunded" and refunded["history"][-1]["detail"] == f"{refund.id} pending"


def order_url(app, order):
    return f"{app.config['SHOP_URL']}/checkout/{order['id']}"


def event_about(stripe_client, order, kind):
    """The ``payment_intent.<kind>`` event about the order's PaymentIntent, as Stripe sent it."""
    events = stripe_client.v1.events.list(params={"type": f"payment_intent.{kind}", "limit": 100}).data
    return next(e for e in events if e.data.object.id == order["payment_intent"]).to_dict()


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # read where the bank sends the shopper back to, without going there


def press_bank_button(url, client_secret, button):
    """Press a button on the sandbox's bank test page, as the shopper does; the query it sends them back with."""
    with urllib.request.urlopen(url, timeout=10) as page:
        assert f'data-testid="redirect-{button}"' in page.read().decode()
    form = f"client_secret={client_secret}&result={button}".encode()
    try:
        urllib.request.build_opener(_Stay()).open(urllib.request.Request(url, data=form), timeout=10)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303
        return parse_qs(urlsplit(redirect.headers["Location"]).query)
    raise AssertionError("the bank's page did not send the shopper back")
