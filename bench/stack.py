"""The servers a measurement drives, as real processes, and what their databases say afterwards.

``Stack`` runs a ``workbench sandbox`` and a ``workbench serve`` on 127.0.0.1 with fresh
data directories, exactly as a presenter runs them, from this checkout or from another
one (``root``: the suite's ``--compare REF`` runs the old code beside the new, so both
meet the same load from other jobs on the machine).  ``Ceiling`` is the no-op endpoint.
"""

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

from bench.common import ROOT
from tests.card_frame import http_json
from tests.processes import Workbench, free_port

SETTLING_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed")


class Stack:
    """A sandbox and a shop process (or one ``workbench serve`` with its sandbox inside: ``one_process``)."""

    def __init__(self, root=ROOT, one_process=False, env=None):
        """``env``: settings both processes get (``SHOP_CURRENCY``, the sandbox's settle delays…)."""
        self.work = Path(tempfile.mkdtemp(prefix="bench-stack-"))
        self.servers = []
        self.env = env or {}
        try:
            if one_process:
                self.shop = self._start(
                    "serve", "--port", "0", "--sandbox-port", "0", root=root, WORKBENCH_DATA_DIR=str(self.work)
                )
                self.sandbox_url = http_json("GET", f"{self.shop.url}/api/health")["sandbox_url"]
                self.sandbox_db, self.shop_db = self.work / "sandbox.sqlite3", self.work / "shop.sqlite3"
            else:
                sandbox = self._start("sandbox", "--port", "0", "--data-dir", str(self.work / "sandbox"), root=root)
                self.sandbox_url = sandbox.url
                self.shop = self._start(
                    "serve",
                    "--port",
                    str(free_port()),
                    root=root,
                    SANDBOX_URL=sandbox.url,
                    WORKBENCH_DATA_DIR=str(self.work / "shop"),
                )
                self.sandbox_db = self.work / "sandbox" / "sandbox.sqlite3"
                self.shop_db = self.work / "shop" / "shop.sqlite3"
        except BaseException:
            self.stop()
            raise
        self.shop_url = self.shop.url

    def _start(self, *args, root, **env):
        server = Workbench(*args, cwd=self.work, root=root, **self.env, **env)
        self.servers.append(server)
        return server

    def stop(self):
        for server in reversed(self.servers):
            server.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def webhook_answered(self):
        """{(PaymentIntent id, event type): unix time the shop first answered that event's delivery with a 2xx}."""
        return webhook_answered(self.sandbox_db)


class Ceiling:
    """The no-op endpoint (``bench/ceiling.py``) in its own process."""

    def __init__(self):
        self.work = Path(tempfile.mkdtemp(prefix="bench-ceiling-"))
        self.server = Workbench("0", cwd=self.work, module="bench.ceiling")
        self.url = self.server.url

    def stop(self):
        self.server.stop()
        shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def webhook_answered(sandbox_db, types=SETTLING_EVENTS):
    """From the sandbox's delivery log: when the shop answered each settling event 2xx, first time."""
    answered = {}
    with sqlite3.connect(sandbox_db) as db:
        for pi, event_type, done in db.execute(
            "SELECT json_extract(o.body, '$.data.object.id'), json_extract(o.body, '$.type'), "
            "min(a.started + a.duration_ms / 1000.0) FROM delivery_attempts a JOIN objects o ON o.id = a.event_id "
            "WHERE a.status BETWEEN 200 AND 299 GROUP BY a.event_id"
        ):
            if event_type in types:
                answered[(pi, event_type)] = min(done, answered.get((pi, event_type), done))
    return answered


def sandbox_facts(sandbox_db):
    """Intents by id, successful charges per intent, and (attempts, failed attempts) from the delivery log."""
    with sqlite3.connect(sandbox_db) as db:
        intents = {
            row[0]: json.loads(row[1])
            for row in db.execute("SELECT id, body FROM objects WHERE type = 'payment_intent'")
        }
        charges = dict(
            db.execute(
                "SELECT json_extract(body, '$.payment_intent'), count(*) FROM objects WHERE type = 'charge' "
                "AND json_extract(body, '$.status') = 'succeeded' GROUP BY 1"
            )
        )
        attempts = db.execute("SELECT count(*), count(error) FROM delivery_attempts").fetchone()
    return intents, charges, attempts


def settled_by(shop_db):
    """Who first moved each order to paid/failed (return page, webhook, …), from the shop's order history."""
    with sqlite3.connect(shop_db) as db:
        first = {}
        for order_id, source in db.execute(
            "SELECT order_id, source FROM order_history WHERE status IN ('paid', 'failed') ORDER BY id"
        ):
            first.setdefault(order_id, source)
    return first
