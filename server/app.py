"""The shop's application factory: a Flask app selling Stripe Press books through the Payment Element.

``create_app(config=None)`` follows the Flask tutorial's factory: defaults, then the
environment (and ``.env``), then the ``config`` mapping given by tests or the
notebook helper.  It refuses bad Stripe configuration with a ``ConfigError``.
"""

import os
import secrets

from flask import Flask

from server import api, cart, pages, webhooks
from server.catalog import load_catalog
from server.config import load as load_config
from server.config import stripe_endpoints
from server.orders import OrderStore
from server.sandbox.currencies import format_amount
from server.shop import Shop
from server.stripe_client import build_stripe_client

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config=None):
    """Create the shop; ``config`` overrides everything else (tests pass the sandbox URL here)."""
    app = Flask(__name__, static_folder=os.path.join(ROOT, "static"), static_url_path="/static")
    app.config.update(load_config(config))
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _session_secret(app.config["DATA_DIR"])
    app.config["STRIPE_API_BASE"], app.config["STRIPE_JS_URL"] = stripe_endpoints(app.config)

    app.extensions["shop"] = Shop(
        config=app.config,
        catalog=load_catalog(),
        orders=OrderStore(app.config["DATA_DIR"]),
        stripe=build_stripe_client(app.config),
    )
    app.jinja_env.filters["money"] = format_amount
    app.register_blueprint(pages.bp)
    app.register_blueprint(cart.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(webhooks.bp)
    app.add_url_rule("/openapi.json", "openapi", api.openapi)
    return app


def _session_secret(data_dir):
    """A per-install secret for signed session cookies, kept in the data dir."""
    path = os.path.join(data_dir, "session-secret")
    os.makedirs(data_dir, exist_ok=True)
    if not os.path.exists(path):
        with open(path, "w") as fh:
            fh.write(secrets.token_hex(32))
    with open(path) as fh:
        return fh.read().strip()
