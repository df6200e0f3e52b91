"""What the sandbox serves to browsers: the Stripe.js stand-in, its Element frames, 3D Secure.

A page loads ``<sandbox>/v3/`` where it would load ``https://js.stripe.com/v3/``.
What the shopper types lives in Element frames served from this origin, and a
hidden controller frame on this origin makes the API calls, so the page never sees
card data — the same isolation the real Elements give.
"""

import os
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Blueprint, abort, redirect, render_template, request, send_from_directory

from ..pipeline.context import Context
from ..pipeline.endpoint import sandbox
from ..resources import payment_intents, setup_intents

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


def _intent_for_challenge(intent_id):
    """The PaymentIntent or SetupIntent named in a 3DS link, checked against the client secret it carries."""
    kind = CHALLENGED.get(intent_id.partition("_")[0])
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
    added = urlencode({kind: intent["id"], f"{kind}_client_secret": intent["client_secret"], "redirect_status": status})
    parts = urlsplit(return_url)  # the parameters join the URL's query, before any #fragment (as Stripe.js does)
    return redirect(urlunsplit(parts._replace(query="&".join(filter(None, [parts.query, added])))), code=303)
