"""The notebook helper: one import gives a learner or presenter the whole workbench.

    from press_workbench.notebook import Workbench
    wb = Workbench()                    # the shop at SHOP_URL, or one started in this kernel (once)
    order = wb.create_order({"art-of-doing-science": 2})
    order.show_checkout()               # pay in the checkout, beside a panel that follows the order…
    order.wait()                        # …and the confirmation comes back here

Modules: ``workbench`` (the entry point), ``servers`` (find or start the shop),
``order`` (waiting and the confirmation), ``presenter`` (the checkout frame and its
live status panel, the Check out desk), ``picker`` (ipywidgets), ``shopper`` (the
browser's requests, for unattended runs), ``events``, ``display`` and
``lifecycle_svg`` (rich output), ``build`` (a scratch copy to build a feature in),
``exercises`` (answers checked live, folded solutions), ``source`` (the shop's code
shown from its files), ``webhooks`` (signed deliveries to the shop, a pause),
``network`` (lost answers on purpose), ``saved_cards`` (this kernel's shopper's saved
cards, and the dashboard's panel for them), ``unattended`` (running the notebooks in CI).
"""

from .errors import NotPaidYet, WorkbenchError
from .order import Confirmation, Order
from .shopper import ShopperVisit
from .workbench import Workbench

__all__ = ["Confirmation", "NotPaidYet", "Order", "ShopperVisit", "Workbench", "WorkbenchError"]
