"""Another website in the same browser cannot change the shop: forms and scripts from elsewhere are refused."""

import pytest
from playwright.sync_api import expect

from tests.shop_helpers import new_order, pay

pytestmark = pytest.mark.browser
EVIL = "http://localhost:1/prize"  # another site than the shop's 127.0.0.1 origin; its page is served by the route


def visit_evil_page(page, html):
    page.route(EVIL, lambda route: route.fulfill(content_type="text/html", body=html))
    page.goto(EVIL)


def test_a_form_on_another_site_cannot_fill_the_cart(page, live_shop):
    visit_evil_page(
        page,
        f"""<form method=post action="{live_shop.url}/cart/add">
        <input name=book_id value=working-in-public><input name=quantity value=3>
        <button id=go>Claim your prize</button></form>""",
    )
    page.click("#go")
    expect(page.get_by_test_id("message")).to_contain_text("came from another website")
    page.goto(live_shop.url + "/cart/")
    expect(page.get_by_test_id("cart-empty")).to_be_visible()


def test_another_site_cannot_refund_by_form_or_script(page, live_shop, stripe_client):
    client = live_shop.app.test_client()
    order = new_order(client, ("working-in-public", 1))
    pay(stripe_client, order)
    client.get(f"/checkout/{order['id']}/complete")
    refund_url = f"{live_shop.url}/api/orders/{order['id']}/refund"
    token = live_shop.app.config["OPERATOR_TOKEN"]  # even a page that somehow knew it
    visit_evil_page(
        page,
        f"""<form method=post action="{refund_url}"><button id=go>Go</button></form>
        <script>window.scripted = fetch("{refund_url}", {{method: "POST", headers: {{Authorization: "Bearer {token}"}}}})
          .then(r => "answered " + r.status, e => "blocked: " + e.message);</script>""",
    )
    assert page.evaluate("window.scripted").startswith("blocked")  # CORS: the shop grants no other origin
    page.click("#go")
    expect(page.locator("body")).to_contain_text('"code":"cross_origin_request"')  # an API path: JSON
    assert client.get(f"/api/orders/{order['id']}").get_json()["status"] == "paid"
    assert stripe_client.v1.refunds.list(params={"payment_intent": order["payment_intent"]}).data == []
