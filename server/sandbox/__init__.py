"""Offline Stripe sandbox: a local stand-in for the slice of Stripe the shop and lessons use.

A package that stands alone: it imports nothing from the shop, and importing it
loads only these names (``create_sandbox_app`` is imported on first use).  The
shop depends on it, never the reverse: it imports the sandbox's keys, Stripe's
currency rules (``currencies``) and the SQLite helper (``database``).

Layout, in the order Stripe's API reference reads:

- ``app``: ``create_sandbox_app(data_dir)``, the WSGI app (``/v1``, ``/v3/``, 3D Secure);
- ``pipeline/``: what happens to every ``/v1`` request — authentication, form
  parsing, parameters, idempotency, errors, expansion;
- ``resources/``: one module per Stripe resource (PaymentIntents, PaymentMethods,
  Charges, Refunds, Events, WebhookEndpoints), each with its routes;
- ``stripe_js/``: the Stripe.js stand-in, the Payment Element frame, the 3D Secure page;
- ``delivery``: signed webhook delivery with retries;
- ``store``/``database``: SQLite persistence; ``cards``: Stripe's test cards;
  ``currencies``: amounts and currencies; ``ids``: Stripe-shaped ids.
"""

SECRET_KEY = "sk_test_sandbox_press_workbench"
PUBLISHABLE_KEY = "pk_test_sandbox_press_workbench"

__all__ = ["PUBLISHABLE_KEY", "SECRET_KEY", "create_sandbox_app"]


def __getattr__(name):
    """``create_sandbox_app`` on first use: importing the keys should not build the whole app."""
    if name == "create_sandbox_app":
        from .app import create_sandbox_app

        return create_sandbox_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
