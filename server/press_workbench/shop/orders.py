"""Orders: priced from the catalog, paid through one PaymentIntent each, settled only from Stripe's data.

An order moves ``awaiting_payment → paid | failed | canceled``, ``paid →
refunded``, and through ``processing`` while a bank debit (SEPA Direct Debit) that
Stripe has accepted has not settled: ``processing → paid | failed``.  A failed order
can be paid again.  Every change is appended to ``order_history`` with its source
(return page, webhook, reconciliation), and a change is applied only from a
PaymentIntent retrieved with the secret key or carried by a verified webhook event —
never from what a browser says.
"""

import hashlib
import json
import os
import secrets
import sqlite3
import time
from dataclasses import dataclass, field, replace

from press_workbench.sandbox import Database

from .errors import ShopError

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id              TEXT PRIMARY KEY,
    status          TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    amount_received INTEGER NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL,
    email           TEXT,
    items           TEXT NOT NULL,
    payment_intent  TEXT UNIQUE,
    client_secret   TEXT,
    idempotency_key TEXT UNIQUE,
    request_fingerprint TEXT,
    created         INTEGER NOT NULL,
    updated         INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS order_history (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id TEXT NOT NULL REFERENCES orders(id),
    status   TEXT NOT NULL,
    source   TEXT NOT NULL,
    detail   TEXT,
    created  INTEGER NOT NULL
);
-- an order's history is read with the order (every page, API answer and webhook): without this index each read
-- scanned the whole table, so settling slowed down as orders accumulated (BENCHMARKS.md)
CREATE INDEX IF NOT EXISTS order_history_by_order ON order_history(order_id, id);
CREATE TABLE IF NOT EXISTS processed_events (
    id       TEXT PRIMARY KEY,
    type     TEXT NOT NULL,
    received INTEGER NOT NULL
);
"""

# PaymentIntent status → order status (statuses not listed leave the order as it is).
ORDER_STATUS_FOR = {"processing": "processing", "succeeded": "paid", "canceled": "canceled"}
ALLOWED = {
    "awaiting_payment": {"processing", "paid", "failed", "canceled"},
    "processing": {"paid", "failed"},  # Stripe cannot cancel a PaymentIntent that is processing
    "failed": {"processing", "paid", "failed", "canceled", "awaiting_payment"},
    "paid": {"refunded"},
    "canceled": set(),
    "refunded": set(),
}
OPEN = ("awaiting_payment", "processing", "failed")  # a payment may still settle these
MAX_DETAIL = 500  # characters of a history entry (Stripe's decline messages are far shorter)
IDEMPOTENCY_TTL = 24 * 3600  # seconds a key replays its order, as at Stripe


class OrderError(ShopError):
    """A change the order's lifecycle refuses, or a PaymentIntent that does not belong to the order it claims."""

    status = 409
    title = "This order can't change that way"

    def __init__(self, message):
        super().__init__("order_state", message)


@dataclass
class OrderRecord:
    """One order as the shop stores it; ``to_api`` is what ``GET /api/orders/<id>`` shows (never the client secret)."""

    id: str
    status: str
    amount: int
    amount_received: int
    currency: str
    email: str | None
    items: list
    payment_intent: str | None
    client_secret: str | None
    created: int
    updated: int
    history: list = field(default_factory=list)

    def to_api(self):
        """The order as the JSON API shows it: never the client secret, which only the checkout page needs."""
        data = {
            k: getattr(self, k)
            for k in (
                "id",
                "status",
                "amount",
                "amount_received",
                "currency",
                "email",
                "items",
                "payment_intent",
                "created",
                "updated",
            )
        }
        data["history"] = self.history
        return data


class OrderStore(Database):
    """The shop's orders in SQLite (``<data dir>/shop.sqlite3``, owner-only).

    Each status change is written with its source in the same transaction as the change, so the history an order page
    shows can never disagree with the status.
    """

    def __init__(self, data_dir):
        super().__init__(os.path.join(data_dir, "shop.sqlite3"), SCHEMA)  # owner-only: emails, client secrets
        self._add_column("request_fingerprint TEXT")  # databases made before idempotency compared bodies

    def _add_column(self, definition):
        try:
            self.execute(f"ALTER TABLE orders ADD COLUMN {definition}")
        except sqlite3.OperationalError as exc:
            if "duplicate column name" not in str(exc):  # the schema already has it; anything else is real
                raise

    def create(self, lines, currency, email, idempotency=None):
        """A new order, or the one its client already made with this idempotency key; returns (order, created).

        ``idempotency``: ``{"key", "scope", "fingerprint"}``.  As at Stripe, a key belongs
        to whoever first used it (``scope``: ``server/press_workbench/shop/security.py``) for 24 hours, and
        a key reused with a different request (``fingerprint``) is an ``idempotency_error``,
        never the first request's answer.  The column keeps a digest of scope and key.
        """
        now = int(time.time())
        stored_key = fingerprint = None
        if idempotency is not None:
            scoped = f"{idempotency['scope']}\n{idempotency['key']}".encode()
            stored_key, fingerprint = hashlib.sha256(scoped).hexdigest(), idempotency["fingerprint"]
        with self.transaction():
            if stored_key is not None:
                self.execute(  # an expired key is released: the next request with it makes a new order
                    "UPDATE orders SET idempotency_key = NULL WHERE idempotency_key = ? AND created <= ?",
                    (stored_key, now - IDEMPOTENCY_TTL),
                )
                row = self.execute(
                    "SELECT id, request_fingerprint FROM orders WHERE idempotency_key = ?", (stored_key,)
                ).fetchone()
                if row and row["request_fingerprint"] not in (None, fingerprint):
                    raise ShopError(
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters they were "
                        f"first used with. Try using a key other than '{idempotency['key']}' if you meant to "
                        "execute a different request.",
                        "Idempotency-Key",
                    )
                if row:
                    return self.get(row["id"]), False
            order = OrderRecord(
                id="ord_" + secrets.token_urlsafe(12).replace("-", "x").replace("_", "y"),
                status="awaiting_payment",
                amount=sum(line["amount"] for line in lines),
                amount_received=0,
                currency=currency,
                email=email,
                items=lines,
                payment_intent=None,
                client_secret=None,
                created=now,
                updated=now,
            )
            self.execute(
                "INSERT INTO orders(id, status, amount, currency, email, items, idempotency_key, request_fingerprint, "
                "created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    order.id,
                    order.status,
                    order.amount,
                    currency,
                    email,
                    json.dumps(lines),
                    stored_key,
                    fingerprint,
                    now,
                    now,
                ),
            )
            order.history.append(self._record(order.id, order.status, "shop", "order created"))
        return order, True  # what was just written: reading it back cost two queries per order (BENCHMARKS.md)

    def attach_payment_intent(self, order, pi_id, client_secret):
        """Record the order's PaymentIntent; returns the order as now stored."""
        now = int(time.time())
        with self.transaction():
            self.execute(
                "UPDATE orders SET payment_intent = ?, client_secret = ?, updated = ? WHERE id = ?",
                (pi_id, client_secret, now, order.id),
            )
        return replace(order, payment_intent=pi_id, client_secret=client_secret, updated=now)

    def get(self, order_id):
        """An order with its lines and history, or None; the idempotency columns stay private to the store."""
        row = self.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            return None
        data = dict(row)
        for private in ("idempotency_key", "request_fingerprint"):
            data.pop(private)
        data["items"] = json.loads(data["items"])
        history = self.execute(
            "SELECT status, source, detail, created FROM order_history WHERE order_id = ? ORDER BY id", (order_id,)
        )
        return OrderRecord(**data, history=[dict(h) for h in history])

    def open_orders(self):
        """Orders a payment may still settle, oldest first (those without a PaymentIntent cannot have been paid)."""
        rows = self.execute(
            f"SELECT id FROM orders WHERE status IN ({', '.join('?' * len(OPEN))}) AND payment_intent IS NOT NULL "
            "ORDER BY created",
            OPEN,
        ).fetchall()
        return [self.get(row["id"]) for row in rows]

    def by_payment_intent(self, pi_id):
        """The order a PaymentIntent belongs to, as a webhook names only the PaymentIntent."""
        row = self.execute("SELECT id FROM orders WHERE payment_intent = ?", (pi_id,)).fetchone()
        return self.get(row["id"]) if row else None

    def apply_payment_intent(self, order, pi, source):
        """Move the order to what the PaymentIntent says, if it really is this order's; returns the order."""
        check_belongs(order, pi)
        status = ORDER_STATUS_FOR.get(pi["status"])
        detail = f"{pi['id']} {pi['status']}"
        if pi["status"] == "requires_payment_method" and pi["last_payment_error"]:  # a failed attempt
            status = "failed"
            detail += f": {pi['last_payment_error'].get('message') or 'declined'}"
        return self.transition(order.id, status, source, detail, amount_received=pi["amount_received"])

    def transition(self, order_id, status, source, detail, amount_received=None):
        """Apply a status change if the lifecycle allows it (events may arrive late or twice)."""
        detail = detail[:MAX_DETAIL]
        with self.transaction():
            current = self.get(order_id)
            repeated = current.history and current.history[-1]["detail"] == detail
            if status in ALLOWED[current.status] and not repeated:
                now = int(time.time())
                self.execute(
                    "UPDATE orders SET status = ?, amount_received = COALESCE(?, amount_received), updated = ? "
                    "WHERE id = ?",
                    (status, amount_received, now, order_id),
                )
                self._record(order_id, status, source, detail)
        return self.get(order_id)

    def first_time_event(self, event_id, event_type):
        """True the first time an event id is seen: each webhook event is processed once."""
        cur = self.execute(
            "INSERT OR IGNORE INTO processed_events(id, type, received) VALUES (?, ?, ?)",
            (event_id, event_type, int(time.time())),
        )
        return cur.rowcount == 1

    def _record(self, order_id, status, source, detail):
        """Append to the order's history; returns the entry as ``OrderRecord.history`` lists it."""
        entry = {"status": status, "source": source, "detail": detail, "created": int(time.time())}
        self.execute(
            "INSERT INTO order_history(order_id, status, source, detail, created) VALUES (?, ?, ?, ?, ?)",
            (order_id, status, source, detail, entry["created"]),
        )
        return entry

    def reset(self):
        """Forget every order (``workbench reset``), in one transaction so a half-wiped store is never seen."""
        with self.transaction():
            for table in ("order_history", "processed_events", "orders"):
                self.execute(f"DELETE FROM {table}")


def check_belongs(order, pi):
    """A PaymentIntent settles an order only if it is the order's own, for the order's amount."""
    metadata = pi["metadata"] or {}
    if (
        pi["id"] != order.payment_intent
        or metadata.get("order_id") != order.id
        or pi["amount"] != order.amount
        or pi["currency"] != order.currency
    ):
        raise OrderError(f"PaymentIntent {pi['id']} does not belong to order {order.id}.")
