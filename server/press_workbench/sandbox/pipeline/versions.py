"""Stripe API versions: which ones exist, which one a caller speaks, and what changes with it.

Stripe refuses a ``Stripe-Version`` it does not know with a 400 ``Invalid Stripe
API version: <value>`` (no code, no param) — a malformed string, a date that was
never a release (``2099-01-01``), a release date without its train name
(``2026-02-25`` for ``2026-02-25.clover``) or beta flags the account has not
joined.  The sandbox knows exactly the versions Stripe's OpenAPI spec lists (the
``api_version`` enum of ``POST /v1/webhook_endpoints``, as shipped in stripe-python
16.1), and refuses everything else the same way.

A version changes two things that reach our objects:

- **creation defaults**, decided once by the version of the request that creates
  the object: before 2023-08-16 a PaymentIntent created without
  ``payment_method_types`` or ``automatic_payment_methods`` is card-only, and before
  2024-04-10 ``capture_method`` defaults to ``automatic`` (not ``automatic_async``);
- **rendering**, decided by whoever reads: an API answer is rendered in the
  request's version, a webhook in its endpoint's ``api_version`` (or the account
  default), and a stored event in the account default at the time it was created.
  Before 2022-11-15 a PaymentIntent carries the ``charges`` list that
  ``latest_charge`` replaced.

Stripe.js sends ``Stripe(pk, {apiVersion})`` as the ``_stripe_version`` form field,
which counts as the header would.
"""

from .errors import invalid

API_VERSION = "2026-10-28.endive"  # the account default, and what stripe-python 16.1 pins

# Stripe's API versions, oldest first (the enum in stripe-python 16.1's WebhookEndpointCreateParams).
KNOWN = (
    "2011-01-01",
    "2011-06-21",
    "2011-06-28",
    "2011-08-01",
    "2011-09-15",
    "2011-11-17",
    "2012-02-23",
    "2012-03-25",
    "2012-06-18",
    "2012-06-28",
    "2012-07-09",
    "2012-09-24",
    "2012-10-26",
    "2012-11-07",
    "2013-02-11",
    "2013-02-13",
    "2013-07-05",
    "2013-08-12",
    "2013-08-13",
    "2013-10-29",
    "2013-12-03",
    "2014-01-31",
    "2014-03-13",
    "2014-03-28",
    "2014-05-19",
    "2014-06-13",
    "2014-06-17",
    "2014-07-22",
    "2014-07-26",
    "2014-08-04",
    "2014-08-20",
    "2014-09-08",
    "2014-10-07",
    "2014-11-05",
    "2014-11-20",
    "2014-12-08",
    "2014-12-17",
    "2014-12-22",
    "2015-01-11",
    "2015-01-26",
    "2015-02-10",
    "2015-02-16",
    "2015-02-18",
    "2015-03-24",
    "2015-04-07",
    "2015-06-15",
    "2015-07-07",
    "2015-07-13",
    "2015-07-28",
    "2015-08-07",
    "2015-08-19",
    "2015-09-03",
    "2015-09-08",
    "2015-09-23",
    "2015-10-01",
    "2015-10-12",
    "2015-10-16",
    "2016-02-03",
    "2016-02-19",
    "2016-02-22",
    "2016-02-23",
    "2016-02-29",
    "2016-03-07",
    "2016-06-15",
    "2016-07-06",
    "2016-10-19",
    "2017-01-27",
    "2017-02-14",
    "2017-04-06",
    "2017-05-25",
    "2017-06-05",
    "2017-08-15",
    "2017-12-14",
    "2018-01-23",
    "2018-02-05",
    "2018-02-06",
    "2018-02-28",
    "2018-05-21",
    "2018-07-27",
    "2018-08-23",
    "2018-09-06",
    "2018-09-24",
    "2018-10-31",
    "2018-11-08",
    "2019-02-11",
    "2019-02-19",
    "2019-03-14",
    "2019-05-16",
    "2019-08-14",
    "2019-09-09",
    "2019-10-08",
    "2019-10-17",
    "2019-11-05",
    "2019-12-03",
    "2020-03-02",
    "2020-08-27",
    "2022-08-01",
    "2022-11-15",
    "2023-08-16",
    "2023-10-16",
    "2024-04-10",
    "2024-06-20",
    "2024-09-30.acacia",
    "2024-10-28.acacia",
    "2024-11-20.acacia",
    "2024-12-18.acacia",
    "2025-01-27.acacia",
    "2025-02-24.acacia",
    "2025-03-01.dashboard",
    "2025-03-31.basil",
    "2025-04-30.basil",
    "2025-05-28.basil",
    "2025-06-30.basil",
    "2025-07-30.basil",
    "2025-08-27.basil",
    "2025-09-30.clover",
    "2025-10-29.clover",
    "2025-11-17.clover",
    "2025-12-15.clover",
    "2026-01-28.clover",
    "2026-02-25.clover",
    "2026-03-25.dahlia",
    "2026-04-22.dahlia",
    "2026-05-27.dahlia",
    "2026-06-24.dahlia",
    "2026-07-29.dahlia",
    "2026-08-26.dahlia",
    "2026-09-30.endive",
    API_VERSION,
)
_KNOWN = frozenset(KNOWN)

# The documented changes the sandbox honours, by the version that introduced them.
CHARGES_LIST_REMOVED = "2022-11-15"  # PaymentIntent.charges → latest_charge
AUTOMATIC_PAYMENT_METHODS_DEFAULT = "2023-08-16"  # no payment_method_types → automatic payment methods
ASYNC_CAPTURE_DEFAULT = "2024-04-10"  # capture_method defaults to automatic_async


def checked(version, param=None):
    """``version`` if Stripe knows it; otherwise Stripe's 400 (``param`` names a body field, e.g. ``api_version``)."""
    if version not in _KNOWN:
        raise invalid(f"Invalid Stripe API version: {version}", param=param)
    return version


def requested(header, raw_params):
    """The version a request asks for: ``Stripe-Version``, or Stripe.js's ``_stripe_version``; else the default."""
    field = raw_params.pop("_stripe_version", None)
    version = header if header is not None else field
    if version is None:
        return API_VERSION
    if not isinstance(version, str):
        raise invalid(f"Invalid Stripe API version: {version}")
    return checked(version.strip())


def at_least(version, change):
    """True when ``version`` includes the change introduced by the release dated ``change``."""
    return version[:10] >= change


def creation_defaults(version):
    """What a PaymentIntent created at ``version`` gets when the caller leaves these out."""
    return {
        "automatic_payment_methods": at_least(version, AUTOMATIC_PAYMENT_METHODS_DEFAULT),
        "capture_method": "automatic_async" if at_least(version, ASYNC_CAPTURE_DEFAULT) else "automatic",
    }


def render(store, body, version):
    """``body`` (an object, a list, or an error carrying one) as a client on ``version`` receives it."""
    if at_least(version, CHARGES_LIST_REMOVED) or not isinstance(body, dict):
        return body
    return _with_charges_lists(store, body)


def render_event(store, event, version):
    """A stored event as delivered to an endpoint on ``version``: ``data`` re-rendered, ``api_version`` set."""
    rendered = dict(event, api_version=version)
    rendered["data"] = dict(event["data"], object=render(store, event["data"]["object"], version))
    return rendered


def _with_charges_lists(store, node):
    """Old versions: every full PaymentIntent in ``node`` (nested too) gets ``charges``, newest first."""
    node = {key: _walk(store, value) for key, value in node.items()}
    if node.get("object") == "payment_intent" and "latest_charge" in node:
        charges, _ = store.list("charge", limit=100, where={"payment_intent": node["id"]})
        node["charges"] = {
            "object": "list",
            "data": charges[:10],
            "has_more": len(charges) > 10,
            "total_count": len(charges),
            "url": f"/v1/charges?payment_intent={node['id']}",
        }
    return node


def _walk(store, value):
    if isinstance(value, dict):
        return _with_charges_lists(store, value)
    if isinstance(value, list):
        return [_walk(store, item) for item in value]
    return value
