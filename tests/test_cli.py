"""`workbench serve` as a newcomer runs it: prints where it listens, serves, and stops cleanly on Ctrl-C."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from press_workbench.launch.voila import free_port


def test_serve_prints_urls_serves_and_stops_on_ctrl_c(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "WORKBENCH_"))}
    env.update(WORKBENCH_DATA_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "press_workbench.launch.cli", "serve", "--port", "0", "--sandbox-port", "0"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        shop_line = proc.stdout.readline()
        sandbox_line = proc.stdout.readline()
        shop_url = re.search(r"on (http://127\.0\.0\.1:\d+)", shop_line).group(1)
        assert "sandbox mode" in shop_line and "Offline Stripe sandbox on http://127.0.0.1:" in sandbox_line
        with urllib.request.urlopen(shop_url + "/api/health", timeout=5) as response:
            assert json.load(response)["mode"] == "sandbox"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "Stopping" in proc.stdout.read()
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()


def test_a_free_port_is_one_the_kernel_never_hands_out_on_its_own():
    """The dashboard's and the workshop's ports are chosen before their servers bind them, seconds later:
    a port from the ephemeral range could meanwhile become some connection's own end."""
    ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {free_port() for _ in range(20)}
    assert all(15000 <= port < ephemeral for port in ports) and len(ports) > 1
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports.pop()))  # and free
