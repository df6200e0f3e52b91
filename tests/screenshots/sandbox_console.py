#!/usr/bin/env python3
"""Screenshots of the sandbox console after a short demo, for the docs and for looking at it.

Starts a fresh shop and sandbox in this process (free ports, a temporary data
folder), buys books through the shop's real checkout (a decline then a retry, a 3D
Secure card), adds a few ``workbench trigger`` payments and a webhook endpoint that is
down (so retries show), then opens console pages in headless Chromium and saves PNGs:
the docs' two (a projector-sized 1600×900 view of the payments list and of one
payment), or with ``--all`` every page, full length, to look at; ``--width 1024 --height 768``
looks at them as a small projector shows them.

    .venv/bin/python -m tests.screenshots.sandbox_console [--all] [--out DIR]   # or: make screenshots
"""

import argparse
import os
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from press_workbench.notebook import Workbench
from press_workbench.sandbox import read_feed
from press_workbench.sandbox.triggers import trigger
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]

VIEWPORT = {"width": 1600, "height": 900}  # a 16:9 projector
README_SHOTS = ("payments", "payment")


def demo_payments(wb):
    """A few payments with different stories; returns the PaymentIntent of the one worth a close look."""
    wb.stripe.v1.webhook_endpoints.create(
        params={
            "url": "http://127.0.0.1:9/webhook",
            "description": "a receiver that is down",
            "enabled_events": ["payment_intent.succeeded"],
        }
    )
    retried = wb.create_order({"art-of-doing-science": 1, "working-in-public": 1})
    wb.pay_as_shopper(retried, "4000 0000 0000 9995")
    wb.pay_as_shopper(retried, "4242 4242 4242 4242")
    wb.pay_as_shopper(wb.create_order({"high-growth-handbook": 2}), "4000 0027 6000 3184")
    for event_type in ("payment_intent.canceled", "charge.refunded", "payment_intent.requires_action"):
        trigger(wb.stripe, event_type)
    wb.pay_as_shopper(wb.create_order({"stubborn-attachments": 1}), "4000 0000 0000 0002")
    return retried.refresh().payment_intent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "static" / "screenshots"))
    parser.add_argument("--all", action="store_true", help="every page, full length (default: the README's two)")
    parser.add_argument("--width", type=int, default=VIEWPORT["width"])
    parser.add_argument("--height", type=int, default=VIEWPORT["height"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["SHOP_URL"] = "http://127.0.0.1:0"  # never a running shop: a fresh one with its own sandbox
    with Workbench() as wb:
        pi_id = demo_payments(wb)
        time.sleep(1.5)  # let the webhooks land
        base = wb.sandbox_url + "/dashboard"
        pages = {
            "payments": "/payments",
            "payment": f"/payments/{pi_id}",
            "events": "/events",
            "webhooks": "/webhooks",
            "logs": "/logs",
            "errors": "/errors",
        }
        succeeded = wb.stripe.v1.events.list(params={"type": "payment_intent.succeeded", "limit": 100}).data
        pages["event"] = "/events/" + next(e.id for e in succeeded if e.data.object.id == pi_id)
        endpoints = wb.stripe.v1.webhook_endpoints.list().data
        pages["webhook"] = "/webhooks/" + next(ep.id for ep in endpoints if ep.url.endswith(":9/webhook"))
        failed = read_feed(wb.sandbox_url, "/dashboard/api/requests", status_type="4XX", limit=1)
        pages["request"] = "/logs/" + failed[-1]["request_id"]  # the last decline: what was sent and answered
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
            for name in pages if args.all else README_SHOTS:
                page.goto(base + pages[name])
                page.screenshot(path=str(out / f"sandbox-console-{name}.png"), full_page=args.all)
                print(out / f"sandbox-console-{name}.png")
            browser.close()


if __name__ == "__main__":
    main()
