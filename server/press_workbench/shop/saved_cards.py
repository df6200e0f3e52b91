"""Saved cards at checkout: list and remove this session's cards, save the next one, pay with one.

The routes are thin: who owns what, and every Stripe call, is in ``customers.py``.  They
are state-changing JSON routes like the rest of ``/api``, so the same-origin rule of
``security.py`` guards them, and the session cookie (``SameSite=Lax``) is their only
credential: there is no operator override, since not even the shop's operator may reach a
shopper's cards.  ``openapi.py`` describes them.

The checkout page shows the saved-cards panel (``templates/_saved_cards.html``, filled by
``saved_cards_panel`` and run by ``static/js/saved-cards.js``).  A checkout framed by the
dashboard or a notebook (``?embedded=1``) shows no panel: the page that frames it holds the
shopper's session in its kernel and offers saved cards itself, so the frame says only
whether the card will be saved.
"""

import stripe
from flask import Blueprint, jsonify, redirect, render_template, request, url_for

from . import customers, validation
from .browser import stripe_js_url
from .errors import ShopError
from .service import current_shop

bp = Blueprint("saved_cards", __name__)
AUTHENTICATING = "requires_action"


@bp.record_once
def open_choices(state):
    """The app's record of each order's saving choice, beside its orders (``customers.SavingChoices``)."""
    state.app.extensions["saving_choices"] = customers.SavingChoices(state.app.config["DATA_DIR"])


@bp.app_context_processor
def panel_helper():
    """The checkout template's ``saved_cards_panel(order)``."""
    return {"saved_cards_panel": saved_cards_panel}


def saved_cards_panel(order, embedded=False):
    """What the checkout's panel shows: this session's cards (unless framed) and whether the card will be saved.

    Only a session that saved a card asks Stripe anything (for its cards).  If Stripe does not answer, the panel is
    left out and the checkout still takes a new card.
    """
    try:
        cards = [] if embedded else customers.saved_cards(current_shop())
    except stripe.StripeError:
        return None
    cards = [{**card, "label": customers.card_label(card)} for card in cards]
    return {"cards": cards, **customers.saving_choice(order)}


@bp.get("/api/saved-cards")
def cards():
    """This session's saved cards: brand, last 4 and expiry, never more of a card."""
    return jsonify(cards=customers.saved_cards(current_shop()))


@bp.delete("/api/saved-cards/<pm_id>")
def remove_card(pm_id):
    """Remove (detach) one of this session's cards; any other id is a 404, whoever's it is."""
    card = customers.remove_card(current_shop(), pm_id)
    return jsonify(id=card["id"], deleted=True)


@bp.post("/api/orders/<order_id>/save-card")
def save_card(order_id):
    """Choose, before paying, whether the card that pays this order is saved for this session's next checkout."""
    body = validation.json_object(request, '{"save": true}')
    save = body.get("save")
    if not isinstance(save, bool):
        raise ShopError("invalid_save", "save must be true or false.", "save")
    shop = current_shop()
    return jsonify(order=order_id, **customers.choose_saving(shop, shop.order(order_id), save))


@bp.post("/api/orders/<order_id>/pay-with-saved-card")
def pay_with_saved_card(order_id):
    """Pay the order with one of this session's cards, confirmed by the server (``customers.pay_with_saved_card``).

    A decline answers 402 with Stripe's message; a card whose bank asks for 3D Secure answers
    ``requires_action`` with the page that shows the challenge (``authenticate_url``).
    """
    body = validation.json_object(request, '{"payment_method": "pm_…"}')
    shop = current_shop()
    order = shop.ensure_payment_intent(shop.order(order_id))
    return_url = url_for("pages.complete", order_id=order.id, _external=True)
    order, pi = customers.pay_with_saved_card(shop, order, body.get("payment_method"), return_url)
    failure = pi["last_payment_error"] if pi["status"] == "requires_payment_method" else None
    if failure:
        raise ShopError(failure.get("code") or "card_declined", failure.get("message"), "payment_method", status=402)
    answer = {"status": pi["status"], "order": order.to_api()}
    if pi["status"] == AUTHENTICATING:
        answer["authenticate_url"] = f"/checkout/{order.id}/authenticate"
    return jsonify(answer)


@bp.get("/checkout/<order_id>/authenticate")
def authenticate(order_id):
    """Bring the shopper back to confirm a payment with their bank, then show the return page.

    Two payments need the shopper's bank: one the server confirmed with a saved card, where the
    bank asks for 3D Secure (``requires_action``: Stripe.js's ``handleNextAction`` shows the
    challenge), and one charged while the shopper was away, which the bank refused with
    ``authentication_required``: Stripe.js's ``confirmCardPayment`` confirms it again with the
    same saved card, now on-session, as Stripe's guide to charging saved cards does.  Whatever
    the shopper does, the return page then reads the outcome from Stripe with the secret key.
    """
    shop = current_shop()
    order = shop.order(order_id)
    embedded = {"embedded": "1"} if request.args.get("embedded") == "1" else {}
    return_url = url_for("pages.complete", order_id=order.id, _external=True, **embedded)
    pi = shop.stripe.v1.payment_intents.retrieve(order.payment_intent) if order.payment_intent else None
    card = customers.card_to_authenticate(pi) if pi is not None else None
    if pi is None or (pi.status != AUTHENTICATING and card is None):
        return redirect(return_url)
    return render_template(
        "authenticate.html",
        order=order,
        stripe_js_url=stripe_js_url(shop.config),
        checkout_config={
            "publishableKey": shop.config["STRIPE_PUBLISHABLE_KEY"],
            "clientSecret": order.client_secret,
            "returnUrl": return_url,
            "paymentMethod": card,
        },
    )
