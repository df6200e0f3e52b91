"""Which pages may frame the shop (the CSP ``frame-ancestors``): the dashboard, and the JupyterLabs running here.

The checkout is shown inline by the Voilà dashboard, whose origin comes from
``DASHBOARD_PORT``, and by lessons in JupyterLab, whose port nobody configures
(``make lab`` takes the first free one, tests pick their own).  Every Jupyter server
describes itself, URL included, in ``jpserver-<pid>.json`` in the user's Jupyter
runtime directory, so the shop allows the origins of those still running — loopback
ones only.  A server is running if its port accepts a connection: a file left by one
that crashed names a port nothing answers on.  (Not by probing its pid with ``os.kill(pid,
0)``: that is POSIX's liveness check, and on Windows the same call sends the process a
Ctrl-C.)  Any other page, local or not, is refused.  Installed without the ``notebook`` extra
(no ``jupyter_core``), no JupyterLab runs from this install, so only the dashboard's origin is allowed.
"""

import glob
import json
import os
import socket
from urllib.parse import urlparse

try:
    from jupyter_core.paths import jupyter_runtime_dir
except ImportError:  # the shop and sandbox alone (pip install without extras)
    jupyter_runtime_dir = None

LOOPBACK = ("127.0.0.1", "localhost")


def frame_ancestors(config):
    """The origins that may frame the shop's pages, both loopback spellings of each."""
    ports = [config["DASHBOARD_PORT"], *jupyter_ports()]
    return [f"http://{host}:{port}" for port in dict.fromkeys(p for p in ports if p) for host in LOOPBACK]


def jupyter_ports(runtime_dir=None):
    """The ports of the Jupyter servers (JupyterLab) running on loopback for this user."""
    runtime_dir = runtime_dir or (jupyter_runtime_dir and jupyter_runtime_dir())
    if not runtime_dir:
        return []
    ports = []
    for path in sorted(glob.glob(os.path.join(runtime_dir, "jpserver-*.json"))):
        try:
            with open(path, encoding="utf-8") as fh:
                info = json.load(fh)
            url = urlparse(info["url"])
            port = url.port
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if url.scheme == "http" and url.hostname in LOOPBACK and port and _answers(url.hostname, port):
            ports.append(port)
    return ports


def _answers(host, port):
    """True if a server accepts connections at loopback ``host:port`` (the connection is closed at once)."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
