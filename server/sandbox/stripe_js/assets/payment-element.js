/*
 * Sandbox Payment Element: the script of the card form inside the sandbox-origin iframe.
 *
 * Why it exists: as with Stripe's real Payment Element, card data must never reach the shop
 * page. This script runs on the sandbox's origin. It formats and validates what the shopper
 * types (using Stripe's own error texts) and POSTs `/v1/payment_intents/{id}/confirm` to the
 * sandbox API itself. Over postMessage it tells the parent page (sandbox stripe.js) only
 * whether the form is empty or complete, its height, focus changes, validation errors and the
 * API's JSON answer. A Luhn-invalid or incomplete card is never sent.
 */
(function () {
  'use strict';

  const query = new URLSearchParams(window.location.search);
  const config = { key: query.get('key') || '', clientSecret: query.get('client_secret') || '',
    frameId: query.get('frame_id') || '', parentOrigin: query.get('parent_origin') || '' };
  const TO_PARENT = 'sandbox-payment-element';
  const FROM_PARENT = 'sandbox-stripe-js';
  const THEMES = ['stripe', 'night', 'flat'];

  /** Stripe.js's validation_error codes and their exact texts. */
  const MESSAGES = {
    incomplete_number: 'Your card number is incomplete.',
    invalid_number: 'Your card number is invalid.',
    incomplete_expiry: 'Your card\'s expiration date is incomplete.',
    invalid_expiry_month: 'Your card\'s expiration month is invalid.',
    invalid_expiry_year: 'Your card\'s expiration year is invalid.',
    invalid_expiry_year_past: 'Your card\'s expiration year is in the past.',
    invalid_expiry_month_past: 'Your card\'s expiration date is in the past.',
    incomplete_cvc: 'Your card\'s security code is incomplete.',
    incomplete_zip: 'Your postal code is incomplete.',
  };

  const BRANDS = [
    { label: 'Amex', pattern: /^3[47]/, length: 15, gaps: [4, 10], cvc: 4 },
    { label: 'Visa', pattern: /^4/, length: 16, gaps: [4, 8, 12], cvc: 3 },
    { label: 'Mastercard', pattern: /^(5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720)/, length: 16, gaps: [4, 8, 12], cvc: 3 },
    { label: 'Discover', pattern: /^(6011|65|64[4-9]|622)/, length: 16, gaps: [4, 8, 12], cvc: 3 },
  ];
  const UNKNOWN_BRAND = { label: '', length: 16, gaps: [4, 8, 12], cvc: 3 };

  const TEXT_FIELDS = ['number', 'expiry', 'cvc', 'postal'];

  const $ = (id) => document.getElementById(id);
  const fields = { number: $('number'), expiry: $('expiry'), cvc: $('cvc'), country: $('country'), postal: $('postal') };
  const shownErrors = new Set(); // fields whose errors are on display (after blur or a submit)
  let appliedVariables = [];
  let loadError = null; // set when the key or client secret was refused: nothing can be confirmed

  // -- card rules (pure) ----------------------------------------------------------------------

  function digitsOf(text) {
    return text.replace(/\D/g, '');
  }

  function brandOf(digits) {
    return BRANDS.find((brand) => brand.pattern.test(digits)) || UNKNOWN_BRAND;
  }

  function luhnValid(digits) {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let digit = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    return sum % 10 === 0;
  }

  function formatNumber(digits, brand) {
    return Array.from(digits).map((d, i) => (brand.gaps.includes(i) ? ' ' + d : d)).join('');
  }

  /** Expiry digits "MMYY" from whatever was typed or pasted ("4" → "04", "13" → "01"+"3", "12/2034" → "1234"). */
  function normalizeExpiry(raw) {
    const longYear = raw.match(/^\s*(\d{1,2})\s*\/\s*\d{2}(\d{2})\s*$/);
    let digits = longYear ? longYear[1].padStart(2, '0') + longYear[2] : digitsOf(raw);
    if (/^[2-9]/.test(digits)) digits = '0' + digits;
    else if (/^1[3-9]/.test(digits)) digits = '01' + digits.slice(1);
    else if (/^00/.test(digits)) digits = '0' + digits.slice(2);
    return digits.slice(0, 4);
  }

  /** "MM / YY". The separator appears as soon as the month is typed, but not while deleting. */
  function formatExpiry(digits, inserting) {
    if (digits.length > 2) return digits.slice(0, 2) + ' / ' + digits.slice(2);
    return digits.length === 2 && inserting ? digits + ' / ' : digits;
  }

  function numberError(digits) {
    if (digits.length < brandOf(digits).length) return 'incomplete_number';
    return luhnValid(digits) ? null : 'invalid_number';
  }

  function expiryError(digits, today) {
    if (digits.length < 4) return 'incomplete_expiry';
    const month = Number(digits.slice(0, 2));
    const year = 2000 + Number(digits.slice(2));
    const thisYear = today.getFullYear();
    if (month < 1 || month > 12) return 'invalid_expiry_month';
    if (year < thisYear) return 'invalid_expiry_year_past';
    if (year === thisYear && month < today.getMonth() + 1) return 'invalid_expiry_month_past';
    return year > thisYear + 50 ? 'invalid_expiry_year' : null;
  }

  function cvcError(digits, brand) {
    return digits.length < brand.cvc ? 'incomplete_cvc' : null;
  }

  function postalError(value, kind) {
    if (kind === 'zip') return /^\d{5}$/.test(value) ? null : 'incomplete_zip';
    if (kind === 'postal') return value.replace(/\s/g, '').length >= 5 ? null : 'incomplete_zip';
    return null;
  }

  function stripeError(code) {
    return { type: 'validation_error', code, message: MESSAGES[code] };
  }

  // -- form state -------------------------------------------------------------------------------

  /** Which postal code the selected country asks for: 'zip', 'postal' or null (see the <option>s). */
  function postalKind() {
    return fields.country.selectedOptions[0].dataset.postal || null;
  }

  function readCard() {
    const number = digitsOf(fields.number.value);
    const kind = postalKind();
    return {
      number,
      brand: brandOf(number),
      expiry: digitsOf(fields.expiry.value),
      cvc: digitsOf(fields.cvc.value),
      country: fields.country.value,
      postalKind: kind,
      postal: kind ? fields.postal.value.trim() : '',
    };
  }

  /** Error code per field, in display order (the first one is what submit/confirm reports). */
  function errorsOf(card) {
    return {
      number: numberError(card.number),
      expiry: expiryError(card.expiry, new Date()),
      cvc: cvcError(card.cvc, card.brand),
      postal: postalError(card.postal, card.postalKind),
    };
  }

  function renderError(name, code) {
    $(name + '-error').textContent = code ? MESSAGES[code] : '';
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
  function validateAll() {
    if (loadError) return loadError;
    TEXT_FIELDS.forEach((name) => shownErrors.add(name));
    const first = Object.values(refreshErrors()).find(Boolean);
    return first ? stripeError(first) : null;
  }

  function notifyChange() {
    const card = readCard();
    const complete = Object.values(errorsOf(card)).every((code) => !code);
    const empty = !card.number && !card.expiry && !card.cvc && !card.postal;
    post('change', { complete, empty });
  }

  function afterEdit() {
    refreshErrors();
    notifyChange();
  }

  // -- as-you-type formatting -----------------------------------------------------------------

  /** Where the caret goes after `count` letters or digits of `text`. */
  function positionAfter(text, count) {
    let seen = 0;
    for (let i = 0; i < text.length && count > 0; i++) {
      if (/[0-9A-Za-z]/.test(text[i]) && ++seen === count) return i + 1;
    }
    return count > 0 ? text.length : 0;
  }

  /** Rewrite an input's value with `format`, keeping the caret next to the same character. */
  function reformat(input, format) {
    const old = input.value;
    const caret = input.selectionStart === null ? old.length : input.selectionStart;
    const next = format(old);
    if (next === old) return;
    input.value = next;
    if (document.activeElement !== input) return;
    const position = caret >= old.length ? next.length : positionAfter(next, old.slice(0, caret).replace(/[^0-9A-Za-z]/g, '').length);
    input.setSelectionRange(position, position);
  }

  /** How each text field's raw value is cleaned up and displayed while typing. */
  const FORMATTERS = {
    number(raw) {
      const digits = digitsOf(raw);
      const brand = brandOf(digits);
      return formatNumber(digits.slice(0, brand.length), brand);
    },
    expiry: (raw, inserting) => formatExpiry(normalizeExpiry(raw), inserting),
    cvc: (raw) => digitsOf(raw).slice(0, readCard().brand.cvc),
    postal: (raw) => (postalKind() === 'zip' ? digitsOf(raw).slice(0, 5)
      : raw.toUpperCase().replace(/[^A-Z0-9 -]/g, '').slice(0, 10)),
  };
  const NEXT_FIELD = { number: 'expiry', expiry: 'cvc' }; // focus moves on once these are complete, as Stripe's does

  function showBrand() {
    const card = readCard();
    $('brand').textContent = card.brand.label;
    fields.cvc.value = card.cvc.slice(0, card.brand.cvc); // switching Amex → Visa shortens the CVC
  }

  function onInput(name, event) {
    const inserting = !event.inputType || event.inputType.startsWith('insert');
    const input = fields[name];
    reformat(input, (raw) => FORMATTERS[name](raw, inserting));
    if (name === 'number') showBrand();
    const next = NEXT_FIELD[name];
    const atEnd = input.selectionStart === input.value.length;
    if (next && inserting && atEnd && !errorsOf(readCard())[name]) fields[next].focus();
    afterEdit();
  }

  /** Show the postal code field only where Stripe asks for one, labelled the local way. */
  function applyCountry() {
    const kind = postalKind();
    $('postal-field').hidden = !kind;
    $('postal-label').textContent = kind === 'zip' ? 'ZIP code' : 'Postal code';
    fields.postal.placeholder = kind === 'zip' ? '12345' : '';
    fields.postal.inputMode = kind === 'zip' ? 'numeric' : 'text';
    fields.postal.value = '';
    shownErrors.delete('postal');
  }

  function clearForm() {
    TEXT_FIELDS.forEach((name) => { fields[name].value = ''; });
    $('brand').textContent = '';
    shownErrors.clear();
    afterEdit();
  }

  // -- appearance -----------------------------------------------------------------------------

  function parseAppearance(text) {
    try {
      return JSON.parse(text) || {};
    } catch (malformed) {
      return {};
    }
  }

  /** `theme` picks a preset; each `variables` entry becomes a CSS custom property (colorText → --color-text). */
  function applyAppearance(appearance) {
    const root = document.documentElement;
    root.dataset.theme = THEMES.includes(appearance.theme) ? appearance.theme : 'stripe';
    appliedVariables.forEach((property) => root.style.removeProperty(property));
    appliedVariables = Object.entries(appearance.variables || {})
      .filter(([, value]) => typeof value === 'string' || typeof value === 'number')
      .map(([name, value]) => {
        const property = '--' + name.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase());
        root.style.setProperty(property, String(value));
        return property;
      });
  }

  // -- talking to the parent page and the API ---------------------------------------------------

  function post(type, payload) {
    if (window.parent === window || !config.parentOrigin) return; // opened on its own: nobody to tell
    const message = Object.assign({ source: TO_PARENT, frame_id: config.frameId, type }, payload);
    window.parent.postMessage(message, config.parentOrigin);
  }

  /** Call the sandbox API (same origin as this page) and return `{status, body}`; status 0 = no answer. */
  async function callApi(clientSecret, suffix, init) {
    const url = '/v1/payment_intents/' + encodeURIComponent(clientSecret.split('_secret_')[0]) + suffix;
    let response;
    try {
      response = await fetch(url, Object.assign({ headers: { Accept: 'application/json' } }, init));
    } catch (networkFailure) {
      const message = 'An error occurred with our connection to Stripe. Is the sandbox running?';
      return { status: 0, body: { error: { type: 'api_connection_error', message: message } } };
    }
    const body = await response.json().catch(() => ({
      error: { type: 'api_error', message: 'The sandbox sent a reply that is not JSON (HTTP ' + response.status + ').' },
    }));
    return { status: response.status, body };
  }

  /** Bracket-encode nested params as Stripe.js does: a[b][0]=c. */
  function encodeForm(value, prefix, pairs) {
    pairs = pairs || [];
    if (value === null || value === undefined) return pairs;
    if (typeof value === 'object') {
      Object.keys(value).forEach((key) => encodeForm(value[key], prefix ? prefix + '[' + key + ']' : key, pairs));
    } else {
      pairs.push(encodeURIComponent(prefix).replace(/%5B/g, '[').replace(/%5D/g, ']') + '=' + encodeURIComponent(String(value)));
    }
    return pairs;
  }

  /** The shop's confirmParams, plus the card and the billing fields this form collected. */
  function confirmBody(clientSecret, confirmParams, card) {
    const methodData = confirmParams.payment_method_data || {};
    const billing = methodData.billing_details || {};
    const address = Object.assign({}, billing.address, { country: card.country }, card.postal ? { postal_code: card.postal } : {});
    const credentials = { key: config.key, client_secret: clientSecret };
    return Object.assign({}, credentials, confirmParams, credentials, {
      payment_method_data: Object.assign({}, methodData, {
        type: 'card',
        card: { number: card.number, exp_month: String(Number(card.expiry.slice(0, 2))), exp_year: '20' + card.expiry.slice(2), cvc: card.cvc },
        billing_details: Object.assign({}, billing, { address }),
      }),
    });
  }

  function setBusy(busy) {
    $('fields').disabled = busy;
    document.body.setAttribute('aria-busy', busy ? 'true' : 'false');
  }

  /** Validate, then POST the confirm from this origin. The parent receives only the API's answer. */
  async function confirm(message) {
    const error = validateAll();
    if (error) return post('confirm-result', { requestId: message.requestId, status: 0, body: { error } });
    const clientSecret = message.clientSecret || config.clientSecret;
    const body = encodeForm(confirmBody(clientSecret, message.confirmParams || {}, readCard())).join('&');
    setBusy(true);
    const result = await callApi(clientSecret, '/confirm', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
    });
    setBusy(false);
    return post('confirm-result', Object.assign({ requestId: message.requestId }, result));
  }

  const PARENT_MESSAGES = {
    validate: (message) => post('validate-result', { requestId: message.requestId, error: validateAll() }),
    confirm: confirm,
    update: (message) => applyAppearance(message.appearance || {}),
    clear: clearForm,
    focus: () => fields.number.focus(),
    blur: () => document.activeElement && document.activeElement.blur(),
  };

  function onParentMessage(event) {
    const data = event.data;
    if (event.source !== window.parent || event.origin !== config.parentOrigin) return;
    if (!data || data.source !== FROM_PARENT || data.frame_id !== config.frameId) return;
    if (Object.prototype.hasOwnProperty.call(PARENT_MESSAGES, data.type)) PARENT_MESSAGES[data.type](data);
  }

  /** Check the key and client secret as Stripe's elements session does. Then report ready or loaderror. */
  async function loadSession() {
    const credentials = new URLSearchParams({ key: config.key, client_secret: config.clientSecret });
    const result = await callApi(config.clientSecret, '?' + credentials);
    if (!result.body.error) return post('ready');
    loadError = result.body.error;
    $('banner').textContent = 'This payment form could not load: ' + result.body.error.message;
    $('banner').hidden = false;
    $('card-form').hidden = true;
    return post('loaderror', { error: result.body.error });
  }

  // -- wiring -----------------------------------------------------------------------------------

  function bindFields() {
    TEXT_FIELDS.forEach((name) => {
      fields[name].addEventListener('input', (event) => onInput(name, event));
      fields[name].addEventListener('blur', () => {
        if (fields[name].value) shownErrors.add(name);
        refreshErrors();
      });
    });
    fields.country.addEventListener('change', () => { applyCountry(); afterEdit(); });
    $('card-form').addEventListener('submit', (event) => event.preventDefault());
  }

  /** Report focus entering or leaving the form as a whole, not moves between its fields. */
  function bindFocusReporting() {
    const root = $('root');
    root.addEventListener('focusin', (event) => { if (!root.contains(event.relatedTarget)) post('focus'); });
    root.addEventListener('focusout', (event) => { if (!root.contains(event.relatedTarget)) post('blur'); });
  }

  /** The parent sizes the iframe to our content: report every height change. */
  function watchHeight() {
    const root = $('root');
    let last = -1;
    new ResizeObserver(() => {
      const height = Math.ceil(root.getBoundingClientRect().height);
      if (height !== last) post('resize', { height: (last = height) });
    }).observe(root);
  }

  applyCountry();
  applyAppearance(parseAppearance(query.get('appearance')));
  bindFields();
  bindFocusReporting();
  window.addEventListener('message', onParentMessage);
  watchHeight();
  loadSession();
})();
