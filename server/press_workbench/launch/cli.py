"""``workbench``: run the shop, the sandbox, the dashboard and JupyterLab on the lessons; check and reset configuration.

``listen``, ``trigger``, ``logs`` and ``events resend`` are the Stripe CLI's habits, played against the sandbox
at ``SANDBOX_URL``, with the Stripe CLI's flag names and output (docs/stripe-cli-habits.md says what differs).
"""

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

import stripe

from press_workbench.sandbox import (
    CANNOT,
    TRIGGERS,
    delivery_line,
    describe,
    follow,
    public_hosts,
    read_feed,
    request_json,
    request_line,
    sandbox_answers,
    start_sandbox,
    trigger,
    trigger_help,
)
from press_workbench.sandbox import reset as reset_sandbox
from press_workbench.shop import (
    ConfigError,
    Shop,
    build_stripe_client,
    load_config,
    probe_shop,
    reconcile_orders,
    start_shop,
    write_private,
)
from press_workbench.shop import reset as reset_shop

from .checks import run_checks
from .lab import run as run_lab
from .voila import free_port, require_notebook_extra, start_voila


def _stop_signal(stop=None):
    """An event (``stop``, or a new one) that Ctrl-C (SIGINT) or SIGTERM sets."""
    stop = stop or threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _wait_for_ctrl_c(*servers, stop=None):
    """Wait for Ctrl-C or SIGTERM (or ``stop`` being set), then stop ``servers`` in order."""
    _stop_signal(stop).wait()
    print("\nStopping…", flush=True)
    for server in servers:
        if server:
            server.stop()


def _start_shop(args, port, overrides=None):
    """Start the shop on ``port`` (and the sandbox) and say where they listen."""

    overrides = dict(overrides or {})
    if args.sandbox_port is not None:
        overrides["SANDBOX_PORT"] = args.sandbox_port
    shop, sandbox = start_shop(overrides, host=args.host, port=port, say=_to_stderr)
    mode = shop.app.config["MODE"]
    print(f"Press Workbench shop ({mode} mode) on {shop.url}", flush=True)
    if (
        args.host in ("0.0.0.0", "::") and not shop.app.config["PUBLIC_HOST"]
    ):  # server/press_workbench/sandbox/behind_proxy.py
        print("Other machines reach it only by a name it is served as: set WORKBENCH_PUBLIC_HOST=<name>", flush=True)
    if mode == "sandbox":
        where = sandbox.url if sandbox else shop.app.config["SANDBOX_URL"] + " (already running)"
        print(f"Offline Stripe sandbox on {where} — test card 4242 4242 4242 4242", flush=True)
        print(f"Sandbox console on {shop.app.config['SANDBOX_URL']}/dashboard", flush=True)
    else:
        port = shop.url.rsplit(":", 1)[1]
        print(f"Stripe test mode. Forward webhooks with: stripe listen --forward-to localhost:{port}/webhook")
    return shop, sandbox


def cmd_serve(args):
    """``workbench serve``: the shop (and its sandbox) in this process until Ctrl-C."""
    shop, sandbox = _start_shop(args, args.port)
    print("Press Ctrl-C to stop.", flush=True)
    _wait_for_ctrl_c(shop, sandbox)


def cmd_dashboard(args):
    """Voilà on notebooks/dashboard.ipynb, using the shop at SHOP_URL or one started here (+ sandbox)."""
    require_notebook_extra("the dashboard")  # before any server starts, so the message is the only output
    settings = load_config({})
    port = args.port if args.port is not None else settings["DASHBOARD_PORT"]
    port = port or free_port(args.host)
    health = probe_shop(settings["SHOP_URL"])
    shop = sandbox = None
    if health is None:
        # DASHBOARD_PORT: the shop lets exactly this dashboard frame its checkout
        shop, sandbox = _start_shop(args, args.shop_port, {"DASHBOARD_PORT": port})
        shop_url = shop.url
    else:
        shop_url = settings["SHOP_URL"]
        print(f"Using the Press Workbench shop ({health['mode']} mode) already running on {shop_url}", flush=True)
        if port != settings["DASHBOARD_PORT"]:
            print(
                f"Note: that shop lets only the dashboard on port {settings['DASHBOARD_PORT']} (DASHBOARD_PORT) "
                f"show its checkout inline; start it with DASHBOARD_PORT={port} for this one.",
                flush=True,
            )
    log_path = os.path.join(settings["DATA_DIR"], "dashboard.log")
    try:
        voila = start_voila(shop_url, port, log_path)
    except OSError:
        for server in (shop, sandbox):
            if server:
                server.stop()
        raise
    print(f"Press Workbench dashboard (Voilà) on {voila.url}  (log: {log_path})", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    ended = threading.Event()
    threading.Thread(target=lambda: (voila.process.wait(), ended.set()), daemon=True).start()
    _wait_for_ctrl_c(voila, shop, sandbox, stop=ended)
    return 0 if voila.process.returncode in (0, -signal.SIGTERM) else 1


def cmd_lab(args):
    """``workbench lab``: what ``make lab`` does, for a machine without ``make`` (``launch/lab.py``)."""
    return run_lab(args.notebook_dir, args.port)


def cmd_sandbox(args):
    """``workbench sandbox``: the sandbox alone, for any Stripe client; it prints how to point one at it."""
    settings = load_config({"MODE": "sandbox"})
    data_dir = args.data_dir or settings["DATA_DIR"]
    port = args.port if args.port is not None else settings["SANDBOX_PORT"]
    behind = {"proxy_token": settings["PROXY_TOKEN"], "public_hosts": public_hosts(settings["PUBLIC_HOST"])}
    sandbox = start_sandbox(os.path.abspath(data_dir), args.host, port, **behind)
    print(f"Offline Stripe sandbox on {sandbox.url} (data in {data_dir})", flush=True)
    print(f"  stripe-python: stripe.StripeClient(key, base_addresses={{'api': '{sandbox.url}'}})")
    print(f"  Stripe.js stand-in: {sandbox.url}/v3/   Console: {sandbox.url}/dashboard", flush=True)
    print("  Press Ctrl-C to stop.", flush=True)
    _wait_for_ctrl_c(sandbox)


def _to_stderr(line):
    print(line, file=sys.stderr, flush=True)


def cmd_reconcile(args):
    """Settle every open order from its PaymentIntent, whether or not the shop is running."""

    report = reconcile_orders(Shop.from_config(load_config({})))
    print(report.summary())
    for order_id, problem in report.problems:
        print(f"  {order_id}: {problem}")
    return 1 if report.problems else 0


def cmd_check(args):
    """``workbench check``: say what is wrong before a demo rather than during it."""
    return run_checks(print)


def cmd_reset(args):
    """``workbench reset``: a clean slate for the next class or demo; asks first, as nothing can bring the data back."""
    data_dir = load_config({})["DATA_DIR"]
    if not args.yes:
        answer = input(f"Delete all orders and sandbox state in {data_dir}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    reset_shop(data_dir)
    reset_sandbox(data_dir)
    print(f"Cleared orders and sandbox state in {data_dir}.")
    return 0


def _sandbox():
    """The sandbox the Stripe-CLI-like commands talk to (``SANDBOX_URL``), and a secret-key client for it."""

    if load_config({})["MODE"] == "stripe":
        raise ConfigError(
            "this command works with the offline sandbox; in Stripe test mode use the Stripe CLI "
            "(stripe listen / stripe trigger / stripe logs tail)."
        )
    settings = load_config({"MODE": "sandbox"})
    url = settings["SANDBOX_URL"].rstrip("/")
    if not sandbox_answers(url):
        raise OSError(
            f"no sandbox answers at {url}: start one with `workbench serve` or `workbench sandbox`, or set SANDBOX_URL."
        )
    return url, build_stripe_client({**settings, "STRIPE_MAX_NETWORK_RETRIES": 0})


def cmd_trigger(args):
    """``workbench trigger``: make the sandbox emit an event through ordinary API calls, as ``stripe trigger`` does."""
    if args.event not in TRIGGERS:
        why = CANNOT.get(args.event)
        reason = f"the sandbox cannot make it: {why}" if why else f"supported events: {', '.join(TRIGGERS)}"
        print(f"workbench: cannot trigger {args.event!r}; {reason} (workbench trigger --help)", file=sys.stderr)
        return 2
    url, client = _sandbox()
    print(f"Setting up fixture for: {args.event}", flush=True)
    created, event = trigger(client, args.event)
    for obj in created:
        print(f"Created {describe(obj)}")
    if event is None:
        print(f"workbench: the sandbox did not emit {args.event}", file=sys.stderr)
        return 1
    print(f"Trigger succeeded! {event.type} {event.id} — {url}/dashboard/events/{event.id}")
    return 0


LISTEN_FILE = "listen.json"  # in the data dir, owner-only: each sandbox's listen endpoint and its secret
PARKED_URL = "http://127.0.0.1:9/workbench-listen-not-running"  # never called: the endpoint is disabled then


def _listen_endpoint(url, client):
    """The endpoint ``workbench listen`` forwards through, and its ``whsec_``: the same across sessions, as
    ``stripe listen``'s secret is, so ``--print-secret`` can give it before ``listen`` runs.

    The secret is shown only when an endpoint is created, so it is kept in the data dir (mode 0600), per
    sandbox URL; a sandbox that was reset (or a deleted endpoint) gets a new one.  Between sessions the
    endpoint is disabled, so no event is queued for it.
    """
    saved = _saved_listen_endpoints()
    mine = _existing(client, saved.get(url))
    if mine:
        return mine
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": PARKED_URL, "enabled_events": ["*"], "description": "workbench listen (not running)"}
    )
    client.v1.webhook_endpoints.update(endpoint.id, params={"disabled": True})
    saved[url] = {"endpoint": endpoint.id, "secret": endpoint.secret}
    path = _listen_file()
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    write_private(path, json.dumps(saved, indent=2))
    return saved[url]


def _listen_file():
    return os.path.join(load_config({})["DATA_DIR"], LISTEN_FILE)


def _saved_listen_endpoints():
    """``{sandbox URL: {"endpoint": we_…, "secret": whsec_…}}`` from the data dir ({} if there is none yet)."""
    try:
        with open(_listen_file()) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def _existing(client, mine):
    """``mine`` with its endpoint's ``status`` if the endpoint still exists at the sandbox (not reset), else None."""
    if not mine:
        return None
    try:
        return {**mine, "status": client.v1.webhook_endpoints.retrieve(mine["endpoint"]).status}
    except stripe.InvalidRequestError:
        return None


def cmd_listen(args):
    """``workbench listen``: forward the sandbox's events to a URL, as ``stripe listen`` does for Stripe's.

    It forwards through a real webhook endpoint, so deliveries are signed and retried as for any other; the
    endpoint is disabled on exit and used again next time, so its secret stays the same (``--print-secret``).
    """
    url, client = _sandbox()
    mine = _listen_endpoint(url, client)
    if args.print_secret:
        print(mine["secret"])
        return 0
    if not args.forward_to:
        print("workbench listen: --forward-to URL is required (or --print-secret)", file=sys.stderr)
        return 2
    as_json = args.format == "JSON"
    say = _to_stderr if as_json else (lambda line: print(line, flush=True))  # JSON mode: stdout is events only
    target = args.forward_to if "://" in args.forward_to else "http://" + args.forward_to
    events = [name.strip() for name in (args.events or "*").split(",") if name.strip()]
    stop = _stop_signal()  # before the endpoint is enabled, so Ctrl-C or SIGTERM always reaches the clean-up below
    seen = _last_attempt(url, mine["endpoint"])  # an earlier session's deliveries are not shown again
    client.v1.webhook_endpoints.update(
        mine["endpoint"],
        params={"url": target, "enabled_events": events, "disabled": False, "description": "workbench listen"},
    )
    try:
        say(f"Ready! Your webhook signing secret is {mine['secret']} (^C to quit)")
        say(f"Forwarding {'all events' if events == ['*'] else ', '.join(events)} to {target}")

        def show(attempt):
            if as_json and attempt["attempt"] == 1:  # each event once, as it is first sent (a resend is sent anew)
                print(json.dumps(json.loads(client.v1.events.retrieve(attempt["event_id"]).last_response.body)))
            say(delivery_line(attempt))

        follow(
            lambda after: read_feed(url, f"/dashboard/api/webhook_endpoints/{mine['endpoint']}/attempts", after=after),
            show,
            stop,
            after=seen,
        )
    finally:
        try:
            client.v1.webhook_endpoints.update(
                mine["endpoint"], params={"disabled": True, "description": "workbench listen (not running)"}
            )
            say(f"Stopped forwarding; webhook endpoint {mine['endpoint']} is disabled until the next listen.")
        except stripe.StripeError as exc:
            print(f"workbench: could not disable webhook endpoint {mine['endpoint']}: {exc}", file=sys.stderr)
    return 0


def _last_attempt(url, we_id):
    """The row id of the endpoint's newest delivery attempt (an earlier session's): listen shows what follows."""
    newest = 0
    while rows := read_feed(url, f"/dashboard/api/webhook_endpoints/{we_id}/attempts", after=newest, limit=1000):
        newest = rows[-1]["id"]
    return newest


def cmd_events_resend(args):
    """``stripe events resend``: ``POST /v1/events/:id/retry``; prints the event, as the Stripe CLI does."""

    url, client = _sandbox()
    we_id = args.webhook_endpoint
    if we_id is None:  # the Stripe CLI replays to its own listen session: here, listen's endpoint
        mine = _existing(client, _saved_listen_endpoints().get(url))
        if not mine or mine["status"] != "enabled":
            others = client.v1.webhook_endpoints.list(params={"limit": 100}).data
            choices = "".join(f"\n  --webhook-endpoint {ep.id}  ({ep.url})" for ep in others if ep.status == "enabled")
            print(
                "workbench: no `workbench listen` is running to resend to; start one, or name an endpoint:"
                + (choices or " none is registered."),
                file=sys.stderr,
            )
            return 1
        we_id = mine["endpoint"]
    try:
        answer = client.raw_request("post", f"/v1/events/{args.event}/retry", webhook_endpoint=we_id)
    except stripe.StripeError as exc:
        print(f"workbench: {exc.user_message or exc}", file=sys.stderr)
        return 1
    print(json.dumps(json.loads(answer.body), indent=2))
    _to_stderr(f"Resent {args.event} to {we_id}, signed afresh; see {url}/dashboard/events/{args.event}")
    return 0


LOG_FILTERS = {  # flag → (the request log's filter, its check), as stripe logs tail validates them
    "filter_http_method": ("method", lambda v: v.upper() in ("GET", "POST", "DELETE"), "GET, POST, DELETE"),
    "filter_status_code": (
        "status",
        lambda v: v.isascii() and v.isdigit() and int(v) // 100 in (2, 4, 5),
        "2xx, 4xx, 5xx",
    ),
    "filter_status_code_type": ("status_type", lambda v: v.upper() in ("2XX", "4XX", "5XX"), "2XX, 4XX, 5XX"),
    "filter_request_path": ("path", lambda v: v.startswith("/"), "a path such as /v1/charges"),
}


def cmd_logs(args):
    """``workbench logs``: the sandbox's request log, as ``stripe logs tail`` shows Stripe's, with its filters."""
    filters = {}
    for flag, (name, valid, allowed) in LOG_FILTERS.items():
        values = [v.strip() for given in getattr(args, flag) or () for v in given.split(",") if v.strip()]
        bad = [v for v in values if not valid(v)]
        if bad:
            print(
                f"workbench logs: {bad[0]!r} is not an acceptable value for --{flag.replace('_', '-')} ({allowed})",
                file=sys.stderr,
            )
            return 2
        filters[name] = [v.upper() for v in values] if name in ("method", "status_type") else values
    show = request_json if args.format == "JSON" else request_line
    url, _ = _sandbox()
    entries = read_feed(url, "/dashboard/api/requests", limit=args.limit, **filters)
    for entry in entries:
        print(show(entry), flush=True)
    if args.follow:
        stop = _stop_signal()
        follow(
            lambda after: read_feed(url, "/dashboard/api/requests", after=after, **filters),
            lambda entry: print(show(entry), flush=True),
            stop,
            after=entries[-1]["id"] if entries else _newest_request(url),
        )
    return 0


def _newest_request(url):
    """The newest logged request's row id, so ``--follow`` with filters that match nothing yet starts from now."""
    newest = read_feed(url, "/dashboard/api/requests", limit=1)
    return newest[-1]["id"] if newest else 0


def _format(value):
    """``--format``: JSON (any case), as the Stripe CLI takes it."""
    if value.upper() != "JSON":
        raise argparse.ArgumentTypeError("the only format is JSON")
    return "JSON"


def parser():
    """The ``workbench`` command line, one subcommand per job."""
    p = argparse.ArgumentParser(prog="workbench", description="Press Workbench: learn and demo Stripe payments.")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the shop (and the sandbox in sandbox mode)")
    serve.add_argument("--port", type=int, default=None)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--sandbox-port", type=int, default=None)
    serve.set_defaults(func=cmd_serve)
    sandbox = sub.add_parser("sandbox", help="run the offline Stripe sandbox alone")
    sandbox.add_argument("--port", type=int, default=None)
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--data-dir", default=None)
    sandbox.set_defaults(func=cmd_sandbox)
    dashboard = sub.add_parser("dashboard", help="run the Voilà dashboard (and the shop if SHOP_URL does not answer)")
    dashboard.add_argument("--port", type=int, default=None, help="the dashboard's port (DASHBOARD_PORT)")
    dashboard.add_argument("--shop-port", type=int, default=None, help="for a shop started here (SHOP_PORT)")
    dashboard.add_argument("--sandbox-port", type=int, default=None)
    dashboard.set_defaults(func=cmd_dashboard, host="127.0.0.1")
    lab = sub.add_parser("lab", help="JupyterLab on the lessons, the shop running outside the kernels (as make lab)")
    lab.add_argument("notebook_dir", nargs="?", type=Path, help="the folder JupyterLab opens (default: the lessons)")
    lab.add_argument("--port", type=int, default=None, help="JupyterLab's port (LAB_PORT, 8888)")
    lab.set_defaults(func=cmd_lab)
    check = sub.add_parser("check", help="validate configuration and report reachability")
    check.set_defaults(func=cmd_check)
    reset = sub.add_parser("reset", help="wipe orders and sandbox state")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.set_defaults(func=cmd_reset)
    reconcile = sub.add_parser("reconcile", help="settle every open order from its PaymentIntent at Stripe")
    reconcile.set_defaults(func=cmd_reconcile)
    listen = sub.add_parser("listen", help="forward the sandbox's events to a URL, like `stripe listen`")
    listen.add_argument("--forward-to", "-f", metavar="URL", help="e.g. localhost:4242/webhook")
    listen.add_argument("--events", "-e", metavar="a,b", help="comma-separated event types (default: all)")
    listen.add_argument(
        "--print-secret", action="store_true", help="only print the webhook signing secret (the same every session)"
    )
    listen.add_argument("--format", metavar="JSON", type=_format, help="JSON: print each event as JSON")
    listen.set_defaults(func=cmd_listen)
    trigger = sub.add_parser(
        "trigger",
        help="create the sandbox objects that emit an event, like `stripe trigger`",
        description="Make the sandbox emit EVENT by making the API calls that cause it, as `stripe trigger` does.",
        epilog=trigger_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trigger.add_argument("event", metavar="EVENT", help="an event type, e.g. payment_intent.succeeded")
    trigger.set_defaults(func=cmd_trigger)
    events = sub.add_parser("events", help="events: resend one, like `stripe events resend`")
    events_sub = events.add_subparsers(dest="action", required=True)
    resend = events_sub.add_parser(
        "resend",
        help="deliver an event again, with a fresh signature",
        description="Deliver EVENT again, signed afresh, to `workbench listen` (as `stripe events resend` replays "
        "to `stripe listen`) or to the endpoint given; prints the event.",
    )
    resend.add_argument("event", metavar="EVENT", help="an event id, evt_…")
    resend.add_argument("--webhook-endpoint", metavar="WE", help="the endpoint to deliver to, we_… (default: listen's)")
    resend.set_defaults(func=cmd_events_resend)
    logs = sub.add_parser(
        "logs",
        help="the sandbox's API request log, like `stripe logs tail`",
        description="The sandbox's API requests, newest last. Filters are `stripe logs tail`'s: several filters "
        "must all match; a filter given several values (comma-separated, or the flag repeated) needs any one.",
    )
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new requests until Ctrl-C")
    logs.add_argument(
        "--limit",
        type=int,
        default=20,
        choices=range(1, 1001),
        metavar="N",
        help="how many recent requests to print first (default 20)",
    )
    logs.add_argument("--filter-http-method", action="append", metavar="GET,POST", help="GET, POST or DELETE")
    logs.add_argument("--filter-status-code", action="append", metavar="402,404", help="HTTP status codes")
    logs.add_argument("--filter-status-code-type", action="append", metavar="4XX", help="2XX, 4XX or 5XX")
    logs.add_argument(
        "--filter-request-path", action="append", metavar="/v1/charges", help="request paths, matched exactly"
    )
    logs.add_argument("--format", metavar="JSON", type=_format, help="JSON: one JSON object per request")
    logs.set_defaults(func=cmd_logs)
    return p


def main(argv=None):
    """The ``workbench`` console script: a configuration or OS problem is one line on stderr, never a traceback."""
    args = parser().parse_args(argv)
    try:
        if args.command == "serve" and args.port is None:
            args.port = load_config({})["SHOP_PORT"]
        if args.command == "dashboard" and args.shop_port is None:
            args.shop_port = load_config({})["SHOP_PORT"]
        return args.func(args) or 0
    except ConfigError as exc:
        print(f"workbench: configuration error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
