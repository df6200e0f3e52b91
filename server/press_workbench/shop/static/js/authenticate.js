// Bring the shopper back to their bank (server/press_workbench/shop/saved_cards.py, `authenticate`): finish a
// payment the server confirmed with a saved card (handleNextAction), or confirm again, on-session, one the bank
// refused while the shopper was away (confirmCardPayment with the same saved card). Either way Stripe.js shows the
// bank's challenge, then the return page reads the outcome from Stripe, whatever the shopper did.
(async function () {
  "use strict";
  const config = JSON.parse(document.getElementById("checkout-config").textContent);
  const stripe = Stripe(config.publishableKey);
  try {
    if (config.paymentMethod) {
      // return_url: the shop's PaymentIntents accept redirecting payment methods, so Stripe asks for one
      await stripe.confirmCardPayment(config.clientSecret, {
        payment_method: config.paymentMethod,
        return_url: config.returnUrl,
      });
    } else {
      await stripe.handleNextAction({ clientSecret: config.clientSecret });
    }
  } finally {
    window.location.replace(config.returnUrl);
  }
})();
