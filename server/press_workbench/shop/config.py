"""Configuration: defaults → environment (and ``.env``) → explicit overrides, then validation.

The only things that differ between the two modes are the keys, the API base URL
and the Stripe.js URL; ``stripe_endpoints`` derives the last two, so the rest of the
shop never asks which mode it is in.
"""

import os
import re

from dotenv import load_dotenv

from press_workbench.sandbox import PUBLISHABLE_KEY as SANDBOX_PUBLISHABLE_KEY
from press_workbench.sandbox import SECRET_KEY as SANDBOX_SECRET_KEY

from .catalog import DEFAULT_CURRENCY, catalog_currencies

STRIPE_JS_URL = "https://js.stripe.com/v3/"
KEY_FORMAT = re.compile(r"^(sk|rk|pk)_(test|live)_[A-Za-z0-9_]{8,}$")
ENV_KEYS = (
    "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET",
    "WORKBENCH_MODE",
    "WORKBENCH_DATA_DIR",
    "SHOP_PORT",
    "SANDBOX_PORT",
    "DASHBOARD_PORT",
    "SHOP_URL",
    "SHOP_CURRENCY",
    "SANDBOX_URL",
    "WORKBENCH_SECRET",
    "WORKBENCH_OPERATOR_TOKEN",
    "WORKBENCH_PROXY_TOKEN",
    "WORKBENCH_PUBLIC_HOST",
    "SANDBOX_PROXY_PATH",
)


class ConfigError(Exception):
    """Configuration the shop refuses to start with; the message says what to fix."""


def defaults():
    """The settings a fresh clone runs with: sandbox mode, the documented ports, data in ``./var``."""
    return {
        "MODE": None,
        "STRIPE_SECRET_KEY": None,
        "STRIPE_PUBLISHABLE_KEY": None,
        "STRIPE_WEBHOOK_SECRET": None,
        "DATA_DIR": os.path.abspath("var"),
        "SHOP_PORT": 4242,
        "SANDBOX_PORT": 12111,
        "DASHBOARD_PORT": 8866,
        "SHOP_URL": "http://127.0.0.1:4242",
        # The catalog's currency (catalog.py); in eur the Payment Element also offers iDEAL and SEPA Direct Debit.
        "SHOP_CURRENCY": DEFAULT_CURRENCY,
        "SANDBOX_URL": None,
        "SECRET_KEY": None,
        "OPERATOR_TOKEN": None,
        # Behind a Jupyter server's proxy (launch/proxy.py sets these): the token every request must carry,
        # and the sandbox's path on the Jupyter server.  WORKBENCH_PUBLIC_HOST: Host names answered besides loopback.
        "PROXY_TOKEN": None,
        "SANDBOX_PROXY_PATH": None,
        "PUBLIC_HOST": None,
        # Limits checked before a body is read or parsed (webhooks get more room: shop/webhooks.py).
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def from_environment(environ=None):
    """Settings named in the environment (after ``.env`` was loaded by the caller)."""
    environ = os.environ if environ is None else environ
    names = {
        "WORKBENCH_MODE": "MODE",
        "WORKBENCH_DATA_DIR": "DATA_DIR",
        "WORKBENCH_SECRET": "SECRET_KEY",
        "WORKBENCH_OPERATOR_TOKEN": "OPERATOR_TOKEN",
        "WORKBENCH_PROXY_TOKEN": "PROXY_TOKEN",
        "WORKBENCH_PUBLIC_HOST": "PUBLIC_HOST",
    }
    settings = {}
    for key in ENV_KEYS:
        value = environ.get(key)
        if value not in (None, ""):
            settings[names.get(key, key)] = value.strip()
    for port in ("SHOP_PORT", "SANDBOX_PORT", "DASHBOARD_PORT"):
        if port in settings:
            try:
                settings[port] = int(settings[port])
            except ValueError:
                raise ConfigError(f"{port} must be a port number, got {settings[port]!r}.") from None
    return settings


def load(overrides=None):
    """Defaults, then ``.env`` and the environment (skipped when TESTING), then ``overrides``; validated."""
    overrides = overrides or {}
    settings = defaults()
    if not overrides.get("TESTING"):
        load_dotenv(os.path.join(os.getcwd(), ".env"))
        settings.update(from_environment())
    settings.update(overrides)
    return resolve(settings)


def resolve(settings):
    """Validate keys, mode and currency; return the settings completed with MODE and the sandbox keys."""
    settings = dict(settings)
    settings["SHOP_CURRENCY"] = shop_currency(settings.get("SHOP_CURRENCY"))
    secret, publishable = settings.get("STRIPE_SECRET_KEY"), settings.get("STRIPE_PUBLISHABLE_KEY")
    mode = settings.get("MODE")
    if mode not in (None, "sandbox", "stripe"):
        raise ConfigError(f"WORKBENCH_MODE must be 'sandbox' or 'stripe', got {mode!r}.")
    if mode == "sandbox" or (mode is None and not secret and not publishable):
        settings.update(
            MODE="sandbox", STRIPE_SECRET_KEY=SANDBOX_SECRET_KEY, STRIPE_PUBLISHABLE_KEY=SANDBOX_PUBLISHABLE_KEY
        )
        if not settings.get("SANDBOX_URL"):
            settings["SANDBOX_URL"] = f"http://127.0.0.1:{settings.get('SANDBOX_PORT', 12111)}"
        return settings
    check_stripe_keys(secret, publishable)
    settings["MODE"] = "stripe"
    return settings


def shop_currency(value):
    """The catalog currency named (any case), or a ConfigError listing the ones the catalog has prices in."""
    currency = (value or DEFAULT_CURRENCY).strip().lower()
    if currency not in catalog_currencies():
        raise ConfigError(
            f"SHOP_CURRENCY must be one of {', '.join(catalog_currencies())} (the currencies catalog.json prices "
            f"its books in), got {value!r}."
        )
    return currency


def check_stripe_keys(secret, publishable):
    """Refuse half-configured, malformed, live or mismatched keys with a message that says what to fix."""
    if not secret or not publishable:
        missing = "STRIPE_SECRET_KEY" if not secret else "STRIPE_PUBLISHABLE_KEY"
        raise ConfigError(
            f"{missing} is not set. Set both STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY to your Stripe test keys "
            "(https://dashboard.stripe.com/test/apikeys), or unset both to use the offline sandbox."
        )
    for name, key, kinds in (
        ("STRIPE_SECRET_KEY", secret, ("sk", "rk")),
        ("STRIPE_PUBLISHABLE_KEY", publishable, ("pk",)),
    ):
        match = KEY_FORMAT.match(key)
        if not match or match.group(1) not in kinds:
            expected = " or ".join(f"{k}_test_…" for k in kinds)
            raise ConfigError(f"{name} does not look like a Stripe key (expected {expected}).")
        if match.group(2) == "live":
            raise ConfigError(
                f"{name} is a live-mode key. Press Workbench only runs with test keys: use the {kinds[0]}_test_… key "
                "from https://dashboard.stripe.com/test/apikeys."
            )
    if account_of(secret) and account_of(publishable) and account_of(secret) != account_of(publishable):
        raise ConfigError(
            "STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY belong to different Stripe accounts; copy both from the "
            "same dashboard."
        )


def account_of(key):
    """The account part Stripe embeds in its keys (``sk_test_51<account>…``), when present."""
    body = key.split("_", 2)[2]
    return body[1:17] if body.startswith("51") and len(body) > 20 else None


def stripe_endpoints(config):
    """(API base URL or None for api.stripe.com, Stripe.js URL) for the configured mode, as seen from this machine.

    Browsers may see the sandbox elsewhere (behind a Jupyter server's proxy): ``shop/browser.py``.
    """
    if config["MODE"] == "sandbox":
        base = config["SANDBOX_URL"].rstrip("/")
        return base, f"{base}/v3/"
    return None, STRIPE_JS_URL
