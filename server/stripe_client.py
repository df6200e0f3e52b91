"""The one place that builds the shop's ``stripe.StripeClient``.

Both modes use the same client class and calls; only the key and the base URL
change.  ``max_network_retries`` is set because StripeClient defaults to none
(unlike the global ``stripe`` module), and a retried POST is safe: stripe-python
adds an Idempotency-Key to every one.
"""

import stripe

from server.config import stripe_endpoints

APP_INFO = {"name": "press-workbench", "version": "0.1.0", "url": "https://github.com/press-workbench"}


def build_stripe_client(config):
    api_base, _ = stripe_endpoints(config)
    stripe.set_app_info(**APP_INFO)
    options = {"max_network_retries": config.get("STRIPE_MAX_NETWORK_RETRIES", 2)}
    if api_base:
        options["base_addresses"] = {"api": api_base}
    if config.get("STRIPE_HTTP_CLIENT"):  # e.g. the verification run's client that tags what it creates
        options["http_client"] = config["STRIPE_HTTP_CLIENT"]
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], **options)
