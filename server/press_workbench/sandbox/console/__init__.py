"""The sandbox console: a stand-in for Stripe's Dashboard, at ``/dashboard`` (Stripe's paths).

It lists payments, a payment's timeline, events, webhooks, logs and errors; it is read-only but for an event's
Resend, guarded in ``actions``.

It shows what the secret key can see, so it answers only on loopback: requests from
another address, or whose ``Host`` is not a loopback name (a DNS-rebinding page in
the presenter's browser), get a 403.  Behind a Jupyter server's proxy the browser is
elsewhere, and the Jupyter server (the hub's sign-in) vouches for it instead
(``server/press_workbench/sandbox/behind_proxy.py``).  Every other route is a GET and changes nothing;
secrets (the ``whsec_`` of an endpoint, client secrets) are never shown.  Pages are
plain HTML and one stylesheet served from here, so they render offline; a small
script (``static/live.js``) re-fetches the page's live region every two seconds, so
a payment made during a demo appears without a reload.
"""

import time

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..behind_proxy import came_through_proxy, hostname, is_loopback

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
LIVE_HEADER = "X-Console-Live"
LIVE_INTERVAL_MS = 2000


@bp.before_request
def loopback_only():
    """Answer only loopback clients that asked for a loopback host name, or browsers the Jupyter server let through.

    The console shows what the secret key can see; checking the ``Host`` too keeps a DNS-rebinding page away from it.
    """
    if came_through_proxy():
        return
    if not is_loopback(request.remote_addr or "") or not is_loopback(hostname(request.host)):
        abort(403, description="The sandbox console answers only on loopback (http://127.0.0.1:…/dashboard).")


@bp.after_request
def headers(response):
    """Strict headers on every console answer: its own scripts only, no referrer, never cached."""
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'self' http://127.0.0.1:* http://localhost:*"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HTTPException)
def error(exc):
    """JSON for the API, a console page for people."""
    if request.path.startswith("/dashboard/api/"):
        return jsonify(error={"message": exc.description}), exc.code
    return render_template("console/message.html", title=exc.name, message=exc.description), exc.code


def render(template, title, **context):
    """The page, or only its ``live`` block when the page's own script asks for fresh content."""
    context.update(title=title, live_interval=LIVE_INTERVAL_MS)
    if request.headers.get(LIVE_HEADER) != "1":
        return render_template(template, **context)
    current_app.update_template_context(context)
    page = current_app.jinja_env.get_template(template)
    return "".join(page.blocks["live"](page.new_context(context)))


@bp.app_template_filter("when")
def when(timestamp):
    """Local time: ``14:02:11`` today, ``Mar 3 14:02:11`` before."""
    if not timestamp:
        return "—"
    moment = time.localtime(timestamp)
    today = time.localtime()[:3] == moment[:3]
    return time.strftime("%H:%M:%S" if today else "%b %d %H:%M:%S", moment)


from . import actions, api, pages  # noqa: E402,F401  (their routes register on ``bp``)
