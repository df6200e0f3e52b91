// The sample's checkout flow, rewritten: config → Stripe(pk, {apiVersion}) → a PaymentIntent per
// page load → elements({clientSecret, loader: 'auto'}) with the Payment and Link Authentication
// Elements → confirmPayment({elements, confirmParams: {return_url}}) with the default redirect.
document.addEventListener('DOMContentLoaded', async () => {
  const {publishableKey} = await fetch('/config').then((response) => response.json());
  const stripe = Stripe(publishableKey, {apiVersion: '2020-08-27'});

  const {error: backendError, clientSecret} = await fetch('/create-payment-intent').then((r) => r.json());
  if (backendError) addMessage(backendError.message);
  addMessage('Client secret returned.');

  const elements = stripe.elements({clientSecret, loader: 'auto'});
  elements.create('payment').mount('#payment-element');
  elements.create('linkAuthentication').mount('#link-authentication-element');

  const form = document.getElementById('payment-form');
  let submitted = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submitted) return;
    submitted = true;
    form.querySelector('button').disabled = true;

    // Only comes back on failure: on success Stripe.js goes to return_url.
    const {error} = await stripe.confirmPayment({
      elements,
      confirmParams: {return_url: `${window.location.origin}/return.html`},
    });
    if (error) {
      addMessage(error.message);
      submitted = false;
      form.querySelector('button').disabled = false;
    }
  });
});
