"""Safe by default: same-origin state changes, private secrets, no open redirect, no reflected text, honest 405s."""

import os
import re

import pytest

from press_workbench.shop import create_app
from tests.shop_helpers import new_order

CROSS_SITE = [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:8888"},
    {"Origin": "null"},
]
FORM_POSTS = [
    ("/cart/add", {"book_id": "working-in-public", "quantity": "1"}),
    ("/buy", {"book_id": "working-in-public", "quantity": "1"}),
    ("/cart/checkout", {"email": ""}),
]


def mode(path):
    return oct(os.stat(path).st_mode & 0o777)


@pytest.mark.parametrize("headers", CROSS_SITE)
@pytest.mark.parametrize("path, form", FORM_POSTS)
def test_cross_site_form_posts_change_nothing(client, app, path, form, headers):
    client.post("/cart/add", data={"book_id": "scaling-people", "quantity": "1"})  # a cart to check out
    response = client.post(path, data=form, headers=headers)
    assert response.status_code == 403 and "another website" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # the shop still answers
    assert app.extensions["shop"].orders.execute("SELECT COUNT(*) FROM orders").fetchone()[0] == 0
    assert 'data-testid="cart-count">1<' in client.get("/cart/").get_data(as_text=True)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        {"Origin": "http://localhost"},  # an older browser: Origin only, the host it asked for
        {"Origin": "http://127.0.0.1:4242"},  # the configured SHOP_URL
        {},  # not a browser (scripts, the notebook helper, Stripe)
    ],
)
def test_the_shops_own_pages_and_scripts_may_post(client, headers):
    response = client.post("/cart/add", data={"book_id": "working-in-public", "quantity": "2"}, headers=headers)
    assert response.status_code == 303


def test_api_orders_from_another_site_are_refused(client):
    response = client.post(
        "/api/orders", json={"items": [{"book_id": "working-in-public"}]}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "cross_origin_request"


def test_session_cookie_is_samesite_lax_and_httponly(client):
    response = client.post("/cart/add", data={"book_id": "working-in-public", "quantity": "1"})
    cookie = response.headers["Set-Cookie"]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_secrets_are_written_readable_by_their_owner_only(tmp_path, sandbox_url):
    data_dir = tmp_path / "shop"
    data_dir.mkdir()
    (data_dir / "session-secret").write_text("from-an-older-version")
    os.chmod(data_dir / "session-secret", 0o644)
    app = create_app({"TESTING": True, "DATA_DIR": str(data_dir), "SANDBOX_URL": sandbox_url})
    assert app.config["SECRET_KEY"] == "from-an-older-version"  # kept, so shoppers' carts survive the upgrade
    assert mode(data_dir / "session-secret") == "0o600"
    assert mode(data_dir / "operator-token") == "0o600" and len(app.config["OPERATOR_TOKEN"]) >= 32
    assert mode(data_dir / "shop.sqlite3") == "0o600"  # emails and client secrets
    fresh = tmp_path / "fresh"
    create_app({"TESTING": True, "DATA_DIR": str(fresh), "SANDBOX_URL": sandbox_url})
    assert mode(fresh) == "0o700" and mode(fresh / "session-secret") == "0o600"
    assert mode(fresh / "shop.sqlite3-wal") == mode(fresh / "shop.sqlite3-shm") == "0o600"
    assert not [name for name in os.listdir(fresh) if name.startswith(".secret-")]  # no drafts left behind


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
    ],
)
def test_next_never_leaves_the_shop(client, target):
    response = client.post("/cart/add", data={"book_id": "working-in-public", "quantity": "1", "next": target})
    assert response.status_code == 303 and response.location == "/"


def test_next_may_name_a_shop_page(client):
    response = client.post("/cart/add", data={"book_id": "working-in-public", "quantity": "1", "next": "/cart/"})
    assert response.location == "/cart/"


@pytest.mark.parametrize(
    "path, method, allowed",
    [
        ("/api/orders", "get", "POST"),
        ("/api/books", "post", "GET"),
        ("/cart/add", "get", "POST"),
        ("/webhook", "get", "POST"),
    ],
)
def test_405_says_what_is_allowed(client, path, method, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert allowed in {m.strip() for m in response.headers["Allow"].split(",")}
    if path.startswith(("/api/", "/webhook")):
        assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_a_host_the_shop_is_not_served_as_never_chooses_the_return_url(client):
    order = new_order(client, ("working-in-public", 1))
    refused = client.get(f"/checkout/{order['id']}", headers={"Host": "evil.example"})
    assert refused.status_code == 400 and "returnUrl" not in refused.get_data(as_text=True)
    page = client.get(f"/checkout/{order['id']}", headers={"Host": "127.0.0.1:4242"}).get_data(as_text=True)
    assert f'"returnUrl": "http://127.0.0.1:4242/checkout/{order["id"]}/complete"' in page


def test_checkout_shows_only_messages_it_chose(client):
    order = new_order(client, ("working-in-public", 1))
    page = client.get(f"/checkout/{order['id']}?error=Call+0800+FRAUD+to+claim+your+refund").get_data(as_text=True)
    assert "FRAUD" not in page
    assert re.search(r'data-testid="payment-error">\s*<', page)
    known = client.get(f"/checkout/{order['id']}?error=expired_card").get_data(as_text=True)
    assert 'data-testid="payment-error">Your card has expired.<' in known


def test_missing_order_pages_echo_only_order_ids(client):
    page = client.get("/orders/Call%200800%20FRAUD")
    assert page.status_code == 404 and "FRAUD" not in page.get_data(as_text=True)
    assert "There is no order with that number." in page.get_data(as_text=True)
