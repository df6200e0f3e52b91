"""The sandbox stands alone: building and serving it loads nothing of the shop."""

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.sandbox_only("about the sandbox package itself")


def test_sandbox_runs_without_loading_the_shop(tmp_path):
    script = textwrap.dedent(f"""
        import json, sys, urllib.request
        import press_workbench.sandbox
        assert all(m == "press_workbench" or m.startswith("press_workbench.sandbox")
                   for m in sys.modules if m.startswith("press_workbench"))
        from press_workbench.sandbox import SECRET_KEY, create_sandbox_app
        app = create_sandbox_app({str(tmp_path)!r})
        answer = app.test_client().post("/v1/payment_intents", data={{"amount": 2300, "currency": "usd"}},
                                        headers={{"Authorization": "Bearer " + SECRET_KEY}})
        assert answer.status_code == 200, answer.get_json()
        print(json.dumps(sorted(m for m in sys.modules if m.startswith("press_workbench"))))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = __import__("json").loads(result.stdout)
    outside = [name for name in loaded if name != "press_workbench" and not name.startswith("press_workbench.sandbox")]
    assert outside == [], f"the sandbox loaded shop modules: {outside}"
    assert "press_workbench.sandbox.resources.payment_intents" in loaded


def test_a_server_started_past_1024_open_files_still_answers():
    """waitress's select() loop dies on a descriptor above 1,023 and leaves its socket listening, unanswered: a
    long test run (or a long-lived kernel) past that many open files hung on its next server. poll() has no limit."""
    import resource
    import urllib.request

    from press_workbench.sandbox import serve_in_thread

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        pytest.skip(f"this process may open only {soft} files")
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]  # the server's sockets come after these
    try:

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"answered"]

        running = serve_in_thread(app, name="past 1024")
        try:
            with urllib.request.urlopen(running.url, timeout=10) as response:
                assert response.read() == b"answered"
        finally:
            running.stop()
    finally:
        for fd in held:
            os.close(fd)


def test_a_sandbox_stopped_leaves_no_file_open(tmp_path):
    """Its SQLite connections close with it: a kernel or a test run that starts and stops many keeps no files open."""
    import stripe

    from press_workbench.sandbox import SECRET_KEY, start_sandbox

    def open_files():
        return len(os.listdir("/proc/self/fd"))

    def start_use_stop(data_dir):
        running = start_sandbox(str(data_dir))
        client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": running.url}, max_network_retries=0)
        client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", "payment_method_types": ["card"]})
        running.stop()

    start_use_stop(tmp_path / "warm-up")  # the first start opens what every later one shares (the checkpointer)
    before = open_files()
    for round_ in range(3):
        start_use_stop(tmp_path / f"round-{round_}")
    assert open_files() - before <= 3  # a pooled keep-alive socket or so, not a few dozen database files per sandbox
