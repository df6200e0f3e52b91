// Checkout: mount the Payment Element and confirm the order's PaymentIntent.
// The same code runs against real Stripe.js and the sandbox stand-in; only the
// <script src> the server renders differs.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("checkout-config").textContent);
  const form = document.getElementById("payment-form");
  const button = document.getElementById("pay-button");
  const errorBox = document.getElementById("payment-error");
  let complete = false;
  let paying = false;

  const stripe = Stripe(config.publishableKey);
  const elements = stripe.elements({
    clientSecret: config.clientSecret,
    appearance: {
      theme: "stripe",
      variables: { colorPrimary: "#3b3bd6", colorText: "#1f2430", colorDanger: "#c0262d", borderRadius: "6px",
                   fontFamily: "system-ui, -apple-system, 'Segoe UI', sans-serif" },
    },
  });
  // business.name: the merchant a bank debit's mandate names ("you authorise Stripe Press and Stripe…")
  const paymentElement = elements.create("payment", { business: { name: "Stripe Press" } });
  const host = document.getElementById("payment-element");
  host.textContent = "";
  paymentElement.mount(host);

  // The saved-cards panel (saved-cards.js) can make Pay use a saved card (`payWith`), and makes a new card's
  // payment wait for the shopper's "Save my card" choice to reach the shop (`saving`). Both resolve {error} or {}.
  const hooks = { stripe, elements, returnUrl: config.returnUrl, refresh, payWith: null, saving: Promise.resolve({}) };
  window.pressCheckout = hooks;

  function refresh() {
    button.disabled = !(complete || hooks.payWith) || paying;
    button.setAttribute("aria-busy", paying ? "true" : "false");
  }

  paymentElement.on("change", (event) => {
    complete = event.complete;
    if (!event.empty) errorBox.textContent = "";
    refresh();
  });

  async function payInPaymentElement() {
    const saved = await hooks.saving;
    if (saved.error) return saved;
    return stripe.confirmPayment({ elements, confirmParams: { return_url: config.returnUrl } });
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (paying) return;
    paying = true;
    errorBox.textContent = "";
    refresh();
    const { error } = hooks.payWith ? await hooks.payWith() : await payInPaymentElement();
    if (!error) return; // on its way to the confirmation (or the bank's 3D Secure page)
    errorBox.textContent = error.message || "The payment did not go through.";
    paying = false;
    refresh();
  });
})();
