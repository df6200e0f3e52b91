import server


def test_the_checkouts_payment_intent_is_paid(client, monkeypatch, stripe_sandbox, stripe_sandbox_client):
    monkeypatch.setitem(server.app.config, "STRIPE_SECRET_KEY", stripe_sandbox.secret_key)
    monkeypatch.setitem(server.app.config, "STRIPE_API_BASE", stripe_sandbox.api_base)
    client_secret = client.post("/create-payment-intent").get_json()["clientSecret"]
    intent_id = client_secret.partition("_secret_")[0]
    params = {"payment_method": "pm_card_visa", "return_url": "http://127.0.0.1/return"}
    paid = stripe_sandbox_client.v1.payment_intents.confirm(intent_id, params=params)
    assert (paid.amount, paid.status) == (1400, "succeeded")
