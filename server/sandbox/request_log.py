"""The request log: one row per ``/v1`` request, what Stripe's Dashboard "Logs" page and ``stripe logs tail`` show.

Each row keeps the time, method, path, HTTP status, ``Request-Id``, ``Idempotency-Key``,
which kind of key called (``secret`` or ``publishable`` — never the key itself), the
duration, and the ids of the objects the request touched (the ids in its path and
the object it answered with, plus the PaymentIntent and charge that object points
at), so a payment's console page can list the requests that made it.  Rows are
written after the answer is built, in the sandbox's own SQLite file, and the oldest
are pruned so a load run cannot grow the table without bound.
"""

import json
import re
import time

from flask import g, request

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
"""
COLUMNS = ("id", "created", "method", "path", "status", "request_id", "idempotency_key", "key_type", "duration_ms")
OBJECT_ID = re.compile(r"^(pi|ch|re|pm|evt|we)_[A-Za-z0-9]+$")
LINKED_FIELDS = ("payment_intent", "charge", "latest_charge")


class RequestLog:
    """The ``requests`` table of a sandbox store, bounded to the newest ``max_rows`` rows."""

    def __init__(self, store, max_rows=10_000, prune_every=500):
        self.store = store
        self.max_rows = max_rows
        self.prune_every = prune_every
        self._since_prune = 0
        store.connection().executescript(SCHEMA)

    def record(self, *, method, path, status, request_id, idempotency_key, key_type, duration_ms, objects):
        """One row, written in a transaction: a bare INSERT met other threads' transactions in SQLite's busy handler,
        which sleeps 1, 2, 5, 10… ms between tries, where a transaction waits on the store's lock (database.py)."""
        self._since_prune += 1  # a racy counter is fine: pruning a little early or late changes nothing
        prune = self._since_prune >= self.prune_every
        if prune:
            self._since_prune = 0
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO requests(created, method, path, status, request_id, idempotency_key, key_type, "
                "duration_ms, objects) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    time.time(),
                    method,
                    path,
                    status,
                    request_id,
                    idempotency_key,
                    key_type,
                    round(duration_ms, 1),
                    " " + " ".join(sorted(objects)) + " ",
                ),
            )
            if prune:
                self.prune()

    def prune(self):
        """Keep only the newest ``max_rows`` rows, so the log never grows without bound."""
        self.store.execute("DELETE FROM requests WHERE id <= (SELECT MAX(id) FROM requests) - ?", (self.max_rows,))

    def entries(self, after=None, limit=100, object_id=None):
        """Rows as dicts, oldest first: the newest ``limit``, or the first ``limit`` after row id ``after``."""
        sql, args = f"SELECT {', '.join(COLUMNS)} FROM requests WHERE 1", []
        if after is not None:
            sql += " AND id > ?"
            args.append(after)
        if object_id:
            sql += " AND objects LIKE ?"
            args.append(f"% {object_id} %")
        sql += " ORDER BY id " + ("ASC" if after is not None else "DESC") + " LIMIT ?"
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in self.store.execute(sql, (*args, limit))]
        return rows if after is not None else rows[::-1]

    def reset(self):
        """Forget every request (``workbench reset``)."""
        self.store.execute("DELETE FROM requests")


def init_app(app, log):
    """Time every ``/v1`` request and record it once its answer (success or Stripe error) is ready."""

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def record(response):  # also after an earlier before_request handler answered (then the clock reads 0)
        if request.path.startswith("/v1/") and request.method != "OPTIONS":
            ctx = g.get("context")
            log.record(
                method=request.method,
                path=request.path,
                status=response.status_code,
                request_id=response.headers.get("Request-Id"),
                idempotency_key=request.headers.get("Idempotency-Key"),
                key_type=("publishable" if ctx.publishable else "secret") if ctx else None,
                duration_ms=(time.perf_counter() - g.get("started", time.perf_counter())) * 1000,
                objects=touched_ids(request.path, response, g.get("answer")),
            )
        return response


def touched_ids(path, response, body=None):
    """The ids in the path, and in the answer: the object's own id and the PaymentIntent/charge it belongs to.

    ``body``: the answer as the endpoint built it (else it is parsed from the response).
    """
    ids = {part for part in path.split("/") if OBJECT_ID.match(part)}
    if body is None:
        try:
            body = json.loads(response.get_data())
        except ValueError:
            return ids
    error = body.get("error") or {}
    for obj in (body, error, error.get("payment_intent") or {}):  # a card error names its charge and PaymentIntent
        if obj.get("object") == "list":
            continue
        for key in ("id", *LINKED_FIELDS):
            if isinstance(obj.get(key), str) and OBJECT_ID.match(obj[key]):
                ids.add(obj[key])
    return ids
