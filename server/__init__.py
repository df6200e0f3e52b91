"""Press Workbench: a Stripe Press book shop whose payments are the lesson.

``server.app.create_app`` builds the shop (``from server import create_app`` works
too).  Importing this package imports nothing else, so ``server.sandbox`` — the
offline Stripe stand-in, which never depends on the shop — can be used alone.
"""

__all__ = ["ConfigError", "create_app"]


def __getattr__(name):
    """``create_app`` and ``ConfigError`` on first use (PEP 562), not when a sibling package is imported."""
    if name == "create_app":
        from server.app import create_app

        return create_app
    if name == "ConfigError":
        from server.config import ConfigError

        return ConfigError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
