/*
 * Card rules shared by the sandbox's card frames (Payment Element, card and split card Elements)
 * and its controller frame: brands, Luhn, expiry, CVC, Stripe.js's validation_error codes and
 * texts, and the as-you-type formatting of card inputs.
 *
 * Why one module: the same number must get the same verdict and the same message whichever
 * Element it was typed into. Everything here is pure or works on one <input>; it runs only on
 * the sandbox's origin, inside the frames, never on the shop's page.
 */
window.SandboxCard = (function () {
  'use strict';

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

  /** `brand` is the value Stripe.js reports in change events; `label` is what the field shows. */
  const BRANDS = [
    { brand: 'amex', label: 'Amex', pattern: /^3[47]/, length: 15, gaps: [4, 10], cvc: 4 },
    { brand: 'visa', label: 'Visa', pattern: /^4/, length: 16, gaps: [4, 8, 12], cvc: 3 },
    { brand: 'mastercard', label: 'Mastercard', pattern: /^(5[1-5]|222[1-9]|22[3-9]|2[3-6]|27[01]|2720)/, length: 16,
      gaps: [4, 8, 12], cvc: 3 },
    { brand: 'discover', label: 'Discover', pattern: /^(6011|65|64[4-9]|622)/, length: 16, gaps: [4, 8, 12], cvc: 3 },
  ];
  const UNKNOWN_BRAND = { brand: 'unknown', label: '', length: 16, gaps: [4, 8, 12], cvc: 3 };

  function digitsOf(text) {
    return String(text || '').replace(/\D/g, '');
  }

  function brandOf(digits) {
    return BRANDS.find((brand) => brand.pattern.test(digits)) || UNKNOWN_BRAND;
  }

  function brandNamed(name) {
    return BRANDS.find((brand) => brand.brand === name) || UNKNOWN_BRAND;
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

  /** `kind`: 'zip' (five digits), 'postal' (at least five characters), 'any' (something) or null (not asked). */
  function postalError(value, kind) {
    if (kind === 'zip') return /^\d{5}$/.test(value) ? null : 'incomplete_zip';
    if (kind === 'postal') return value.replace(/\s/g, '').length >= 5 ? null : 'incomplete_zip';
    if (kind === 'any') return value.trim() ? null : 'incomplete_zip';
    return null;
  }

  function stripeError(code) {
    return { type: 'validation_error', code, message: MESSAGES[code] };
  }

  /** `exp_month` / `exp_year` as Stripe.js sends them, from "MMYY". */
  function expiryParams(digits) {
    return { exp_month: String(Number(digits.slice(0, 2))), exp_year: '20' + digits.slice(2) };
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
    const position = caret >= old.length ? next.length
      : positionAfter(next, old.slice(0, caret).replace(/[^0-9A-Za-z]/g, '').length);
    input.setSelectionRange(position, position);
  }

  /** How each card input's raw text is cleaned up while typing. `brand` decides lengths. */
  const FORMATTERS = {
    number: (raw) => {
      const digits = digitsOf(raw);
      const brand = brandOf(digits);
      return formatNumber(digits.slice(0, brand.length), brand);
    },
    expiry: (raw, inserting) => formatExpiry(normalizeExpiry(raw), inserting),
    cvc: (raw, inserting, brand) => digitsOf(raw).slice(0, brand.cvc),
  };

  /** Format `input` (one of FORMATTERS' names) after an input event; true when the text is now inserted at the end. */
  function formatInput(name, input, event, brand) {
    const inserting = !event.inputType || event.inputType.startsWith('insert');
    reformat(input, (raw) => FORMATTERS[name](raw, inserting, brand));
    return inserting && input.selectionStart === input.value.length;
  }

  return {
    MESSAGES, digitsOf, brandOf, brandNamed, luhnValid, numberError, expiryError, cvcError, postalError,
    stripeError, expiryParams, reformat, formatInput,
  };
})();
