"""Make the dashboard screenshot of the README and the docs (``static/screenshots/dashboard.png``), in Chromium.

Starts a sandbox shop and the Voilà dashboard on free ports (fresh data, so nothing
of yours shows), shops as a person would — two books into the cart, Pay, card 4242…
in the checkout frame — and stacks three moments: the shop with its cart, the
checkout, and the receipt with the total charged and the ``pi_…`` id.

    .venv/bin/python -m tests.screenshots.dashboard     # from the repository root (or: make screenshots)
"""

import base64
import os
import re
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from press_workbench.launch.voila import free_port, start_voila
from press_workbench.shop.serving import start_shop
from tests.browser.shopper import add_to_cart, fill_card, open_checkout, open_dashboard  # the browser tests' own steps
from tests.conftest import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]

OUTPUT = ROOT / "static" / "screenshots" / "dashboard.png"
VIEWPORT = {"width": 1280, "height": 720}
PANEL_WIDTH = 820  # the moments stacked, at about two thirds of their size: small, and still readable


def capture(dashboard_url):
    """PNG bytes of three moments: shopping (covers, prices, the cart), paying (the checkout frame), paid."""
    with sync_playwright() as playwright:
        launch = {"args": CHROMIUM_ARGS, **({"executable_path": CHROMIUM} if os.path.exists(CHROMIUM) else {})}
        browser = playwright.chromium.launch(**launch)
        page = browser.new_page(viewport=VIEWPORT)
        page.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
        open_dashboard(page, dashboard_url)
        add_to_cart(page, "art-of-doing-science")
        add_to_cart(page, "working-in-public", 2)
        expect(page.locator(".wb-cart-line")).to_have_count(2)
        page.mouse.move(0, 0)  # no hover highlight, no focus ring
        page.evaluate("document.activeElement.blur()")
        moments = [("Pick books — the shop prices the cart", shot(page))]
        checkout, _ = open_checkout(page)
        fill_card(checkout, "4242 4242 4242 4242")
        expect(checkout.get_by_test_id("pay-button")).to_be_enabled()
        moments.append(("Pay in the checkout, inline (or in a new tab)", shot(page)))
        checkout.get_by_test_id("pay-button").click()
        expect(page.locator(".wb-confirmation .wb-pi")).to_have_text(re.compile(r"pi_\w+"))
        moments.append(("The receipt: total charged and PaymentIntent, as the shop recorded them", shot(page)))
        composite = stacked(browser, moments)
        browser.close()
        return composite


def shot(page):
    """The page down to the end of the dashboard's content (no empty background below it)."""
    box = page.locator(".wb-shop").bounding_box()
    height = min(VIEWPORT["height"], box["y"] + box["height"] + 8)
    return page.screenshot(clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})


def stacked(browser, moments):
    """One PNG with the captioned moments one under the other, laid out by the browser itself."""
    figures = "".join(
        f"<figure><figcaption>{number}. {caption}</figcaption>"
        f'<img src="data:image/png;base64,{base64.b64encode(png).decode()}"></figure>'
        for number, (caption, png) in enumerate(moments, 1)
    )
    page = browser.new_page(viewport={"width": PANEL_WIDTH + 40, "height": 400})
    page.set_content(
        "<style>body{margin:0;background:#eceae4;font:600 15px system-ui,sans-serif;color:#1f2430}"
        "main{display:flex;flex-direction:column;gap:18px;padding:16px 20px 20px}figure{margin:0}"
        f"img{{width:{PANEL_WIDTH}px;display:block;border-radius:6px;box-shadow:0 2px 10px rgba(0,0,0,.18)}}"
        f"figcaption{{margin-bottom:8px}}</style><main>{figures}</main>"
    )
    return page.locator("main").screenshot()


def main():
    with tempfile.TemporaryDirectory(prefix="screenshot-") as data_dir:
        port = free_port()
        shop, sandbox = start_shop(
            {"MODE": "sandbox", "DATA_DIR": data_dir, "SANDBOX_PORT": 0, "SANDBOX_URL": None, "DASHBOARD_PORT": port}
        )
        dashboard = start_voila(shop.url, port, os.path.join(data_dir, "dashboard.log"))
        try:
            png = capture(dashboard.url)
        finally:
            dashboard.stop()
            shop.stop()
            sandbox.stop()
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_bytes(png)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(png) // 1024} KiB)")


if __name__ == "__main__":
    main()
