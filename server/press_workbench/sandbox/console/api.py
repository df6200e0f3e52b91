"""A small read-only JSON API under ``/dashboard/api`` for ``workbench logs`` and ``workbench listen``.

Stripe's API has no request-log route, so this lives outside ``/v1`` on purpose:
code written against the sandbox's ``/v1`` still runs unchanged against Stripe.
"""

from flask import abort, jsonify, request

from ..pipeline.endpoint import sandbox
from . import bp, queries

MAX_LIMIT = 1000
FILTERS = ("method", "status", "status_type", "path")


def _count(name, default, maximum):
    """A non-negative integer query argument, or a 400."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) > maximum:  # "²".isdigit() is true, int("²") fails
        abort(400, description=f"{name} must be an integer from 0 to {maximum}.")
    return int(raw)


@bp.get("/api/requests")
def requests_log():
    """``?after=<row id>``: the rows after one already seen, oldest first; otherwise the newest ``limit``.

    ``?object=<id>`` keeps the requests that touched that object; ``method``, ``status``, ``status_type`` and
    ``path``, each repeatable, are ``stripe logs tail``'s filters (``request_log.matching``).
    """
    after, limit = _count("after", None, 2**62), _count("limit", 100, MAX_LIMIT)
    filters = {name: request.args.getlist(name) for name in FILTERS}
    try:
        entries = sandbox().requests.entries(
            after=after, limit=max(limit, 1), object_id=request.args.get("object"), **filters
        )
    except ValueError as exc:
        abort(400, description=str(exc))
    return jsonify(object="list", data=entries)


@bp.get("/api/webhook_endpoints/<we_id>/attempts")
def webhook_attempts(we_id):
    """Delivery attempts to one endpoint after row ``?after=`` (default 0), oldest first: what ``listen`` prints."""
    after, limit = _count("after", 0, 2**62), _count("limit", 100, MAX_LIMIT)
    return jsonify(object="list", data=queries.attempts_after(sandbox().store, we_id, after, max(limit, 1)))
