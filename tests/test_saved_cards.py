"""Saved cards in the shop: saved while paying, listed, paid with, removed, and kept to the session that saved them.

Each test client is one browser session (Flask's test client keeps its cookie); cards are saved the way
the checkout saves them: "Save my card" (``POST /api/orders/<id>/save-card``), then the Payment Element's
card frame confirms with the publishable key (``tests/card_frame.py``).  Stripe's side is read back with
stripe-python and the secret key, never from the shop's own answers.
"""

import os
import re
import sqlite3
import urllib.parse
import urllib.request
from contextlib import closing

import pytest
import stripe

from press_workbench.launch import cli
from press_workbench.sandbox import PUBLISHABLE_KEY
from press_workbench.shop import create_app
from tests.card_frame import THREE_D_SECURE, VISA, pay_in_card_frame
from tests.shop_helpers import new_order

BOOK = ("an-elegant-puzzle", 1)
MASTERCARD = "5555555555554444"


def save_card_while_paying(client, sandbox_url, number=VISA):
    """One order paid with a new card and "Save my card" ticked, settled by its return page; returns the order."""
    order = new_order(client, BOOK)
    chosen = client.post(f"/api/orders/{order['id']}/save-card", json={"save": True})
    assert chosen.status_code == 200, chosen.get_json()
    paid = pay_in_card_frame(sandbox_url, order, number, "http://127.0.0.1/return")
    assert paid["status"] == "succeeded", paid
    client.get(f"/checkout/{order['id']}/complete")
    return order


def saved_cards(client):
    response = client.get("/api/saved-cards")
    assert response.status_code == 200
    return response.get_json()["cards"]


def session_customer(client):
    with client.session_transaction() as session:
        return session.get("customer")


def three_d_secure(sandbox_url, order, result="complete"):
    """Press the sandbox's 3D Secure page button for the order's PaymentIntent, as the modal's shopper does."""
    button = urllib.parse.urlencode({"client_secret": order["client_secret"], "result": result, "embedded": "1"})
    urllib.request.urlopen(f"{sandbox_url}/3ds/authenticate/{order['payment_intent']}", button.encode()).close()


@pytest.fixture
def other_client(app):
    """A second shopper: another browser session of the same shop."""
    return app.test_client()


def test_a_visit_makes_no_customer(client, stripe_client):
    before = len(stripe_client.v1.customers.list(params={"limit": 100}).data)
    order = new_order(client, BOOK)
    assert client.get(f"/checkout/{order['id']}").status_code == 200
    assert saved_cards(client) == []
    assert session_customer(client) is None
    assert len(stripe_client.v1.customers.list(params={"limit": 100}).data) == before


def test_choosing_to_save_sets_the_customer_and_card_options_only(client, stripe_client):
    order = new_order(client, BOOK)
    answer = client.post(f"/api/orders/{order['id']}/save-card", json={"save": True}).get_json()
    assert answer == {"order": order["id"], "save_card": True, "saved_for": "this_session"}
    pi = stripe_client.v1.payment_intents.retrieve(order["payment_intent"])
    assert pi.customer == session_customer(client) and pi.customer.startswith("cus_")
    assert pi.payment_method_options.card.setup_future_usage == "on_session"
    assert pi.setup_future_usage is None  # a SEPA Debit or iDEAL payment saves nothing
    assert "deleted" not in stripe_client.v1.customers.retrieve(pi.customer).to_dict()


def test_a_card_saved_while_paying_is_listed_for_its_session(client, sandbox_url, stripe_client):
    save_card_while_paying(client, sandbox_url)
    cards = saved_cards(client)
    assert [(c["brand"], c["last4"], c["exp_month"], c["exp_year"]) for c in cards] == [("visa", "4242", 12, 2034)]
    assert set(cards[0]) == {"id", "brand", "last4", "exp_month", "exp_year"}
    assert stripe_client.v1.payment_methods.retrieve(cards[0]["id"]).customer == session_customer(client)
    page = client.get(f"/checkout/{new_order(client, BOOK)['id']}").get_data(as_text=True)
    assert 'data-testid="saved-card"' in page and "Visa •••• 4242" in page and "expires 12/34" in page


def test_one_customer_per_session_however_many_cards(client, sandbox_url):
    save_card_while_paying(client, sandbox_url)
    first = session_customer(client)
    save_card_while_paying(client, sandbox_url, MASTERCARD)
    assert session_customer(client) == first
    assert sorted(card["last4"] for card in saved_cards(client)) == ["4242", "4444"]


def test_changing_ones_mind_saves_nothing(client, sandbox_url, stripe_client):
    order = new_order(client, BOOK)
    client.post(f"/api/orders/{order['id']}/save-card", json={"save": True})
    answer = client.post(f"/api/orders/{order['id']}/save-card", json={"save": False}).get_json()
    assert answer == {"order": order["id"], "save_card": False, "saved_for": None}
    card_options = stripe_client.v1.payment_intents.retrieve(order["payment_intent"]).payment_method_options.card
    assert card_options.to_dict().get("setup_future_usage") is None
    assert pay_in_card_frame(sandbox_url, order, VISA, "http://127.0.0.1/return")["status"] == "succeeded"
    assert saved_cards(client) == []


def test_pay_with_a_saved_card(client, sandbox_url, stripe_client):
    save_card_while_paying(client, sandbox_url)
    card = saved_cards(client)[0]["id"]
    order = new_order(client, BOOK)
    response = client.post(f"/api/orders/{order['id']}/pay-with-saved-card", json={"payment_method": card})
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "succeeded" and answer["order"]["status"] == "paid"
    assert answer["order"]["history"][-1]["source"] == "saved card"
    pi = stripe_client.v1.payment_intents.retrieve(order["payment_intent"])
    assert (pi.status, pi.payment_method, pi.customer) == ("succeeded", card, session_customer(client))
    assert pi.amount_received == order["amount"]
    assert len(saved_cards(client)) == 1  # paying again saves no second copy


def test_a_saved_card_whose_bank_asks_for_3d_secure(client, sandbox_url, stripe_client):
    first = new_order(client, BOOK)
    client.post(f"/api/orders/{first['id']}/save-card", json={"save": True})
    assert pay_in_card_frame(sandbox_url, first, THREE_D_SECURE, "http://127.0.0.1/return")["status"] == "succeeded"
    card = saved_cards(client)[0]["id"]
    order = new_order(client, BOOK)
    answer = client.post(f"/api/orders/{order['id']}/pay-with-saved-card", json={"payment_method": card}).get_json()
    assert answer["status"] == "requires_action" and answer["order"]["status"] == "awaiting_payment"
    assert answer["authenticate_url"] == f"/checkout/{order['id']}/authenticate"
    pi = stripe_client.v1.payment_intents.retrieve(order["payment_intent"])
    assert pi.next_action.type == "use_stripe_sdk"  # shown by Stripe.js in a modal: handleNextAction
    page = client.get(answer["authenticate_url"]).get_data(as_text=True)
    assert order["client_secret"] in page and "js/authenticate.js" in page
    three_d_secure(sandbox_url, order)
    settled = client.get(f"/checkout/{order['id']}/complete")
    assert 'data-testid="confirmation"' in settled.get_data(as_text=True)
    assert client.get(answer["authenticate_url"]).status_code == 302  # nothing left to authenticate


def test_a_declined_saved_card_fails_the_order_with_stripes_message(client, sandbox_url, stripe_client):
    save_card_while_paying(client, sandbox_url)
    declining = stripe_client.v1.payment_methods.attach(
        "pm_card_chargeCustomerFail", params={"customer": session_customer(client)}
    )
    order = new_order(client, BOOK)
    response = client.post(f"/api/orders/{order['id']}/pay-with-saved-card", json={"payment_method": declining.id})
    assert response.status_code == 402
    assert response.get_json()["error"] == {
        "code": "card_declined",
        "message": "Your card was declined.",
        "param": "payment_method",
    }
    assert client.get(f"/api/orders/{order['id']}").get_json()["status"] == "failed"


def test_remove_a_saved_card(client, sandbox_url, stripe_client):
    save_card_while_paying(client, sandbox_url)
    card = saved_cards(client)[0]["id"]
    response = client.delete(f"/api/saved-cards/{card}")
    assert response.status_code == 200 and response.get_json() == {"id": card, "deleted": True}
    assert saved_cards(client) == []
    assert stripe_client.v1.payment_methods.retrieve(card).customer is None
    assert client.delete(f"/api/saved-cards/{card}").status_code == 404


def test_a_vanished_customer_is_made_again_on_the_next_save(client, sandbox_url, stripe_client):
    save_card_while_paying(client, sandbox_url)
    gone = session_customer(client)
    assert stripe_client.v1.customers.delete(gone).deleted  # as after someone deletes it in the Dashboard
    assert saved_cards(client) == []
    save_card_while_paying(client, sandbox_url, MASTERCARD)
    assert session_customer(client) not in (None, gone)
    assert [card["last4"] for card in saved_cards(client)] == ["4444"]


def rows_per_table(data_dir):
    """Every table of the shop's database (SQLite's own aside) and how many rows it holds."""
    with closing(sqlite3.connect(os.path.join(data_dir, "shop.sqlite3"))) as db:
        names = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return {name: db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0] for (name,) in names.fetchall()}


def test_workbench_reset_leaves_no_row_in_any_table_of_the_shop(app, client, sandbox_url, monkeypatch):
    """Every table, this round's card-saving choices included, and any a later change adds."""
    save_card_while_paying(client, sandbox_url)
    data_dir = app.config["DATA_DIR"]
    before = rows_per_table(data_dir)
    assert before["orders"] and before["card_saving"]
    monkeypatch.setenv("WORKBENCH_DATA_DIR", data_dir)
    assert cli.main(["reset", "--yes"]) == 0
    assert rows_per_table(data_dir) == dict.fromkeys(before, 0)


def test_a_customer_of_another_account_is_replaced(client, sandbox_url):
    """After ``workbench reset`` or a switch between the sandbox and Stripe, the cookie names a customer nobody has."""
    with client.session_transaction() as session:
        session["customer"] = "cus_3NotInThisAccount000000"
    assert saved_cards(client) == []
    save_card_while_paying(client, sandbox_url)
    assert session_customer(client) != "cus_3NotInThisAccount000000"
    assert len(saved_cards(client)) == 1


# -- nobody reaches another session's cards ---------------------------------------------------------------------
def test_another_session_sees_pays_with_and_removes_nothing(client, other_client, sandbox_url, stripe_client):
    save_card_while_paying(client, sandbox_url)
    card = saved_cards(client)[0]["id"]
    assert saved_cards(other_client) == []
    save_card_while_paying(other_client, sandbox_url, MASTERCARD)  # the other shopper has a Customer of its own
    assert [c["last4"] for c in saved_cards(other_client)] == ["4444"]

    theirs = new_order(other_client, BOOK)
    paying = other_client.post(f"/api/orders/{theirs['id']}/pay-with-saved-card", json={"payment_method": card})
    assert paying.status_code == 404 and paying.get_json()["error"]["code"] == "saved_card_not_found"
    pi = stripe_client.v1.payment_intents.retrieve(theirs["payment_intent"])
    assert (pi.status, pi.payment_method) == ("requires_payment_method", None)

    mine = new_order(client, BOOK)  # even on the card owner's own order, known to the other session
    paying = other_client.post(f"/api/orders/{mine['id']}/pay-with-saved-card", json={"payment_method": card})
    assert paying.status_code == 404
    assert stripe_client.v1.payment_intents.retrieve(mine["payment_intent"]).status == "requires_payment_method"

    removing = other_client.delete(f"/api/saved-cards/{card}")
    assert removing.status_code == 404 and removing.get_json()["error"]["code"] == "saved_card_not_found"
    assert stripe_client.v1.payment_methods.retrieve(card).customer == session_customer(client)
    assert [c["id"] for c in saved_cards(client)] == [card]
    page = other_client.get(f"/checkout/{theirs['id']}").get_data(as_text=True)
    assert "Mastercard •••• 4444" in page and "4242" not in page


def test_a_foreign_card_and_a_made_up_one_get_the_same_answer(client, other_client, sandbox_url):
    """So probing ids tells nothing about whether a card exists, or whose it is."""
    save_card_while_paying(other_client, sandbox_url)
    foreign = saved_cards(other_client)[0]["id"]
    save_card_while_paying(client, sandbox_url)  # this session has a Customer of its own, and a card…
    save_card_while_paying(client, sandbox_url, MASTERCARD)
    removed = saved_cards(client)[0]["id"]
    assert client.delete(f"/api/saved-cards/{removed}").status_code == 200  # …and one it removed
    answers = set()
    for pm in (foreign, removed, "pm_3DoesNotExist00000000000", "pm_card_visa", "cus_" + foreign[3:]):
        response = client.delete(f"/api/saved-cards/{pm}")
        answers.add((response.status_code, response.get_json()["error"]["message"]))
    assert answers == {(404, "You have no saved card with that id.")}
    assert [card["id"] for card in saved_cards(other_client)] == [foreign]


def test_the_session_cookie_is_the_only_key(client, sandbox_url, app):
    """No lookup by email: the receipt email of an order saves nothing anyone else can reach by that email."""
    order = new_order(client, BOOK, email="jenny@example.com")
    client.post(f"/api/orders/{order['id']}/save-card", json={"save": True})
    pay_in_card_frame(sandbox_url, order, VISA, "http://127.0.0.1/return")
    stranger = app.test_client()
    new_order(stranger, BOOK, email="jenny@example.com")
    assert saved_cards(stranger) == []
    assert stranger.get("/api/saved-cards?email=jenny@example.com").get_json() == {"cards": []}


# -- refused input, and the same-origin rule --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "code"),
    [({"save": "yes"}, "invalid_save"), ({}, "invalid_save"), ([True], "invalid_json"), ({"save": 1}, "invalid_save")],
)
def test_the_save_choice_must_be_a_boolean(client, stripe_client, body, code):
    order = new_order(client, BOOK)
    response = client.post(f"/api/orders/{order['id']}/save-card", json=body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == code
    assert stripe_client.v1.payment_intents.retrieve(order["payment_intent"]).customer is None
    assert session_customer(client) is None


def test_a_paid_order_takes_no_saving_choice_and_no_second_payment(client, sandbox_url):
    order = save_card_while_paying(client, sandbox_url)
    card = saved_cards(client)[0]["id"]
    for path, body in (("save-card", {"save": False}), ("pay-with-saved-card", {"payment_method": card})):
        response = client.post(f"/api/orders/{order['id']}/{path}", json=body)
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "order_state"


def test_unknown_orders_and_missing_cards(client):
    assert client.post("/api/orders/ord_nope/save-card", json={"save": True}).status_code == 404
    order = new_order(client, BOOK)
    for body in ({}, {"payment_method": 42}, {"payment_method": "../../v1/customers"}):
        response = client.post(f"/api/orders/{order['id']}/pay-with-saved-card", json=body)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "saved_card_not_found"


def test_another_site_cannot_remove_or_pay_with_a_card(client, sandbox_url):
    save_card_while_paying(client, sandbox_url)
    card = saved_cards(client)[0]["id"]
    order = new_order(client, BOOK)
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    assert client.delete(f"/api/saved-cards/{card}", headers=cross_site).status_code == 403
    paying = client.post(
        f"/api/orders/{order['id']}/pay-with-saved-card", json={"payment_method": card}, headers=cross_site
    )
    assert paying.status_code == 403
    assert (
        client.post(f"/api/orders/{order['id']}/save-card", json={"save": True}, headers=cross_site).status_code == 403
    )
    assert [c["id"] for c in saved_cards(client)] == [card]
    assert client.get(f"/api/orders/{order['id']}").get_json()["status"] == "awaiting_payment"


def test_the_checkout_says_whose_card_will_be_saved(client, other_client, app):
    """A checkout link opened elsewhere says that its starter chose to save the card that pays it."""
    order = new_order(client, BOOK)
    client.post(f"/api/orders/{order['id']}/save-card", json={"save": True})
    own = client.get(f"/checkout/{order['id']}").get_data(as_text=True)
    other = other_client.get(f"/checkout/{order['id']}").get_data(as_text=True)
    framed = other_client.get(f"/checkout/{order['id']}?embedded=1").get_data(as_text=True)
    assert 'data-testid="save-card" checked' in own and "Whoever started this order" not in visible(own)
    assert 'data-testid="save-card" checked' in other and "Whoever started this order" in visible(other)
    assert 'data-testid="save-card"' not in framed and "This card will be saved for next time." in visible(framed)


def visible(page):
    """The page without its elements marked ``hidden``."""
    return re.sub(r"<p[^>]*\shidden>.*?</p>", "", page, flags=re.DOTALL)


def test_the_checkout_never_shows_the_customer(client, sandbox_url):
    save_card_while_paying(client, sandbox_url)
    order = new_order(client, BOOK)
    page = client.get(f"/checkout/{order['id']}").get_data(as_text=True)
    assert PUBLISHABLE_KEY in page and "sk_test" not in page and "cus_" not in page


def test_a_payment_refused_while_the_shopper_was_away_brings_them_back(
    client, sandbox_url, stripe_client, publishable_client
):
    """``authentication_required`` off-session: the authenticate page confirms again, on-session, with that card."""
    save_card_while_paying(client, sandbox_url)
    needs_you = stripe_client.v1.payment_methods.attach(
        "pm_card_authenticationRequired", params={"customer": session_customer(client)}
    )
    order = new_order(client, BOOK)
    stripe_client.v1.payment_intents.update(order["payment_intent"], params={"customer": session_customer(client)})
    with pytest.raises(stripe.CardError) as refused:
        stripe_client.v1.payment_intents.confirm(
            order["payment_intent"],
            params={"payment_method": needs_you.id, "off_session": True, "return_url": "http://127.0.0.1/return"},
        )
    assert refused.value.code == "authentication_required"
    page = client.get(f"/checkout/{order['id']}/authenticate").get_data(as_text=True)
    config = re.search(r'id="checkout-config">(.*?)</script>', page).group(1)
    assert f'"paymentMethod": "{needs_you.id}"' in config and order["client_secret"] in config
    # what the page's confirmCardPayment sends, then the shopper's Complete on the bank's page
    again = publishable_client.v1.payment_intents.confirm(
        order["payment_intent"],
        params={
            "client_secret": order["client_secret"],
            "payment_method": needs_you.id,
            "return_url": "http://127.0.0.1/return",
            "use_stripe_sdk": True,
        },
    )
    assert again.status == "requires_action"
    three_d_secure(sandbox_url, order)
    assert 'data-testid="confirmation"' in client.get(f"/checkout/{order['id']}/complete").get_data(as_text=True)
    assert client.get(f"/checkout/{order['id']}/authenticate").status_code == 302


def test_the_authenticate_page_is_only_for_a_payment_that_needs_the_bank(client):
    order = new_order(client, BOOK)
    response = client.get(f"/checkout/{order['id']}/authenticate?embedded=1")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/checkout/{order['id']}/complete?embedded=1"
    )


class CountingClient(stripe.RequestsClient):
    """stripe-python's HTTP client, counting the shop's calls to Stripe (here, the sandbox)."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def request(self, method, url, headers, post_data=None):
        self.calls.append(f"{method.upper()} {url.split('?')[0].rsplit('/v1/', 1)[1]}")
        return super().request(method, url, headers, post_data)


def test_a_checkout_page_asks_stripe_only_for_a_returning_shoppers_cards(tmp_path, api_target):
    """Saved cards add no Stripe round trip to a checkout page, except the list of a session that has a Customer."""
    counting = CountingClient()
    config = {"TESTING": True, "DATA_DIR": str(tmp_path), "SECRET_KEY": "test", **api_target.shop_config()}
    client = create_app({**config, "STRIPE_HTTP_CLIENT": counting}).test_client()
    order = new_order(client, BOOK)
    del counting.calls[:]
    assert 'data-testid="save-card">' in client.get(f"/checkout/{order['id']}").get_data(as_text=True)
    assert counting.calls == []
    client.post(f"/api/orders/{order['id']}/save-card", json={"save": True})
    del counting.calls[:]
    assert 'data-testid="save-card" checked' in client.get(f"/checkout/{order['id']}").get_data(as_text=True)
    assert counting.calls == [f"GET customers/{session_customer(client)}/payment_methods"]  # the choice is the shop's
