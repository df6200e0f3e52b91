"""Network failures on purpose, for notebook 01's "errors by type" and "retries": nothing about Stripe is faked.

A request that times out may or may not have reached Stripe; the lesson needs that
case on demand.  ``LosesResponses`` is stripe-python's own requests client, except
that it drops the answers to the first requests after they were delivered, as a
connection reset after sending does: Stripe (or the sandbox) really acts on them,
and the caller gets stripe-python's ``APIConnectionError``.  What happens next is
real too: stripe-python's retries (``max_network_retries``) resend the same
request with the same ``Idempotency-Key``, and Stripe replays its first answer.
``unreachable_url`` is a loopback port nobody listens on: a Stripe that is down.
"""

import socket

import requests
import stripe


class LosesResponses(stripe.RequestsClient):
    """stripe-python's requests client on a network that loses the next ``lose`` responses.

    ``sent`` lists each request as ``(method, path, Idempotency-Key)``, so a lesson can
    show that a retry carried the same key.
    """

    def __init__(self, lose=1):
        session = requests.Session()
        session.trust_env = False  # loopback: no proxy from the environment
        super().__init__(session=session)
        self.lose = lose
        self.sent = []

    def request(self, method, url, headers, post_data=None):
        response = super().request(method, url, headers, post_data)
        self.sent.append((method.upper(), "/" + url.split("/", 3)[3].split("?")[0], headers.get("Idempotency-Key")))
        if self.lose > 0:
            self.lose -= 1
            raise stripe.APIConnectionError(
                "The connection was reset after the request was sent: it may or may not have been acted on.",
                should_retry=True,  # as stripe-python marks a connection error
            )
        return response


def unreachable_url():
    """``http://127.0.0.1:<port>`` where nothing listens (the port was free a moment ago): a Stripe that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"
