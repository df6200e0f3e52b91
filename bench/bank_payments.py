"""Bank payments in a shop selling in euros: the iDEAL redirect round trip, and a SEPA Direct Debit's settle.

- **Redirect round trip** (headless Chromium): an order's checkout, its iDEAL tab, Pay.
  *Pay → bank page* runs from the click on Pay until the sandbox's bank test page shows
  its Authorize button (the confirm call, ``next_action.redirect_to_url``, the page
  load); *authorize → confirmation* from the click on Authorize test payment until the
  shop's ``[data-testid=confirmation]`` is visible (the sandbox's 303 to the return URL,
  the shop retrieving the PaymentIntent with its secret key, the page rendered).
- **SEPA settle**: a debit confirmed as the Payment Element's SEPA Debit tab confirms it
  (publishable key, the mandate accepted in the element), with the sandbox settling
  debits as soon as it can (``SANDBOX_SEPA_SETTLE_SECONDS=0``).  From the confirm's
  answer (``processing``) until the shop's order is ``paid``, which only the webhook can
  do: what the settling machinery adds to the bank's own delay (days at a real bank).
"""

import argparse
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from playwright.sync_api import expect, sync_playwright

from bench.browser import launch, local_page
from bench.common import BenchError, distribution, machine, write_result
from bench.settle import new_order
from bench.stack import Stack
from press_workbench.sandbox import PUBLISHABLE_KEY, encode_form
from tests.browser.shopper import choose_payment_method
from tests.card_frame import http_json

EUROS = {"SHOP_CURRENCY": "eur", "SANDBOX_SEPA_SETTLE_SECONDS": "0"}
IBAN = "AT611904300234573201"  # Stripe's test IBAN whose debit succeeds


@dataclass(frozen=True)
class Plan:
    redirects: int = 20
    debits: int = 30
    warmup: int = 2


QUICK = Plan(redirects=3, debits=5, warmup=1)


def one_redirect(page, stack):
    """(Pay → bank page, authorize → confirmation) in seconds, for one iDEAL payment."""
    order = new_order(stack)
    page.goto(stack.shop_url + order["checkout_url"])
    choose_payment_method(page, "iDEAL")
    button = page.get_by_test_id("pay-button")
    expect(button).to_be_enabled()
    started = time.perf_counter()
    button.click()
    authorize = page.get_by_test_id("redirect-authorize")
    authorize.wait_for(state="visible", timeout=30_000)
    at_bank = time.perf_counter()
    authorize.click()
    page.get_by_test_id("confirmation").wait_for(state="visible", timeout=30_000)
    return at_bank - started, time.perf_counter() - at_bank


def one_debit(stack):
    """Seconds from the SEPA confirm's answer (processing) until the shop has the order paid."""
    order = new_order(stack)
    form = {
        "key": PUBLISHABLE_KEY,
        "client_secret": order["client_secret"],
        "return_url": f"{stack.shop_url}/checkout/{order['id']}/complete",
        "payment_method_data": {
            "type": "sepa_debit",
            "sepa_debit": {"iban": IBAN},
            "billing_details": {"name": "Jenny Rosen", "email": "jenny.rosen@example.com"},
        },
        "mandate_data": {"customer_acceptance": {"type": "online", "online": {"infer_from_client": True}}},
    }
    frame = {"Origin": stack.sandbox_url, "Content-Type": "application/x-www-form-urlencoded"}
    url = f"{stack.sandbox_url}/v1/payment_intents/{order['payment_intent']}/confirm"
    answer = http_json("POST", url, urlencode(encode_form(form)).encode(), frame)
    accepted = time.perf_counter()
    if answer.get("status") != "processing":
        raise BenchError(f"SEPA confirm of {order['id']}: {answer}")
    deadline = accepted + 30
    while http_json("GET", f"{stack.shop_url}/api/orders/{order['id']}")["status"] != "paid":
        if time.perf_counter() > deadline:
            raise BenchError(f"order {order['id']} not paid 30 s after its debit was accepted")
        time.sleep(0.01)
    return time.perf_counter() - accepted


def run(plan=Plan(), say=print):
    to_bank, to_confirmation, settles = [], [], []
    with Stack(env=EUROS) as stack:
        say(f"  SEPA Direct Debit accepted → order paid: {plan.debits} debits …")
        for number in range(plan.warmup + plan.debits):
            seconds = one_debit(stack)
            if number >= plan.warmup:
                settles.append(seconds)
        say(f"  iDEAL Pay → bank page → confirmation: {plan.redirects} payments in headless Chromium …")
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = local_page(browser)
            for number in range(plan.warmup + plan.redirects):
                bank, back = one_redirect(page, stack)
                if number >= plan.warmup:
                    to_bank.append(bank)
                    to_confirmation.append(back)
            browser.close()
    result = {
        "plan": plan.__dict__,
        "machine": machine(),
        "pay_to_bank_page": distribution(to_bank),
        "authorize_to_confirmation": distribution(to_confirmation),
        "sepa_accepted_to_paid": distribution(settles),
        "times": {"pay_to_bank_page": to_bank, "authorize_to_confirmation": to_confirmation, "settle": settles},
    }
    write_result("bank_payments", result)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    result = run(QUICK if parser.parse_args().quick else Plan())
    for name in ("pay_to_bank_page", "authorize_to_confirmation", "sepa_accepted_to_paid"):
        figure = result[name]
        print(f"{name}: n={figure['n']} p50 {1000 * figure['p50']:.0f} ms, p95 {1000 * figure['p95']:.0f} ms")


if __name__ == "__main__":
    main()
