"""SQLite persistence for the sandbox: one JSON document per Stripe object.

Each write touches one row (unlike localstripe, which rewrites its whole store on
every change), so the rate stays flat as the store grows.  Connections are
per-thread, the database runs in WAL mode, and read-modify-write sequences run
inside ``BEGIN IMMEDIATE`` so several threads or processes can share one file.
"""

import json
import os
import time
from collections import Counter
from dataclasses import astuple, dataclass, fields

from .database import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    id      TEXT PRIMARY KEY,
    type    TEXT NOT NULL,
    created INTEGER NOT NULL,
    body    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_by_type ON objects(type, created);
CREATE TABLE IF NOT EXISTS idempotency (
    api_key     TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER,
    body        TEXT,
    created     INTEGER NOT NULL,
    PRIMARY KEY (api_key, key)
);
CREATE TABLE IF NOT EXISTS deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT NOT NULL,
    endpoint_id  TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt REAL NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',  -- pending, sending (leased), delivered, failed
    last_status  INTEGER,
    last_error   TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id   INTEGER NOT NULL,
    event_id      TEXT NOT NULL,
    endpoint_id   TEXT NOT NULL,
    attempt       INTEGER NOT NULL,  -- 1 for the first POST of this event to this endpoint
    started       REAL NOT NULL,     -- unix time
    duration_ms   INTEGER NOT NULL,
    status        INTEGER,           -- the endpoint's HTTP status; NULL when it did not answer
    error         TEXT,              -- NULL when delivered; else "HTTP 500", "Connection refused", "timed out"…
    response_body TEXT NOT NULL,     -- the first RESPONSE_EXCERPT characters of the answer
    next_retry    REAL               -- when the next attempt is due; NULL once delivered or given up
);
CREATE INDEX IF NOT EXISTS delivery_attempts_by_endpoint ON delivery_attempts(endpoint_id, id);
CREATE INDEX IF NOT EXISTS delivery_attempts_by_event ON delivery_attempts(event_id, id);
"""
# One encoder for every compact JSON the sandbox writes: json.dumps with separators builds a new encoder per call,
# which was a tenth of a payment's time in the store (BENCHMARKS.md).
to_json = json.JSONEncoder(separators=(",", ":")).encode
RESPONSE_EXCERPT = 1000  # characters of an endpoint's answer kept per attempt, as in Stripe's delivery log


@dataclass(frozen=True)
class Attempt:
    """One POST of an event to a webhook endpoint: a row of the delivery log."""

    delivery_id: int
    event_id: str
    endpoint_id: str
    attempt: int
    started: float
    duration_ms: int
    status: int | None
    error: str | None
    response_body: str
    next_retry: float | None

    @property
    def delivered(self):
        """Whether the endpoint answered at all (any HTTP status), as opposed to a connection error."""
        return self.error is None


ATTEMPT_COLUMNS = [f.name for f in fields(Attempt)]


class Store(Database):
    """Typed access to the sandbox database file ``<data_dir>/sandbox.sqlite3``."""

    def __init__(self, data_dir):
        super().__init__(os.path.join(data_dir, "sandbox.sqlite3"), SCHEMA)

    # -- objects ---------------------------------------------------------
    def get(self, object_id, type=None):
        """A stored object by id, or None; with ``type``, only an object of that type."""
        row = self.execute("SELECT type, body FROM objects WHERE id = ?", (object_id,)).fetchone()
        if row is None or (type and row[0] != type):
            return None
        return json.loads(row[1])

    def put(self, obj):
        """Insert or replace an object (it must carry ``id`` and ``object``); lists order by ``created``, or by
        when it was first stored for the objects Stripe shows no creation time for (mandates)."""
        self.execute(
            "INSERT INTO objects(id, type, created, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            (obj["id"], obj["object"], obj.get("created") or int(time.time()), to_json(obj)),
        )
        return obj

    def all_of(self, type):
        """Every object of a type, oldest first (for the few there are of, such as webhook endpoints)."""
        rows = self.execute("SELECT body FROM objects WHERE type = ? ORDER BY created, rowid", (type,))
        return [json.loads(row[0]) for row in rows]

    def delete(self, object_id):
        """Remove an object (webhook endpoints are the only objects Stripe lets you delete)."""
        self.execute("DELETE FROM objects WHERE id = ?", (object_id,))

    def list(self, type, limit=10, starting_after=None, ending_before=None, where=None, created=None):
        """Newest first, like Stripe's list endpoints; returns (objects, has_more).

        ``where`` holds equality filters on fields (``None``: the field is null or absent, as a customer that was
        not deleted); ``created`` maps comparison operators (``>``, ``>=``, ``<``, ``<=``, ``=``) to timestamps.
        """
        sql, args = "SELECT body FROM objects WHERE type = ?", [type]
        for op, value in (created or {}).items():
            if op not in (">", ">=", "<", "<=", "="):
                raise ValueError(f"unknown comparison {op!r}")
            sql += f" AND created {op} ?"
            args.append(value)
        order = "DESC"
        if starting_after:
            sql += " AND (created, rowid) < (SELECT created, rowid FROM objects WHERE id = ?)"
            args.append(starting_after)
        elif ending_before:
            sql += " AND (created, rowid) > (SELECT created, rowid FROM objects WHERE id = ?)"
            args.append(ending_before)
            order = "ASC"
        for field, value in (where or {}).items():
            if value is None:
                sql += f" AND json_extract(body, '$.{field}') IS NULL"
                continue
            sql += f" AND json_extract(body, '$.{field}') = ?"
            args.append(value)
        sql += f" ORDER BY created {order}, rowid {order} LIMIT ?"
        args.append(limit + 1)
        rows = [json.loads(r[0]) for r in self.execute(sql, args)]
        has_more = len(rows) > limit
        rows = rows[:limit]
        if order == "ASC":
            rows.reverse()
        return rows, has_more

    # -- idempotency -----------------------------------------------------
    def idempotency_lookup(self, api_key, key):
        """The saved (fingerprint, status, body) for a key, or None.

        Rows without a status were left "in progress" by an older sandbox that died mid-request;
        they are ignored, so the retry runs (answers are now saved in the request's own transaction).
        """
        return self.execute(
            "SELECT fingerprint, status, body FROM idempotency WHERE api_key = ? AND key = ? AND status IS NOT NULL",
            (api_key, key),
        ).fetchone()

    def idempotency_save(self, api_key, key, fingerprint, status, body):
        """Keep a request's answer under its idempotency key, in the request's own transaction."""
        self.execute(
            "INSERT OR REPLACE INTO idempotency(api_key, key, fingerprint, status, body, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (api_key, key, fingerprint, status, body, int(time.time())),
        )

    # -- webhook deliveries ----------------------------------------------
    def enqueue_delivery(self, event_id, endpoint_id):
        """Queue an event for an endpoint, due now; the worker sends it after the request commits."""
        self.execute(
            "INSERT INTO deliveries(event_id, endpoint_id, next_attempt) VALUES (?, ?, ?)",
            (event_id, endpoint_id, time.time()),
        )

    def claim_due_deliveries(self, lease_seconds, limit, in_flight=None, per_endpoint=None):
        """Lease up to ``limit`` due deliveries, oldest first, so no other worker sends them meanwhile.

        ``in_flight`` (endpoint id → deliveries the caller is sending) and ``per_endpoint`` cap what one
        endpoint may take; endpoints at their cap are skipped so a slow one does not hold up the rest.
        A lease that runs out (its worker died mid-POST) makes the delivery due again.
        """
        now, in_flight = time.time(), Counter(in_flight or {})
        full = [ep for ep, n in in_flight.items() if per_endpoint and n >= per_endpoint]
        due = "SELECT 1 FROM deliveries WHERE state IN ('pending', 'sending') AND next_attempt <= ? LIMIT 1"
        if self.execute(due, (now,)).fetchone() is None:  # a read first: an idle poll takes no write lock
            return []
        with self.transaction() as db:
            candidates = db.execute(
                "SELECT id, event_id, endpoint_id, attempts FROM deliveries "
                "WHERE state IN ('pending', 'sending') AND next_attempt <= ? "
                f"AND endpoint_id NOT IN ({', '.join('?' * len(full))}) ORDER BY next_attempt, id LIMIT ?",
                (now, *full, limit * 4),
            ).fetchall()
            rows = []
            for row in candidates:
                if len(rows) < limit and not (per_endpoint and in_flight[row[2]] >= per_endpoint):
                    in_flight[row[2]] += 1
                    rows.append(tuple(row))
            db.executemany(
                "UPDATE deliveries SET state = 'sending', next_attempt = ? WHERE id = ?",
                [(now + lease_seconds, row[0]) for row in rows],
            )
        return rows

    def record_attempt(self, attempt):
        """Log one ``Attempt`` and move its delivery on: retry at ``next_retry``, delivered, or given up."""
        state = "pending" if attempt.next_retry else ("delivered" if attempt.delivered else "failed")
        with self.transaction() as db:
            columns, marks = ", ".join(ATTEMPT_COLUMNS), ", ".join("?" * len(ATTEMPT_COLUMNS))
            db.execute(f"INSERT INTO delivery_attempts({columns}) VALUES ({marks})", astuple(attempt))
            db.execute(
                "UPDATE deliveries SET attempts = ?, last_status = ?, last_error = ?, state = ?, next_attempt = ? "
                "WHERE id = ?",
                (attempt.attempt, attempt.status, attempt.error, state, attempt.next_retry or 0, attempt.delivery_id),
            )
            if attempt.delivered:
                db.execute(
                    "UPDATE objects SET body = json_set(body, '$.pending_webhooks', "
                    "max(json_extract(body, '$.pending_webhooks') - 1, 0)) WHERE id = ?",
                    (attempt.event_id,),
                )

    def retry_unreachable_now(self, endpoint_id):
        """Make due the deliveries waiting because ``endpoint_id`` did not answer (it answers again)."""
        now = time.time()
        waiting = (
            "WHERE endpoint_id = ? AND state = 'pending' AND attempts > 0 AND last_status IS NULL AND next_attempt > ?"
        )
        if self.execute(f"SELECT 1 FROM deliveries {waiting} LIMIT 1", (endpoint_id, now)).fetchone():  # reads are free
            with self.transaction() as db:
                db.execute(f"UPDATE deliveries SET next_attempt = ? {waiting}", (now, endpoint_id, now))

    def give_up_delivery(self, delivery_id, error):
        """Stop a delivery without an attempt (its endpoint was deleted or disabled)."""
        self.execute("UPDATE deliveries SET state = 'failed', last_error = ? WHERE id = ?", (error, delivery_id))

    def delivery_attempts(self, endpoint_id=None, event_id=None, limit=100):
        """The delivery log, newest first, for one endpoint and/or one event: a list of ``Attempt``."""
        sql, args = f"SELECT {', '.join(ATTEMPT_COLUMNS)} FROM delivery_attempts WHERE 1", []
        for column, value in (("endpoint_id", endpoint_id), ("event_id", event_id)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        rows = self.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
        return [Attempt(*row) for row in rows]

    def reset(self, keep_types=()):
        """Forget every object (but those of ``keep_types``), idempotency key and delivery, in one transaction."""
        with self.transaction() as db:
            keep = ",".join("?" * len(keep_types))
            db.execute(f"DELETE FROM objects WHERE type NOT IN ({keep})", tuple(keep_types))
            for table in ("idempotency", "deliveries", "delivery_attempts"):
                db.execute(f"DELETE FROM {table}")
