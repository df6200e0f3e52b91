"""The notebook helper (design §7): one import gives a learner or presenter the whole workbench.

    from server.notebook import Workbench
    wb = Workbench()                    # the shop at SHOP_URL, or one started in this kernel
    order = wb.create_order({"art-of-doing-science": 2})
    order.show_checkout()               # pay in the browser…
    order.wait()                        # …and the confirmation comes back here

Modules: ``workbench`` (the entry point), ``servers`` (find or start the shop),
``order`` (checkout and waiting), ``shopper`` (the browser's requests, for
unattended runs), ``events``, ``display`` and ``lifecycle_svg`` (rich output),
``picker`` (ipywidgets), ``unattended`` (running the notebooks in CI).
"""

from .errors import WorkbenchError
from .order import Confirmation, Order
from .shopper import ShopperVisit
from .workbench import Workbench

__all__ = ["Confirmation", "Order", "ShopperVisit", "Workbench", "WorkbenchError"]
