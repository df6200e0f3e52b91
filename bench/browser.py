"""Headless Chromium for the browser measurements, launched as the tests launch it, loopback only."""

import fcntl
import os
from contextlib import contextmanager

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

LOCAL = ("http://127.0.0.1", "http://localhost")
LOCK = "/tmp/wb-browser.lock"  # RULES.md: one browser suite at a time on the shared machine


@contextmanager
def browser_lock():
    """Hold the machine's browser lock (``flock /tmp/wb-browser.lock``) while Chromium, Voilà or Jupyter run."""
    with open(LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def launch(playwright):
    """Debian's Chromium when present (Playwright cannot download its own here), with the tests' arguments."""
    return playwright.chromium.launch(
        args=CHROMIUM_ARGS, **({"executable_path": CHROMIUM} if os.path.exists(CHROMIUM) else {})
    )


def local_page(browser):
    """A new tab that may reach 127.0.0.1 only, as in the tests: nothing measured waits on the internet."""
    page = browser.new_page()
    page.route(lambda url: not url.startswith(LOCAL), lambda route: route.abort())
    return page
