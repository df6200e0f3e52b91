"""One real workshop for the hub tests (``make workshop``), and two learners whose browsers reach only the hub.

Each learner's browser context aborts, and counts, every request and WebSocket to a
host:port other than the hub's: the count must stay 0.
"""

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from tests.hub import workshop as hub
from tests.notebooks.jupyterlab import kernel_ready

LEARNERS = ("ada", "grace")


@dataclass
class Learner:
    name: str
    page: object
    elsewhere: list = field(default_factory=list)  # requests and WebSockets aborted: not to the hub
    orders: list = field(default_factory=list)  # what they paid, as their shop's API tells it

    @property
    def prefix(self):
        return f"/user/{self.name}/"


@pytest.fixture(scope="module")
def workshop():
    """``make workshop`` with two learner names; stopped (Ctrl-C) and cleaned up after the module.

    Skipped only where make workshop itself refuses because learners' accounts cannot read this
    checkout (a folder above it closed to other users): no learner could work there, and it says so.
    """
    try:
        running = hub.start(LEARNERS)
    except AssertionError as exc:
        if "Learners' accounts cannot" in str(exc):
            pytest.skip(str(exc).splitlines()[-1])
        raise
    yield running
    running.stop()


@pytest.fixture(scope="module")
def learners(browser, workshop):
    """Two learners signed in at once, each in a browser of their own, each in JupyterLab on lesson 01."""
    signed_in = []
    for name in LEARNERS:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        learner = Learner(name, context.new_page())
        learner.page.set_default_timeout(30_000)
        hub.only_the_hub(context, workshop, learner.elsewhere)
        hub.sign_in(learner.page, name, workshop)
        signed_in.append(learner)
    for learner in signed_in:  # both servers spawn meanwhile
        lesson = re.compile(rf"/user/{learner.name}/lab/tree/{hub.FIRST_LESSON}")
        expect(learner.page).to_have_url(lesson, timeout=180_000)
        expect(kernel_ready(learner.page)).to_be_visible(timeout=120_000)
    yield signed_in
    for learner in signed_in:
        learner.page.context.close()
