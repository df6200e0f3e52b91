"""Who may frame the shop's pages: the dashboard's origin and the JupyterLab showing a lesson, nobody else."""

import json

from server import create_app
from server.notebook.frontend import frontend_origins


def frame_ancestors(app):
    csp = app.test_client().get("/").headers["Content-Security-Policy"]
    return next(part.strip() for part in csp.split(";") if part.strip().startswith("frame-ancestors"))


def make_app(tmp_path, sandbox_url, **config):
    return create_app({"TESTING": True, "DATA_DIR": str(tmp_path), "SANDBOX_URL": sandbox_url, "SECRET_KEY": "t",
                       **config})  # fmt: skip


def test_only_the_configured_dashboard_origin_may_frame_the_shop(tmp_path, sandbox_url):
    app = make_app(tmp_path, sandbox_url, DASHBOARD_PORT=15099)
    assert frame_ancestors(app) == "frame-ancestors http://127.0.0.1:15099 http://localhost:15099"


def test_a_jupyterlab_origin_is_added_exactly(tmp_path, sandbox_url):
    app = make_app(tmp_path, sandbox_url, FRAME_ANCESTORS=["http://127.0.0.1:18888/", "http://localhost:18888"])
    assert frame_ancestors(app) == ("frame-ancestors http://127.0.0.1:8866 http://localhost:8866 "
                                    "http://127.0.0.1:18888 http://localhost:18888")  # fmt: skip


def test_a_kernel_finds_the_jupyter_server_that_started_it(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    (tmp_path / "jpserver-4321.json").write_text(json.dumps({"url": "http://localhost:18888/", "pid": 4321}))
    (tmp_path / "jpserver-99.json").write_text(json.dumps({"url": "http://127.0.0.1:19999/", "pid": 99}))
    assert frontend_origins({"JPY_PARENT_PID": "4321"}) == ["http://127.0.0.1:18888", "http://localhost:18888"]
    assert frontend_origins({"JPY_PARENT_PID": "5555"}) == []  # started by something else (nbval, Voilà)
    assert frontend_origins({}) == []
