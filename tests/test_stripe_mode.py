"""Stripe test mode, checked offline: the page loads js.stripe.com under a CSP that allows only Stripe."""

import pytest

from press_workbench.shop import create_app
from tests.test_config import PK, SK


@pytest.fixture
def stripe_app(tmp_path):
    return create_app(
        {
            "TESTING": True,
            "STRIPE_SECRET_KEY": SK,
            "STRIPE_PUBLISHABLE_KEY": PK,
            "DATA_DIR": str(tmp_path),
            "SECRET_KEY": "test",
        }
    )


def make_order_without_network(app):
    """An order row with a PaymentIntent id already attached, so no call to api.stripe.com is made."""
    orders = app.extensions["shop"].orders
    order, _ = orders.create(
        [
            {
                "book_id": "working-in-public",
                "title": "Working in Public",
                "unit_price": 2800,
                "quantity": 1,
                "amount": 2800,
            }
        ],
        "usd",
        None,
    )
    return orders.attach_payment_intent(order, "pi_3TestOffline", "pi_3TestOffline_secret_abc")


def test_checkout_loads_real_stripe_js_with_a_strict_csp(stripe_app):
    order = make_order_without_network(stripe_app)
    page = stripe_app.test_client().get(f"/checkout/{order.id}")
    html = page.get_data(as_text=True)
    assert '<script src="https://js.stripe.com/v3/"></script>' in html
    assert PK in html and SK not in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com;" in csp
    assert "frame-src https://js.stripe.com https://hooks.stripe.com;" in csp
    assert "connect-src 'self' https://api.stripe.com;" in csp
    assert "127.0.0.1:12111" not in csp and "127.0.0.1:12111" not in html
    assert "Stripe test mode" in html


def test_sandbox_csp_allows_only_the_sandbox(client, sandbox_url):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert f"script-src 'self' {sandbox_url};" in csp and "stripe.com" not in csp


def test_stripe_client_uses_stripes_own_api_with_retries(stripe_app):
    client = stripe_app.extensions["shop"].stripe
    options = client._requestor._options
    assert client._requestor.base_addresses["api"] == "https://api.stripe.com"
    assert options.max_network_retries == 2
    assert options.api_key == SK


def test_payment_links_go_to_stripes_dashboard(stripe_app):
    order = make_order_without_network(stripe_app)
    html = stripe_app.test_client().get(f"/orders/{order.id}").get_data(as_text=True)
    assert 'href="https://dashboard.stripe.com/test/payments/pi_3TestOffline"' in html
