"""A SQLite file shared safely by threads and processes (the sandbox's store; the shop's orders reuse it).

The file is its owner's alone (0600, in a 0700 directory if it makes one): both
databases hold secrets — client secrets, ``whsec_`` signing secrets, emails.

One connection per thread, WAL journal, and ``BEGIN IMMEDIATE`` transactions so a
read-modify-write never interleaves with another writer.  Threads of one process
take a lock before ``BEGIN IMMEDIATE``: SQLite's own busy handler sleeps and polls
(1, 2, 5, 10… 100 ms), so under load a writer that had waited long kept losing to
newcomers.  Other processes still meet SQLite's lock and its 30 s busy timeout.

Checkpoints (copying the WAL back into the database file, with two fsyncs) run in one
background thread per process, every second, instead of inside whichever commit
crossed SQLite's 1,000-page mark: that commit, about one request in 25, took
milliseconds, and the sandbox's create+confirm ran 6–10% slower (BENCHMARKS.md).
"""

import os
import sqlite3
import threading
import time
import weakref
from contextlib import contextmanager

CHECKPOINT_SECONDS = 1.0
_open = weakref.WeakSet()  # every Database of this process, for the checkpointer
_checkpointer_started = threading.Lock()
_checkpointer = []


def _checkpoint_forever():
    """Every ``CHECKPOINT_SECONDS``, a passive checkpoint of each open database (it never blocks a writer)."""
    while True:
        time.sleep(CHECKPOINT_SECONDS)
        for database in list(_open):
            try:
                database.checkpoint()
            except sqlite3.Error:
                pass  # busy: the next round tries again


def _start_checkpointer():
    with _checkpointer_started:
        if not _checkpointer:
            _checkpointer.append(threading.Thread(target=_checkpoint_forever, name="sqlite-checkpoint", daemon=True))
            _checkpointer[0].start()


class _Lease:
    """A pooled connection lent to one thread; handed back when the thread's locals go away.

    A connection is only ever closed by the thread that holds it, or from the pool where nobody holds it: closing
    one that another thread is using crashes the process (SQLite frees what that thread is still reading).
    """

    def __init__(self, database, db):
        self.database, self.db = database, db

    def __del__(self):
        if self.db.in_transaction:
            return  # a thread that died mid-transaction: its connection is not fit to lend again
        self.database._pool.append(self.db)
        if self.database.closed:  # handed back after ``Database.close``: close it, and nothing else is pooled
            self.database._drain()


def owner_only(path):
    """Create ``path`` readable by its owner only, or tighten it; SQLite gives its -wal and -shm files the same mode."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDONLY, 0o600))
    for name in (path, path + "-wal", path + "-shm"):
        if os.path.exists(name) and os.stat(name).st_mode & 0o077:
            os.chmod(name, 0o600)  # written world-readable by an older version
    return path


class Database:
    """One SQLite file shared safely by threads and processes (WAL, one connection per thread, owner-only).

    Writers in this process queue on a lock instead of polling SQLite's busy timeout, so a burst stays fast.
    """

    def __init__(self, path, schema):
        self.path = owner_only(path)  # client secrets, webhook secrets, emails
        self._local = threading.local()
        self._pool = []  # list.append/pop are atomic: no lock needed
        self.closed = False
        self._checkpointing = threading.Lock()  # the checkpointer's own connection, never a lent one
        self._checkpoint_db = None
        self._writer = threading.Lock()  # this process's writers wait here, woken at once, not polling SQLite
        self.connection().executescript(schema)
        _open.add(self)
        _start_checkpointer()

    def connection(self):
        """This thread's connection; reused from the pool, since the dev server makes a thread per request."""
        lease = getattr(self._local, "lease", None)
        if lease is None:
            try:
                db = self._pool.pop()
            except IndexError:
                db = self._connect()
            lease = self._local.lease = _Lease(self, db)
        return lease.db

    def _connect(self):
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA busy_timeout=30000")
        db.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer thread does it (module docstring)
        return db

    def checkpoint(self):
        """Copy the WAL back into the database file, without blocking a writer (the checkpointer thread calls it)."""
        with self._checkpointing:
            if self.closed:
                return
            if self._checkpoint_db is None:
                self._checkpoint_db = self._connect()
            self._checkpoint_db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self):
        """Close this Database's connections once its server has stopped: now those nobody holds, the rest as
        their threads end (a webhook still being sent finishes first).

        Pooled connections outlive the threads that used them, so without this each shop or sandbox started and
        stopped in one process (a kernel, a test run) kept its files open: a few dozen descriptors each.
        """
        self.closed = True
        _open.discard(self)
        with self._checkpointing:
            if self._checkpoint_db is not None:
                self._checkpoint_db.close()
        lease = getattr(self._local, "lease", None)
        if lease is not None:
            del self._local.lease  # this thread's own connection: handed back, so closed below
        self._drain()

    def _drain(self):
        """Close every pooled connection; ``pop`` is atomic, so each is closed once, by whoever took it."""
        while True:
            try:
                db = self._pool.pop()
            except IndexError:
                return
            db.close()

    def execute(self, sql, args=()):
        """Run one statement on this thread's connection."""
        return self.connection().execute(sql, args)

    @contextmanager
    def transaction(self):
        """Run a block atomically; nested calls join the outer transaction."""
        db = self.connection()
        if db.in_transaction:
            yield db
            return
        with self._writer:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def savepoint(self):
        """Inside a transaction: undo just this block's changes if it raises, and keep the rest."""
        db = self.connection()
        db.execute("SAVEPOINT block")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK TO block")
            raise
        finally:
            db.execute("RELEASE block")
