"""The docs' path without ``make`` (docs/start.md): ``workbench lab`` and ``workbench dashboard`` from the venv.

``workbench lab`` is what ``make lab`` does: JupyterLab on the lessons with the shop running in the
launcher, outside the kernels.  ``workbench dashboard`` is what ``make demo`` runs, tested in
``tests/browser/test_dashboard.py``.  Both are run here as a learner types them, by the console script.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from press_workbench.launch.cli import parser
from press_workbench.launch.voila import free_port
from tests.notebooks.jupyterlab import LESSONS, TOKEN, lab_env, running
from tests.processes import ROOT

WORKBENCH = shutil.which("workbench", path=os.path.dirname(sys.executable))
START = Path(ROOT, "docs", "start.md")


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_workbench_lab_serves_the_folder_with_the_shop_outside_the_kernels(tmp_path):
    folder = tmp_path / "lessons"
    folder.mkdir()
    shutil.copy(LESSONS[0], folder)
    port, shop_port = free_port(), free_port()
    env = lab_env(
        tmp_path,
        SHOP_PORT=str(shop_port),
        SHOP_URL=f"http://127.0.0.1:{shop_port}",  # nothing answers there yet: the launcher starts the shop
        SANDBOX_PORT="0",
        WORKBENCH_MODE="sandbox",
        WORKBENCH_DATA_DIR=str(tmp_path / "var"),
    )
    with running([WORKBENCH, "lab", "--port", str(port), str(folder)], env, tmp_path / "lab.log", port) as lab:
        listed = get_json(f"{lab}/api/contents?token={TOKEN}")["content"]
        assert [item["name"] for item in listed] == [LESSONS[0].name]
        health = get_json(f"http://127.0.0.1:{shop_port}/api/health")
        assert (health["ok"], health["mode"]) == (True, "sandbox")
        assert get_json(f"{lab}/api/kernels?token={TOKEN}") == []  # the shop runs in no kernel
    log = (tmp_path / "lab.log").read_text()
    assert f"Press Workbench shop (sandbox mode) on http://127.0.0.1:{shop_port}, outside the notebook kernels" in log


def test_workbench_lab_names_a_port_in_use_and_the_option_that_fixes_it(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run(
            [WORKBENCH, "lab", "--port", str(port)],
            env=lab_env(tmp_path, WORKBENCH_DATA_DIR=str(tmp_path / "var")),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"workbench lab: Port {port} is already in use, so JupyterLab cannot start there. Stop the program using it, "
        f"or choose another port: workbench lab --port {port + 1}"
    )


def test_the_run_it_page_gives_the_path_without_make():
    """Its commands are the ones above; the extra it installs exists; what needs Linux or macOS is said."""
    section = START.read_text().split("## Without make", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^workbench (\w+)", section, re.MULTILINE)
    assert commands == ["lab", "dashboard"]
    assert set(commands) <= set(parser()._subparsers._group_actions[0].choices)
    assert 'pip install -e ".[notebook]"' in section
    assert "notebook" in (Path(ROOT, "pyproject.toml").read_text().split("[project.optional-dependencies]")[1])
    posix_only = section.split("Linux or macOS:", 1)[1].split("\n\n", 1)[0]
    assert "`workbench dashboard`" in posix_only and "`make demo`" in posix_only and "os.killpg" in posix_only
    assert "`make workshop` needs Linux" in section
