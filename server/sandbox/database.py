"""A SQLite file shared safely by threads and processes (the sandbox's store; the shop's orders reuse it).

One connection per thread, WAL journal, and ``BEGIN IMMEDIATE`` transactions so a
read-modify-write never interleaves with another writer.
"""

import os
import sqlite3
import threading
from contextlib import contextmanager


class _Lease:
    """A pooled connection lent to one thread; handed back when the thread's locals go away."""

    def __init__(self, pool, db):
        self.pool, self.db = pool, db

    def __del__(self):
        if not self.db.in_transaction:
            self.pool.append(self.db)


class Database:
    def __init__(self, path, schema):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._pool = []  # list.append/pop are atomic: no lock needed
        self.connection().executescript(schema)

    def connection(self):
        """This thread's connection; reused from the pool, since the dev server makes a thread per request."""
        lease = getattr(self._local, "lease", None)
        if lease is None:
            try:
                db = self._pool.pop()
            except IndexError:
                db = self._connect()
            lease = self._local.lease = _Lease(self._pool, db)
        return lease.db

    def _connect(self):
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    def execute(self, sql, args=()):
        return self.connection().execute(sql, args)

    @contextmanager
    def transaction(self):
        """Run a block atomically; nested calls join the outer transaction."""
        db = self.connection()
        if db.in_transaction:
            yield db
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
