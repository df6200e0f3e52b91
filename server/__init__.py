"""Press Workbench: a Stripe Press book shop whose payments are the lesson.

Four packages, each importing only the ones below it, through their public API:

- ``server.launch``: the commands (``workbench``, ``make lab``, the Voilà launcher, checks);
- ``server.notebook``: the lesson helpers and the shopper's Voilà dashboard;
- ``server.shop``: the Flask shop (catalog, cart, orders, checkout, webhooks);
- ``server.sandbox``: the offline Stripe stand-in, which imports nothing of ours.

This package itself imports nothing, so ``import server.sandbox`` loads the sandbox alone.
"""
