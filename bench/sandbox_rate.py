#!/usr/bin/env python3
"""PaymentIntent create and create+confirm rates: the offline sandbox vs localstripe, and vs the ceiling; and, through
stripe-python against the ceiling, creating a customer and an off-session payment with a saved card.

The sandbox writes one SQLite row per change where localstripe re-pickles its whole
store on every write; this bench checks what that means on this machine.  Every
server runs in its own process on 127.0.0.1 and is driven over HTTP by the same
client: one keep-alive HTTP/1.1 connection per worker sending the bodies and headers
stripe-python 16 sends.  Every response is checked (HTTP 200, and ``succeeded``
after each confirm); anything else stops the bench with an error.

Each server runs twice: one instance starts empty, the other is first seeded to
10,000 PaymentIntents (localstripe's seeding is capped in time).  Rounds then
alternate over all instances and the ceiling (stripe-python against the no-op
endpoint, ``bench/ceiling.py``), so background load on this shared machine hits the
empty and the seeded store, both servers and the ceiling alike.  The customer operations
(``Customer.create``; ``PaymentIntent.create(customer, payment_method, off_session=True,
confirm=True)`` with a card saved before the rounds) run only through stripe-python, on
the sandbox and the ceiling: localstripe is not measured on them.

    .venv/bin/python -m bench.sandbox_rate            # full run, about four minutes
    .venv/bin/python -m bench.sandbox_rate --quick    # smoke run, well under a minute

Results: a table on stdout and ``bench/results/sandbox_rate.json``.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path

import stripe

from bench.common import ROOT, BenchError, machine, run_ops, write_result
from press_workbench.sandbox import SECRET_KEY
from tests.processes import free_port

BENCH_DIR = ROOT / "bench"
LOCALSTRIPE_VENV = BENCH_DIR / ".venv-localstripe"
LOCALSTRIPE_REQUIREMENT = "localstripe==1.15.10"  # the version the README figures were taken with
LOCALSTRIPE_PICKLE = Path("/tmp/localstripe.pickle")  # hard-coded in localstripe
OPERATIONS = ("create", "create_confirm")
CUSTOMER_OPERATIONS = ("create_customer", "off_session")  # stripe-python only: the sandbox and the ceiling
CEILING = "ceiling: no-op endpoint"

# The common subset both servers accept: localstripe answers 500 to ``payment_method``
# on confirm and 400 to ``automatic_payment_methods``/``return_url``, so the card is
# attached at create time and confirm carries no parameters.
CREATE_BODY = "amount=2300&currency=usd&payment_method_types[0]=card"
CREATE_WITH_CARD_BODY = CREATE_BODY + "&payment_method=pm_card_visa"
STRIPE_HEADERS = {
    "Authorization": f"Bearer {SECRET_KEY}",
    "Content-Type": "application/x-www-form-urlencoded",
    "Stripe-Version": stripe.api_version,
    "User-Agent": f"Stripe/v1 PythonBindings/{stripe.VERSION}",
    "X-Stripe-Client-User-Agent": json.dumps({"bindings_version": stripe.VERSION, "lang": "python"}),
}


@dataclass(frozen=True)
class Plan:
    """Fixed request counts and time caps, so every loop ends by itself."""

    rounds: int = 5
    creates: int = 200  # per round
    pairs: int = 100  # create+confirm pairs per round
    round_seconds: float = 6.0  # a round stops early here (localstripe on a big store)
    warmup: int = 20  # create+confirm pairs per instance before measuring
    seed_target: int = 10_000
    seed_workers: int = 4
    seed_seconds: float = 120.0
    localstripe_seed_seconds: float = 60.0


QUICK = Plan(
    rounds=1,
    creates=50,
    pairs=25,
    round_seconds=3.0,
    warmup=5,
    seed_target=1_000,
    seed_seconds=30.0,
    localstripe_seed_seconds=10.0,
)


# -- clients -------------------------------------------------------------------
class RawClient:
    """One keep-alive HTTP/1.1 connection speaking stripe-python 16's wire format (same for both servers).

    A server that answers ``Connection: close`` (Werkzeug's dev server always does) gets a
    new connection for the next request, as requests/urllib3 would do; ``reconnects``
    counts those so the report can say whether keep-alive held.
    """

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.name = url
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.reconnects = 0

    def post(self, path, body=""):
        headers = {**STRIPE_HEADERS, "Idempotency-Key": str(uuid.uuid4())}  # stripe-python sends one on every POST
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise BenchError(f"{self.name}: POST {path} {body!r} -> HTTP {response.status}: {data[:300]!r}")
        self.reconnects += response.will_close  # http.client reopens on the next request
        return json.loads(data)

    def create(self):
        expect_status(self.post("/v1/payment_intents", CREATE_BODY), "requires_payment_method", self.name)

    def create_confirm(self):
        pi = self.post("/v1/payment_intents", CREATE_WITH_CARD_BODY)
        expect_status(pi, "requires_confirmation", self.name)
        expect_status(self.post(f"/v1/payment_intents/{pi['id']}/confirm"), "succeeded", self.name)

    def close(self):
        self.connection.close()


class StripePythonClient:
    """stripe-python 16's StripeClient: the rate a user of the sandbox actually sees.

    ``saved``: (customer, PaymentMethod) ids of a card saved before the rounds, which off-session payments charge.
    """

    reconnects = None  # not observable through requests' pool

    def __init__(self, url, saved=None):
        self.name = f"{url} (stripe-python)"
        self.saved = saved
        self.http = stripe.RequestsClient()  # the default stripe-python picks here; kept so close() can close it
        self.client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": url}, http_client=self.http)

    def create(self):
        pi = self.client.v1.payment_intents.create(
            params={"amount": 2300, "currency": "usd", "payment_method_types": ["card"]}
        )
        expect_status(pi.to_dict(), "requires_payment_method", self.name)

    def create_confirm(self):
        params = {"amount": 2300, "currency": "usd", "payment_method_types": ["card"], "payment_method": "pm_card_visa"}
        pi = self.client.v1.payment_intents.create(params=params)
        expect_status(pi.to_dict(), "requires_confirmation", self.name)
        expect_status(self.client.v1.payment_intents.confirm(pi.id).to_dict(), "succeeded", self.name)

    def create_customer(self):
        created = self.client.v1.customers.create(params={"email": "reader@example.com", "name": "Bench Reader"})
        if created.object != "customer" or not created.id.startswith("cus_"):
            raise BenchError(f"{self.name}: expected a customer, got {str(created)[:300]}")

    def off_session(self):
        customer, pm = self.saved
        params = {"amount": 2300, "currency": "usd", "payment_method_types": ["card"], "customer": customer}
        pi = self.client.v1.payment_intents.create(
            params={**params, "payment_method": pm, "off_session": True, "confirm": True}
        )
        expect_status(pi.to_dict(), "succeeded", self.name)

    def save_a_card(self):
        """A customer with ``pm_card_visa`` saved, as the off-session payments find it (not timed)."""
        customer = self.client.v1.customers.create(params={"payment_method": "pm_card_visa"})
        (pm,) = self.client.v1.customers.payment_methods.list(customer.id).data
        return customer.id, pm.id

    def close(self):
        self.http.close()


def expect_status(pi, status, name):
    if pi.get("object") != "payment_intent" or pi.get("status") != status:
        raise BenchError(f"{name}: expected a PaymentIntent with status {status!r}, got {str(pi)[:300]}")


# -- servers -------------------------------------------------------------------
@dataclass
class Server:
    """A server process we started; ``stored`` counts the PaymentIntents we created in it."""

    name: str
    version: str
    process: subprocess.Popen
    url: str
    log: Path
    stored: int = 0

    def stop(self):
        """SIGTERM (both servers shut down cleanly on it), then SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def start_server(name, version, command, port, log, exits):
    """Start ``command`` in its own session (Ctrl-C reaches only us; we stop it) and wait until it answers."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "server"), str(ROOT)]),
    }  # this checkout's sandbox and ceiling endpoint (bench/ceiling.py)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=log.parent,
            env=env,
            start_new_session=True,
        )
    server = Server(name, version, process, f"http://127.0.0.1:{port}", log)
    exits.callback(server.stop)
    wait_until_ready(server)
    return server


def wait_until_ready(server, seconds=30):
    parts = urllib.parse.urlsplit(server.url)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited with {server.process.returncode}:\n{tail(server.log)}")
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
        try:
            connection.request("GET", "/v1/payment_intents?limit=1", headers=STRIPE_HEADERS)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise BenchError(f"{server.name} did not answer within {seconds} s:\n{tail(server.log)}")


def tail(path, lines=20):
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def start_sandbox(workdir, tag, exits):
    port, data_dir = free_port(), workdir / f"sandbox-{tag}"
    data_dir.mkdir()
    command = [
        sys.executable,
        "-m",
        "press_workbench.launch.cli",
        "sandbox",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    return start_server("sandbox", "Press Workbench", command, port, workdir / f"sandbox-{tag}.log", exits)


def start_localstripe(executable, version, workdir, tag, exits):
    """localstripe pickles to /tmp/localstripe.pickle, whatever we ask; ``--from-scratch`` stops it loading a stale one.

    Both instances write that one file, but never at the same time (one instance is
    driven at a time) and never read it, so each pays for dumping its own store.
    """
    port = free_port()
    if not LOCALSTRIPE_PICKLE.exists():
        exits.callback(LOCALSTRIPE_PICKLE.unlink, missing_ok=True)
    command = [str(executable), "--port", str(port), "--from-scratch"]
    return start_server("localstripe", version, command, port, workdir / f"localstripe-{tag}.log", exits)


def localstripe_executable(install):
    """(path, version) of localstripe in its own venv, installing it there if asked; (None, reason) if unavailable.

    A separate venv keeps localstripe's aiohttp stack out of the project's .venv.
    """
    executable, python = LOCALSTRIPE_VENV / "bin" / "localstripe", LOCALSTRIPE_VENV / "bin" / "python"
    if not executable.exists():
        if not install:
            return None, "not installed"
        print(f"Installing {LOCALSTRIPE_REQUIREMENT} into {LOCALSTRIPE_VENV.relative_to(ROOT)} …", flush=True)
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", "--clear", str(LOCALSTRIPE_VENV)],
                check=True,
                capture_output=True,
                timeout=120,
            )
            subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", LOCALSTRIPE_REQUIREMENT],
                check=True,
                capture_output=True,
                timeout=300,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            shutil.rmtree(LOCALSTRIPE_VENV, ignore_errors=True)
            return None, f"not installed (install failed: {exc})"
    version = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('localstripe'))"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    return executable, version or "?"


# -- measuring -----------------------------------------------------------------
@dataclass
class Series:
    """One server instance driven by one kind of client: a cell pair of the table."""

    label: str
    phase: str  # "empty" or "seeded"
    server: Server
    client: type
    stored_at_start: int | None = None
    stored_at_end: int | None = None
    rounds: dict = field(default_factory=dict)
    requests: int = 0
    reconnects: int | None = 0
    saved: tuple | None = None  # the card off-session payments charge (stripe-python series)

    def __post_init__(self):
        self.rounds = {op: [] for op in self.operations}

    @property
    def operations(self):
        """Every series creates and confirms PaymentIntents; stripe-python's also make customers and charge a card
        off-session (against the ceiling too, so their fraction of it can be told)."""
        return OPERATIONS + (CUSTOMER_OPERATIONS if self.client is StripePythonClient else ())


class Bound:
    """One client doing one operation, as ``common.run_ops`` drives it (a call per operation, then ``close``)."""

    def __init__(self, client, operation):
        self.client, self.call = client, getattr(client, operation)

    def __call__(self):
        self.call()

    def close(self):
        self.client.close()


def run_series(series, operation, count, workers, seconds):
    """Run ``count`` operations over ``workers`` connections; stop at the deadline.  Returns (done, elapsed)."""
    clients = []

    def make():
        client = series.client(series.server.url, series.saved) if series.saved else series.client(series.server.url)
        clients.append(client)  # atomic: no lock needed
        return Bound(client, operation)

    completed, elapsed = run_ops(make, count, workers, seconds)
    if operation != "create_customer":
        series.server.stored += completed
    series.requests += completed * (2 if operation == "create_confirm" else 1)
    reconnects = [client.reconnects for client in clients]
    series.reconnects = None if None in reconnects or series.reconnects is None else series.reconnects + sum(reconnects)
    return completed, elapsed


def measure(all_series, plan, workers):
    """Rounds of creates then create+confirm pairs, alternating over the series round by round.

    Alternating means a burst of load from other jobs on the machine lands on every
    series, not on one phase or one server.
    """
    for number in range(1, plan.rounds + 1):
        print(f"  round {number}/{plan.rounds} …", flush=True)
        for series in all_series:
            if series.stored_at_start is None:
                series.stored_at_start = series.server.stored
            for operation in series.operations:
                count = plan.pairs if operation in ("create_confirm", "off_session") else plan.creates
                completed, elapsed = run_series(series, operation, count, workers, plan.round_seconds)
                series.rounds[operation].append({"count": completed, "seconds": round(elapsed, 3)})
            series.stored_at_end = series.server.stored


def seed(server, plan):
    """Create PaymentIntents through the API until the store holds the target or its time cap is reached."""
    cap = plan.localstripe_seed_seconds if server.name == "localstripe" else plan.seed_seconds
    missing = max(0, plan.seed_target - server.stored)
    print(
        f"  seeding {server.name}: {missing:,} PaymentIntents ({plan.seed_workers} connections, cap {cap:.0f} s) …",
        flush=True,
    )
    _, elapsed = run_series(Series("seed", "seeded", server, RawClient), "create", missing, plan.seed_workers, cap)
    return {"reached": server.stored, "seconds": round(elapsed, 1), "cap_seconds": cap}


def warm_up(all_series, plan):
    """A few pairs per series first: imports, caches and first connections are not what we measure.  The
    stripe-python series also save the card their off-session payments charge (the ceiling takes any ids)."""
    for series in all_series:
        if "off_session" in series.operations:
            client = StripePythonClient(series.server.url)
            series.saved = ("cus_ceiling", "pm_ceiling") if series.label == CEILING else client.save_a_card()
            client.close()
        run_series(series, "create_confirm", plan.warmup, 1, plan.round_seconds)


# -- reporting -----------------------------------------------------------------
def rates(rounds):
    return [r["count"] / r["seconds"] for r in rounds]


def paired_ratio(numerator, denominator):
    """Median over rounds of numerator/denominator taken in the same round.

    The two rounds of a pair ran back to back, so a burst of load from other jobs
    mostly cancels out, where a ratio of two medians would keep it.
    """
    return statistics.median(a / b for a, b in zip(rates(numerator), rates(denominator), strict=True))


def summarise(all_series, seeding):
    """Per table row (server + client): median rates for both phases, the growth in %, and the ratios."""
    rows = {}
    for series in all_series:
        row = rows.setdefault(series.label, {"server": series.server.name, "version": series.server.version})
        row[series.phase] = {
            "stored_at_start": series.stored_at_start,
            "stored_at_end": series.stored_at_end,
            "median_per_second": {op: statistics.median(rates(series.rounds[op])) for op in series.operations},
            "rounds": series.rounds,
            "requests": series.requests,
            "connections_closed_by_server": series.reconnects,
        }
    for row in rows.values():
        row["change_percent"] = {
            op: 100.0 * (paired_ratio(row["seeded"]["rounds"][op], row["empty"]["rounds"][op]) - 1)
            for op in row["empty"]["rounds"]
        }
    if CEILING in rows:
        sandbox = rows["sandbox via stripe-python"]
        for phase in ("empty", "seeded"):
            sandbox[phase]["fraction_of_ceiling"] = {
                op: paired_ratio(sandbox[phase]["rounds"][op], rows[CEILING][phase]["rounds"][op])
                for op in OPERATIONS + CUSTOMER_OPERATIONS
            }
    ratios = {}
    if "localstripe" in rows:
        sandbox, localstripe = rows["sandbox"], rows["localstripe"]
        ratios = {
            phase: {
                op: paired_ratio(sandbox[phase]["rounds"][op], localstripe[phase]["rounds"][op]) for op in OPERATIONS
            }
            for phase in ("empty", "seeded")
        }
        # localstripe slows down within its empty-store rounds already: its first round is its nearly-empty rate
        ratios["empty_first_round"] = {
            op: paired_ratio(sandbox["empty"]["rounds"][op][:1], localstripe["empty"]["rounds"][op][:1])
            for op in OPERATIONS
        }
    return {
        "rows": rows,
        "ratio_sandbox_over_localstripe": ratios,
        "seeding": seeding,
        "targets": targets(rows, ratios),
    }


def targets(rows, ratios):
    """Create+confirm ≥ 10× localstripe; ≤ 20% slower after 10,000 stored PaymentIntents (issue 4); create+confirm
    through stripe-python ≥ 60% of the ceiling (issue 13); creating a customer and an off-session payment keep the
    sandbox's pace: of the ceiling, within 10 points of a PaymentIntent create (issue 23)."""
    met = {"sandbox_within_20_percent_after_seeding": all(g >= -20 for g in rows["sandbox"]["change_percent"].values())}
    if CEILING in rows:
        via = rows["sandbox via stripe-python"]
        met["create_confirm_at_least_60_percent_of_ceiling"] = all(
            via[phase]["fraction_of_ceiling"]["create_confirm"] >= 0.6 for phase in ("empty", "seeded")
        )
        met["customer_operations_keep_the_sandbox_pace"] = all(
            via[phase]["fraction_of_ceiling"][op] >= via[phase]["fraction_of_ceiling"]["create"] - 0.10
            for phase in ("empty", "seeded")
            for op in CUSTOMER_OPERATIONS
        )
    if ratios:
        met["create_confirm_at_least_10x_localstripe_empty"] = ratios["empty"]["create_confirm"] >= 10
        met["create_confirm_at_least_10x_localstripe_seeded"] = ratios["seeded"]["create_confirm"] >= 10
    return met


def print_table(summary, machine, plan, workers, localstripe_note):
    print(
        f"\nPaymentIntent rates over HTTP on 127.0.0.1 — {machine['cores']} CPUs, Python {machine['python']}, "
        f"{workers} connection(s), median of {plan.rounds} round(s) of {plan.creates} creates and {plan.pairs} "
        f"create+confirm pairs; load average {machine['loadavg'][0]:.1f} at start, "
        f"{machine['loadavg_at_end'][0]:.1f} at end"
    )
    print(f"{'':27}{'── empty store ──':^29}   {'── seeded store ──':^33}   {'── change ──':^17}")
    print(
        f"{'':27}{'stored':>8}{'create/s':>10}{'+confirm/s':>11}   {'stored':>12}{'create/s':>10}{'+confirm/s':>11}"
        f"   {'create':>8}{'+confirm':>9}"
    )
    for label, row in summary["rows"].items():
        empty, seeded, growth = row["empty"], row["seeded"], row["change_percent"]
        if label == CEILING:
            empty = {**empty, "stored_at_start": None}
            seeded = {**seeded, "stored_at_start": None}
        print(
            f"{label:27}{stored_range(empty):>8}{empty['median_per_second']['create']:>10,.0f}"
            f"{empty['median_per_second']['create_confirm']:>11,.0f}   {stored_range(seeded):>12}"
            f"{seeded['median_per_second']['create']:>10,.0f}{seeded['median_per_second']['create_confirm']:>11,.0f}"
            f"   {growth['create']:>+7.0f}%{growth['create_confirm']:>+8.0f}%"
        )
    fractions = summary["rows"]["sandbox via stripe-python"]["empty"].get("fraction_of_ceiling")
    if fractions:
        seeded = summary["rows"]["sandbox via stripe-python"]["seeded"]["fraction_of_ceiling"]
        print(
            f"{'  stripe-python: % of ceiling':27}{'':8}{100 * fractions['create']:>9.0f}%"
            f"{100 * fractions['create_confirm']:>10.0f}%   {'':12}{100 * seeded['create']:>9.0f}%"
            f"{100 * seeded['create_confirm']:>10.0f}%"
        )
        print_customer_rates(summary["rows"])
    ratio = summary["ratio_sandbox_over_localstripe"]
    if ratio:
        empty, seeded = ratio["empty"], ratio["seeded"]
        print(
            f"{'sandbox / localstripe':27}{'':8}{empty['create']:>9.1f}×{empty['create_confirm']:>10.1f}×"
            f"   {'':12}{seeded['create']:>9.1f}×{seeded['create_confirm']:>10.1f}×"
        )
    if ratio and plan.rounds > 1:
        first, empty = ratio["empty_first_round"], summary["rows"]["localstripe"]["empty"]
        end = empty["stored_at_start"] + sum(empty["rounds"][op][0]["count"] for op in OPERATIONS)
        print(
            f"{'  first round only':27}{empty['stored_at_start']:>4,}→{end:<3,}{first['create']:>9.1f}×"
            f"{first['create_confirm']:>10.1f}×"
        )
    print("  stored: PaymentIntents in the store during the rounds (first → last); rates: median of the rounds;")
    print("  change and ×: median over rounds of the ratio between two series' rounds run back to back")
    if localstripe_note:
        print(f"localstripe: {localstripe_note}")
    for name, seeding in summary["seeding"].items():
        capped = f", stopped by its {seeding['cap_seconds']:.0f} s cap" if seeding["reached"] < plan.seed_target else ""
        print(f"seeding {name}: reached {seeding['reached']:,} PaymentIntents in {seeding['seconds']:.1f} s{capped}")
    for label, row in summary["rows"].items():
        closed = row["empty"]["connections_closed_by_server"]
        if closed:
            requests = row["empty"]["requests"]
            print(
                f"{label}: the server closed the connection after {closed:,} of {requests:,} responses "
                "(no keep-alive: each request pays for a new TCP connection)"
            )
    if plan.seed_target < Plan.seed_target:
        print("targets: not judged on a --quick run")
        return
    for target, met in summary["targets"].items():
        print(f"target {target}: {'MET' if met else 'MISSED'}")


def print_customer_rates(rows):
    """The customer operations through stripe-python: per second on the sandbox and the ceiling, and the fraction."""
    via, ceiling = rows["sandbox via stripe-python"], rows[CEILING]
    print(f"{'':27}{'customer create/s':>19}{'off-session/s':>15}   (empty store / seeded store; % of the ceiling)")
    for phase in ("empty", "seeded"):
        cells = [
            f"{via[phase]['median_per_second'][op]:>6,.0f} of {ceiling[phase]['median_per_second'][op]:,.0f} "
            f"({100 * via[phase]['fraction_of_ceiling'][op]:.0f}%)"
            for op in CUSTOMER_OPERATIONS
        ]
        print(f"{'  sandbox via stripe-python':27}{cells[0]:>19}{cells[1]:>15}   {phase}")


def stored_range(phase):
    if phase["stored_at_start"] is None:
        return "—"
    return f"{phase['stored_at_start']:,}→{phase['stored_at_end']:,}"


# -- main ----------------------------------------------------------------------
def start_ceiling(workdir, exits):
    port = free_port()
    command = [sys.executable, "-m", "bench.ceiling", str(port)]
    return start_server(CEILING, "no-op endpoint", command, port, workdir / "ceiling.log", exits)


def start_series(workdir, executable, ls_version, exits):
    """Both instances of each server, the ceiling, and the series (table cells) that drive them."""
    ceiling = start_ceiling(workdir, exits)
    all_series = []
    for phase in ("empty", "seeded"):
        all_series.append(Series(CEILING, phase, ceiling, StripePythonClient))
        sandbox = start_sandbox(workdir, phase, exits)
        all_series += [
            Series("sandbox", phase, sandbox, RawClient),
            Series("sandbox via stripe-python", phase, sandbox, StripePythonClient),
        ]
        if executable:
            localstripe = start_localstripe(executable, ls_version, workdir, phase, exits)
            all_series.append(Series("localstripe", phase, localstripe, RawClient))
    order = {"sandbox": 0, "localstripe": 1, "sandbox via stripe-python": 2, CEILING: 3}
    return sorted(all_series, key=lambda s: order[s.label])


def run(args):
    """Measure, print the table, write ``bench/results/sandbox_rate.json``; returns the results."""
    plan = QUICK if args.quick else Plan()
    facts = machine()
    if args.no_localstripe:
        executable, ls_version = None, "skipped (--no-localstripe)"
    else:
        executable, ls_version = localstripe_executable(install=not args.no_install)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, ExitStack() as exits:  # servers stop before rmtree
        all_series = start_series(Path(tmp), executable, ls_version, exits)
        seeded_servers = {
            id(s.server): s.server for s in all_series if s.phase == "seeded" and s.label != CEILING
        }.values()
        seeding = {server.name: seed(server, plan) for server in seeded_servers}
        warm_up(all_series, plan)
        measure(all_series, plan, args.workers)
    facts["loadavg_at_end"] = os.getloadavg()
    summary = summarise(all_series, seeding)
    print_table(summary, facts, plan, args.workers, None if executable else ls_version)
    results = {
        "quick": args.quick,
        "workers": args.workers,
        "machine": facts,
        "plan": asdict(plan),
        "request_bodies": {"create": CREATE_BODY, "create_for_confirm": CREATE_WITH_CARD_BODY, "confirm": ""},
        "localstripe": ls_version,
        **summary,
    }
    print(f"\nWrote {write_result('sandbox_rate', results).relative_to(ROOT)}")
    return results


def parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one short round and a 1,000-PaymentIntent store")
    parser.add_argument("--workers", type=int, default=1, help="concurrent keep-alive connections while measuring")
    parser.add_argument("--no-localstripe", action="store_true", help="measure the sandbox only")
    parser.add_argument("--no-install", action="store_true", help=f"do not create {LOCALSTRIPE_VENV.name} if missing")
    return parser


def main(argv=None):
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwinds through ExitStack: servers are stopped
    try:
        run(args)
    except BenchError as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; servers stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
