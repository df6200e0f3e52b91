// The sample's return page: read the PaymentIntent named in the return_url with the publishable key.
document.addEventListener('DOMContentLoaded', async () => {
  const {publishableKey} = await fetch('/config').then((response) => response.json());
  const stripe = Stripe(publishableKey, {apiVersion: '2020-08-27'});
  const clientSecret = new URL(window.location).searchParams.get('payment_intent_client_secret');
  const {error, paymentIntent} = await stripe.retrievePaymentIntent(clientSecret);
  if (error) addMessage(error.message);
  addMessage(`Payment ${paymentIntent.status}: ${paymentIntent.id}`);
});
