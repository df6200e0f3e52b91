"""The sandbox stands alone: building and serving it loads nothing of the shop."""

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
