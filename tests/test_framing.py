"""Who may frame the shop's pages: the dashboard's origin and the JupyterLabs running here, nobody else."""

import json
import os
import socket

import pytest

from press_workbench.launch.voila import free_port
from press_workbench.shop import create_app
from press_workbench.shop.framing import jupyter_ports


@pytest.fixture
def runtime_dir(tmp_path, monkeypatch):
    """A Jupyter runtime directory of our own, where Jupyter servers describe themselves."""
    path = tmp_path / "runtime"
    path.mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(path))
    return path


def describe_server(runtime_dir, url, pid):
    (runtime_dir / f"jpserver-{pid}.json").write_text(json.dumps({"url": url, "pid": pid}))


@pytest.fixture
def listening():
    """``listening()``: the port of a new socket listening on loopback, as a running Jupyter server's is."""
    sockets = []

    def listen():
        server = socket.create_server(("127.0.0.1", 0))
        sockets.append(server)
        return server.getsockname()[1]

    yield listen
    for server in sockets:
        server.close()


def frame_ancestors(tmp_path, sandbox_url, **config):
    app = create_app(
        {"TESTING": True, "DATA_DIR": str(tmp_path), "SANDBOX_URL": sandbox_url, "SECRET_KEY": "t", **config}
    )
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    return next(part.strip() for part in csp.split(";") if part.strip().startswith("frame-ancestors"))


def test_only_the_configured_dashboard_origin_may_frame_the_shop(tmp_path, sandbox_url, runtime_dir):
    assert frame_ancestors(tmp_path, sandbox_url, DASHBOARD_PORT=15099) == (
        "frame-ancestors http://127.0.0.1:15099 http://localhost:15099"
    )


def test_a_running_jupyterlab_may_frame_the_shop_too(tmp_path, sandbox_url, runtime_dir, listening):
    port = listening()
    describe_server(runtime_dir, f"http://localhost:{port}/", os.getpid())
    assert frame_ancestors(tmp_path, sandbox_url) == (
        f"frame-ancestors http://127.0.0.1:8866 http://localhost:8866 http://127.0.0.1:{port} http://localhost:{port}"
    )


def test_stopped_or_remote_jupyter_servers_do_not_count(runtime_dir, listening):
    describe_server(runtime_dir, f"http://127.0.0.1:{free_port()}/", 1001)  # crashed: nothing answers on its port
    describe_server(runtime_dir, "https://lab.example.com:443/", 1002)  # not on loopback
    (runtime_dir / "jpserver-garbage.json").write_text("{not json")
    port = listening()
    describe_server(runtime_dir, f"http://127.0.0.1:{port}/", 1003)
    assert jupyter_ports() == [port]


def test_answers_that_are_not_pages_may_not_be_framed_at_all(tmp_path, sandbox_url, runtime_dir, listening):
    """Only pages are framed (by the dashboard or JupyterLab); the rest skip the Jupyter lookup and say 'none'."""
    describe_server(runtime_dir, f"http://127.0.0.1:{listening()}/", os.getpid())
    app = create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SANDBOX_URL": sandbox_url, "SECRET_KEY": "t"})
    for path in ("/api/health", "/api/books", "/covers/an-elegant-puzzle.svg"):
        csp = app.test_client().get(path).headers["Content-Security-Policy"]
        assert csp.endswith("frame-ancestors 'none'"), path
