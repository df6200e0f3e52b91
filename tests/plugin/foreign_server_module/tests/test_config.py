from pathlib import Path

import server


def test_the_config_route_gives_the_publishable_key(client, monkeypatch):
    monkeypatch.setitem(server.app.config, "STRIPE_PUBLISHABLE_KEY", "pk_test_sample")
    assert client.get("/config").get_json() == {"publishableKey": "pk_test_sample"}


def test_server_is_this_projects_module():
    assert Path(server.__file__) == Path(__file__).parents[1] / "server.py"
