"""The shop and the sandbox behind a Jupyter server's proxy, and the Host names they answer to.

jupyter-server-proxy strips ``/user/alice/shop`` and sends it as ``X-Forwarded-Prefix``,
with the browser's ``Host`` and the hub's ``X-Forwarded-Proto``, plus the proxy token.
Every URL the pages hand a browser must then name that address; the same headers
from anyone without the token must change nothing.
"""

import re

import pytest

from press_workbench.sandbox import PROXY_TOKEN_HEADER, SECRET_KEY, create_sandbox_app
from press_workbench.shop import create_app
from tests.shop_helpers import new_order

TOKEN = "proxy-token-for-tests"
HUB = "https://hub.example:8000"
THROUGH_SHOP = {
    PROXY_TOKEN_HEADER: TOKEN,
    "Host": "hub.example:8000",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Prefix": "/user/alice/shop",
}


@pytest.fixture
def proxied_app(tmp_path, api_target):
    """The shop as server/press_workbench/launch/proxy.py configures it: the proxy token and the sandbox's path."""
    config = {
        "TESTING": True,
        "DATA_DIR": str(tmp_path / "shop"),
        "SECRET_KEY": "test",
        "PROXY_TOKEN": TOKEN,
        "SANDBOX_PROXY_PATH": "/user/alice/stripe",
        **api_target.shop_config(),
    }
    return create_app(config)


def with_token(client):
    """A test client that sends the proxy token on every request, as jupyter-server-proxy and local clients do."""
    client.environ_base["HTTP_" + PROXY_TOKEN_HEADER.upper().replace("-", "_")] = TOKEN
    return client


def checkout_page(client, headers):
    order = new_order(client, ("working-in-public", 1))
    response = client.get(f"/checkout/{order['id']}", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return order, response


def test_pages_behind_the_proxy_name_the_browsers_address(proxied_app):
    client = with_token(proxied_app.test_client())
    order, response = checkout_page(client, THROUGH_SHOP)
    page = response.get_data(as_text=True)
    assert f'"returnUrl": "{HUB}/user/alice/shop/checkout/{order["id"]}/complete"' in page
    assert f'<script src="{HUB}/user/alice/stripe/v3/"></script>' in page
    assert 'href="/user/alice/shop/static/css/shop.css"' in page and 'href="/user/alice/shop/cart/"' in page
    csp = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' {HUB};" in csp and f"frame-src {HUB};" in csp and f"connect-src 'self' {HUB};" in csp
    assert csp.endswith("frame-ancestors 'self'")  # JupyterLab or Voilà's extension, on this origin


def test_redirects_behind_the_proxy_are_absolute(proxied_app):
    """jupyter-server-proxy prefixes a bare Location path itself: a prefixed path would get the prefix twice."""
    client = with_token(proxied_app.test_client())
    response = client.post("/buy", data={"book_id": "working-in-public", "quantity": "1"}, headers=THROUGH_SHOP)
    assert response.status_code == 303
    assert re.fullmatch(rf"{HUB}/user/alice/shop/checkout/ord_\w+", response.location)


def test_console_links_behind_the_proxy_go_through_it(proxied_app, stripe_client):
    client = with_token(proxied_app.test_client())
    order = new_order(client, ("working-in-public", 1))
    stripe_client.v1.payment_intents.confirm(
        order["payment_intent"], params={"payment_method": "pm_card_visa", "return_url": "http://127.0.0.1/r"}
    )
    page = client.get(f"/checkout/{order['id']}/complete", headers=THROUGH_SHOP).get_data(as_text=True)
    assert f'href="{HUB}/user/alice/stripe/dashboard/payments/{order["payment_intent"]}"' in page


def test_the_session_cookie_stays_on_the_shops_path(proxied_app):
    """JupyterLab and the hub share the origin: the shop's cookie must not be sent to them."""
    client = with_token(proxied_app.test_client())
    response = client.post("/cart/add", data={"book_id": "working-in-public", "quantity": "1"}, headers=THROUGH_SHOP)
    assert response.status_code == 303 and "Path=/user/alice/shop" in response.headers["Set-Cookie"]
    local = with_token(proxied_app.test_client()).post("/cart/add", data={"book_id": "working-in-public"})
    assert "Path=/;" in local.headers["Set-Cookie"]


def test_the_proxy_token_is_required_when_configured(proxied_app):
    refused = proxied_app.test_client().get("/api/health", headers={"Host": "127.0.0.1:4242"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    forged = proxied_app.test_client().get("/api/health", headers={**THROUGH_SHOP, PROXY_TOKEN_HEADER: "guess"})
    assert forged.status_code == 403
    assert with_token(proxied_app.test_client()).get("/api/health").status_code == 200


def test_a_local_client_with_the_token_gets_loopback_urls(proxied_app):
    """The kernel's test shopper talks to the shop directly: its pages name the loopback servers."""
    client = with_token(proxied_app.test_client())
    order, response = checkout_page(client, {"Host": "127.0.0.1:4242"})
    page = response.get_data(as_text=True)
    assert f'"returnUrl": "http://127.0.0.1:4242/checkout/{order["id"]}/complete"' in page
    assert f'<script src="{proxied_app.config["SANDBOX_URL"]}/v3/"></script>' in page


def test_forwarded_headers_without_the_token_change_nothing(client):
    order, response = checkout_page(client, {**THROUGH_SHOP, PROXY_TOKEN_HEADER: "", "Host": "127.0.0.1:4242"})
    page = response.get_data(as_text=True)
    assert f'"returnUrl": "http://127.0.0.1:4242/checkout/{order["id"]}/complete"' in page
    assert "hub.example" not in page and "/user/alice" not in page
    assert "frame-ancestors 'self'" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:4242", "192.168.1.20:4242", "127.0.0.1.nip.io"])
def test_a_host_the_shop_is_not_served_as_gets_a_400_and_changes_nothing(client, app, host):
    response = client.post("/api/orders", json={"items": [{"book_id": "scaling-people"}]}, headers={"Host": host})
    assert response.status_code == 400
    assert "WORKBENCH_PUBLIC_HOST" in response.get_json()["error"]["message"]
    assert app.extensions["shop"].orders.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0


def test_a_configured_public_host_is_answered_and_its_sandbox_named_by_it(tmp_path, api_target):
    app = create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(tmp_path),
            "SECRET_KEY": "t",
            "PUBLIC_HOST": "shop.lan, other.lan:9",
            **api_target.shop_config(),
        }
    )
    sandbox_port = re.search(r":(\d+)$", app.config["SANDBOX_URL"]).group(1)
    client = app.test_client()
    _, response = checkout_page(client, {"Host": "shop.lan:4242"})
    assert f'<script src="http://shop.lan:{sandbox_port}/v3/"></script>' in response.get_data(as_text=True)
    assert client.get("/api/health", headers={"Host": "other.lan"}).status_code == 200
    assert client.get("/api/health", headers={"Host": "localhost:4242"}).status_code == 200


# -- the sandbox -----------------------------------------------------------------------------------------
@pytest.fixture
def proxied_sandbox(tmp_path):
    app = create_sandbox_app(str(tmp_path), proxy_token=TOKEN)
    yield with_token(app.test_client())
    app.extensions["sandbox"].worker.stop()


THROUGH_SANDBOX = {**THROUGH_SHOP, "X-Forwarded-Prefix": "/user/alice/stripe"}
AUTH = {"Authorization": f"Bearer {SECRET_KEY}"}


def test_sandbox_3ds_page_and_its_redirect_behind_the_proxy(proxied_sandbox):
    pi = proxied_sandbox.post(
        "/v1/payment_intents",
        data={"amount": "2300", "currency": "usd", "payment_method": "pm_card_threeDSecure2Required", "confirm": "true"}
        | {"return_url": f"{HUB}/user/alice/shop/done"},
        headers={**THROUGH_SANDBOX, **AUTH},
    ).get_json()
    challenge = pi["next_action"]["redirect_to_url"]["url"]
    assert challenge.startswith(f"{HUB}/user/alice/stripe/3ds/authenticate/{pi['id']}?")
    answer = proxied_sandbox.post(
        f"/3ds/authenticate/{pi['id']}",
        data={"client_secret": pi["client_secret"], "result": "complete", "return_url": f"{HUB}/user/alice/shop/done"},
        headers=THROUGH_SANDBOX,
    )
    assert answer.status_code == 303 and answer.location.startswith(f"{HUB}/user/alice/shop/done?payment_intent=")


def test_sandbox_frames_and_console_behind_the_proxy(proxied_sandbox):
    frame = proxied_sandbox.get("/v3/elements-inner-payment.html", headers=THROUGH_SANDBOX).get_data(as_text=True)
    assert 'src="../assets/payment-element.js"' in frame and 'data-testid="same-origin-note"' in frame
    console = proxied_sandbox.get("/dashboard/payments", headers=THROUGH_SANDBOX)
    assert console.status_code == 200  # the browser is elsewhere: the Jupyter server vouches for it
    assert 'href="/user/alice/stripe/dashboard/events"' in console.get_data(as_text=True)


def test_sandbox_refuses_requests_without_the_token(tmp_path):
    app = create_sandbox_app(str(tmp_path), proxy_token=TOKEN)
    try:
        answer = app.test_client().get("/v1/payment_intents", headers=AUTH)
        assert answer.status_code == 403 and answer.get_json()["error"]["type"] == "invalid_request_error"
        assert (
            app.test_client().get("/dashboard/payments", headers=THROUGH_SANDBOX | {PROXY_TOKEN_HEADER: ""}).status_code
            == 403
        )
    finally:
        app.extensions["sandbox"].worker.stop()
