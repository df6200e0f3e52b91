"""`pi_…` links go to the object's Stripe page: Stripe's Dashboard in stripe mode (``test_stripe_mode.py``), else
the sandbox console."""

import re
import urllib.request

from press_workbench.notebook import Workbench
from press_workbench.shop.stripe_pages import stripe_page_url
from tests.shop_helpers import new_order


def test_stripe_page_url_per_mode_and_object():
    assert stripe_page_url("pi_123", "stripe") == "https://dashboard.stripe.com/test/payments/pi_123"
    assert stripe_page_url("evt_9", "stripe") == "https://dashboard.stripe.com/test/events/evt_9"
    assert (
        stripe_page_url("pi_1", "sandbox", "http://127.0.0.1:12111/")
        == "http://127.0.0.1:12111/dashboard/payments/pi_1"
    )
    assert stripe_page_url("ch_1", "sandbox", "http://h:1") == "http://h:1/dashboard/payments/ch_1"
    assert stripe_page_url("we_1", "sandbox", "http://h:1") == "http://h:1/dashboard/webhooks/we_1"
    assert stripe_page_url("ord_1", "sandbox", "http://h:1") is None


def test_order_page_links_the_payment_to_the_sandbox_console(client, sandbox_url):
    order = new_order(client, ("working-in-public", 1))
    html = client.get(f"/orders/{order['id']}").get_data(as_text=True)
    assert f'href="{sandbox_url}/dashboard/payments/{order["payment_intent"]}"' in html
    assert "dashboard.stripe.com" not in html


def test_notebook_event_timeline_links_each_event_to_the_sandbox_console(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_MODE", "sandbox")
    for name in ("SHOP_URL", "WORKBENCH_AUTOPAY", "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY"):
        monkeypatch.delenv(name, raising=False)
    with Workbench("http://127.0.0.1:0") as wb:
        order = wb.create_order({"working-in-public": 1})
        assert wb.pay_as_shopper(order).paid
        timeline = wb.events(order)
        html, text = timeline._repr_html_(), repr(timeline)
        event_links = re.findall(rf'href="({re.escape(wb.sandbox_url)}/dashboard/events/evt_\w+)"', html)
        assert len(event_links) == len(timeline) >= 3
        assert f'href="{wb.sandbox_url}/dashboard/payments/{order.payment_intent}"' in html
        assert "href" not in text and "payment_intent.succeeded" in text
        with urllib.request.urlopen(event_links[-1]) as page:
            assert page.status == 200
