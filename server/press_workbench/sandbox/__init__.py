"""Offline Stripe sandbox: a local stand-in for the slice of Stripe the shop and lessons use.

A package that stands alone: it imports nothing else of ours, and the shop, the
notebooks, the commands and the pytest plugin use it only through the names below
(import-linter checks both).

Layout, in the order Stripe's API reference reads:

- ``app``: ``create_sandbox_app(data_dir)``, the WSGI app (``/v1``, ``/v3/``, 3D Secure);
- ``pipeline/``: what happens to every ``/v1`` request — authentication, form
  parsing, parameters, idempotency, errors, expansion;
- ``resources/``: one module per Stripe resource (PaymentIntents, PaymentMethods,
  Charges, Refunds, Events, WebhookEndpoints), each with its routes;
- ``stripe_js/``: the Stripe.js stand-in, the Payment Element frame, the 3D Secure page;
- ``console/``: the sandbox console, a read-only stand-in for Stripe's Dashboard at ``/dashboard``;
- ``behind_proxy``: serving behind a Jupyter server's proxy (the proxy token, forwarded headers, the
  Host names answered), shared with the shop;
- ``serving``: serve the app from a thread (``start_sandbox``); ``triggers``: ``stripe trigger``'s
  recipes; ``feed``: read the request log and webhook attempts over HTTP;
- ``delivery``: signed webhook delivery with retries;
- ``store``/``database``: SQLite persistence; ``cards``: Stripe's test cards;
  ``currencies``: amounts and currencies; ``ids``: Stripe-shaped ids.
"""

from .app import create_sandbox_app
from .behind_proxy import (
    PROXY_TOKEN_ENV,
    PROXY_TOKEN_HEADER,
    PUBLIC_HOST_ENV,
    came_through_proxy,
    is_loopback,
    proxy_headers,
    proxy_token,
    public_hosts,
)
from .behind_proxy import init_app as init_behind_proxy
from .currencies import format_amount
from .database import Database
from .feed import SandboxUnavailable, delivery_line, follow, read_feed, request_json, request_line
from .keys import PUBLISHABLE_KEY, SECRET_KEY
from .pipeline.forms import encode_form
from .request_log import RequestLog
from .serving import RunningServer, sandbox_answers, serve_in_thread, start_sandbox
from .store import Store
from .triggers import CANNOT, TRIGGERS, describe, trigger
from .triggers import help_text as trigger_help


def reset(data_dir, keep_webhook_endpoints=False):
    """Delete every object, event, delivery and logged request the sandbox keeps in ``data_dir``.

    ``keep_webhook_endpoints``: the pytest plugin's ``reset()`` keeps them, so a test's subscriptions outlive it.
    """
    store = Store(data_dir)
    store.reset(keep_types=("webhook_endpoint",) if keep_webhook_endpoints else ())
    RequestLog(store).reset()


__all__ = [
    "CANNOT",
    "PUBLIC_HOST_ENV",
    "PUBLISHABLE_KEY",
    "SECRET_KEY",
    "PROXY_TOKEN_ENV",
    "PROXY_TOKEN_HEADER",
    "TRIGGERS",
    "Database",
    "RunningServer",
    "SandboxUnavailable",
    "came_through_proxy",
    "create_sandbox_app",
    "delivery_line",
    "describe",
    "encode_form",
    "follow",
    "format_amount",
    "init_behind_proxy",
    "is_loopback",
    "proxy_headers",
    "proxy_token",
    "public_hosts",
    "read_feed",
    "request_json",
    "request_line",
    "reset",
    "sandbox_answers",
    "serve_in_thread",
    "start_sandbox",
    "trigger",
    "trigger_help",
]
