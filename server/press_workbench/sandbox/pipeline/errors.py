"""Stripe's error envelope, raised anywhere in the sandbox and rendered in one place.

stripe-python picks its exception class from the HTTP status and ``error.type``
(401 → AuthenticationError, 402 → CardError, 404/400 → InvalidRequestError,
``idempotency_error`` → IdempotencyError), so status, type, code, param and message
must be exactly what Stripe sends for the same mistake.
"""

DOCS = "https://stripe.com/docs/error-codes/"


class StripeAPIError(Exception):
    """An error answered as ``{"error": {...}}`` with an HTTP status."""

    def __init__(self, status, message, *, type="invalid_request_error", code=None, param=None, **extra):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "type": type}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = DOCS + code.replace("_", "-")
        if param:
            self.body["param"] = param
        self.body.update(extra)

    def to_dict(self):
        """The body Stripe answers, ``{"error": {...}}``, which stripe-python turns back into its exception."""
        return {"error": self.body}


def invalid(message, param=None, code=None, status=400):
    """An ``invalid_request_error``, the kind Stripe answers for most bad requests (400 unless told otherwise)."""
    return StripeAPIError(status, message, param=param, code=code)


def missing_param(param):
    """Stripe's ``parameter_missing`` error, word for word, so code that matches on it behaves the same offline."""
    return invalid(f"Missing required param: {param}.", param=param, code="parameter_missing")


def unknown_param(param):
    """Stripe's ``parameter_unknown``: a secret-key call with a typo fails here as it would at Stripe."""
    return invalid(f"Received unknown parameter: {param}", param=param, code="parameter_unknown")


def no_such(kind, object_id, param):
    """Stripe's 404 ``resource_missing`` for an id that names nothing, with the parameter that carried it."""
    return invalid(f"No such {kind}: '{object_id}'", param=param, code="resource_missing", status=404)


def unexpected_state(message, param=None):
    """Stripe's ``payment_intent_unexpected_state``: the lifecycle refuses a step from the current status."""
    return invalid(message, param=param, code="payment_intent_unexpected_state")


def unrecognized_url(method, path):
    """Stripe's answer to a ``/v1`` path it has no route for."""
    return StripeAPIError(
        404,
        f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at "
        "https://support.stripe.com/.",
    )
