"""``workbench``: run the shop, the sandbox and the dashboard; check and reset configuration."""

import argparse
import os
import signal
import sys
import threading

from server.config import ConfigError
from server.config import load as load_config


def _wait_for_ctrl_c(*servers):
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    print("\nStopping…", flush=True)
    for server in servers:
        if server:
            server.stop()


def cmd_serve(args):
    from server.runner import start_shop

    overrides = {"SANDBOX_PORT": args.sandbox_port} if args.sandbox_port is not None else {}
    shop, sandbox = start_shop(overrides, host=args.host, port=args.port, say=_to_stderr)
    mode = shop.app.config["MODE"]
    print(f"Press Workbench shop ({mode} mode) on {shop.url}", flush=True)
    if mode == "sandbox":
        where = sandbox.url if sandbox else shop.app.config["SANDBOX_URL"] + " (already running)"
        print(f"Offline Stripe sandbox on {where} — test card 4242 4242 4242 4242", flush=True)
    else:
        port = shop.url.rsplit(":", 1)[1]
        print(f"Stripe test mode. Forward webhooks with: stripe listen --forward-to localhost:{port}/webhook")
    print("Press Ctrl-C to stop.", flush=True)
    _wait_for_ctrl_c(shop, sandbox)


def cmd_sandbox(args):
    from server.runner import start_sandbox

    settings = load_config({"MODE": "sandbox"})
    data_dir = args.data_dir or settings["DATA_DIR"]
    port = args.port if args.port is not None else settings["SANDBOX_PORT"]
    sandbox = start_sandbox(os.path.abspath(data_dir), args.host, port)
    print(f"Offline Stripe sandbox on {sandbox.url} (data in {data_dir})", flush=True)
    print(f"  stripe-python: stripe.StripeClient(key, base_addresses={{'api': '{sandbox.url}'}})")
    print(f"  Stripe.js stand-in: {sandbox.url}/v3/   Press Ctrl-C to stop.", flush=True)
    _wait_for_ctrl_c(sandbox)


def _to_stderr(line):
    print(line, file=sys.stderr, flush=True)


def cmd_reconcile(args):
    """Settle every open order from its PaymentIntent, whether or not the shop is running."""
    from server.reconcile import reconcile
    from server.shop import Shop

    report = reconcile(Shop.from_config(load_config({})))
    print(report.summary())
    for order_id, problem in report.problems:
        print(f"  {order_id}: {problem}")
    return 1 if report.problems else 0


def cmd_check(args):
    from server.checks import run_checks

    return run_checks(print)


def cmd_reset(args):
    from server.orders import OrderStore
    from server.sandbox.store import Store

    data_dir = load_config({})["DATA_DIR"]
    if not args.yes:
        answer = input(f"Delete all orders and sandbox state in {data_dir}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 1
    OrderStore(data_dir).reset()
    Store(data_dir).reset()
    print(f"Cleared orders and sandbox state in {data_dir}.")
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
    check = sub.add_parser("check", help="validate configuration and report reachability")
    check.set_defaults(func=cmd_check)
    reset = sub.add_parser("reset", help="wipe orders and sandbox state")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.set_defaults(func=cmd_reset)
    reconcile = sub.add_parser("reconcile", help="settle every open order from its PaymentIntent at Stripe")
    reconcile.set_defaults(func=cmd_reconcile)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        if args.command == "serve" and args.port is None:
            args.port = load_config({})["SHOP_PORT"]
        return args.func(args) or 0
    except ConfigError as exc:
        print(f"workbench: configuration error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
