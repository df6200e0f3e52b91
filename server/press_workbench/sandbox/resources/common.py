"""What every resource module shares: timestamps, lists, lookups, and read-only routes."""

import time

from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, missing_param, no_such

LIST = {"limit", "starting_after", "ending_before"}
LIST_CREATED = LIST | {"created"}  # the lists Stripe lets you filter by creation time
BOTH_CURSORS = "Received both starting_after and ending_before parameters. Please pass in only one."


def now():
    """Stripe's timestamps: whole seconds since the epoch."""
    return int(time.time())


def list_of(data, url, has_more):
    """A Stripe list object, the envelope stripe-python pages through with ``has_more``."""
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def list_params(ctx, params, type, kind, maximum=100):
    """``limit``, the cursors (which must name an object of this list) and, where allowed, ``created``."""
    limit = params.integer("limit", default=10)
    if not 1 <= limit <= maximum:
        raise invalid(
            f"This value must be greater than or equal to 1 and less than or equal to {maximum}.", param="limit"
        )
    cursors = {name: params.string(name) for name in ("starting_after", "ending_before")}
    if all(cursors.values()):
        raise invalid(BOTH_CURSORS)
    for name, object_id in cursors.items():
        if object_id and ctx.store.get(object_id, type) is None:
            raise no_such(kind, object_id, name)
    return {"limit": limit, **cursors, "created": params.created()}


def list_objects(ctx, params, type, kind, url, where=None):
    """A page of one type of object, newest first, as Stripe's list endpoints answer."""
    rows, has_more = ctx.store.list(type, where=where, **list_params(ctx, params, type, kind))
    return list_of(rows, url, has_more)


def get_object(ctx, object_id, type, kind, param):
    """The stored object or Stripe's 404 (``No such <kind>: '<id>'``)."""
    found = ctx.store.get(object_id, type)
    if found is None:
        raise no_such(kind, object_id, param)
    return found


def read_only_routes(bp, path, type, kind, param, filters=()):
    """Register Stripe's list (``created`` and equality filters) and retrieve routes of an object the API only reads."""

    @endpoint(LIST_CREATED | set(filters))
    def list_route(ctx, params):
        where = {name: params.string(name) for name in filters if name in params}
        return list_objects(ctx, params, type, kind, f"/v1/{path}", where)

    @endpoint()
    def retrieve_route(ctx, params, object_id):
        return get_object(ctx, object_id, type, kind, param)

    bp.add_url_rule(f"/{path}", f"list_{path}", list_route, methods=["GET"])
    bp.add_url_rule(f"/{path}/<object_id>", f"retrieve_{path}", retrieve_route, methods=["GET"])


def get_customer(ctx, customer_id, param):
    """A customer that exists and was not deleted, or Stripe's 404: a deleted customer only retrieves as its stub."""
    found = ctx.store.get(customer_id, "customer")
    if found is None or found.get("deleted"):
        raise no_such("customer", customer_id, param)
    return found


def check_client_secret(ctx, params, intent, name):
    """``intent`` if the caller may see it: a secret key, or a publishable key with the intent's client secret, as
    Stripe.js sends it.  ``name`` (``PaymentIntent``, ``SetupIntent``) is how Stripe's refusal names it."""
    if ctx.publishable:
        secret = params.string("client_secret")
        if not secret:
            raise missing_param("client_secret")
        if secret != intent["client_secret"]:
            raise invalid(
                f"The client_secret provided does not match the client_secret associated with the {name}.",
                param="client_secret",
                code=f"{intent['object']}_invalid_parameter",
            )
    return intent
