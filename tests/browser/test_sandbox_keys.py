"""In a real browser, a page of another origin can use the sandbox with a publishable key only.

Before, the sandbox allowed ``Authorization`` through CORS and took any ``sk_test_``
key, so any page the presenter visited could list every PaymentIntent with its
order id and client secret.

This test's page does not use the ``page`` fixture: Playwright's request
interception (its loopback-only guard) answers CORS preflights itself, which would
hide exactly what is tested.  The page is a blank one on a loopback port and only
calls the sandbox, so nothing leaves the machine anyway.
"""

import pytest
from flask import Flask

from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY
from press_workbench.sandbox.serving import serve_in_thread

pytestmark = pytest.mark.browser

CALLS = """async ([sandbox, secretKey, publishableKey, pi, clientSecret]) => {
  const answer = async (request) => {
    try {
      const response = await request;
      return [response.status, (await response.json()).error?.message ?? 'ok'];
    } catch (blocked) {
      return ['blocked', String(blocked)];
    }
  };
  const form = {'Content-Type': 'application/x-www-form-urlencoded'};
  return {
    header: await answer(fetch(sandbox + '/v1/payment_intents', {headers: {Authorization: 'Bearer ' + secretKey}})),
    query: await answer(fetch(sandbox + '/v1/payment_intents?key=' + secretKey)),
    form: await answer(fetch(sandbox + '/v1/payment_intents', {method: 'POST', headers: form,
                                                                body: 'key=' + secretKey + '&amount=2300&currency=usd'})),
    publishable: await answer(fetch(sandbox + '/v1/payment_intents/' + pi + '?key=' + publishableKey +
                                    '&client_secret=' + clientSecret)),
  };
}"""


@pytest.fixture
def other_origin():
    """Any web page the presenter might visit: a blank page on another loopback port."""
    app = Flask(__name__)
    app.add_url_rule("/", "blank", lambda: "<!doctype html><title>another site</title>")
    running = serve_in_thread(app, name="other-origin")
    yield running.url
    running.stop()


def test_a_page_of_another_origin_cannot_use_a_secret_key(context, other_origin, sandbox_url, stripe_client):
    pi = stripe_client.v1.payment_intents.create(params={"amount": 2300, "currency": "usd"})
    page = context.new_page()
    page.goto(other_origin)
    answers = page.evaluate(CALLS, [sandbox_url, SECRET_KEY, PUBLISHABLE_KEY, pi.id, pi.client_secret])
    assert answers["header"][0] == "blocked"  # the CORS preflight does not allow Authorization
    assert answers["query"][0] == 401 and answers["form"][0] == 401  # a secret key only in the header
    assert answers["query"][1].startswith("Secret API keys are accepted only in the Authorization header")
    assert answers["publishable"] == [200, "ok"]  # what Stripe.js does keeps working
