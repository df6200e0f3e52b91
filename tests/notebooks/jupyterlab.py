"""Real JupyterLab for the browser tests: started on a free port, its settings and notebooks in ``tmp_path``.

JupyterLab only ever sees copies of the lessons, so nothing a test runs or saves
reaches the committed notebooks.  ``start`` runs ``jupyter lab`` as ``make lab``
builds it (the project's setting overrides included); ``start_make_lab`` runs
``make lab``'s launcher itself, shop outside the kernel and all.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect

from press_workbench.launch.lab import lab_command, write_setting_overrides
from press_workbench.launch.voila import answers, free_port

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
TOKEN = "press-workbench-test"


def lab_env(tmp_path, **extra):
    """Jupyter's config, data, runtime and JupyterLab's user settings all in ``tmp_path``; every cell rendered."""
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    # no virtual scrolling: every cell is rendered (and typeset), not only those on screen
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    return {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_DATA_DIR": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"),
        "JUPYTER_TOKEN": TOKEN,
        **extra,
    }


@contextmanager
def running(command, env, log_path, port, base_url="/"):
    """Run ``command`` (in its own process group) until JupyterLab answers on ``port``; stop it afterwards.

    Yields JupyterLab's URL: ``http://127.0.0.1:<port>`` plus its ``base_url`` (``/user/alice``), no slash after.
    """
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}{base_url.rstrip('/')}"
    deadline = time.monotonic() + 60
    while not answers(f"{url}/api/status?token={TOKEN}"):
        assert process.poll() is None and time.monotonic() < deadline, Path(log_path).read_text()
        time.sleep(0.2)
    try:
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # JupyterLab, its kernels and a launcher's shop
        process.wait(30)


def start(tmp_path, notebook_dir, **env):
    """``jupyter lab`` as ``make lab`` runs it, serving ``notebook_dir``."""
    port = free_port()
    settings = write_setting_overrides(tmp_path / "app-settings")
    return running(lab_command(port, notebook_dir, settings), lab_env(tmp_path, **env), tmp_path / "lab.log", port)


def start_make_lab(tmp_path, notebook_dir, **env):
    """``make lab``'s launcher (``python -m press_workbench.launch.lab``): the shop runs in it, outside the kernels."""
    port = free_port()
    env = lab_env(
        tmp_path,
        LAB_PORT=str(port),
        SHOP_PORT=str(free_port()),
        SANDBOX_PORT="0",
        WORKBENCH_MODE="sandbox",
        WORKBENCH_DATA_DIR=str(tmp_path / "var"),
        **env,
    )
    env["SHOP_URL"] = f"http://127.0.0.1:{env['SHOP_PORT']}"  # nothing answers there yet: the launcher starts it
    env.pop("WORKBENCH_AUTOPAY", None)  # a person pays, in the browser
    return running(
        [sys.executable, "-m", "press_workbench.launch.lab", str(notebook_dir)], env, tmp_path / "lab.log", port
    )


def kernel_ready(page):
    """The status bar's "Python 3 (ipykernel) | Idle": the notebook's kernel connected and idle.

    The notebook toolbar's execution indicator says idle earlier, before the session has its
    kernel (it starts out "idle"): a cell run then is dropped, or makes JupyterLab ask which
    kernel to start, in a dialog that then covers the notebook.
    """
    return page.locator(".jp-StatusBar-Item", has_text=re.compile(r"\| Idle$"))


def open_notebook(page, lab_url, name):
    """Open ``name``, wait until its kernel is connected and idle; returns its panel (the visible one)."""
    page.goto(f"{lab_url}/lab/tree/{name}?token={TOKEN}")
    expect(kernel_ready(page)).to_be_visible(timeout=60_000)
    return page.locator(".jp-NotebookPanel:visible")


def menu(page, menu_name, command):
    """Click ``command`` (its ``data-command``) in the menu bar's ``menu_name`` menu."""
    page.get_by_role("menuitem", name=menu_name, exact=True).click()
    page.locator(f"li[data-command='{command}']").click()


def run_all_cells(page):
    """Run ▸ Run All Cells in the notebook shown, whose kernel is ready (``kernel_ready``).

    Sent before the session has its kernel, Run All is dropped, or JupyterLab asks which kernel to
    start in a dialog over the notebook: a dialog in the way fails at once, with its text.
    """
    if asking := page.locator(".jp-Dialog").all_inner_texts():
        raise AssertionError(f"JupyterLab put up a dialog: {asking}")
    page.locator(".jp-Notebook").click()  # the current notebook is the one Run All acts on
    menu(page, "Run", "runmenu:run-all")
    started = page.locator(".jp-InputArea-prompt").filter(has_text=re.compile(r"\[[0-9*]+\]"))
    expect(started.first).to_be_visible(timeout=20_000)


def code_cell(page, source_start):
    """The code cell whose source starts with ``source_start``."""
    starts = re.compile("^" + re.escape(source_start))
    return page.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea-editor", has_text=starts))


def run_cell(page, source_start):
    """Select the cell and run it (Shift-Enter), as a presenter does."""
    cell = code_cell(page, source_start)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    return cell
