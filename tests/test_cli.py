"""`workbench serve` as a newcomer runs it: prints where it listens, serves, and stops cleanly on Ctrl-C."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request


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
