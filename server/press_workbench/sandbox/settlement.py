"""When a bank answers: the schedule of SEPA debits and refunds still pending, kept in SQLite.

A SEPA Direct Debit takes days at Stripe (test mode: seconds for most test IBANs, "at least three minutes" for the
delayed ones).  Offline, "later" is a setting of its own per timing, so a lesson can show ``processing`` for a
while and a test can make it instant or hold it open:

- ``normal`` (the ordinary test IBANs, and every SEPA refund): ``SANDBOX_SEPA_SETTLE_SECONDS``, default 3 s;
- ``delayed`` (the IBANs Stripe settles after three minutes): ``SANDBOX_SEPA_DELAYED_SETTLE_SECONDS``, default 30 s.

Either may be ``hold`` (``None``): nothing settles by itself until ``settle_now``.  The sandbox's own setting
(``create_sandbox_app(settle_delays=…)``, else the environment, else those defaults) can be overridden while it
runs, from any process that shares its data directory (``set_settle_delays``): a notebook whose shop runs
outside the kernel holds debits open the same way a test does.

Each pending debit or refund is a row with the time it is due, written in the same transaction as the payment
that made it, so a sandbox stopped in the middle settles it when it runs again.  One thread per sandbox, started
by the first row (or at start-up when rows are waiting), reads the due rows; each is settled in one transaction
that first marks its row done, so two sandboxes sharing a data directory never settle a payment twice.
"""

import logging
import os
import threading
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)
POLL_SECONDS = 0.25
RETRY_SECONDS = 60.0  # a settlement that raised is tried again after this (its error is logged)
TIMINGS = ("normal", "delayed")
HOLD = "hold"
ENVIRONMENT = {"normal": "SANDBOX_SEPA_SETTLE_SECONDS", "delayed": "SANDBOX_SEPA_DELAYED_SETTLE_SECONDS"}
UNCHANGED = object()

SCHEMA = """
CREATE TABLE IF NOT EXISTS settlements (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    object_id      TEXT NOT NULL,                   -- the pending charge (a debit) or refund
    payment_intent TEXT NOT NULL,
    timing         TEXT NOT NULL,                   -- normal or delayed
    due            REAL,                            -- unix time; NULL: held until settle_now
    state          TEXT NOT NULL DEFAULT 'pending'  -- pending, done
);
CREATE INDEX IF NOT EXISTS settlements_due ON settlements(state, due);
CREATE TABLE IF NOT EXISTS settle_delays (
    timing  TEXT PRIMARY KEY,                       -- normal or delayed
    seconds REAL                                    -- NULL: hold
);
"""


def parse_delay(value):
    """A delay as a person writes it: seconds (``0``, ``2.5``) or ``hold``; returns seconds or None (hold)."""
    if value is None or str(value).strip().lower() == HOLD:
        return None
    seconds = float(value)
    if seconds < 0:
        raise ValueError(f"a settling delay cannot be negative: {value!r}")
    return seconds


@dataclass(frozen=True)
class SettleDelays:
    """How long a SEPA debit stays ``processing``, per timing, in seconds (None: until ``settle_now``)."""

    normal: float | None = 3.0
    delayed: float | None = 30.0

    @classmethod
    def from_env(cls, environ=None):
        """The delays the environment asks for (``SANDBOX_SEPA_SETTLE_SECONDS``…), the defaults otherwise."""
        environ = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            **{
                timing: parse_delay(environ[name]) if environ.get(name) else getattr(defaults, timing)
                for timing, name in ENVIRONMENT.items()
            }
        )


class Settlements:
    """The ``settlements`` and ``settle_delays`` tables of a sandbox store."""

    def __init__(self, store):
        self.store = store
        store.connection().executescript(SCHEMA)

    def delay(self, timing, configured):
        """The delay for ``timing``: a run-time override if one was set, else the sandbox's ``configured`` one."""
        row = self.store.execute("SELECT seconds FROM settle_delays WHERE timing = ?", (timing,)).fetchone()
        return row[0] if row else getattr(configured, timing)

    def schedule(self, object_id, payment_intent, timing, configured):
        """Note that ``object_id`` settles after ``timing``'s delay (inside the caller's transaction)."""
        seconds = self.delay(timing, configured)
        due = None if seconds is None else time.time() + seconds
        self.store.execute(
            "INSERT INTO settlements(object_id, payment_intent, timing, due) VALUES (?, ?, ?, ?)",
            (object_id, payment_intent, timing, due),
        )

    def waiting(self):
        """Whether anything is still to settle (held or not): a restarted sandbox starts its thread for it."""
        return self.store.execute("SELECT 1 FROM settlements WHERE state = 'pending' LIMIT 1").fetchone() is not None

    def due(self, limit=50):
        """The pending rows due now, oldest first: ``(id, object_id, payment_intent)``."""
        return self.store.execute(
            "SELECT id, object_id, payment_intent FROM settlements WHERE state = 'pending' AND due <= ? "
            "ORDER BY due, id LIMIT ?",
            (time.time(), limit),
        ).fetchall()

    def take(self, row_id):
        """Mark a row done inside the settling transaction; False if another sandbox took it first."""
        cursor = self.store.execute(
            "UPDATE settlements SET state = 'done' WHERE id = ? AND state = 'pending'", (row_id,)
        )
        return cursor.rowcount == 1

    def postpone(self, row_id, seconds=RETRY_SECONDS):
        """Try a row again later (its settling raised)."""
        self.store.execute("UPDATE settlements SET due = ? WHERE id = ?", (time.time() + seconds, row_id))

    def settle_now(self, payment_intent=None):
        """Make every pending row due now (held ones too), or only ``payment_intent``'s; returns how many."""
        sql, args = "UPDATE settlements SET due = ? WHERE state = 'pending'", [time.time()]
        if payment_intent:
            sql += " AND payment_intent = ?"
            args.append(payment_intent)
        with self.store.transaction() as db:
            return db.execute(sql, args).rowcount

    def set_delays(self, normal=UNCHANGED, delayed=UNCHANGED):
        """Override the delays while the sandbox runs (seconds, or None/``hold``); later debits use them."""
        with self.store.transaction() as db:
            for timing, value in (("normal", normal), ("delayed", delayed)):
                if value is not UNCHANGED:
                    db.execute(
                        "INSERT OR REPLACE INTO settle_delays(timing, seconds) VALUES (?, ?)",
                        (timing, parse_delay(value)),
                    )

    def clear_delays(self):
        """Drop the run-time overrides: the sandbox's configured delays apply again."""
        self.store.execute("DELETE FROM settle_delays")

    def reset(self):
        """Forget every scheduled settlement (``workbench reset``); the delays stay as they are."""
        self.store.execute("DELETE FROM settlements")


class SettlementWorker:
    """The thread that settles what is due, by calling ``settle(row)`` for each row; one per sandbox."""

    def __init__(self, settlements, settle):
        self.settlements = settlements
        self.settle = settle
        self._started = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        """Start settling (at once if already started): the first scheduled debit, or a restart with rows waiting."""
        with self._started:
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(target=self._run, name="sandbox-settlement", daemon=True)
                self._thread.start()

    def stop(self, wait=False):
        """Stop settling (``wait``: until a settlement under way has ended); pending rows stay in SQLite for the next
        sandbox on this data directory."""
        self._stop.set()
        with self._started:
            thread = self._thread
        if wait and thread is not None:
            thread.join()

    def _run(self):
        while not self._stop.wait(POLL_SECONDS):
            try:
                for row in self.settlements.due():
                    if self._stop.is_set():
                        return
                    self.settle(row)
            except Exception:  # the thread must outlive a locked database or a bad row
                log.exception("settlement loop failed")
