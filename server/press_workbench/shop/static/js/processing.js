// The return page of a payment that is still processing (a bank debit): the shop learns the outcome from Stripe's
// webhook (or reconcile), not from this page, so the page asks the shop for the order every few seconds and reloads
// once it has settled. The reload asks Stripe again (with the secret key): the confirmation, or back to checkout.
(function () {
  "use strict";
  const section = document.querySelector("[data-testid=payment-processing]");
  const every = 2000;

  async function look() {
    try {
      const answer = await fetch(section.dataset.orderUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (answer.ok && (await answer.json()).status !== "processing") {
        window.location.reload();
        return;
      }
    } catch (error) {
      // the shop is away for a moment: look again later
    }
    window.setTimeout(look, every);
  }
  window.setTimeout(look, every);
})();
