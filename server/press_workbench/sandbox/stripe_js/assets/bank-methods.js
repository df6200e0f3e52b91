/*
 * Sandbox Payment Element: the SEPA Debit, iDEAL and Bancontact tabs' forms (payment-tabs.js shows them).
 *
 * Why: with automatic payment methods in EUR, Stripe's Payment Element offers bank payments beside
 * cards, and they behave differently. SEPA Debit asks for the account holder's name, email and IBAN
 * and shows the mandate the shopper accepts by paying: Stripe.js sends that acceptance with the
 * confirmation, and the payment then waits in `processing` until the debit settles. iDEAL asks for
 * nothing (since iDEAL 2.0 the shopper picks their bank on iDEAL's own page) and Bancontact for a
 * name: confirming sends the shopper to the bank's page and back to the return_url. Like card
 * numbers, IBANs stay in this frame and leave only over the group's channel to the controller frame
 * (frame.js).
 *
 * Texts are Stripe's: the mandate and the IBAN messages as Stripe's own SDKs show them
 * (stripe/stripe-android payments-ui-core/res/values/strings.xml, stripe/stripe-ios SepaMandateView).
 */
(function () {
  'use strict';

  const frame = window.SandboxFrame;
  const tabs = window.SandboxPaymentTabs;
  const fields = window.SandboxFields;
  const $ = (id) => document.getElementById(id);

  /** IBAN lengths of the countries in the SEPA scheme (the ISO 13616 IBAN registry). */
  const SEPA_IBAN_LENGTHS = {
    AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22,
    GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18,
    NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
  };
  const MESSAGES = {
    incomplete_iban: 'The IBAN you entered is incomplete.',
    invalid_iban: 'The IBAN you entered is invalid.',
    invalid_iban_start: 'Your IBAN should start with a two-letter country code.',
    invalid_iban_country_code: (iban) => 'The IBAN you entered is invalid, "' + iban.slice(0, 2) +
      '" is not a supported country code.',
  };
  /** What Stripe.js sends with a confirmation when its Payment Element showed the mandate. */
  const MANDATE_ACCEPTANCE = { mandate_data: { customer_acceptance: { type: 'online', online: { infer_from_client: true } } } };

  const compact = (value) => value.replace(/\s/g, '').toUpperCase();

  /** ISO 7064 MOD 97-10: the country code and check digits go last, letters become 10–35, the rest mod 97 is 1. */
  function checksumValid(iban) {
    const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
    return Array.from(digits).reduce((rest, digit) => (rest * 10 + Number(digit)) % 97, 0) === 1;
  }

  function ibanError(value) {
    const iban = compact(value);
    if (/^[A-Z]?[^A-Z]/.test(iban)) return 'invalid_iban_start';
    if (iban.length < 2) return 'incomplete_iban';
    const length = SEPA_IBAN_LENGTHS[iban.slice(0, 2)];
    if (!length) return 'invalid_iban_country_code';
    if (iban.length < length) return 'incomplete_iban';
    return iban.length === length && /^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban) && checksumValid(iban) ? null : 'invalid_iban';
  }

  /** Upper case, letters and digits only, in groups of four, as the shopper types. */
  function formatIban(input) {
    window.SandboxCard.reformat(input, (raw) => compact(raw).replace(/[^A-Z0-9]/g, '').slice(0, 34)
      .replace(/(.{4})(?=.)/g, '$1 '));
  }

  /** The billing details a bank tab asked for: what its name and email fields hold. */
  function billingDetails(built, fieldList) {
    const asked = fieldList.filter((field) => field.name === 'name' || field.name === 'email');
    return Object.fromEntries(asked.map((field) => [field.name, built.text(field.name)]));
  }

  /**
   * Register bank method `type`'s tab: its fields (built into `#<type>-fields`, ids after `<type>-`), and
   * optionally `typeHash(built)` (the PaymentMethod's `<type>` hash) and `confirmData()` (what confirming also sends).
   */
  function bankMethod(type, fieldList, options = {}) {
    const built = fields.form(fieldList, $(type + '-fields'), MESSAGES, () => tabs.changed(), type + '-');
    tabs.register(type, {
      state: () => ({ empty: built.empty(), complete: built.complete() }), // no fields (iDEAL): complete at once
      validate: built.validate,
      collect: () => Object.assign({ type, billing_details: billingDetails(built, fieldList) },
        options.typeHash ? { [type]: options.typeHash(built) } : {}),
      confirmData: options.confirmData,
      clear: built.clear,
      focus: fieldList.length ? () => built.input(fieldList[0].name).focus() : undefined,
    });
    return built;
  }

  const sepa = bankMethod('sepa_debit', [
    fields.COMMON.name,
    fields.COMMON.email,
    { name: 'iban', label: 'IBAN', autocomplete: 'off', placeholder: 'DE00 0000 0000 0000 0000 00', eager: true,
      check: ibanError, format: formatIban },
  ], { typeHash: (built) => ({ iban: compact(built.text('iban')) }), confirmData: () => MANDATE_ACCEPTANCE });
  bankMethod('ideal', []); // since iDEAL 2.0 the shopper picks their bank on iDEAL's page
  bankMethod('bancontact', [fields.COMMON.name]); // Stripe asks a Bancontact payer's name

  /** Fill Stripe's test IBAN `iban` and a name and email, as if the presenter had typed them; it never pays. */
  function fillTestIban(iban) {
    const values = { name: 'Jenny Rosen', email: 'jenny.rosen@example.com', iban };
    Object.entries(values).forEach(([name, value]) => { sepa.input(name).value = value; });
    formatIban(sepa.input('iban'));
    sepa.refresh();
    tabs.changed();
  }

  document.querySelectorAll('.TestCard[data-iban]').forEach((button) => {
    button.addEventListener('click', () => fillTestIban(button.dataset.iban));
  });
  // The mandate names the business: the Payment Element's `business.name` option, as with Stripe's (which
  // otherwise takes the account's name; the sandbox's one test account has none).
  $('mandate-business').textContent = ((frame.config.options.business || {}).name || '').trim() || 'this business';
})();
