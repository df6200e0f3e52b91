"""The one place that builds the shop's ``stripe.StripeClient``.

Both modes use the same client class and calls; only the key and the base URL
change.  ``max_network_retries`` is set because StripeClient defaults to none
(unlike the global ``stripe`` module), and a retried POST is safe: stripe-python
adds an Idempotency-Key to every one.  Against the sandbox the client ignores proxy settings
(``loopback_http_client``), and sends the proxy token if the sandbox sits behind a Jupyter server's proxy.
"""

import requests
import stripe

from press_workbench.sandbox import proxy_headers

from .config import stripe_endpoints

POOL_SIZE = 64  # kept connections to the sandbox: more than the shop's threads (shop/serving.py SHOP_THREADS)
APP_INFO = {"name": "press-workbench", "version": "0.1.0", "url": "https://github.com/press-workbench"}


def build_stripe_client(config):
    """The shop's one ``StripeClient``; only its base address (and HTTP client) differs by mode.

    ``StripeClient`` has no network retries by default, unlike the module-level API, so they are turned on here.
    """
    api_base, _ = stripe_endpoints(config)
    stripe.set_app_info(**APP_INFO)
    options = {"max_network_retries": config.get("STRIPE_MAX_NETWORK_RETRIES", 2)}
    if api_base:
        options["base_addresses"] = {"api": api_base}
        options["http_client"] = loopback_http_client(config.get("PROXY_TOKEN"))
    if config.get("STRIPE_HTTP_CLIENT"):  # e.g. the verification run's client that tags what it creates
        options["http_client"] = config["STRIPE_HTTP_CLIENT"]
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], **options)


def loopback_http_client(proxy_token=None):
    """stripe-python's requests client for the sandbox on loopback: no proxy or ``.netrc`` from the environment.

    By default requests looks up proxy variables and ``~/.netrc`` on every call (about 0.1 ms of the shop's
    1 ms per order, BENCHMARKS.md), and an ``HTTP_PROXY`` without ``NO_PROXY`` would even send sandbox calls
    through the proxy.  The session is shared by the shop's threads, so its pool keeps a connection for each.
    """
    session = requests.Session()
    session.trust_env = False
    session.headers.update(proxy_headers(proxy_token))  # only with a token: a sandbox behind the proxy needs it
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=POOL_SIZE)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return stripe.RequestsClient(session=session)
