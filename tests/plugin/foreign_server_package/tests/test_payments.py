from server import create_app


def test_the_poster_is_paid_with_a_test_card(stripe_sandbox, stripe_sandbox_client):
    app = create_app({"STRIPE_SECRET_KEY": stripe_sandbox.secret_key, "STRIPE_API_BASE": stripe_sandbox.api_base})
    answer = app.test_client().post("/create-payment-intent", json={"product": "poster"})
    client_secret = answer.get_json()["clientSecret"]
    params = {"payment_method": "pm_card_visa", "return_url": "http://127.0.0.1/return"}
    paid = stripe_sandbox_client.v1.payment_intents.confirm(client_secret.partition("_secret_")[0], params=params)
    assert (paid.amount, paid.status) == (900, "succeeded")
