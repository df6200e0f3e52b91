"""What the sandbox serves to browsers: the Stripe.js stand-in, its Element frames, 3D Secure.

A page loads ``<sandbox>/v3/`` where it would load ``https://js.stripe.com/v3/``.
What the shopper types lives in Element frames served from this origin, and a
hidden controller frame on this origin makes the API calls, so the page never sees
card data — the same isolation the real Elements give.  The test pages Stripe shows
in test mode are here too: the 3D Secure challenge, and the bank's page of a
redirect method (iDEAL, Bancontact) with "Authorize test payment" and "Fail test payment".
"""

import os
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, redirect, render_template, request, send_from_directory

from ..payment_method_types import TYPES
from ..pipeline.context import Context
from ..pipeline.endpoint import sandbox
from ..resources import bank_payments, payment_intents, setup_intents

ASSETS = os.path.join(os.path.dirname(__file__), "assets")
bp = Blueprint("sandbox_browser", __name__, template_folder="templates")


@bp.get("/v3/")
@bp.get("/v3")
@bp.get("/v3/stripe.js")
def stripe_js():
    """The Stripe.js stand-in, at the paths pages load Stripe.js from; never cached, so a change shows at once."""
    response = send_from_directory(ASSETS, "stripe.js", mimetype="text/javascript", max_age=0)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# The pages inside the iframes stripe.js creates, at js.stripe.com's paths
# (``/v3/elements-inner-payment…html``), so selectors written for real Stripe.js match.
ELEMENT_FRAMES = {
    "elements-inner-payment": "payment_element.html",
    "elements-inner-card": "card_element.html",  # card, cardNumber, cardExpiry, cardCvc
    "elements-inner-details": "details_element.html",  # address, linkAuthentication
}


@bp.get("/v3/<name>.html")
def element_frame(name):
    """The page inside an Element's iframe, or the hidden controller frame that makes the API calls."""
    if name == "controller":  # hidden: makes Stripe.js's API calls
        return send_from_directory(ASSETS, "controller.html", max_age=0)
    if name not in ELEMENT_FRAMES:
        abort(404)
    return render_template(ELEMENT_FRAMES[name])


@bp.get("/assets/<path:name>")
def asset(name):
    """The frames' scripts and styles, served from the sandbox's origin like js.stripe.com's."""
    return send_from_directory(ASSETS, name, max_age=0)


# What a 3D Secure challenge can be for, by id prefix: the intent's object type and how its authentication ends.
CHALLENGED = {
    "pi": ("payment_intent", payment_intents.finish_authentication),
    "seti": ("setup_intent", setup_intents.finish_authentication),
}


def _intent_for_challenge(intent_id, prefixes=tuple(CHALLENGED)):
    """The PaymentIntent or SetupIntent named in a 3DS link, checked against the client secret it carries.

    ``prefixes``: the kinds of intent the page is for (a bank's page is for PaymentIntents only).
    """
    prefix = intent_id.partition("_")[0]
    kind = CHALLENGED.get(prefix) if prefix in prefixes else None
    intent = sandbox().store.get(intent_id, kind[0]) if kind else None
    if intent is None or request.values.get("client_secret") != intent["client_secret"]:
        abort(404)
    return intent


@bp.get("/3ds/authenticate/<intent_id>")
def three_d_secure(intent_id):
    """The 3D Secure challenge: the shopper completes or fails it, as a bank's page would ask."""
    intent = _intent_for_challenge(intent_id)
    return render_template("three_d_secure.html", intent=intent, args=request.args)


@bp.post("/3ds/authenticate/<intent_id>")
def three_d_secure_result(intent_id):
    """The challenge's answer: finish the intent's authentication, then go back.

    Inside Stripe.js's modal the page tells the opener; opened on its own it redirects to ``return_url`` with Stripe's
    query parameters (``payment_intent``… or ``setup_intent``…).
    """
    intent = _intent_for_challenge(intent_id)
    kind, finish = CHALLENGED[intent_id.partition("_")[0]]
    ctx = Context(store=sandbox().store, api_key="3ds", publishable=True)
    intent = finish(ctx, intent["id"], request.form.get("result") == "complete")
    if ctx.deliveries_queued:
        sandbox().worker.wake()
    status = "succeeded" if intent["status"] in ("succeeded", "requires_capture", "processing") else "failed"
    return_url = request.form.get("return_url")
    if request.form.get("embedded") == "1" or not return_url:
        return render_template("three_d_secure_done.html", intent=intent, redirect_status=status)
    return back_to(return_url, kind, intent, status)


def back_to(return_url, kind, intent, redirect_status):
    """Send the shopper back to ``return_url`` with Stripe's query parameters, as after Stripe's own pages.

    ``kind`` names them: ``payment_intent``/``payment_intent_client_secret`` or ``setup_intent``/…  They join the
    URL's query, before any ``#fragment`` (as Stripe.js does).
    """
    added = urlencode(
        {kind: intent["id"], f"{kind}_client_secret": intent["client_secret"], "redirect_status": redirect_status}
    )
    parts = urlsplit(return_url)
    return redirect(urlunsplit(parts._replace(query="&".join(filter(None, [parts.query, added])))), code=303)


@bp.get(f"/{bank_payments.REDIRECT_PATH}/<pi_id>")
def bank_redirect(pi_id):
    """The bank's test page of a redirect method (iDEAL, Bancontact): authorise or fail the test payment.

    Opened for a PaymentIntent that does not wait for it (paid, failed, canceled, or never sent here) it says so
    with a 400, and offers nothing to click.
    """
    pi = _intent_for_challenge(pi_id, prefixes=("pi",))
    ctx = Context(store=sandbox().store, api_key="redirect", publishable=True)
    waiting = bank_payments.awaiting_redirect(ctx, pi)
    method = TYPES[ctx.store.get(pi["payment_method"], "payment_method")["type"]] if pi["payment_method"] else None
    return render_template("bank_redirect.html", pi=pi, method=method, waiting=waiting), 200 if waiting else 400


@bp.post(f"/{bank_payments.REDIRECT_PATH}/<pi_id>")
def bank_redirect_result(pi_id):
    """The shopper's choice on the bank's test page: settle the PaymentIntent, then go back to its ``return_url``.

    The ``return_url`` is the one the PaymentIntent was confirmed with, never one from the form: the page cannot
    be made to send a shopper (and the client secret) anywhere else.  A second answer is refused (400) and changes
    nothing.
    """
    pi = _intent_for_challenge(pi_id, prefixes=("pi",))
    choice = request.form.get("result")
    if choice not in ("authorize", "fail"):
        abort(400, description="The test page's answer must be authorize or fail.")
    ctx = Context(store=sandbox().store, api_key="redirect", publishable=True)
    return_url = ((pi["next_action"] or {}).get("redirect_to_url") or {}).get("return_url")
    try:
        pi = bank_payments.finish_redirect(ctx, pi["id"], choice == "authorize")
    except bank_payments.NotWaiting:
        return render_template("bank_redirect.html", pi=pi, method=None, waiting=False), 400
    if ctx.deliveries_queued:
        sandbox().worker.wake()
    return back_to(return_url, "payment_intent", pi, "succeeded" if pi["status"] == "succeeded" else "failed")
