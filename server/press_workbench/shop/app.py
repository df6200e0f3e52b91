"""The shop's application factory: a Flask app selling Stripe Press books through the Payment Element.

``create_app(config=None)`` follows the Flask tutorial's factory: defaults, then the
environment (and ``.env``), then the ``config`` mapping given by tests or the
notebook helper.  It refuses bad Stripe configuration with a ``ConfigError``.
"""

from flask import Flask

from press_workbench.sandbox import format_amount, init_behind_proxy, public_hosts

from . import api, cart, errors, pages, saved_cards, security, webhooks
from .config import load as load_config
from .config import stripe_endpoints
from .service import Shop


def create_app(config=None):
    """Create the shop; ``config`` overrides everything else (tests pass the sandbox URL here)."""
    app = Flask(__name__)  # templates/ and static/ (CSS, the checkout script) are package data: any install has them
    app.config.update(load_config(config))
    app.config["STRIPE_JS_URL"] = stripe_endpoints(app.config)[
        1
    ]  # as seen from here; pages: server/press_workbench/shop/browser.py
    # first: a request the shop must refuse (no proxy token, a Host it is not served as) stops before anything else
    init_behind_proxy(app, app.config["PROXY_TOKEN"], public_hosts(app.config["PUBLIC_HOST"]))
    security.init_app(app)

    app.extensions["shop"] = Shop.from_config(app.config)
    app.jinja_env.filters["money"] = format_amount
    app.register_blueprint(pages.bp)
    app.register_blueprint(cart.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(saved_cards.bp)
    app.register_blueprint(webhooks.bp)
    app.add_url_rule("/openapi.json", "openapi", api.openapi)
    errors.register(app)
    return app
