"""The shop's one way of saying no: ``{"error": {"code", "message", "param"}}`` for programs, a page for people.

Views raise ``ShopError`` (bad input, a refused request) or let Flask raise an
``HTTPException`` (404, 405, 413…); the handlers registered here are the only code
that turns an error into a response.  The JSON API, the webhook and the API
description answer with the JSON envelope, as their clients are programs; every other path
with the message page.  Headers the error carries (``Allow`` on a 405, ``WWW-Authenticate``
on a 401) are kept, and no answer contains a traceback or text from the query string.
"""

import stripe
from flask import jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

JSON_PATHS = ("/api/", "/webhook", "/openapi.json")
MAX_PROVIDER_MESSAGE = 300  # Stripe's messages can quote what they were sent


class ShopError(Exception):
    """A request the shop refuses: a code programs can test, a message people can read, nothing changed."""

    status = 400
    title = "We couldn't do that"

    def __init__(self, code, message, param=None, status=None, headers=None, title=None):
        super().__init__(message)
        self.code, self.message, self.param = code, message, param
        self.status, self.title = status or self.status, title or self.title
        self.headers = headers or {}


def error_response(status, code, message, param=None, title=None, headers=()):
    """The JSON envelope for API paths, the readable message page for the rest."""
    if request.path.startswith(JSON_PATHS):
        body = {"code": code, "message": message}
        if param:
            body["param"] = param
        response = jsonify(error=body)
    else:
        response = make_response(render_template("message.html", title=title or ShopError.title, message=message))
    response.status_code = status
    response.headers.extend(headers)
    return response


def shop_error(exc):
    """Our own errors already carry their status, code and message: answer them in the one envelope."""
    return error_response(exc.status, exc.code, exc.message, exc.param, exc.title, exc.headers)


def http_error(exc):
    """Flask's own errors (404, 405, 413, and 500 for anything unexpected), keeping their headers."""
    headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
    return error_response(
        exc.code, exc.name.lower().replace(" ", "_"), exc.description, title=exc.name, headers=headers
    )


def provider_error(exc):
    """Stripe (or the sandbox) refused or could not be reached: say so, and that nothing changed here."""
    said = str(exc.user_message or exc)[:MAX_PROVIDER_MESSAGE]
    return error_response(
        502,
        "payment_provider_error",
        f"The payment service answered: {said} Nothing was changed; try again shortly.",
        title="Payments are unavailable",
    )


def register(app):
    """Install the handlers, so that every error a view raises leaves the app in the same envelope."""
    app.register_error_handler(ShopError, shop_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(stripe.StripeError, provider_error)
