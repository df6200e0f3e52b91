"""Offline Stripe sandbox: a local stand-in for the slice of Stripe the shop and lessons use.

A package that stands alone: it imports nothing else of ours, and the shop, the
notebooks, the commands and the pytest plugin use it only through the names below
(import-linter checks both).

Layout, in the order Stripe's API reference reads:

- ``app``: ``create_sandbox_app(data_dir)``, the WSGI app (``/v1``, ``/v3/``, 3D Secure);
- ``pipeline/``: what happens to every ``/v1`` request — authentication, form
  parsing, parameters, idempotency, errors, expansion;
- ``resources/``: one module per Stripe resource (PaymentIntents, PaymentMethods and those
  saved to Customers, Customers, SetupIntents, Charges, Refunds, Events, WebhookEndpoints),
  each with its routes;
- ``stripe_js/``: the Stripe.js stand-in, the Payment Element frame, the 3D Secure page;
- ``console/``: the sandbox console, a read-only stand-in for Stripe's Dashboard at ``/dashboard``;
- ``behind_proxy``: serving behind a Jupyter server's proxy (the proxy token, forwarded headers, the
  Host names answered), shared with the shop;
- ``serving``: serve the app from a thread (``start_sandbox``); ``triggers``: ``stripe trigger``'s
  recipes; ``feed``: read the request log and webhook attempts over HTTP;
- ``delivery``: signed webhook delivery with retries; ``settlement``: when SEPA debits and refunds settle;
- ``store``/``database``: SQLite persistence; ``cards``/``bank_accounts``: Stripe's test cards and IBANs;
  ``payment_method_types``: the modelled types and what a PaymentIntent offers;
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
from .settlement import UNCHANGED, SettleDelays, Settlements
from .store import Store
from .triggers import CANNOT, TRIGGERS, describe, trigger
from .triggers import help_text as trigger_help


def reset(data_dir, keep_webhook_endpoints=False):
    """Delete every object, event, delivery, scheduled settlement and logged request the sandbox keeps in ``data_dir``.

    ``keep_webhook_endpoints``: the pytest plugin's ``reset()`` keeps them, so a test's subscriptions outlive it.
    """
    store = Store(data_dir)
    store.reset(keep_types=("webhook_endpoint",) if keep_webhook_endpoints else ())
    RequestLog(store).reset()
    Settlements(store).reset()


def settle_now(data_dir, payment_intent=None):
    """Let the bank answer now for every SEPA debit and refund still pending in ``data_dir`` (held ones too), or
    only ``payment_intent``'s; a running sandbox settles them within a quarter of a second.  Returns how many."""
    return Settlements(Store(data_dir)).settle_now(payment_intent)


def set_settle_delays(data_dir, normal=UNCHANGED, delayed=UNCHANGED):
    """While the sandbox on ``data_dir`` runs, make SEPA debits settle after ``normal``/``delayed`` seconds (``None``
    or ``"hold"``: only on ``settle_now``); debits confirmed from now on use them, from any process."""
    Settlements(Store(data_dir)).set_delays(normal, delayed)


def clear_settle_delays(data_dir):
    """Drop what ``set_settle_delays`` set: the sandbox's own delays apply again."""
    Settlements(Store(data_dir)).clear_delays()


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
    "SettleDelays",
    "came_through_proxy",
    "clear_settle_delays",
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
    "set_settle_delays",
    "settle_now",
    "start_sandbox",
    "trigger",
    "trigger_help",
]
