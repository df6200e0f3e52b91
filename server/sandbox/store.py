"""SQLite persistence for the sandbox: one JSON document per Stripe object.

Each write touches one row (unlike localstripe, which rewrites its whole store on
every change), so the rate stays flat as the store grows.  Connections are
per-thread, the database runs in WAL mode, and read-modify-write sequences run
inside ``BEGIN IMMEDIATE`` so several threads or processes can share one file.
"""

import json
import os
import time

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
    state        TEXT NOT NULL DEFAULT 'pending',
    last_status  INTEGER,
    last_error   TEXT
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_attempt);
"""


class Store(Database):
    """Typed access to the sandbox database file ``<data_dir>/sandbox.sqlite3``."""

    def __init__(self, data_dir):
        super().__init__(os.path.join(data_dir, "sandbox.sqlite3"), SCHEMA)

    # -- objects ---------------------------------------------------------
    def get(self, object_id, type=None):
        row = self.execute("SELECT type, body FROM objects WHERE id = ?", (object_id,)).fetchone()
        if row is None or (type and row[0] != type):
            return None
        return json.loads(row[1])

    def put(self, obj):
        """Insert or replace an object (it must carry ``id``, ``object`` and ``created``)."""
        self.execute(
            "INSERT INTO objects(id, type, created, body) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET body = excluded.body",
            (obj["id"], obj["object"], obj["created"], json.dumps(obj, separators=(",", ":"))),
        )
        return obj

    def delete(self, object_id):
        self.execute("DELETE FROM objects WHERE id = ?", (object_id,))

    def list(self, type, limit=10, starting_after=None, ending_before=None, where=None, created=None):
        """Newest first, like Stripe's list endpoints; returns (objects, has_more).

        ``where`` holds equality filters on fields; ``created`` maps comparison operators
        (``>``, ``>=``, ``<``, ``<=``, ``=``) to timestamps.
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
    def idempotency_claim(self, api_key, key, fingerprint):
        """Record a key as in flight, or return the existing (fingerprint, status, body) row."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT fingerprint, status, body FROM idempotency WHERE api_key = ? AND key = ?", (api_key, key)
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO idempotency(api_key, key, fingerprint, created) VALUES (?, ?, ?, ?)",
                    (api_key, key, fingerprint, int(time.time())),
                )
            return row

    def idempotency_save(self, api_key, key, status, body):
        self.execute(
            "UPDATE idempotency SET status = ?, body = ? WHERE api_key = ? AND key = ?", (status, body, api_key, key)
        )

    def idempotency_release(self, api_key, key):
        self.execute("DELETE FROM idempotency WHERE api_key = ? AND key = ?", (api_key, key))

    # -- webhook deliveries ----------------------------------------------
    def enqueue_delivery(self, event_id, endpoint_id):
        self.execute(
            "INSERT INTO deliveries(event_id, endpoint_id, next_attempt) VALUES (?, ?, ?)",
            (event_id, endpoint_id, time.time()),
        )

    def claim_due_deliveries(self, lease_seconds=30, limit=20):
        """Take due deliveries for this worker, leasing them so other processes skip them."""
        now = time.time()
        with self.transaction() as db:
            rows = db.execute(
                "SELECT id, event_id, endpoint_id, attempts FROM deliveries "
                "WHERE state = 'pending' AND next_attempt <= ? ORDER BY id LIMIT ?",
                (now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE deliveries SET next_attempt = ? WHERE id = ?", [(now + lease_seconds, r[0]) for r in rows]
            )
        return rows

    def finish_delivery(self, delivery_id, attempts, status, error, next_attempt=None):
        state = "pending" if next_attempt else ("delivered" if error is None else "failed")
        self.execute(
            "UPDATE deliveries SET attempts = ?, last_status = ?, last_error = ?, state = ?, next_attempt = ? "
            "WHERE id = ?",
            (attempts, status, error, state, next_attempt or 0, delivery_id),
        )

    def reset(self):
        with self.transaction() as db:
            for table in ("objects", "idempotency", "deliveries"):
                db.execute(f"DELETE FROM {table}")
