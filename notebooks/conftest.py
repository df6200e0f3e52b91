"""How ``make test`` runs these notebooks: nbval executes each one and compares the outputs.

Each notebook's kernel starts with ``UNATTENDED_ENV`` (sandbox mode, a shop of its
own, a test shopper who pays), and only that kernel: the environment of the test
process is restored as soon as the kernel has started.
"""

import os

import pytest

from server.notebook.unattended import UNATTENDED_ENV


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """nbval starts a notebook's kernel while setting up its first cell."""
    saved = {name: os.environ.get(name) for name in UNATTENDED_ENV}
    os.environ.update(UNATTENDED_ENV)
    try:
        return (yield)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
