"""What every resource module shares: timestamps, lists, lookups, and read-only routes."""

import time

from ..pipeline.endpoint import endpoint
from ..pipeline.errors import invalid, no_such

LIST = {"limit", "starting_after", "ending_before"}


def now():
    return int(time.time())


def list_of(data, url, has_more):
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def list_params(params, maximum=100):
    limit = params.integer("limit", default=10)
    if not 1 <= limit <= maximum:
        raise invalid(f"This value must be greater than or equal to 1 and less than or equal to {maximum}.",
                      param="limit")  # fmt: skip
    return {"limit": limit, "starting_after": params.string("starting_after"),
            "ending_before": params.string("ending_before")}  # fmt: skip


def list_objects(ctx, params, type, url, where=None):
    """A page of one type of object, newest first, as Stripe's list endpoints answer."""
    rows, has_more = ctx.store.list(type, where=where, **list_params(params))
    return list_of(rows, url, has_more)


def get_object(ctx, object_id, type, kind, param):
    """The stored object or Stripe's 404 (``No such <kind>: '<id>'``)."""
    found = ctx.store.get(object_id, type)
    if found is None:
        raise no_such(kind, object_id, param)
    return found


def read_only_routes(bp, path, type, kind, param, filters=()):
    """Register Stripe's list (with equality filters) and retrieve routes for an object the API only reads."""

    @endpoint(LIST | set(filters))
    def list_route(ctx, params):
        where = {name: params.string(name) for name in filters if name in params}
        return list_objects(ctx, params, type, f"/v1/{path}", where)

    @endpoint()
    def retrieve_route(ctx, params, object_id):
        return get_object(ctx, object_id, type, kind, param)

    bp.add_url_rule(f"/{path}", f"list_{path}", list_route, methods=["GET"])
    bp.add_url_rule(f"/{path}/<object_id>", f"retrieve_{path}", retrieve_route, methods=["GET"])
