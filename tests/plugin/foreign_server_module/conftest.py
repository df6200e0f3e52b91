"""Plain ``pytest`` puts this folder on ``sys.path`` because this file is in it, so the tests import ``server``."""

import pytest

from server import app


@pytest.fixture
def client():
    return app.test_client()
