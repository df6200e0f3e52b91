"""The shop's use of Stripe: create an order's PaymentIntent, and settle orders from Stripe's answer.

Views and the notebook helper call these; they are the only code that talks to
Stripe, through the one client built in ``stripe_client``.
"""

import re
from dataclasses import dataclass

import stripe
from flask import current_app

from .catalog import load_catalog, price_lines
from .errors import ShopError
from .orders import OrderError, OrderStore
from .stripe_client import build_stripe_client

ORDER_ID = re.compile(r"ord_[A-Za-z0-9]{1,40}")


@dataclass
class Shop:
    """The shop's state for one app: configuration, catalog, orders and its one Stripe client.

    Every Stripe call goes through here, so both modes get each new call and nothing else in the shop talks to Stripe.
    """

    config: dict
    catalog: dict
    orders: OrderStore
    stripe: stripe.StripeClient

    @classmethod
    def from_config(cls, config):
        """The shop for a configuration: its catalog, its orders in the data dir, its Stripe client."""
        return cls(
            config=config,
            catalog=load_catalog(config["SHOP_CURRENCY"]),
            orders=OrderStore(config["DATA_DIR"]),
            stripe=build_stripe_client(config),
        )

    def close(self):
        """Close the orders' database once the shop's server has stopped (``RunningServer.stop`` calls this)."""
        self.orders.close()

    def order(self, order_id):
        """The order, or a 404 ``order_not_found`` (JSON for the API, a page for people: ``shop/errors.py``)."""
        order = self.orders.get(order_id)
        if order is None:
            named = order_id if ORDER_ID.fullmatch(order_id) else "with that number"  # echo ids, never other text
            raise ShopError("order_not_found", f"There is no order {named}.", status=404, title="Not Found")
        return order

    def create_order(self, items, email=None, idempotency=None):
        """Price the items from the catalog, store the order and create its PaymentIntent; returns (order, created).

        ``email`` must already be validated (``press_workbench.shop.validation.email``).  With
        ``idempotency`` (``{"key", "scope", "fingerprint"}``), a repeated request from the
        same scope gets the order made the first time (``OrderStore.create``).
        """
        lines, currency = price_lines(items, self.catalog)
        order, created = self.orders.create(lines, currency, email, idempotency)
        return self.ensure_payment_intent(order), created

    def ensure_payment_intent(self, order):
        """Create the order's PaymentIntent once; the idempotency key makes a retry return the same one."""
        if order.payment_intent:
            return order
        titles = ", ".join(f"{line['quantity']} × {line['title']}" for line in order.items)
        params = {
            "amount": order.amount,
            "currency": order.currency,
            "automatic_payment_methods": {"enabled": True},
            "description": f"Stripe Press order {order.id}: {titles}"[:1000],
            "metadata": {"order_id": order.id},
        }
        if order.email:
            params["receipt_email"] = order.email
        pi = self.stripe.v1.payment_intents.create(
            params=params, options={"idempotency_key": f"{order.id}-payment-intent"}
        )
        return self.orders.attach_payment_intent(order, pi.id, pi.client_secret)

    def refund(self, order):
        """Refund a paid order in full; the idempotency key makes a repeated click refund once."""
        if order.status != "paid":
            raise OrderError(f"Only a paid order can be refunded; {order.id} is {order.status}.")
        refund = self.stripe.v1.refunds.create(
            params={
                "payment_intent": order.payment_intent,
                "reason": "requested_by_customer",
                "metadata": {"order_id": order.id},
            },
            options={"idempotency_key": f"{order.id}-refund"},
        )
        return self.orders.transition(order.id, "refunded", "refund", f"{refund.id} {refund.status}")

    def settle(self, order, source):
        """Retrieve the order's PaymentIntent with the secret key and apply it; returns (order, intent)."""
        pi = self.stripe.v1.payment_intents.retrieve(order.payment_intent)
        data = pi.to_dict()
        return self.orders.apply_payment_intent(order, data, source), data


def current_shop() -> Shop:
    """The shop of the app handling this request, as the Flask tutorial reaches its database."""
    return current_app.extensions["shop"]
