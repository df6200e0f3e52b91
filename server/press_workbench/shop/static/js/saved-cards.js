// Saved cards at checkout (server/press_workbench/shop/saved_cards.py): pay with a saved card, remove one, or
// choose to save the new card for next time. The shop checks on the server that a card is this session's own
// before it is used or removed, and confirms a saved card's payment itself; a bank's 3D Secure challenge is then
// shown by Stripe.js on the shop's authenticate page. Runs after checkout.js, whose Pay button it steers.
(function () {
  "use strict";
  const panel = document.getElementById("saved-cards");
  const checkout = window.pressCheckout;
  if (!panel || !checkout) return;
  const errorBox = document.getElementById("payment-error");
  const paymentElement = document.getElementById("payment-element");
  const saveBox = document.querySelector("[data-testid=save-card]");
  const saveLabel = saveBox && saveBox.closest("label");
  const notice = document.querySelector("[data-testid=save-card-notice]");
  const list = panel.querySelector(".saved-card-list");

  /** A JSON request to the shop with the session cookie: its answer, or {error} with the shop's message. */
  async function send(method, url, body) {
    try {
      const response = await fetch(url, {
        method,
        credentials: "same-origin",
        headers: Object.assign({ Accept: "application/json" }, body ? { "Content-Type": "application/json" } : {}),
        body: body ? JSON.stringify(body) : undefined,
      });
      const answer = await response.json();
      return response.ok ? answer : { error: answer.error };
    } catch (failure) {
      return { error: { message: "The shop did not answer. Check your connection and try again." } };
    }
  }

  function chosenCard() {
    const radio = panel.querySelector("input[name=pay-with]:checked");
    return radio && radio.value !== "new" ? radio.value : null;
  }

  /** A saved card pays instead of the Payment Element, which (with "Save my card") only a new card needs. */
  function choose() {
    const card = chosenCard();
    paymentElement.hidden = Boolean(card);
    if (saveLabel) saveLabel.hidden = Boolean(card);
    checkout.payWith = card ? () => payWithSavedCard(card) : null;
    checkout.refresh();
  }

  async function payWithSavedCard(card) {
    const answer = await send("POST", panel.dataset.payUrl, { payment_method: card });
    if (answer.error) return answer;
    if (answer.status === "requires_action") {
      window.location.assign(panel.dataset.authenticateUrl);
    } else {
      window.location.assign(checkout.returnUrl);
    }
    return {};
  }

  async function removeCard(button) {
    button.disabled = true;
    errorBox.textContent = "";
    const answer = await send("DELETE", panel.dataset.cardsUrl + "/" + encodeURIComponent(button.dataset.card));
    if (answer.error) {
      errorBox.textContent = answer.error.message;
      button.disabled = false;
      return;
    }
    button.closest(".saved-card-row").remove();
    if (!list.querySelector(".saved-card-row")) list.remove();
    else if (!chosenCard()) list.querySelector("input[name=pay-with]").checked = true;
    choose();
  }

  /** Tell the shop now, so the choice is on the PaymentIntent before the card is confirmed. */
  function chooseSaving() {
    const save = saveBox.checked;
    checkout.saving = send("POST", panel.dataset.saveUrl, { save }).then(async (answer) => {
      if (answer.error) {
        saveBox.checked = !save;
        errorBox.textContent = answer.error.message;
        return answer;
      }
      notice.hidden = answer.saved_for !== "another_session";
      await checkout.elements.fetchUpdates(); // as Stripe asks after a server-side change to the PaymentIntent
      return {};
    });
  }

  if (list) {
    list.addEventListener("change", choose);
    list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-testid=remove-saved-card]");
      if (button) removeCard(button);
    });
  }
  if (saveBox) saveBox.addEventListener("change", chooseSaving);
  choose();
})();
