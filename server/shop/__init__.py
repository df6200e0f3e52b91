"""The shop: a Flask app selling Stripe Press books through the Payment Element.

``create_app(config)`` builds it; ``start_shop`` serves it (and in sandbox mode its
sandbox) from threads of the current process.
"""

from .app import create_app
from .config import ConfigError

__all__ = ["ConfigError", "create_app"]
