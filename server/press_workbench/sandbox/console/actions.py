"""The console's one state change: an event's **Resend**, as on Stripe's Dashboard, guarded like every other.

Everything else in the console is a GET that changes nothing.  Resend queues the
event once more for one webhook endpoint (``resources.events.resend``, the same code
as ``POST /v1/events/:id/retry``); three checks stand before it, so that no other web
page open in the presenter's browser can press it for them:

* **loopback** — the console answers only on loopback names and addresses, or to a browser the
  Jupyter server let through its proxy (``__init__``);
* **same origin** — a browser that says the form came from another site (``Sec-Fetch-Site``,
  or else ``Origin``) is refused, as the shop refuses it (``server/press_workbench/shop/security.py``);
* **a token** — the form carries an HMAC of the event id under a key made when the
  sandbox starts.  Only a page the console served has it: another origin cannot read
  the console's pages (no CORS), and a token is good for its own event only, and
  only until the sandbox restarts (then the page says to reload).

A refused request changes nothing and gets a page that says why.
"""

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for

from ..pipeline.endpoint import sandbox
from ..pipeline.errors import StripeAPIError
from ..resources import events
from . import bp

TOKEN_KEY = "sandbox_console_token_key"
SAME_SITE = {"same-origin", "none"}  # Sec-Fetch-Site of the console's own pages, and of a typed-in URL


@bp.record_once
def make_token_key(state):
    """A new key each time the sandbox starts: a token from an earlier run (an old tab) no longer works."""
    state.app.extensions[TOKEN_KEY] = secrets.token_bytes(32)


def resend_token(evt_id):
    """The token a Resend form for ``evt_id`` carries."""
    key = current_app.extensions[TOKEN_KEY]
    return hmac.new(key, f"resend {evt_id}".encode(), hashlib.sha256).hexdigest()


def from_this_site():
    """False when a browser says the request came from another origin; True for the console's own pages and
    for clients that are not browsers (they send neither header, and cannot be forged into sending it)."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in SAME_SITE
    sender = request.headers.get("Origin")
    if sender is not None:
        own = urlsplit(request.host_url)
        return sender.lower() == f"{own.scheme}://{own.netloc}".lower()
    return True


@bp.post("/events/<evt_id>/resend")
def resend_event(evt_id):
    """Resend ``evt_id`` to the endpoint in the form, then show the event page (where the new attempt appears)."""
    if not from_this_site():
        abort(403, description="This Resend came from another website, so the sandbox console refused it.")
    if not hmac.compare_digest(request.form.get("token", ""), resend_token(evt_id)):
        abort(403, description="This page is out of date (the sandbox restarted?): reload it and press Resend again.")
    we_id = request.form.get("webhook_endpoint", "")
    try:
        events.resend(sandbox().store, evt_id, we_id)
    except StripeAPIError as exc:
        abort(exc.status, description=exc.body["message"])
    sandbox().worker.wake()
    return redirect(url_for("console.event", evt_id=evt_id, resent=we_id), 303)
