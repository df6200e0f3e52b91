"""Press Workbench: a Stripe Press book shop whose payments are the lesson.

Four packages, each importing only the ones below it, through their public API:

- ``press_workbench.launch``: the commands (``workbench``, ``make lab``, the Voilà launcher, checks);
- ``press_workbench.notebook``: the lesson helpers and the shopper's Voilà dashboard;
- ``press_workbench.shop``: the Flask shop (catalog, cart, orders, checkout, webhooks);
- ``press_workbench.sandbox``: the offline Stripe stand-in, which imports nothing of ours.

Beside them, ``press_workbench.pytest_plugin``: the ``stripe_sandbox`` fixtures, on top of the sandbox alone.

This package itself imports nothing, so ``import press_workbench.sandbox`` loads the sandbox alone, and pytest
loading the plugin in every project of an environment loads no Flask.
"""
