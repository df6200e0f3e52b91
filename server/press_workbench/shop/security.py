"""Who may change what: the shop's own pages for shoppers' forms, the operator's token for operator routes.

* **Same origin.**  A state-changing request (POST, PUT, PATCH, DELETE) that a
  browser marks as coming from another site is refused with a 403 before any view
  runs.  Browsers say so in ``Sec-Fetch-Site``; older ones only in ``Origin``, which
  must then be the shop's own (its ``SHOP_URL`` or the host the browser asked for).
  A request with neither header is not from a browser, and cross-site request
  forgery is a browser attack, so scripts, the notebook helper and Stripe's
  webhooks pass.  This is the check Go's ``net/http.CrossOriginProtection`` makes,
  chosen over CSRF tokens so the forms and the notebook's test shopper need no token
  plumbing.  The session cookie is also ``SameSite=Lax`` (``server/press_workbench/shop/config.py``).
* **Operator routes** (refunds, and any route decorated with ``operator_only``)
  also need ``Authorization: Bearer <operator token>``.  The token is a random
  secret the shop writes on first start to ``<data dir>/operator-token`` (mode
  0600), or ``WORKBENCH_OPERATOR_TOKEN`` when set; the notebook helper reads it
  from there (``client_operator_token``), so whoever can read the shop's data can
  operate it, and a web page cannot.
* **Idempotency keys are scoped** as Stripe scopes them to an API key: an
  ``Idempotency-Key`` replays only an order made by the same client, the operator
  (whoever sends the operator token: the notebook helper, the CLI) or one browser
  session (a random id in its signed session cookie).  Another session presenting
  the same key and body gets an order of its own, never the first one's client
  secret.  A client that keeps no cookie and sends no token is a new session each
  time.  Keys expire after 24 hours, as at Stripe (``server/press_workbench/shop/orders.py``).
* **The session cookie stays on the shop's path.**  Behind a Jupyter server's proxy the
  shop shares an origin with JupyterLab and the hub, so its cookie is set for the
  shop's own path (``/user/alice/shop``), never for the whole origin.
* **Secrets on disk** (the session secret, the operator token, the sandbox webhook's
  id and ``whsec_``, and the orders database with its emails and client secrets) are
  created readable by their owner only, and tightened if an older version left them
  world-readable.
"""

import functools
import hmac
import os
import secrets
import tempfile
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask.sessions import SecureCookieSessionInterface

from .config import defaults
from .errors import ShopError

OPERATOR_TOKEN_FILE = "operator-token"
SESSION_SECRET_FILE = "session-secret"
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
SAME_ORIGIN = {"same-origin", "none"}  # Sec-Fetch-Site values of the shop's own pages and of typed-in URLs


def secret_file(path):
    """The secret kept at ``path``, made (random, mode 0600) the first time; safe when two processes race."""
    directory = os.path.dirname(path)
    os.makedirs(directory, mode=0o700, exist_ok=True)
    if not os.path.exists(path):
        fd, draft = tempfile.mkstemp(dir=directory, prefix=".secret-")  # mkstemp files are 0600
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)  # atomic, and fails if another process was first: then theirs is the secret
        except FileExistsError:
            pass
        finally:
            os.unlink(draft)
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)  # written world-readable by an older version
    with open(path) as fh:
        return fh.read().strip()


def write_private(path, text):
    """Replace ``path`` atomically with ``text``, readable by its owner only (the sandbox webhook's ``whsec_``)."""
    fd, draft = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".secret-")  # mkstemp files are 0600
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(draft, path)


def client_operator_token():
    """A local client's operator token: ``WORKBENCH_OPERATOR_TOKEN``, else the data dir's, else None."""
    token = os.environ.get("WORKBENCH_OPERATOR_TOKEN", "").strip()
    if token:
        return token
    data_dir = os.environ.get("WORKBENCH_DATA_DIR") or defaults()["DATA_DIR"]
    try:
        with open(os.path.join(data_dir, OPERATOR_TOKEN_FILE)) as fh:
            return fh.read().strip() or None
    except OSError:
        return None


def origin(url):
    """``scheme://host:port`` of a URL, lowercased: what browsers send as ``Origin`` and CSP sources name."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def refuse_cross_origin():
    """``before_request``: a browser's state-changing request from another origin changes nothing (403)."""
    if request.method not in STATE_CHANGING:
        return
    site = request.headers.get("Sec-Fetch-Site")
    sender = request.headers.get("Origin")
    if site is not None:
        allowed = site in SAME_ORIGIN
    elif sender is not None:
        allowed = sender.lower() in {origin(current_app.config["SHOP_URL"]), origin(request.host_url)}
    else:
        allowed = True  # not a browser
    if not allowed:
        raise ShopError(
            "cross_origin_request",
            "This request came from another website, so the shop refused it. Use the shop's own pages.",
            status=403,
        )


def sent_operator_token():
    """True if the request carries ``Authorization: Bearer <the operator token>``."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = current_app.config["OPERATOR_TOKEN"]
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected.encode())


def session_id():
    """This browser session's random id (made on first use), kept in its signed cookie: what its keys are scoped to."""
    if "sid" not in session:
        session["sid"] = secrets.token_urlsafe(16)
    return session["sid"]


def idempotency_scope():
    """Whose ``Idempotency-Key`` this request's is: the operator's, or its browser session's (module docstring)."""
    if sent_operator_token():
        return "operator"
    return "session " + session_id()


def operator_only(view):
    """Decorate a route that only the shop's operator may use (see the module docstring)."""

    @functools.wraps(view)
    def guarded(*args, **kwargs):
        if not sent_operator_token():
            raise ShopError(
                "operator_credential_required",
                f"This is an operator action: send 'Authorization: Bearer <token>' with the token in the "
                f"shop's data directory (file {OPERATOR_TOKEN_FILE}) or WORKBENCH_OPERATOR_TOKEN. "
                "The notebook helper sends it for you.",
                status=401,
                headers={"WWW-Authenticate": 'Bearer realm="Press Workbench operator"'},
            )
        return view(*args, **kwargs)

    return guarded


class ShopPathSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie on the path the shop is served at (module docstring)."""

    def get_cookie_path(self, app):
        return app.config["SESSION_COOKIE_PATH"] or request.script_root or "/"


def init_app(app):
    """Secrets from the data dir (unless configured), the session cookie's path and the same-origin check."""
    data_dir = app.config["DATA_DIR"]
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = secret_file(os.path.join(data_dir, SESSION_SECRET_FILE))
    if not app.config.get("OPERATOR_TOKEN"):
        app.config["OPERATOR_TOKEN"] = secret_file(os.path.join(data_dir, OPERATOR_TOKEN_FILE))
    app.session_interface = ShopPathSessions()
    app.before_request(refuse_cross_origin)
