from pathlib import Path

import server
from server import create_app


def test_an_unknown_product_is_not_found():
    client = create_app({"STRIPE_SECRET_KEY": "sk_test_unused"}).test_client()
    assert client.post("/create-payment-intent", json={"product": "moon"}).status_code == 404


def test_server_is_this_projects_package():
    assert Path(server.__file__) == Path(__file__).parents[1] / "server" / "__init__.py"
