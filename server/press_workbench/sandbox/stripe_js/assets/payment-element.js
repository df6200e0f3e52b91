/*
 * Sandbox Payment Element: the Card tab's form inside the sandbox-origin iframe (payment-tabs.js
 * shows it, alone or beside the other payment method types).
 *
 * Why it exists: as with Stripe's real Payment Element, card data must never reach the shop
 * page. This script formats and validates what the shopper types (with Stripe's own error texts,
 * shown next to the fields as the Payment Element does) and tells the page only whether the form
 * is empty or complete. On confirm (or createPaymentMethod) the controller frame collects the
 * card over the group's same-origin channel (frame.js); a Luhn-invalid or incomplete card is
 * never handed over. When the card will be saved for later (a SetupIntent, or setup_future_usage),
 * Stripe's card terms show under the form, as in the real Payment Element.
 *
 * The "Fill test card" buttons are the sandbox's own presenter aid (there is none in Stripe's
 * Payment Element, and this frame never loads with real Stripe.js): a deliberate click fills one
 * of Stripe's test cards, a future expiry, CVC 123 and ZIP 10001, and leaves Pay to the presenter.
 */
(function () {
  'use strict';

  const frame = window.SandboxFrame;
  const tabs = window.SandboxPaymentTabs;
  const rules = window.SandboxCard;
  const $ = (id) => document.getElementById(id);
  const fields = { number: $('number'), expiry: $('expiry'), cvc: $('cvc'), country: $('country'), postal: $('postal') };
  const TEXT_FIELDS = ['number', 'expiry', 'cvc', 'postal'];
  const NEXT_FIELD = { number: 'expiry', expiry: 'cvc' }; // focus moves on once these are complete, as Stripe's does
  const shownErrors = new Set(); // fields whose errors are on display (after blur or a submit)

  /** Which postal code the selected country asks for: 'zip', 'postal' or null (see frame.js COUNTRIES). */
  function postalKind() {
    const option = fields.country.selectedOptions[0];
    return (option && option.dataset.postal) || null;
  }

  function readCard() {
    const number = rules.digitsOf(fields.number.value);
    const kind = postalKind();
    return {
      number,
      brand: rules.brandOf(number),
      expiry: rules.digitsOf(fields.expiry.value),
      cvc: rules.digitsOf(fields.cvc.value),
      country: fields.country.value,
      postalKind: kind,
      postal: kind ? fields.postal.value.trim() : '',
    };
  }

  /** Error code per field, in display order (the first one is what submit/confirm reports). */
  function errorsOf(card) {
    return {
      number: rules.numberError(card.number),
      expiry: rules.expiryError(card.expiry, new Date()),
      cvc: rules.cvcError(card.cvc, card.brand),
      postal: rules.postalError(card.postal, card.postalKind),
    };
  }

  function renderError(name, code) {
    $(name + '-error').textContent = code ? rules.MESSAGES[code] : '';
    fields[name].classList.toggle('Input--invalid', !!code);
    fields[name].setAttribute('aria-invalid', code ? 'true' : 'false');
  }

  /** Show "incomplete" errors only once a field was left or submitted; "invalid" ones at once. */
  function refreshErrors() {
    const errors = errorsOf(readCard());
    Object.keys(errors).forEach((name) => {
      const code = errors[name];
      const visible = shownErrors.has(name) || (code && !code.startsWith('incomplete'));
      renderError(name, visible ? code : null);
    });
    return errors;
  }

  /** Validate everything and show every error, as Stripe does on submit. */
  function validate() {
    TEXT_FIELDS.forEach((name) => shownErrors.add(name));
    const first = Object.values(refreshErrors()).find(Boolean);
    return first ? rules.stripeError(first) : null;
  }

  function state() {
    const card = readCard();
    const complete = Object.values(errorsOf(card)).every((code) => !code);
    return { complete, empty: !card.number && !card.expiry && !card.cvc && !card.postal };
  }

  function afterEdit() {
    refreshErrors();
    tabs.changed();
  }

  function showBrand() {
    const card = readCard();
    $('brand').textContent = card.brand.label;
    fields.cvc.value = card.cvc.slice(0, card.brand.cvc); // switching Amex → Visa shortens the CVC
  }

  function onInput(name, event) {
    const input = fields[name];
    let atEnd = true;
    if (name === 'postal') {
      rules.reformat(input, (raw) => (postalKind() === 'zip' ? rules.digitsOf(raw).slice(0, 5)
        : raw.toUpperCase().replace(/[^A-Z0-9 -]/g, '').slice(0, 10)));
    } else {
      atEnd = rules.formatInput(name, input, event, readCard().brand);
    }
    if (name === 'number') showBrand();
    const next = NEXT_FIELD[name];
    if (next && atEnd && !errorsOf(readCard())[name]) fields[next].focus();
    afterEdit();
  }

  let shownCountry = null;

  /** Show the postal code field only where Stripe asks for one, labelled the local way. */
  function applyCountry() {
    if (fields.country.value === shownCountry) return; // picking the same country again keeps the postal code
    shownCountry = fields.country.value;
    const kind = postalKind();
    $('postal-field').hidden = !kind;
    $('postal-label').textContent = kind === 'zip' ? 'ZIP code' : 'Postal code';
    fields.postal.placeholder = kind === 'zip' ? '12345' : '';
    fields.postal.inputMode = kind === 'zip' ? 'numeric' : 'text';
    fields.postal.value = '';
    shownErrors.delete('postal');
  }

  function clear() {
    TEXT_FIELDS.forEach((name) => { fields[name].value = ''; });
    $('brand').textContent = '';
    shownErrors.clear();
    refreshErrors();
  }

  /** Fill the form with test card `number`, as if the presenter had typed it (US, ZIP 10001); it never submits. */
  function fillTestCard(number) {
    fields.country.value = 'US';
    applyCountry();
    const nextYear = String((new Date().getFullYear() + 3) % 100).padStart(2, '0');
    const values = { number, expiry: '12' + nextYear, cvc: '123', postal: '10001' };
    const typed = { inputType: 'insertFromPaste' };
    fields.number.value = rules.digitsOf(values.number);
    rules.formatInput('number', fields.number, typed, readCard().brand);
    showBrand();
    fields.expiry.value = values.expiry;
    rules.formatInput('expiry', fields.expiry, typed, readCard().brand);
    fields.cvc.value = values.cvc;
    fields.postal.value = values.postal;
    afterEdit();
  }

  /** This form's part of the PaymentMethod: the card and the billing country / postal code. */
  function collect() {
    const card = readCard();
    const address = Object.assign({ country: card.country }, card.postal ? { postal_code: card.postal } : {});
    return {
      type: 'card',
      card: Object.assign({ number: card.number, cvc: card.cvc }, rules.expiryParams(card.expiry)),
      billing_details: { address },
    };
  }

  // Stripe's card terms, under the form when the card will be saved for later (a SetupIntent, or a payment with
  // setup_future_usage): the `terms.card` option ('auto', 'always' or 'never') decides, and `business.name` says
  // who may charge the card (Stripe's default is the account's name; the sandbox account has none).
  const terms = { saving: false, options: frame.config.options };

  function showTerms() {
    const choice = (terms.options.terms || {}).card || 'auto';
    const business = (terms.options.business || {}).name || 'this business';
    $('card-terms').textContent = 'By providing your card information, you allow ' + business + ' to charge your ' +
      'card for future payments in accordance with their terms.';
    $('card-terms').hidden = choice === 'never' || (choice === 'auto' && !terms.saving);
  }

  TEXT_FIELDS.forEach((name) => {
    fields[name].addEventListener('input', (event) => onInput(name, event));
    fields[name].addEventListener('blur', () => {
      if (fields[name].value) shownErrors.add(name);
      refreshErrors();
    });
  });
  frame.fillCountries(fields.country, null, 'US');
  fields.country.addEventListener('change', () => { applyCountry(); afterEdit(); });
  document.querySelectorAll('.TestCard[data-card]').forEach((button) => {
    button.addEventListener('click', () => fillTestCard(button.dataset.card));
  });
  applyCountry();

  showTerms();
  tabs.register('card', {
    state, validate, collect, clear, focus: () => fields.number.focus(),
    update(options) { // of the real Payment Element's options, `terms` and `business` change the card form
      terms.options = Object.assign({}, terms.options, options);
      showTerms();
    },
    session(message) {
      terms.saving = !!message.saving;
      showTerms();
    },
  });
})();
