// 3D Secure for a payment the server confirmed with a saved card: Stripe.js shows the bank's
// challenge, then the return page reads the outcome from Stripe, whatever the shopper did.
(async function () {
  "use strict";
  const config = JSON.parse(document.getElementById("checkout-config").textContent);
  try {
    await Stripe(config.publishableKey).handleNextAction({ clientSecret: config.clientSecret });
  } finally {
    window.location.replace(config.returnUrl);
  }
})();
