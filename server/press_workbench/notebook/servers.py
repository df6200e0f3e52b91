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

_started = None  # the KernelServers of this process, while they run


def kernel_servers():
    """The shop and sandbox running in this kernel, started on first use."""
    global _started
    if _started is None or _started.stopped:
        _started = KernelServers()
    return _started


class KernelServers:
    """The shop, and in sandbox mode a fresh sandbox, serving from threads of this process."""

    def __init__(self):
        self.stopped = False
        self.data_dir = tempfile.mkdtemp(prefix="workbench-")
        try:
            # SANDBOX_URL None: never reuse another sandbox, whose events and state would mix with ours.
            self.shop, self.sandbox = start_shop({"DATA_DIR": self.data_dir, "SANDBOX_PORT": 0, "SANDBOX_URL": None})
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
