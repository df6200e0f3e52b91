"""The shop: a Flask app selling Stripe Press books through the Payment Element.

``create_app(config)`` builds it (the Flask tutorial's factory); ``start_shop``
serves it, and in sandbox mode its sandbox, from threads of the current process.
The shop uses the sandbox only through ``press_workbench.sandbox``'s public names; the
notebooks and the commands use the shop only through the names below.

Modules: ``app`` (the factory), ``config``, ``service`` (``Shop``, its one Stripe
client and the order's calls), ``customers`` (returning customers' calls, with that
client), the blueprints ``pages``, ``cart``, ``api``, ``saved_cards`` and ``webhooks``,
``orders`` (SQLite), ``catalog`` and ``covers``, ``reconcile``, ``security``,
``validation`` and ``errors``, ``openapi``, ``stripe_client``, ``stripe_pages``
(links to an object's Stripe page), ``framing`` (who may frame the checkout) and
``serving``.
"""

from .app import create_app
from .catalog import MAX_QUANTITY
from .config import ConfigError, stripe_endpoints
from .config import defaults as config_defaults
from .config import load as load_config
from .customers import SavingChoices, card_label
from .orders import OrderStore
from .reconcile import reconcile_orders
from .security import client_operator_token, origin, write_private
from .service import Shop
from .serving import (
    WEBHOOK_FILE,
    WebhooksFirst,
    client_webhook_secret,
    probe_shop,
    register_sandbox_webhook,
    start_shop,
)
from .stripe_client import build_stripe_client, loopback_http_client
from .stripe_pages import stripe_page_url

__all__ = [
    "MAX_QUANTITY",
    "WEBHOOK_FILE",
    "ConfigError",
    "Shop",
    "WebhooksFirst",
    "build_stripe_client",
    "card_label",
    "client_operator_token",
    "client_webhook_secret",
    "config_defaults",
    "create_app",
    "load_config",
    "loopback_http_client",
    "origin",
    "probe_shop",
    "reconcile_orders",
    "register_sandbox_webhook",
    "reset",
    "start_shop",
    "stripe_endpoints",
    "stripe_page_url",
    "write_private",
]


def reset(data_dir):
    """Forget every order, its history, the webhooks it heard and its card-saving choice (``workbench reset``).

    The shop's half of the clean slate; the sandbox's ``reset`` is the other.
    """
    OrderStore(data_dir).reset()
    SavingChoices(data_dir).reset()
