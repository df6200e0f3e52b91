"""The request log: one row per ``/v1`` request, what Stripe's Dashboard "Logs" page and ``stripe logs tail`` show.

Each row keeps the time, method, path, the route it matched (``/v1/payment_intents/:id/confirm``),
HTTP status, ``Request-Id``, ``Idempotency-Key``, ``Stripe-Version``, which kind of key
called (``secret`` or ``publishable`` — never the key itself), the duration, the ids of
the objects the request touched (the ids in its path and the object it answered with,
plus the PaymentIntent and charge that object points at), so a payment's console page
can list the requests that made it; and, as Stripe's Dashboard shows them, the
request's parameters, the answer's body and a failed request's error, with secrets
masked before they are stored (``redaction``).  Rows are written after the answer is
built, in the sandbox's own SQLite file, and the oldest are pruned so a load run cannot
grow the table without bound.

Filters take ``stripe logs tail``'s rules: several filters must all match, and a
filter given several values needs only one of them to (docs.stripe.com/cli/logs/tail).
"""

import functools
import json
import re
import time

from flask import g, request

from .redaction import mask_json
from .store import to_json

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created         REAL NOT NULL,
    method          TEXT NOT NULL,
    path            TEXT NOT NULL,
    status          INTEGER NOT NULL,
    request_id      TEXT,
    idempotency_key TEXT,
    key_type        TEXT,
    duration_ms     REAL NOT NULL,
    objects         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_request_id ON requests(request_id);
"""
# Added after the first release: a data dir made by an older sandbox gets them with ALTER TABLE.
ADDED_COLUMNS = {"route": "TEXT", "api_version": "TEXT", "error": "TEXT", "params": "TEXT", "response": "TEXT"}
COLUMNS = (
    "id",
    "created",
    "method",
    "path",
    "route",
    "status",
    "request_id",
    "idempotency_key",
    "key_type",
    "api_version",
    "duration_ms",
    "error",
)
BODIES = ("params", "response")
OBJECT_ID = re.compile(r"^(pi|ch|re|pm|evt|we|txn|mandate|du)_[A-Za-z0-9]+$")
LINKED_FIELDS = ("payment_intent", "charge", "latest_charge")
ERROR_FIELDS = ("type", "charge", "code", "decline_code", "message", "param")  # what stripe logs tail prints
MAX_BODY_CHARS = 64 * 1024  # a list of 100 PaymentIntents is longer: the log keeps its start
STATUS_TYPES = ("2XX", "4XX", "5XX")


class RequestLog:
    """The ``requests`` table of a sandbox store, bounded to the newest ``max_rows`` rows."""

    def __init__(self, store, max_rows=10_000, prune_every=500):
        self.store = store
        self.max_rows = max_rows
        self.prune_every = prune_every
        self._since_prune = 0
        store.connection().executescript(SCHEMA)
        self._add_columns()

    def _add_columns(self):
        present = {row[1] for row in self.store.execute("PRAGMA table_info(requests)")}
        with self.store.transaction() as db:
            for name, kind in ADDED_COLUMNS.items():
                if name not in present:
                    db.execute(f"ALTER TABLE requests ADD COLUMN {name} {kind}")

    def record(
        self,
        *,
        method,
        path,
        status,
        request_id,
        idempotency_key,
        key_type,
        duration_ms,
        objects,
        route=None,
        api_version=None,
        error=None,
        params=None,
        response=None,
    ):
        """One row, written in a transaction: a bare INSERT met other threads' transactions in SQLite's busy handler,
        which sleeps 1, 2, 5, 10… ms between tries, where a transaction waits on the store's lock (database.py).

        ``params`` and ``response`` are JSON text, already masked; ``error`` a dict of ``ERROR_FIELDS``.
        """
        self._since_prune += 1  # a racy counter is fine: pruning a little early or late changes nothing
        prune = self._since_prune >= self.prune_every
        if prune:
            self._since_prune = 0
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO requests(created, method, path, route, status, request_id, idempotency_key, key_type, "
                "api_version, duration_ms, objects, error, params, response) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    method,
                    path,
                    route or path,
                    status,
                    request_id,
                    idempotency_key,
                    key_type,
                    api_version,
                    round(duration_ms, 1),
                    " " + " ".join(sorted(objects)) + " ",
                    to_json(error) if error else None,
                    _bounded(params),
                    _bounded(response),
                ),
            )
            if prune:
                self.prune()

    def prune(self):
        """Keep only the newest ``max_rows`` rows, so the log never grows without bound."""
        self.store.execute("DELETE FROM requests WHERE id <= (SELECT MAX(id) FROM requests) - ?", (self.max_rows,))

    def entries(self, after=None, limit=100, object_id=None, **filters):
        """Rows as dicts, oldest first: the newest ``limit``, or the first ``limit`` after row id ``after``.

        ``filters``: see ``matching``; rows leave out the logged bodies (``entry`` has them).
        """
        where, args = matching(object_id=object_id, **filters)
        if after is not None:
            where += " AND id > ?"
            args.append(after)
        sql = f"SELECT {', '.join(COLUMNS)} FROM requests WHERE {where} ORDER BY id "
        sql += ("ASC" if after is not None else "DESC") + " LIMIT ?"
        rows = [_row(COLUMNS, row) for row in self.store.execute(sql, (*args, limit))]
        return rows if after is not None else rows[::-1]

    def entry(self, request_id):
        """One request, with its parameters and answer (masked JSON text), by ``req_…``; None if it is not kept."""
        columns = COLUMNS + BODIES + ("objects",)
        found = self.store.execute(
            f"SELECT {', '.join(columns)} FROM requests WHERE request_id = ? ORDER BY id DESC LIMIT 1", (request_id,)
        ).fetchone()
        if found is None:
            return None
        row = _row(columns, found)
        row["objects"] = row["objects"].split()
        return row

    def errors(self, limit=100):
        """Failed requests grouped by error type and code and by endpoint (method and route), newest group first.

        Each group: ``type``, ``code``, ``method``, ``route``, ``count``, ``first`` (time) and ``latest`` (the
        newest failed request of the group, an ``entries`` row).
        """
        groups = self.store.execute(
            "SELECT json_extract(error, '$.type') AS type, json_extract(error, '$.code') AS code, method, route, "
            "COUNT(*), MIN(created), MAX(id) FROM requests WHERE status >= 400 "
            "GROUP BY type, code, method, route ORDER BY MAX(id) DESC LIMIT ?",
            (limit,),
        ).fetchall()
        ids = [group[6] for group in groups]
        latest = {
            row[0]: _row(COLUMNS, row)
            for row in self.store.execute(
                f"SELECT {', '.join(COLUMNS)} FROM requests WHERE id IN ({', '.join('?' * len(ids))})", ids
            )
        }
        keys = ("type", "code", "method", "route", "count", "first")
        return [{**dict(zip(keys, group[:6], strict=True)), "latest": latest[group[6]]} for group in groups]

    def reset(self):
        """Forget every request (``workbench reset``)."""
        self.store.execute("DELETE FROM requests")


def matching(object_id=None, method=(), status=(), status_type=(), path=()):
    """A SQL condition (and its arguments) for ``stripe logs tail``'s filters: each given filter must match, and
    within one, any of its values.  ``method``: ``GET``…; ``status``: ``402``…; ``status_type``: ``2XX``, ``4XX``,
    ``5XX``; ``path``: the exact request path (``/v1/charges``).  Raises ``ValueError`` for a value that cannot
    match anything."""
    conditions, args = ["1"], []

    def any_of(condition, values):
        conditions.append("(" + " OR ".join([condition] * len(values)) + ")")
        args.extend(value for values_of_one in values for value in values_of_one)

    if object_id:
        any_of("objects LIKE ?", [(f"% {object_id} %",)])
    if method:
        any_of("method = ?", [(m.upper(),) for m in method])
    for code in status:
        if not (code.isascii() and code.isdigit() and len(code) == 3):
            raise ValueError(f"{code!r} is not an HTTP status code")
    if status:
        any_of("status = ?", [(int(code),) for code in status])
    for kind in status_type:
        if kind.upper() not in STATUS_TYPES:
            raise ValueError(f"{kind!r} is not one of {', '.join(STATUS_TYPES)}")
    if status_type:
        any_of("status BETWEEN ? AND ?", [(int(kind[0]) * 100, int(kind[0]) * 100 + 99) for kind in status_type])
    if path:
        any_of("path = ?", [(p,) for p in path])
    return " AND ".join(conditions), args


def _row(columns, values):
    row = dict(zip(columns, values, strict=True))
    row["error"] = json.loads(row["error"]) if row["error"] else None
    return row


def _bounded(text):
    return text if text is None or len(text) <= MAX_BODY_CHARS else text[:MAX_BODY_CHARS]


def init_app(app, log):
    """Time every ``/v1`` request and record it once its answer (success or Stripe error) is ready."""

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def record(response):  # also after an earlier before_request handler answered (then the clock reads 0)
        if request.path.startswith("/v1/") and request.method != "OPTIONS":
            ctx = g.get("context")
            body = g.get("answer")
            if body is None:  # an error answered by the app's handlers, not by the endpoint
                try:
                    body = json.loads(response.get_data())
                except ValueError:
                    body = None
            params = g.get("params")
            log.record(
                method=request.method,
                path=request.path,
                route=route_of(request),
                status=response.status_code,
                request_id=response.headers.get("Request-Id"),
                idempotency_key=request.headers.get("Idempotency-Key"),
                key_type=("publishable" if ctx.publishable else "secret") if ctx else None,
                api_version=ctx.api_version if ctx else None,
                duration_ms=(time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
                objects=touched_ids(request.path, body),
                error=error_of(body),
                params=None if params is None else mask_json(to_json(params)),
                response=mask_json(response.get_data(as_text=True)) if body is not None else None,
            )
        return response


def route_of(req):
    """The route a request matched, as Stripe's docs write it: ``/v1/payment_intents/:id/confirm``.

    A path no route knows keeps its own segments, with object ids made ``:id`` so its failures group together.
    """
    rule = req.url_rule.rule if req.url_rule is not None else ""
    if rule and "<path:" not in rule:
        return _route(rule)
    return "/".join(":id" if OBJECT_ID.match(part) else part for part in req.path.split("/"))


@functools.cache
def _route(rule):
    """``/v1/payment_intents/<pi_id>/confirm`` → ``/v1/payment_intents/:id/confirm`` (once per route)."""
    return re.sub(r"<[^>]+>", ":id", rule)


def error_of(body):
    """A failed answer's error, reduced to what ``stripe logs tail`` prints about it; None for a success."""
    error = (body or {}).get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    return {field: error[field] for field in ERROR_FIELDS if error.get(field) is not None}


def touched_ids(path, body):
    """The ids in the path, and in the answer (``body``, None if it was not JSON): the object's own id and the
    PaymentIntent/charge it belongs to."""
    ids = {part for part in path.split("/") if OBJECT_ID.match(part)}
    if not isinstance(body, dict):
        return ids
    error = body.get("error") or {}
    for obj in (body, error, error.get("payment_intent") or {}):  # a card error names its charge and PaymentIntent
        if obj.get("object") == "list":
            continue
        for key in ("id", *LINKED_FIELDS):
            if isinstance(obj.get(key), str) and OBJECT_ID.match(obj[key]):
                ids.add(obj[key])
    return ids
