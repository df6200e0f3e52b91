"""Where the page showing this kernel's output lives, so a shop started here lets exactly that page frame it.

The shop's checkout may be framed only by the origins it is told about (its CSP
``frame-ancestors``).  A kernel started by a Jupyter server (JupyterLab) gets the
server's pid as ``JPY_PARENT_PID``; the server describes itself, URL included, in
``jpserver-<pid>.json`` in the Jupyter runtime directory.
"""

import json
import os
from urllib.parse import urlparse

from jupyter_core.paths import jupyter_runtime_dir

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


def frontend_origins(environ=None):
    """The origins of the Jupyter server that started this kernel (both loopback spellings), or ``[]``."""
    environ = os.environ if environ is None else environ
    pid = environ.get("JPY_PARENT_PID")
    if not pid:
        return []
    try:
        with open(os.path.join(jupyter_runtime_dir(), f"jpserver-{pid}.json"), encoding="utf-8") as fh:
            url = urlparse(json.load(fh)["url"])
    except (OSError, ValueError, KeyError, TypeError):
        return []
    hosts = LOOPBACK_NAMES if url.hostname in LOOPBACK_NAMES else (url.hostname,)
    return [f"{url.scheme}://{host}:{url.port}" for host in hosts]
