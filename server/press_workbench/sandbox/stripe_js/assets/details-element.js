/*
 * Sandbox Address Element and Link Authentication Element: forms built from a field list.
 *
 * Why one script: both are plain labelled fields with "incomplete" errors once a field is left or
 * the group is submitted, and a `value` in every change event (Stripe.js gives the page the email
 * and the address). Offline there is no Link network, so the Link Authentication Element is just
 * the email field: nobody is ever recognised as a Link customer. The page (stripe.js) turns these
 * values into `shipping` or `billing_details` when it confirms.
 */
(function () {
  'use strict';

  const frame = window.SandboxFrame;
  const $ = (id) => document.getElementById(id);
  const type = frame.config.type;
  const options = frame.config.options;
  const defaults = options.defaultValues || {};

  const MESSAGES = {
    incomplete_email: 'Your email address is incomplete.',
    invalid_email: 'Your email address is invalid.',
    incomplete_name: 'Your full name is incomplete.',
    incomplete_address_line1: 'Your address is incomplete.',
    incomplete_locality: 'Your city is incomplete.',
    incomplete_administrative_area: 'Your state is incomplete.',
    incomplete_province: 'Your province is incomplete.',
    incomplete_zip: 'Your ZIP is incomplete.',
    incomplete_postal_code: 'Your postal code is incomplete.',
    incomplete_phone: 'Your phone number is incomplete.',
  };

  /** Where each country asks for a state (and what it calls it); the postal kind comes from frame.js. */
  const REGIONS = { US: ['State', 'incomplete_administrative_area'], CA: ['Province', 'incomplete_province'],
    AU: ['State', 'incomplete_administrative_area'] };

  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

  function country() {
    return type === 'address' ? $('country').value : null;
  }

  function postalKind() {
    const option = type === 'address' && $('country').selectedOptions[0];
    return (option && option.dataset.postal) || null;
  }

  /**
   * The fields of each form, in order. `check(value)` gives an error code or null; `shown()` hides
   * fields a country does not use. `row` puts fields side by side.
   */
  const FORMS = {
    linkAuthentication: [
      { name: 'email', label: 'Email', autocomplete: 'email', inputType: 'email', initial: defaults.email,
        check: (value) => (!value ? 'incomplete_email' : EMAIL.test(value) ? null : 'invalid_email') },
    ],
    address: [
      { name: 'name', label: 'Full name', autocomplete: 'name', initial: defaults.name,
        check: (value) => (value ? null : 'incomplete_name') },
      { name: 'country', label: 'Country or region', autocomplete: 'country', select: true },
      { name: 'line1', label: 'Address line 1', autocomplete: 'address-line1', initial: (defaults.address || {}).line1,
        check: (value) => (value ? null : 'incomplete_address_line1') },
      { name: 'line2', label: 'Address line 2', autocomplete: 'address-line2', placeholder: 'Apartment, suite, etc.',
        initial: (defaults.address || {}).line2 },
      { name: 'city', label: 'City', autocomplete: 'address-level2', row: 'locality', initial: (defaults.address || {}).city,
        check: (value) => (value ? null : 'incomplete_locality') },
      { name: 'state', label: 'State', autocomplete: 'address-level1', row: 'locality',
        initial: (defaults.address || {}).state, shown: () => !!REGIONS[country()],
        check: (value) => (value ? null : REGIONS[country()][1]) },
      { name: 'postal_code', label: 'ZIP', autocomplete: 'postal-code', row: 'locality',
        initial: (defaults.address || {}).postal_code, shown: () => !!postalKind(), check: postalError },
      { name: 'phone', label: 'Phone number', autocomplete: 'tel', inputType: 'tel', initial: defaults.phone,
        shown: () => (options.fields || {}).phone === 'always',
        check: (value) => ((options.validation || {}).phone || {}).required === 'always' && !value
          ? 'incomplete_phone' : null },
    ],
  };
  const form = FORMS[type] || [];
  const shownErrors = new Set();

  function postalError(value) {
    const kind = postalKind();
    const complete = kind === 'zip' ? /^\d{5}(-\d{4})?$/.test(value) : value.replace(/\s/g, '').length >= 5;
    return complete ? null : kind === 'zip' ? 'incomplete_zip' : 'incomplete_postal_code';
  }

  function isShown(field) {
    return !field.shown || field.shown();
  }

  function build() {
    const rows = {};
    form.forEach((field) => {
      const wrap = document.createElement('div');
      wrap.className = 'Field';
      wrap.id = field.name + '-field';
      const label = wrap.appendChild(document.createElement('label'));
      label.className = 'Label';
      label.htmlFor = field.name;
      label.id = field.name + '-label';
      label.textContent = field.label;
      const input = wrap.appendChild(document.createElement(field.select ? 'select' : 'input'));
      Object.assign(input, { className: 'Input', id: field.name, name: field.name, autocomplete: field.autocomplete });
      if (!field.select) {
        Object.assign(input, { type: field.inputType || 'text', placeholder: field.placeholder || '', spellcheck: false,
          value: field.initial || '' });
        input.setAttribute('aria-describedby', field.name + '-error');
        const error = wrap.appendChild(document.createElement('p'));
        Object.assign(error, { className: 'Error', id: field.name + '-error' });
        error.setAttribute('role', 'alert');
      }
      let parent = $('fields');
      if (field.row) {
        if (!rows[field.row]) rows[field.row] = Object.assign(parent.appendChild(document.createElement('div')), { className: 'Row' });
        parent = rows[field.row];
      }
      parent.appendChild(wrap);
    });
    if (type === 'address') {
      frame.fillCountries($('country'), options.allowedCountries, (defaults.address || {}).country || 'US');
    }
  }

  /** Relabel and show the fields the selected country uses. */
  function applyCountry() {
    form.forEach((field) => { $(field.name + '-field').hidden = !isShown(field); });
    if (type !== 'address') return;
    $('state-label').textContent = (REGIONS[country()] || ['State'])[0];
    $('postal_code-label').textContent = postalKind() === 'zip' ? 'ZIP' : 'Postal code';
  }

  function errorsOf() {
    return form.filter((field) => field.check && isShown(field))
      .map((field) => [field.name, field.check($(field.name).value.trim())]);
  }

  function refreshErrors() {
    const errors = errorsOf();
    errors.forEach(([name, code]) => {
      const visible = code && shownErrors.has(name) ? code : null;
      $(name + '-error').textContent = visible ? MESSAGES[visible] : '';
      $(name).classList.toggle('Input--invalid', !!visible);
      $(name).setAttribute('aria-invalid', visible ? 'true' : 'false');
    });
    return errors;
  }

  function text(name) {
    return $(name).value.trim();
  }

  /** The change event's `value`, in Stripe.js's shape for this Element. */
  function value() {
    if (type === 'linkAuthentication') return { email: text('email') };
    const address = { line1: text('line1'), line2: text('line2') || null, city: text('city'),
      state: REGIONS[country()] ? text('state') : '', postal_code: postalKind() ? text('postal_code') : '',
      country: country() };
    const result = { name: text('name'), address };
    if (isShown(form.find((field) => field.name === 'phone'))) result.phone = text('phone');
    return result;
  }

  function notifyChange() {
    const errors = refreshErrors();
    const empty = form.every((field) => field.select || !isShown(field) || !text(field.name));
    const change = { empty, complete: errors.every(([, code]) => !code), value: value() };
    if (type === 'address') Object.assign(change, { elementMode: options.mode, isNewAddress: true });
    frame.post('change', change);
  }

  function validate() {
    form.forEach((field) => shownErrors.add(field.name));
    const failed = refreshErrors().find(([, code]) => code);
    return failed ? { type: 'validation_error', code: failed[1], message: MESSAGES[failed[1]] } : null;
  }

  function clear() {
    form.forEach((field) => { if (!field.select) $(field.name).value = ''; });
    shownErrors.clear();
    notifyChange();
  }

  build();
  applyCountry();
  form.forEach((field) => {
    const input = $(field.name);
    input.addEventListener(field.select ? 'change' : 'input', () => {
      if (field.select) applyCountry();
      notifyChange();
    });
    input.addEventListener('blur', () => {
      if (input.value) shownErrors.add(field.name);
      refreshErrors();
    });
  });
  $('details-form').addEventListener('submit', (event) => event.preventDefault());

  frame.start({
    root: $('root'), form: $('details-form'), label: 'form', validate, clear,
    collect: () => ({}), // what these Elements collect reaches the page in change events, as with Stripe.js
    focus: () => $(form[0].name).focus(),
    update() {},
    setBusy: (busy) => { $('fields').disabled = busy; },
  });
  if (form.some((field) => !field.select && text(field.name))) notifyChange(); // defaultValues
})();
