"""Which Stripe the tests talk to: the offline sandbox (always the default) or real Stripe test mode.

Real Stripe is used only when the run asks for it twice — ``--target=stripe`` and
``WORKBENCH_VERIFY_STRIPE=yes`` (``make verify-stripe`` sets both) — and only with
test keys (``sk_test_``/``rk_test_`` and ``pk_test_``, from the environment or
``.env``).  Everything is decided here from configuration alone, before any test or
fixture runs, so a refused run never opens a connection.  Keys in ``.env`` without
the explicit ask change nothing: ``make test`` stays offline.

Objects created on Stripe carry ``metadata[press_workbench_verify]=<run id>`` (added
on the way out, removed from answers on the way back, so tests see what they sent),
which makes them easy to find in the Dashboard.
"""

import json
import os
import re
import time
from dataclasses import dataclass, field

import stripe
from dotenv import dotenv_values

from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY
from press_workbench.shop.config import ConfigError, check_stripe_keys

OPT_IN = "WORKBENCH_VERIFY_STRIPE"
TAG = "press_workbench_verify"
TAGGED_CREATES = (
    "/v1/payment_intents",
    "/v1/refunds",
    "/v1/customers",
    "/v1/setup_intents",
)  # POSTs that create the objects a run leaves behind


class TargetRefused(Exception):
    """A request for real Stripe that must not go ahead; the message says what to fix."""


@dataclass
class Target:
    """Keys and API base for stripe-python clients, and what the shop needs to run against the same Stripe."""

    name: str
    secret_key: str
    publishable_key: str
    api_base: str | None = None  # None: api.stripe.com
    run_id: str = field(default_factory=lambda: time.strftime("%Y%m%dT%H%M%S"))

    @property
    def is_stripe(self):
        return self.name == "stripe"

    def client(self, key=None, **options):
        """A ``stripe.StripeClient`` for this target (``key`` defaults to the secret key)."""
        if self.api_base:
            options.setdefault("base_addresses", {"api": self.api_base})
        else:
            options.setdefault("http_client", TaggingHTTPClient(self.run_id))
        return stripe.StripeClient(key or self.secret_key, **options)

    def shop_config(self):
        """Overrides for ``create_app`` so the shop uses this target too."""
        if self.api_base:
            return {"SANDBOX_URL": self.api_base}
        return {
            "STRIPE_SECRET_KEY": self.secret_key,
            "STRIPE_PUBLISHABLE_KEY": self.publishable_key,
            "STRIPE_HTTP_CLIENT": TaggingHTTPClient(self.run_id),
        }


def sandbox_target(url):
    return Target("sandbox", SECRET_KEY, PUBLISHABLE_KEY, api_base=url)


def resolve(choice, environ=None, env_file=".env"):
    """The Stripe target for ``--target=stripe``, or ``TargetRefused``; never touches the network."""
    if choice != "stripe":
        raise ValueError("only --target=stripe needs resolving; the sandbox is started by the tests")
    settings = dotenv_values(env_file) if os.path.exists(env_file) else {}
    settings.update(os.environ if environ is None else environ)
    settings = {key: value.strip() for key, value in settings.items() if value and value.strip()}
    if settings.get(OPT_IN) != "yes":
        raise TargetRefused(
            f"--target=stripe calls api.stripe.com with your keys; confirm it with {OPT_IN}=yes "
            "(make verify-stripe does both)."
        )
    secret, publishable = settings.get("STRIPE_SECRET_KEY"), settings.get("STRIPE_PUBLISHABLE_KEY")
    try:
        check_stripe_keys(secret, publishable)
    except ConfigError as exc:
        raise TargetRefused(f"Not verifying against Stripe: {exc}") from None
    return Target("stripe", secret, publishable)


class TaggingHTTPClient(stripe.RequestsClient):
    """stripe-python's HTTP client, tagging what a verification run creates on Stripe.

    The tag is added to create calls that have room for one more metadata key and
    removed from every answer, so a test sees exactly the metadata it sent.
    """

    def __init__(self, run_id, **kwargs):
        super().__init__(**kwargs)
        self.run_id = run_id

    def request(self, method, url, headers, post_data=None):
        if method.lower() == "post" and url.split("?")[0].endswith(TAGGED_CREATES):
            post_data = tagged(post_data, self.run_id)
        content, status, response_headers = super().request(method, url, headers, post_data)
        return untagged(content), status, response_headers


def tagged(post_data, run_id):
    body = post_data.decode() if isinstance(post_data, bytes) else post_data or ""
    if len(re.findall(r"(?:^|&)metadata(?:\[|%5B)", body)) >= 50:  # no room: leave Stripe's limit to the test
        return post_data
    pair = f"metadata%5B{TAG}%5D={run_id}"
    return f"{body}&{pair}" if body else pair


def untagged(content):
    try:
        body = json.loads(content)
    except ValueError:
        return content
    return json.dumps(_without_tag(body)).encode()


def _without_tag(node):
    if isinstance(node, dict):
        return {k: _without_tag(v) for k, v in node.items() if not (k == TAG and isinstance(v, str))}
    if isinstance(node, list):
        return [_without_tag(item) for item in node]
    return node
