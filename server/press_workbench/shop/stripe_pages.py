"""Where a Stripe object is shown: Stripe's Dashboard in stripe mode, the sandbox console in sandbox mode.

The sandbox console uses the paths of Stripe's Dashboard (``payments/pi_…``, ``events/evt_…``,
``webhooks/we_…``), so one table of sections serves both.  The shop's pages, the
notebooks' event views and the Voilà dashboard all link through ``stripe_page_url``.
"""

STRIPE_DASHBOARD = "https://dashboard.stripe.com/test"
SECTIONS = {"pi": "payments", "ch": "payments", "evt": "events", "we": "webhooks"}


def stripe_page_url(object_id, mode, sandbox_url=None):
    """The page of ``object_id`` in ``mode`` ("sandbox" needs ``sandbox_url``), or None if it has none."""
    section = SECTIONS.get(str(object_id).split("_", 1)[0])
    if not section:
        return None
    base = f"{sandbox_url.rstrip('/')}/dashboard" if mode == "sandbox" else STRIPE_DASHBOARD
    return f"{base}/{section}/{object_id}"
