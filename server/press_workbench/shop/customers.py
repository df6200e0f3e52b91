"""Returning customers: each browser session's own Stripe Customer, and the cards saved on it.

The shop has no accounts, so the one thing that tells shoppers apart is the session cookie, signed with the shop's
secret: a shopper can read it but not forge it.  The Customer's id lives there (``session["customer"]``), and
nowhere else names it: there is no lookup by email or any other key a person could guess or type.  Whoever does not
hold the cookie cannot name the Customer, so cannot list, pay with or remove its cards.  Every use of a card first
retrieves it with the secret key and checks it is attached to this session's Customer; any other card gets the same
404 whether it exists or not, so probing learns nothing.

The Customer is created on the first save only (a visit costs Stripe nothing), and made again when the one in the
cookie is gone: ``workbench reset`` wipes the sandbox, a switch between the sandbox and Stripe test mode changes the
account, and someone may delete it in the Dashboard.  Saving makes the cookie outlive the browser window (Flask's
permanent session, 31 days), since "for next time" means a later visit.

These are the shop's Stripe calls for returning customers, made with the shop's one client (``Shop.stripe``), as
``service.py`` makes the others.
"""

import os
import re

import stripe
from flask import current_app, session

from press_workbench.sandbox import Database

from .errors import ShopError
from .orders import OPEN, OrderError
from .security import session_id

PAYMENT_METHOD_ID = re.compile(r"pm_[A-Za-z0-9]{1,100}")
# Card options only: a SEPA or iDEAL payment (EUR) must save nothing that the saved-cards list cannot show.
# ``on_session`` because the shop reuses a card only while its shopper is at the checkout (Stripe's rule for the
# value: off_session is for charging a customer who is not there, which the shop never does).
SAVE = {"card": {"setup_future_usage": "on_session"}}
DONT_SAVE = {"card": {"setup_future_usage": ""}}  # "" unsets it, as for every optional Stripe parameter
BRANDS = {
    "amex": "American Express",
    "cartes_bancaires": "Cartes Bancaires",
    "diners": "Diners Club",
    "discover": "Discover",
    "eftpos_au": "eftpos Australia",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}
PAYABLE = ("requires_payment_method", "requires_confirmation", "requires_action")


class SavingChoices(Database):
    """Which Customer each order's card is to be saved for, as the shop last asked Stripe (in ``shop.sqlite3``).

    Every checkout page shows that choice; reading it here rather than from the PaymentIntent spares each page a
    round trip to Stripe.  The PaymentIntent stays the truth: a row is written only after Stripe took the change.
    """

    SCHEMA = "CREATE TABLE IF NOT EXISTS card_saving (order_id TEXT PRIMARY KEY, customer TEXT)"

    def __init__(self, data_dir):
        super().__init__(os.path.join(data_dir, "shop.sqlite3"), self.SCHEMA)

    def record(self, order_id, customer):
        """The card paying ``order_id`` will be saved for ``customer`` (None: not saved)."""
        with self.transaction():
            self.execute("INSERT OR REPLACE INTO card_saving(order_id, customer) VALUES (?, ?)", (order_id, customer))

    def reset(self):
        """Forget every choice (``workbench reset``): they name orders and Customers that are gone with it."""
        with self.transaction():
            self.execute("DELETE FROM card_saving")

    def customer_for(self, order_id):
        """The Customer the card paying ``order_id`` will be saved for, or None."""
        row = self.execute("SELECT customer FROM card_saving WHERE order_id = ?", (order_id,)).fetchone()
        return row["customer"] if row else None


def saving_choices():
    """This app's ``SavingChoices`` (made by the ``saved_cards`` blueprint when it is registered)."""
    return current_app.extensions["saving_choices"]


def session_customer():
    """This session's Customer id as its cookie names it (it may have vanished at Stripe since), or None."""
    return session.get("customer")


def ensure_customer(shop):
    """This session's Customer, created (or made again, if it vanished) now that the shopper saves a card."""
    known = session_customer()
    if known and _exists(shop, known):
        return known
    customer = shop.stripe.v1.customers.create(
        params={"description": "A Press Workbench shopper who saved a card", "metadata": {"source": "saved cards"}},
        # one Customer per session even if two tabs save at once; a vanished one's successor gets a key of its own
        options={"idempotency_key": f"saved-cards-{session_id()}-{known or 'first'}"},
    )
    session["customer"] = customer.id
    session.permanent = True
    return customer.id


def _exists(shop, customer_id):
    """False for a Customer Stripe no longer has: deleted (Stripe's ``deleted`` stub) or unknown (another account)."""
    try:
        customer = shop.stripe.v1.customers.retrieve(customer_id)
    except stripe.InvalidRequestError as exc:
        if exc.code == "resource_missing":
            return False
        raise
    return not customer.to_dict().get("deleted")


def saved_cards(shop):
    """This session's cards, as ``GET /api/saved-cards`` lists them; none (and no Stripe call) before a first save."""
    customer = session_customer()
    if not customer:
        return []
    try:
        listed = shop.stripe.v1.customers.payment_methods.list(customer, params={"type": "card", "limit": 100})
    except stripe.InvalidRequestError as exc:
        if exc.code == "resource_missing":  # the Customer vanished: its cards with it; the next save makes another
            return []
        raise
    return [card_summary(pm) for pm in listed.data]


def card_summary(pm):
    """What a shopper needs to recognise a card ("Visa •••• 4242", its expiry): never more of the card."""
    card = pm.card
    return {
        "id": pm.id,
        "brand": card.brand,
        "last4": card.last4,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
    }


def card_label(card):
    """A saved card as a shopper recognises it: ``Visa •••• 4242`` (brand names as Stripe's Dashboard writes them)."""
    return f"{BRANDS.get(card['brand'], card['brand'].title())} •••• {card['last4']}"


def own_card(shop, pm_id):
    """The PaymentMethod ``pm_id`` if it is one of this session's saved cards; else the same 404 for every other id."""
    customer = session_customer()
    pm = None
    if customer and isinstance(pm_id, str) and PAYMENT_METHOD_ID.fullmatch(pm_id):
        try:
            pm = shop.stripe.v1.payment_methods.retrieve(pm_id)
        except stripe.InvalidRequestError as exc:
            if exc.code != "resource_missing":
                raise
    if pm is None or pm.customer != customer or pm.type != "card":
        raise ShopError("saved_card_not_found", "You have no saved card with that id.", "payment_method", status=404)
    return pm


def remove_card(shop, pm_id):
    """Detach one of this session's cards: Stripe forgets it for this Customer, and it cannot be used again."""
    pm = own_card(shop, pm_id)
    shop.stripe.v1.payment_methods.detach(pm.id)
    return card_summary(pm)


def _open_intent(shop, order):
    """The order's PaymentIntent, if the order can still be paid and its PaymentIntent confirmed; else a 409."""
    if order.status not in OPEN:
        raise OrderError(f"Order {order.id} is {order.status}: there is nothing left to pay.")
    pi = shop.stripe.v1.payment_intents.retrieve(order.payment_intent)
    if pi.status not in PAYABLE:
        raise OrderError(f"Order {order.id}'s payment is {pi.status}: it can't change now.")
    return pi


def saves_for(pi):
    """The Customer the card that pays ``pi`` will be saved for (its card ``setup_future_usage`` is set), or None."""
    pi = pi.to_dict()
    options = (pi.get("payment_method_options") or {}).get("card") or {}
    return pi.get("customer") if options.get("setup_future_usage") in ("on_session", "off_session") else None


def saving_choice(order):
    """``{"save_card", "saved_for"}`` for ``order``: whether its card will be saved, and for whom.

    ``saved_for`` is ``"this_session"``, ``"another_session"`` (a checkout link opened elsewhere) or None.
    """
    customer = saving_choices().customer_for(order.id)
    saved_for = None if customer is None else "this_session" if customer == session_customer() else "another_session"
    return {"save_card": customer is not None, "saved_for": saved_for}


def choose_saving(shop, order, save):
    """Save (or not) the card that pays ``order``, for this session: set its Customer and card options.

    Chosen before paying, since Stripe attaches the card to the Customer when the payment succeeds.  Turning saving
    off needs no Customer, so any holder of the checkout may decline to have their card saved.
    """
    _open_intent(shop, order)
    params = (
        {"customer": ensure_customer(shop), "payment_method_options": SAVE}
        if save
        else {"payment_method_options": DONT_SAVE}
    )
    pi = shop.stripe.v1.payment_intents.update(order.payment_intent, params=params)
    saving_choices().record(order.id, saves_for(pi))  # once Stripe has taken it
    return saving_choice(order)


def pay_with_saved_card(shop, order, pm_id, return_url):
    """Confirm the order's PaymentIntent on the server with one of this session's cards; returns (order, pi).

    The server confirms, rather than the page calling Stripe.js's ``confirmCardPayment`` with the card's id,
    because the check and the use are then one request: the card is retrieved with the secret key, found to be
    this session's, and confirmed by the same code.  A page that sent another id would never reach Stripe with it.
    This is the server-side confirmation Stripe documents for checking a payment method before paying and for
    charging saved cards ("Finalize payments on the server"); 3D Secure stays in the browser: ``use_stripe_sdk``
    asks Stripe for the action Stripe.js's ``handleNextAction`` shows in a modal over the page, which then goes on
    to the return page, as a new card's payment does.  ``return_url`` is only for payment methods that redirect.
    """
    pm = own_card(shop, pm_id)
    _open_intent(shop, order)
    shop.stripe.v1.payment_intents.update(
        order.payment_intent, params={"customer": session_customer(), "payment_method_options": DONT_SAVE}
    )
    saving_choices().record(order.id, None)  # already saved
    try:
        shop.stripe.v1.payment_intents.confirm(
            order.payment_intent, params={"payment_method": pm.id, "return_url": return_url, "use_stripe_sdk": True}
        )
    except stripe.CardError:
        pass  # the PaymentIntent keeps the decline (last_payment_error); the order records it below
    return shop.settle(order, "saved card")


def card_to_authenticate(pi):
    """The saved card a payment charged while its shopper was away needs them back for, or None.

    That is a PaymentIntent the bank refused with ``authentication_required``: Stripe names the card in the error,
    and confirming it again on-session with that card lets the bank ask its shopper.
    """
    failure = pi.to_dict().get("last_payment_error") or {}
    if pi.status != "requires_payment_method" or failure.get("code") != "authentication_required":
        return None
    card = failure.get("payment_method") or {}
    return card.get("id") if isinstance(card, dict) else card
