"""A merchant's site on its own origin, for Stripe.js integrations written the way Stripe's docs write them.

Each test hands over the page's HTML body and its script; the page loads the
sandbox's ``/v3/`` and gets the values the server would render as ``window.DATA``.
``record(element, events…)`` (on every page) keeps each event payload in
``window.events``. ``POST /create-intent`` creates a PaymentIntent with the secret
key, as the deferred-intent guides' servers do (``?currency=eur`` for euros; a test may set ``creates`` to make
another intent there, a SetupIntent say), and ``/return`` is a return_url. ``DEFERRED`` is the deferred-intent
guides' page.
"""

import json
import uuid

import stripe
from flask import Flask, jsonify, request

from press_workbench.sandbox import PUBLISHABLE_KEY, SECRET_KEY
from press_workbench.sandbox.serving import serve_in_thread

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>merchant</title>
<script src="{sandbox}/v3/"></script></head><body>
{body}
<script>
  window.DATA = {data};
  window.events = [];
  const stripe = Stripe(DATA.publishableKey);
  function record(element, ...names) {{
    names.forEach((name) => element.on(name, (event) => window.events.push(
      Object.assign({{event: name}}, JSON.parse(JSON.stringify(event))))));
  }}
  /** Run an async call and keep what it resolved with, or the message of what it threw. */
  window.outcome = (promise) => promise.then((result) => result, (error) => ({{thrown: error.name + ': ' + error.message}}));
</script>
<script>{script}</script>
</body></html>"""


# "Collect payment details before creating an Intent": the Payment Element without an intent, elements.submit(),
# then the server creates the intent and the page confirms it. ``DATA.elements``: the group's options (a payment
# by default); ``DATA.paymentElement``: the Element's; ``DATA.confirm``: confirmPayment (default) or confirmSetup.
DEFERRED = """
  const elements = stripe.elements(DATA.elements || {mode: "payment", amount: 1099, currency: "usd"});
  const paymentElement = elements.create("payment", DATA.paymentElement);
  paymentElement.mount("#payment-element");
  paymentElement.on("ready", () => { window.ready = true; });

  window.pay = async () => {
    const {error: submitError} = await elements.submit();
    if (submitError) return {submitError};
    const res = await fetch("/create-intent", {method: "POST"});
    const {clientSecret} = await res.json();
    const confirm = DATA.confirm || "confirmPayment";
    return outcome(stripe[confirm]({elements, clientSecret, confirmParams: {return_url: DATA.returnUrl}}));
  };
"""


class Merchant:
    def __init__(self, sandbox_url):
        self.sandbox_url = sandbox_url
        self.pages = {}
        self.creates = None  # what POST /create-intent makes, if not the default PaymentIntent
        self.created = []  # what it made, latest last
        self.stripe = stripe.StripeClient(SECRET_KEY, base_addresses={"api": sandbox_url})
        app = Flask(__name__)
        app.add_url_rule("/page/<name>", "page", lambda name: self.pages[name])
        app.add_url_rule("/return", "return", lambda: "<!doctype html><title>returned</title><p>returned</p>")
        app.add_url_rule("/create-intent", "create_intent", self._create_intent, methods=["POST"])
        self.server = serve_in_thread(app, name="merchant")
        self.url = self.server.url

    def serve(self, body, script, **data):
        """Serve a page with this body and script (``data`` → ``window.DATA``); its URL (a return_url, say)."""
        name = uuid.uuid4().hex
        values = {"publishableKey": PUBLISHABLE_KEY, "returnUrl": f"{self.url}/return", **data}
        self.pages[name] = PAGE.format(sandbox=self.sandbox_url, body=body, script=script, data=json.dumps(values))
        return f"{self.url}/page/{name}"

    def open(self, page, body, script, **data):
        """Serve a page with this body and script (``data`` → ``window.DATA``) and open it."""
        page.goto(self.serve(body, script, **data))

    def intent(self, **params):
        return self.stripe.v1.payment_intents.create(params={"amount": 2300, "currency": "usd", **params})

    def _create_intent(self):
        """The server decides the amount, never the page (as in the deferred-intent guides)."""
        currency = request.args.get("currency", "usd")
        create = self.creates or (
            lambda: self.intent(amount=1099, currency=currency, automatic_payment_methods={"enabled": True})
        )
        self.created.append(create())
        return jsonify(clientSecret=self.created[-1].client_secret)
