"""Find the shop a notebook should use, or start one (with its sandbox) inside the kernel.

A shop started here gets free ports and its own temporary data directory, so two
notebooks, a dashboard and ``workbench serve`` can run at once without sharing a
port, an order or an event.  It stops, and its data is deleted, when the kernel
shuts down (or when ``stop()`` is called).  A kernel starts one at most:
``kernel_servers()`` hands the running one to every later ``Workbench()``, so
re-running a notebook's first cell does not pile up servers and threads.
"""

import atexit
import shutil
import tempfile

from press_workbench.shop import start_shop

from .errors import WorkbenchError

_started = None  # the KernelServers of this process, while they run


def kernel_servers(currency=None):
    """The shop and sandbox running in this kernel, started on first use (selling in ``currency`` if given)."""
    global _started
    if _started is None or _started.stopped:
        _started = KernelServers(currency)
    elif currency and _started.app.config["SHOP_CURRENCY"] != currency:
        raise WorkbenchError(
            f"The shop started in this kernel sells in {_started.app.config['SHOP_CURRENCY']}, not {currency}: "
            "restart the kernel, then run this cell again."
        )
    return _started


class KernelServers:
    """The shop, and in sandbox mode a fresh sandbox, serving from threads of this process."""

    def __init__(self, currency=None):
        self.stopped = False
        self.data_dir = tempfile.mkdtemp(prefix="workbench-")
        # SANDBOX_URL None: never reuse another sandbox, whose events and state would mix with ours.
        config = {"DATA_DIR": self.data_dir, "SANDBOX_PORT": 0, "SANDBOX_URL": None}
        if currency:
            config["SHOP_CURRENCY"] = currency  # else SHOP_CURRENCY from the environment, as any shop
        try:
            self.shop, self.sandbox = start_shop(config)
        except Exception:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            raise
        atexit.register(self.stop)

    @property
    def app(self):
        """The shop's Flask app, for lessons that look inside it."""
        return self.shop.app

    def stop(self):
        """Stop serving (the sandbox's webhook sender too) and delete the data; calling it twice is harmless."""
        if self.stopped:
            return
        self.stopped = True
        atexit.unregister(self.stop)
        self.shop.stop()
        if self.sandbox is not None:
            self.sandbox.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)
