"""Sandbox state survives a restart, is shared safely by several processes, and `workbench reset` clears it."""

import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import stripe

from press_workbench.sandbox import SECRET_KEY
from press_workbench.sandbox.serving import start_sandbox

pytestmark = pytest.mark.sandbox_only("restarts and shares sandboxes of its own")


def client_for(url):
    return stripe.StripeClient(SECRET_KEY, base_addresses={"api": url})


def test_state_survives_a_restart(tmp_path):
    first = start_sandbox(str(tmp_path))
    pi = client_for(first.url).v1.payment_intents.create(
        params={"amount": 2300, "currency": "usd"}, options={"idempotency_key": "k"}
    )
    first.stop()
    second = start_sandbox(str(tmp_path))
    client = client_for(second.url)
    assert client.v1.payment_intents.retrieve(pi.id).amount == 2300
    assert (
        client.v1.payment_intents.create(
            params={"amount": 2300, "currency": "usd"}, options={"idempotency_key": "k"}
        ).id
        == pi.id
    )
    second.stop()


def test_two_servers_on_one_data_dir_share_state(tmp_path):
    a, b = start_sandbox(str(tmp_path)), start_sandbox(str(tmp_path))
    pi = client_for(a.url).v1.payment_intents.create(
        params={"amount": 2300, "currency": "usd", "payment_method_types": ["card"]}
    )
    done = client_for(b.url).v1.payment_intents.confirm(pi.id, params={"payment_method": "pm_card_visa"})
    assert done.status == "succeeded"
    assert client_for(a.url).v1.payment_intents.retrieve(pi.id).status == "succeeded"
    a.stop()
    b.stop()


def test_workbench_reset_clears_orders_and_sandbox(tmp_path):
    running = start_sandbox(str(tmp_path))
    pi = client_for(running.url).v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    env = {**os.environ, "WORKBENCH_DATA_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "press_workbench.launch.cli", "reset", "--yes"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "Cleared" in result.stdout
    try:
        client_for(running.url).v1.payment_intents.retrieve(pi.id)
        raise AssertionError("reset left the PaymentIntent behind")
    except stripe.InvalidRequestError as exc:
        assert exc.code == "resource_missing"
    running.stop()


def test_the_store_is_readable_by_its_owner_only(tmp_path):
    """It holds client secrets and every endpoint's ``whsec_``."""
    data_dir = tmp_path / "new"
    running = start_sandbox(str(data_dir))
    client_for(running.url).v1.webhook_endpoints.create(
        params={"url": "http://127.0.0.1:9/hook", "enabled_events": ["charge.refunded"]}
    )
    modes = {path.name: oct(path.stat().st_mode & 0o777) for path in data_dir.iterdir()}
    assert oct(data_dir.stat().st_mode & 0o777) == "0o700"
    assert modes == dict.fromkeys(["sandbox.sqlite3", "sandbox.sqlite3-wal", "sandbox.sqlite3-shm"], "0o600")
    running.stop()  # its last connection closed, SQLite folds the log into the file and removes the other two
    assert {path.name: oct(path.stat().st_mode & 0o777) for path in data_dir.iterdir()} == {"sandbox.sqlite3": "0o600"}


def test_the_write_ahead_log_is_checkpointed_in_the_background(tmp_path):
    """Commits never checkpoint (that cost one request in 25 a few ms); a thread copies the log into the file."""
    from press_workbench.sandbox.database import CHECKPOINT_SECONDS, Database

    path = tmp_path / "wal.sqlite3"
    database = Database(str(path), "CREATE TABLE IF NOT EXISTS t (body TEXT);")
    assert database.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    for _ in range(300):  # past SQLite's own 1,000-page checkpoint mark
        with database.transaction() as db:
            db.execute("INSERT INTO t VALUES (?)", ("x" * 8000,))

    def rows_in_the_file_alone():
        """The database file without its -wal: what a checkpoint has copied there."""
        copy = tmp_path / "copy.sqlite3"
        shutil.copyfile(path, copy)
        try:
            with sqlite3.connect(copy) as db:
                return db.execute("SELECT count(*) FROM t").fetchone()[0]
        except sqlite3.OperationalError:  # not even the table has been copied yet
            return 0

    deadline = time.monotonic() + 5 * CHECKPOINT_SECONDS
    while rows_in_the_file_alone() < 300 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert rows_in_the_file_alone() == 300


def test_closing_a_database_leaves_a_working_thread_its_connection_then_closes_it(tmp_path):
    """A stopped sandbox closes its store while a webhook's thread may still be recording a delivery.

    Closing that thread's connection under it crashed CI's test process (SQLite freed what the thread was
    reading); here the thread is stopped half-way on purpose, so the order of events is certain.
    """
    from press_workbench.sandbox.database import Database

    database = Database(str(tmp_path / "close.sqlite3"), "CREATE TABLE IF NOT EXISTS t (n INTEGER);")
    idle = database.connection()  # this thread's, as the server's request threads leave theirs: closed at once
    holding, closed, done, errors = threading.Event(), threading.Event(), [], []

    def deliver():
        try:
            mine = database.connection()
            with database.transaction() as db:
                db.execute("INSERT INTO t VALUES (1)")
            holding.set()
            closed.wait(10)
            with database.transaction() as db:  # after close: the thread finishes what it was doing
                db.execute("INSERT INTO t VALUES (2)")
            done.append((mine, [row[0] for row in mine.execute("SELECT n FROM t ORDER BY n")]))
        except sqlite3.Error as exc:  # before the fix: "Cannot operate on a closed database."
            errors.append(exc)

    worker = threading.Thread(target=deliver)
    worker.start()
    assert holding.wait(10)
    database.close()
    closed.set()
    worker.join(10)
    assert errors == []
    ((connection, rows),) = done
    assert rows == [1, 2]
    for gone in (idle, connection):  # the thread's handed back as it ended, and closed: no descriptor left open
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            gone.execute("SELECT 1")
