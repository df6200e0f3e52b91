"""A project laid out as Stripe's samples are: its Flask app in a ``server/`` package, made by ``create_app``.

Not Press Workbench: a project whose own package is named ``server``, which installing Press Workbench
in its environment must not shadow (``tests/plugin/test_installed_alone.py`` runs its tests there).
"""

from flask import Flask

from .payments import bp


def create_app(config):
    """The app for ``config``: ``STRIPE_SECRET_KEY`` and ``STRIPE_API_BASE`` (Stripe's by default)."""
    app = Flask(__name__)
    app.config.update({"STRIPE_API_BASE": "https://api.stripe.com", **config})
    app.register_blueprint(bp)
    return app
