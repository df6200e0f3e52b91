"""jupyter-server-proxy's ``shop`` and ``stripe`` entries, and how a kernel learns where the browser is.

The browser test (tests/notebooks/test_behind_jupyter_proxy.py) runs them in a real
Jupyter server; these check each decision on its own: proxy or direct, what the
entries ask jupyter-server-proxy to do, what kernels inherit.
"""

import os
import socket
from types import SimpleNamespace

import pytest

from press_workbench.launch import proxy
from press_workbench.notebook.remote import browser_route
from press_workbench.sandbox import PROXY_TOKEN_ENV, PROXY_TOKEN_HEADER

EXPORTED = ("SHOP_URL", "SANDBOX_URL", PROXY_TOKEN_ENV, "SHOP_PROXY_PATH", "SANDBOX_PROXY_PATH", "WORKBENCH_DATA_DIR")


@pytest.mark.parametrize(
    "environ, ip, proxied",
    [
        ({}, "localhost", False),  # make lab, a plain jupyter lab on a laptop
        ({}, "127.0.0.1", False),
        ({"JUPYTERHUB_SERVICE_PREFIX": "/user/alice/"}, "127.0.0.1", True),  # JupyterHub, Binder
        ({"CODESPACES": "true"}, "localhost", True),
        ({}, "0.0.0.0", True),  # a remote dev box: browsers come from elsewhere
        ({"WORKBENCH_PROXY": "off"}, "0.0.0.0", False),
        ({"WORKBENCH_PROXY": "on"}, "localhost", True),
        ({"WORKBENCH_PROXY": "off", "JUPYTERHUB_SERVICE_PREFIX": "/user/a/"}, "127.0.0.1", False),
    ],
)
def test_proxy_or_direct(environ, ip, proxied):
    assert proxy.use_proxy(SimpleNamespace(ip=ip), environ) is proxied


def test_an_unknown_choice_is_refused_by_name():
    with pytest.raises(ValueError, match="WORKBENCH_PROXY must be auto, on or off"):
        proxy.use_proxy(None, {"WORKBENCH_PROXY": "maybe"})


@pytest.fixture
def fresh_plan(monkeypatch, tmp_path):
    """``plan()`` as a new Jupyter server process would make it; the environment is restored afterwards."""
    for name in (*EXPORTED, "SHOP_PORT", "SANDBOX_PORT", "WORKBENCH_PROXY", "JUPYTER_PATH"):
        monkeypatch.setenv(name, "")  # recorded, so that what plan() exports is undone after the test
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    server = SimpleNamespace(ip="127.0.0.1", base_url="/user/alice/", config=proxy.ServerApp().config)
    monkeypatch.setattr(proxy, "running_server", lambda: server)
    proxy.plan.cache_clear()
    yield server
    proxy.plan.cache_clear()


def test_behind_a_hub_the_entries_start_the_shop_and_kernels_inherit_where_it_is(fresh_plan, monkeypatch, tmp_path):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/")
    monkeypatch.setenv("SANDBOX_PORT", "23456")
    shop, stripe = proxy.shop(), proxy.stripe()
    token = proxy.plan().token
    assert len(token) >= 32 and shop["request_headers_override"] == {PROXY_TOKEN_HEADER: token}
    assert stripe == {
        "port": 23456,
        "launcher_entry": {"enabled": False, "title": "Press Workbench Stripe sandbox"},
        "request_headers_override": {PROXY_TOKEN_HEADER: token},
    }
    assert shop["port"] not in (0, 23456) and shop["timeout"] >= 30
    with pytest.raises(OSError):  # held until the shop starts: no kernel can take it meanwhile
        socket.create_server(("127.0.0.1", shop["port"])).close()
    assert shop["command"]()[-5:] == ["serve", "--port", "{port}", "--sandbox-port", "23456"]
    socket.create_server(("127.0.0.1", shop["port"])).close()  # let go as jupyter-server-proxy starts it
    assert os.environ["SHOP_URL"] == f"http://127.0.0.1:{shop['port']}"
    assert os.environ["SANDBOX_URL"] == "http://127.0.0.1:23456"
    assert os.environ[PROXY_TOKEN_ENV] == token
    assert (os.environ["SHOP_PROXY_PATH"], os.environ["SANDBOX_PROXY_PATH"]) == (
        "/user/alice/shop",
        "/user/alice/stripe",
    )
    assert os.environ["WORKBENCH_DATA_DIR"] == str(tmp_path / "var")
    assert fresh_plan.config.VoilaConfiguration.template == "workbench"  # Voilà's extension renders offline


def test_on_a_laptop_the_entries_pass_through_and_nothing_is_exported(fresh_plan, monkeypatch):
    monkeypatch.setenv("SHOP_URL", "http://127.0.0.1:4343")
    shop = proxy.shop()
    assert shop == {"port": 4343, "launcher_entry": {"enabled": False, "title": "Press Workbench shop"}}
    assert proxy.stripe()["port"] == 12111
    assert not any(name in os.environ for name in EXPORTED if name != "SHOP_URL")


def test_a_kernel_uses_the_proxy_paths_only_for_the_shop_its_server_proxies():
    environ = {
        "SHOP_URL": "http://127.0.0.1:40001",
        "SHOP_PROXY_PATH": "/user/alice/shop",
        "SANDBOX_PROXY_PATH": "/user/alice/stripe",
    }
    route = browser_route("http://127.0.0.1:40001", "http://127.0.0.1:40002", environ)
    assert (route.shop, route.sandbox, route.proxied) == ("/user/alice/shop", "/user/alice/stripe", True)
    scratch = browser_route("http://127.0.0.1:50000", "http://127.0.0.1:50001", environ)  # notebook 03's copy
    assert (scratch.shop, scratch.proxied) == ("http://127.0.0.1:50000", False)
    laptop = browser_route("http://127.0.0.1:4242", "http://127.0.0.1:12111", {})
    assert (laptop.shop, laptop.sandbox, laptop.proxied) == ("http://127.0.0.1:4242", "http://127.0.0.1:12111", False)
