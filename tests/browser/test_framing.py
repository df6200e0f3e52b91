"""The checkout in a frame, in a real browser: shown on the dashboard's origin, refused everywhere else."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from tests.shop_helpers import new_order

pytestmark = pytest.mark.browser


def framing_page(src):
    """A page on its own loopback origin that frames ``src``, as the dashboard does."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            body = f'<!doctype html><iframe src="{src}" title="framed checkout" width="900" height="700"></iframe>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def refused(page, timeout=10.0):
    """True once the frame shows Chromium's error page (what a CSP ``frame-ancestors`` refusal loads)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(frame.url.startswith("chrome-error://") for frame in page.frames):
            return True
        page.wait_for_timeout(100)
    return False


def test_the_checkout_frames_only_on_the_dashboards_origin(page, app, live_shop, client, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))  # no JupyterLab running here
    order = new_order(client, ("art-of-doing-science", 1))
    src = f"{live_shop.url}/checkout/{order['id']}?embedded=1"
    allowed, other = framing_page(src), framing_page(src)
    try:
        app.config["DASHBOARD_PORT"] = allowed.server_port
        page.goto(f"http://127.0.0.1:{allowed.server_port}/")
        framed = page.frame_locator("iframe")
        expect(framed.get_by_test_id("order-total")).to_have_text("$23.00")
        expect(framed.locator(".site-header")).to_have_count(0)  # embedded: the dashboard has its own header

        page.goto(f"http://127.0.0.1:{other.server_port}/")
        assert refused(page), "another origin framed the checkout"
    finally:
        allowed.shutdown()
        other.shutdown()
