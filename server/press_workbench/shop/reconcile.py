"""Settle every open order from its PaymentIntent, retrieved with the secret key (``workbench reconcile``).

Webhooks can be missed: the shop was down when Stripe sent them, ``stripe listen``
was not running, an endpoint was disabled.  Asking Stripe again is always right,
because an order changes only from what Stripe says, through the same lifecycle
rules as a webhook (``OrderStore.apply_payment_intent``); the order history names
``reconcile`` as the source.  The shop runs this at start-up, in the background.
"""

import threading
from dataclasses import dataclass, field

import stripe

from .orders import OrderError


@dataclass
class Report:
    """What a reconcile run did, kept apart from the printing so the CLI and the start-up log share one summary."""

    checked: int = 0
    changed: list = field(default_factory=list)  # (order id, old status, new status)
    problems: list = field(default_factory=list)  # (order id, what went wrong)

    def summary(self):
        """One line for stderr: how many orders were checked, which moved, and how many could not be checked."""
        if not self.checked and not self.problems:
            return "Reconcile: no open orders."
        moved = ", ".join(f"{order_id} {old} → {new}" for order_id, old, new in self.changed) or "none changed"
        trouble = f"; {len(self.problems)} could not be checked" if self.problems else ""
        return f"Reconcile: {self.checked} open orders checked with Stripe: {moved}{trouble}."


def reconcile_orders(shop):
    """Settle each open order that has a PaymentIntent; a Stripe that cannot be reached stops the run."""
    report = Report()
    for order in shop.orders.open_orders():
        try:
            settled, _ = shop.settle(order, "reconcile")
        except stripe.APIConnectionError as exc:
            report.problems.append((order.id, f"Stripe is not reachable: {exc.user_message or exc}"))
            break
        except (OrderError, stripe.StripeError) as exc:
            report.problems.append((order.id, str(exc)))
            continue
        report.checked += 1
        if settled.status != order.status:
            report.changed.append((order.id, order.status, settled.status))
    return report


def reconcile_in_background(shop, say=None):
    """Start-up reconciliation that does not hold up serving; ``say`` gets the summary and each problem."""

    def run():
        report = reconcile_orders(shop)
        if say and (report.checked or report.problems):
            say(report.summary())
            for order_id, problem in report.problems:
                say(f"  {order_id}: {problem}")

    thread = threading.Thread(target=run, name="reconcile", daemon=True)
    thread.start()
    return thread
