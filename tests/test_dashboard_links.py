"""`pi_…` links go to this mode's Dashboard: Stripe's in stripe mode (``tests/test_stripe_mode.py``), the sandbox's."""

from server.dashboard_links import dashboard_url
from tests.shop_helpers import new_order


def test_dashboard_url_per_mode_and_object():
    assert dashboard_url("pi_123", "stripe") == "https://dashboard.stripe.com/test/payments/pi_123"
    assert dashboard_url("evt_9", "stripe") == "https://dashboard.stripe.com/test/events/evt_9"
    assert dashboard_url("pi_1", "sandbox", "http://127.0.0.1:12111/") == "http://127.0.0.1:12111/dashboard/payments/pi_1"
    assert dashboard_url("ch_1", "sandbox", "http://h:1") == "http://h:1/dashboard/payments/ch_1"
    assert dashboard_url("we_1", "sandbox", "http://h:1") == "http://h:1/dashboard/webhooks/we_1"
    assert dashboard_url("ord_1", "sandbox", "http://h:1") is None


def test_order_page_links_the_payment_to_the_sandbox_dashboard(client, sandbox_url):
    order = new_order(client, ("working-in-public", 1))
    html = client.get(f"/orders/{order['id']}").get_data(as_text=True)
    assert f'href="{sandbox_url}/dashboard/payments/{order["payment_intent"]}"' in html
    assert "dashboard.stripe.com" not in html

