"""``pip install <this repository>`` with no extras, in a fresh virtual environment: what another project gets.

The environment is built offline from ``.venv/wheelhouse`` (``make install`` downloads those
wheels) with this checkout's code as it is now, installed as a wheel, not editable: a file
missing from the package data, or an import of a notebook package, fails here as it would for
a user.  Into it goes Bookstand (``foreign_project/``), a Flask shop that is not ours, with its
``test`` extra; its tests use nothing but the documented ``stripe_sandbox`` fixtures.  Beside it
run two projects laid out as Stripe's samples are, not installed: one with its app in
``server.py`` (``foreign_server_module/``), one with a ``server/`` package
(``foreign_server_package/``).  Each project's tests pass under ``pytest`` and ``python -m pytest``:
an installed top-level ``server`` would break both (the plugin loads with every pytest run, so
``python -m pytest`` finds their ``server`` where the plugin wants ours, and ``pytest`` the reverse).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from tests.processes import ROOT, Workbench

WHEELHOUSE = Path(ROOT, ".venv", "wheelhouse")
FOREIGN_PROJECT = Path(__file__).parent / "foreign_project"
EXAMPLE = FOREIGN_PROJECT / "tests" / "test_payments.py"  # the README's example
# Each foreign project (a folder beside this file) with the number of tests it passes.
FOREIGN_PROJECTS = {"foreign_project": 1, "foreign_server_module": 3, "foreign_server_package": 3}
PAGES = ("README.md", "docs/sandbox-in-your-tests.md")
NOT_INSTALLED = ("jupyterlab", "voila", "ipywidgets", "jupyter_core", "ipykernel")
COPY_IGNORES = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
LIST_PACKAGE_FILES = """
import json, pathlib, press_workbench
root = pathlib.Path(press_workbench.__file__).parent
print(json.dumps([str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]))
"""

pytestmark = pytest.mark.sandbox_only("installs and runs the sandbox itself")


class FreshVenv:
    """A virtual environment holding only what ``pip install <repo> bookstand[test]`` put there."""

    def __init__(self, work):
        self.work = work
        self.python = str(work / "venv" / "bin" / "python")

    def env(self):
        """Nothing of ours: no PYTHONPATH, no Stripe or Workbench settings, a home of its own."""
        return {"PATH": f"{Path(self.python).parent}:/usr/bin:/bin", "HOME": str(self.work), "LANG": "C.UTF-8"}

    def run(self, *args, cwd=None, timeout=120, program=None):
        """``program`` (a script of the venv's ``bin``, such as ``pytest``) with ``args``; its ``python`` by default."""
        command = [str(Path(self.python).with_name(program)) if program else self.python, *args]
        return subprocess.run(
            command, cwd=cwd or self.work, env=self.env(), capture_output=True, text=True, timeout=timeout
        )


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    if not WHEELHOUSE.is_dir():
        pytest.fail(f"{WHEELHOUSE} is missing: `make install` downloads the wheels this test installs offline")
    work = tmp_path_factory.mktemp("installed_alone")
    source = work / "press-workbench"  # the package's files only, so the build sees nothing else of the checkout
    shutil.copytree(Path(ROOT, "server"), source / "server", ignore=COPY_IGNORES)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(Path(ROOT, name), source)
    fresh = FreshVenv(work)
    for project in FOREIGN_PROJECTS:
        shutil.copytree(Path(__file__).parent / project, work / project, ignore=COPY_IGNORES)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    pip_env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    pip_env["PIP_CONFIG_FILE"] = os.devnull  # this wheelhouse alone, whatever the machine's pip is configured with
    pip_env["PIP_NO_COMPILE"] = "1"  # a few seconds less: the few modules the tests import compile when first imported
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", fresh.python, "install", "--quiet", "--no-index"]
        + ["--find-links", str(WHEELHOUSE), str(source), f"{work / 'foreign_project'}[test]"],
        env=pip_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    return fresh


def test_no_jupyterlab_voila_or_ipywidgets_comes_with_it(venv):
    probe = textwrap.dedent(f"""
        import importlib, importlib.metadata, json, press_workbench
        failed = {{}}
        for name in {NOT_INSTALLED!r}:
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                failed[name] = str(exc)
        names = sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions())
        print(json.dumps({{"failed": failed, "installed": names, "package": press_workbench.__file__}}))
    """)
    result = venv.run("-c", probe)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["failed"] == {name: f"No module named '{name}'" for name in NOT_INSTALLED}
    assert "press-workbench" in found["installed"] and "flask" in found["installed"]
    assert not [name for name in found["installed"] if name.startswith(("jupyter", "voila", "ipy", "notebook"))]
    assert found["package"].startswith(str(venv.work / "venv")), "the installed package, not this checkout"


def test_it_installs_one_top_level_package_named_press_workbench(venv):
    """Nothing named ``server`` or ``tests``: a project's own ``server.py`` or ``server/`` stays theirs."""
    probe = textwrap.dedent("""
        import importlib.metadata, importlib.util, json
        files = importlib.metadata.distribution("press-workbench").files
        tops = {f.parts[0] for f in files if f.parts[0] != ".." and not f.parts[0].endswith(".dist-info")}
        print(json.dumps({"top_level": sorted(tops), "server": importlib.util.find_spec("server") is not None,
                          "tests": importlib.util.find_spec("tests") is not None}))
    """)
    result = venv.run("-c", probe)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"top_level": ["press_workbench"], "server": False, "tests": False}


def test_every_file_of_the_package_is_installed(venv):
    """Templates, Stripe.js assets, the console's and the shop's static files: what the checkout has, the wheel has."""
    installed = venv.run("-c", LIST_PACKAGE_FILES)
    checkout = subprocess.run([sys.executable, "-c", LIST_PACKAGE_FILES], capture_output=True, text=True, check=True)
    assert installed.returncode == 0, installed.stderr
    assert sorted(set(json.loads(checkout.stdout)) - set(json.loads(installed.stdout))) == []


@pytest.mark.parametrize("launcher", ["pytest", "python -m pytest"])
@pytest.mark.parametrize("project", FOREIGN_PROJECTS)
def test_the_foreign_projects_tests_pass_with_the_plugin(venv, project, launcher):
    options = ("-v", "-p", "no:cacheprovider")
    cwd = venv.work / project
    result = (
        venv.run(*options, cwd=cwd, program="pytest")
        if launcher == "pytest"
        else venv.run("-m", "pytest", *options, cwd=cwd)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{FOREIGN_PROJECTS[project]} passed" in result.stdout and "tests/test_payments.py::" in result.stdout
    plugins = next(line for line in result.stdout.splitlines() if line.startswith("plugins:"))
    assert "press-workbench" in plugins  # loaded by its pytest11 entry point, no conftest


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers.get_content_type(), response.read().decode()


def test_workbench_sandbox_serves_the_api_stripe_js_and_console(venv):
    sandbox = Workbench(
        "sandbox", "--port", "0", "--data-dir", str(venv.work / "data"), cwd=venv.work, root=None, python=venv.python
    )
    try:
        assert json.loads(get(sandbox.url + "/")[1])["sandbox"] is True
        assert get(sandbox.url + "/v3/")[0] == "text/javascript"
        assert get(sandbox.url + "/v3/elements-inner-payment.html")[0] == "text/html"
        assert get(sandbox.url + "/assets/elements.css")[0] == "text/css"
        kind, console = get(sandbox.url + "/dashboard")
        assert kind == "text/html" and "/dashboard/static/console.css" in console
        assert get(sandbox.url + "/dashboard/static/console.css")[0] == "text/css"
    finally:
        sandbox.stop()
    assert sandbox.process.returncode == 0, "".join(sandbox.output)


def test_the_shop_serves_its_pages_with_their_css_and_script(venv):
    serve = ["serve", "--port", "0", "--sandbox-port", "0"]
    shop = Workbench(*serve, cwd=venv.work, root=None, python=venv.python, WORKBENCH_DATA_DIR=str(venv.work / "shop"))
    try:
        kind, catalog = get(shop.url + "/")
        assert kind == "text/html" and 'data-testid="book-card"' in catalog and "/static/css/shop.css" in catalog
        assert get(shop.url + "/static/css/shop.css")[0] == "text/css"
        assert get(shop.url + "/static/js/checkout.js")[0] == "text/javascript"
    finally:
        shop.stop()


@pytest.mark.parametrize(
    ("command", "what"),
    [
        (
            ["-m", "press_workbench.launch.cli", "dashboard", "--port", "0", "--shop-port", "0", "--sandbox-port", "0"],
            "dashboard",
        ),
        (["-m", "press_workbench.launch.lab"], "JupyterLab"),
        (["-m", "press_workbench.launch.cli", "lab"], "JupyterLab"),
    ],
)
def test_the_notebook_commands_say_how_to_install_the_extra(venv, command, what):
    result = venv.run(*command)
    assert result.returncode == 1
    assert f"{what} cannot start: jupyterlab, voila, ipywidgets not installed" in result.stderr
    assert "pip install -e '.[notebook]'" in result.stderr and "Traceback" not in result.stderr


def test_the_docs_show_the_example_this_file_runs():
    """Every copy of the example in the README and the docs is the file Bookstand's run above passes."""
    example = EXAMPLE.read_text()
    blocks = [
        block for page in PAGES for block in re.findall(r"```python\n(.*?)```", Path(ROOT, page).read_text(), re.S)
    ]
    copies = [block for block in blocks if "def test_a_paid_and_a_declined_order" in block]
    assert copies, f"no copy of {EXAMPLE.name} in {', '.join(PAGES)}"
    assert all(copy == example for copy in copies)
