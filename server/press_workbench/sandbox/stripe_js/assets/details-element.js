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
  const fields = window.SandboxFields;
  const $ = (id) => document.getElementById(id);
  const type = frame.config.type;
  const options = frame.config.options;
  const defaults = options.defaultValues || {};

  const MESSAGES = {
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

  function country() {
    return type === 'address' ? $('country').value : null;
  }

  function postalKind() {
    const option = type === 'address' && $('country').selectedOptions[0];
    return (option && option.dataset.postal) || null;
  }

  /** The fields of each form, in order (see field-form.js); `shown()` hides the fields a country does not use. */
  const FORMS = {
    linkAuthentication: [Object.assign({ initial: defaults.email }, fields.COMMON.email)],
    address: [
      Object.assign({ initial: defaults.name }, fields.COMMON.name),
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

  function postalError(value) {
    const kind = postalKind();
    const complete = kind === 'zip' ? /^\d{5}(-\d{4})?$/.test(value) : value.replace(/\s/g, '').length >= 5;
    return complete ? null : kind === 'zip' ? 'incomplete_zip' : 'incomplete_postal_code';
  }

  /** Relabel and show the fields the selected country uses. */
  function applyCountry() {
    built.applyShown();
    if (type !== 'address') return;
    $('state-label').textContent = (REGIONS[country()] || ['State'])[0];
    $('postal_code-label').textContent = postalKind() === 'zip' ? 'ZIP' : 'Postal code';
  }

  /** The change event's `value`, in Stripe.js's shape for this Element. */
  function value() {
    const text = built.text;
    if (type === 'linkAuthentication') return { email: text('email') };
    const address = { line1: text('line1'), line2: text('line2') || null, city: text('city'),
      state: REGIONS[country()] ? text('state') : '', postal_code: postalKind() ? text('postal_code') : '',
      country: country() };
    const result = { name: text('name'), address };
    if (built.isShown(form.find((field) => field.name === 'phone'))) result.phone = text('phone');
    return result;
  }

  function notifyChange() {
    built.refresh();
    const change = { empty: built.empty(), complete: built.complete(), value: value() };
    if (type === 'address') Object.assign(change, { elementMode: options.mode, isNewAddress: true });
    frame.post('change', change);
  }

  const built = fields.form(form, $('fields'), MESSAGES, () => {
    applyCountry();
    notifyChange();
  });
  if (type === 'address') {
    frame.fillCountries($('country'), options.allowedCountries, (defaults.address || {}).country || 'US');
  }
  applyCountry();
  $('details-form').addEventListener('submit', (event) => event.preventDefault());

  frame.start({
    root: $('root'), form: $('details-form'), label: 'form', validate: built.validate,
    clear() {
      built.clear();
      notifyChange();
    },
    collect: () => ({}), // what these Elements collect reaches the page in change events, as with Stripe.js
    focus: () => $(form[0].name).focus(),
    update() {},
    setBusy: (busy) => { $('fields').disabled = busy; },
  });
  if (form.some((field) => !field.select && built.text(field.name))) notifyChange(); // defaultValues
})();
