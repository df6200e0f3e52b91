"""Browser-test fixtures: one merchant site for every Stripe.js integration test."""

import pytest

from tests.browser.merchant import Merchant


@pytest.fixture(scope="session")
def merchant(sandbox_url):
    site = Merchant(sandbox_url)
    yield site
    site.server.stop()
