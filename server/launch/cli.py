"""``workbench``: run the shop, the sandbox and the dashboard; check and reset configuration.

``listen``, ``trigger`` and ``logs`` are the Stripe CLI's habits, played against the sandbox at ``SANDBOX_URL``.
"""

import argparse
import os
import signal
import sys
import threading

import stripe

from server.sandbox import (
    TRIGGERS,
    delivery_line,
    describe,
    follow,
    public_hosts,
    read_feed,
    request_line,
    sandbox_answers,
    start_sandbox,
    trigger,
)
from server.sandbox import reset as reset_sandbox
from server.shop import (
    ConfigError,
    OrderStore,
    Shop,
    build_stripe_client,
    load_config,
    probe_shop,
    reconcile_orders,
    start_shop,
)

from .checks import run_checks
from .voila import free_port, start_voila


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
    if args.host in ("0.0.0.0", "::") and not shop.app.config["PUBLIC_HOST"]:  # server/sandbox/behind_proxy.py
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
    shop, sandbox = _start_shop(args, args.port)
    print("Press Ctrl-C to stop.", flush=True)
    _wait_for_ctrl_c(shop, sandbox)


def cmd_dashboard(args):
    """Voilà on notebooks/dashboard.ipynb, using the shop at SHOP_URL or one started here (+ sandbox)."""

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


def cmd_sandbox(args):

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

    return run_checks(print)


def cmd_reset(args):

    data_dir = load_config({})["DATA_DIR"]
    if not args.yes:
        answer = input(f"Delete all orders and sandbox state in {data_dir}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    OrderStore(data_dir).reset()
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

    if args.event not in TRIGGERS:
        print(
            f"workbench: cannot trigger {args.event!r}; supported events: {', '.join(sorted(TRIGGERS))}",
            file=sys.stderr,
        )
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


def cmd_listen(args):

    url, client = _sandbox()
    target = args.forward_to if "://" in args.forward_to else "http://" + args.forward_to
    events = [name.strip() for name in (args.events or "*").split(",") if name.strip()]
    stop = _stop_signal()  # before the endpoint exists, so Ctrl-C or SIGTERM always reaches the clean-up below
    endpoint = client.v1.webhook_endpoints.create(
        params={"url": target, "enabled_events": events, "description": "workbench listen"}
    )
    try:
        print(f"Ready! Your webhook signing secret is {endpoint.secret} (^C to quit)", flush=True)
        print(f"Forwarding {'all events' if events == ['*'] else ', '.join(events)} to {target}", flush=True)
        follow(
            lambda after: read_feed(url, f"/dashboard/api/webhook_endpoints/{endpoint.id}/attempts", after=after),
            lambda attempt: print(delivery_line(attempt), flush=True),
            stop,
        )
    finally:
        try:
            client.v1.webhook_endpoints.delete(endpoint.id)
            print(f"Stopped forwarding; removed webhook endpoint {endpoint.id}.", flush=True)
        except stripe.StripeError as exc:
            print(f"workbench: could not remove webhook endpoint {endpoint.id}: {exc}", file=sys.stderr)
    return 0


def cmd_logs(args):

    url, _ = _sandbox()
    entries = read_feed(url, "/dashboard/api/requests", limit=args.limit)
    for entry in entries:
        print(request_line(entry), flush=True)
    if args.follow:
        stop = _stop_signal()
        follow(
            lambda after: read_feed(url, "/dashboard/api/requests", after=after),
            lambda entry: print(request_line(entry), flush=True),
            stop,
            after=entries[-1]["id"] if entries else 0,
        )
    return 0


def parser():
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
    check = sub.add_parser("check", help="validate configuration and report reachability")
    check.set_defaults(func=cmd_check)
    reset = sub.add_parser("reset", help="wipe orders and sandbox state")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.set_defaults(func=cmd_reset)
    reconcile = sub.add_parser("reconcile", help="settle every open order from its PaymentIntent at Stripe")
    reconcile.set_defaults(func=cmd_reconcile)
    listen = sub.add_parser("listen", help="forward the sandbox's events to a URL, like `stripe listen`")
    listen.add_argument("--forward-to", required=True, metavar="URL", help="e.g. localhost:4242/webhook")
    listen.add_argument("--events", metavar="a,b", help="comma-separated event types (default: all)")
    listen.set_defaults(func=cmd_listen)
    trigger = sub.add_parser("trigger", help="create the sandbox objects that emit an event, like `stripe trigger`")
    trigger.add_argument("event", metavar="EVENT", help="an event type, e.g. payment_intent.succeeded")
    trigger.set_defaults(func=cmd_trigger)
    logs = sub.add_parser("logs", help="the sandbox's API request log, like `stripe logs tail`")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new requests until Ctrl-C")
    logs.add_argument(
        "--limit",
        type=int,
        default=20,
        choices=range(1, 1001),
        metavar="N",
        help="how many recent requests to print first (default 20)",
    )
    logs.set_defaults(func=cmd_logs)
    return p


def main(argv=None):
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
