/*
 * Labelled fields built from a list: the Address and Link Authentication Elements, and the Payment
 * Element's SEPA Debit tab (name, email, IBAN).
 *
 * Why one module: such fields behave alike in Stripe's Elements (an "incomplete" error under a field
 * only once it was left or the form was submitted, an "invalid" one at once), and the same name or
 * email must get the same verdict and the same words whichever Element asked for it.
 */
window.SandboxFields = (function () {
  'use strict';

  /** Stripe.js's texts for the validation_error codes of these fields. */
  const MESSAGES = {
    incomplete_email: 'Your email address is incomplete.',
    invalid_email: 'Your email address is invalid.',
    incomplete_name: 'Your full name is incomplete.',
  };
  const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

  /** Fields that more than one Element asks for, as Stripe labels and checks them. */
  const COMMON = {
    name: { name: 'name', label: 'Full name', autocomplete: 'name',
      check: (value) => (value ? null : 'incomplete_name') },
    email: { name: 'email', label: 'Email', autocomplete: 'email', inputType: 'email',
      check: (value) => (!value ? 'incomplete_email' : EMAIL.test(value) ? null : 'invalid_email') },
  };

  function byId(id) {
    return document.getElementById(id);
  }

  /** One labelled input or <select>, with its error line under it. */
  function buildField(field) {
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
      if (field.inputMode) input.inputMode = field.inputMode;
      input.setAttribute('aria-describedby', field.name + '-error');
      const error = wrap.appendChild(document.createElement('p'));
      Object.assign(error, { className: 'Error', id: field.name + '-error' });
      error.setAttribute('role', 'alert');
    }
    return wrap;
  }

  /**
   * Build `fields` into `container` and run them. A field has a name, label and autocomplete, and may have:
   * inputType, inputMode, placeholder, initial, select (a <select>), row (side by side with the fields of the
   * same row), shown() (false hides it), check(value) → an error code or null, eager (an error other than
   * "incomplete" shows while typing, as for a card number), format(input) (rewrites what was typed). `messages`
   * adds the texts (or functions of the field's value) of the codes its checks return; `onChange()` runs after
   * every edit.
   */
  function form(fields, container, messages, onChange) {
    const texts = Object.assign({}, MESSAGES, messages);
    const shownErrors = new Set(); // fields whose errors are on display (left once, or submitted)
    const byName = Object.fromEntries(fields.map((field) => [field.name, field]));
    const rows = {};
    fields.forEach((field) => {
      let parent = container;
      if (field.row) {
        rows[field.row] = rows[field.row] || Object.assign(container.appendChild(document.createElement('div')),
          { className: 'Row' });
        parent = rows[field.row];
      }
      parent.appendChild(buildField(field));
    });

    const isShown = (field) => !field.shown || field.shown();
    const text = (name) => byId(name).value.trim();
    /** A code's text; a function text is given the field's value (`"XX" is not a supported country code`). */
    const message = (code, name) => (typeof texts[code] === 'function' ? texts[code](text(name)) : texts[code]);

    function errors() {
      return fields.filter((field) => field.check && isShown(field)).map((field) => [field.name, field.check(text(field.name))]);
    }

    /** Show the errors of the fields left or submitted, and the eager fields' "invalid" ones. */
    function refresh() {
      const found = errors();
      found.forEach(([name, code]) => {
        const eager = code && byName[name].eager && !code.startsWith('incomplete');
        const visible = code && (shownErrors.has(name) || eager) ? code : null;
        byId(name + '-error').textContent = visible ? message(visible, name) : '';
        byId(name).classList.toggle('Input--invalid', !!visible);
        byId(name).setAttribute('aria-invalid', visible ? 'true' : 'false');
      });
      return found;
    }

    fields.forEach((field) => {
      const input = byId(field.name);
      input.addEventListener(field.select ? 'change' : 'input', () => {
        if (field.format) field.format(input);
        onChange();
      });
      input.addEventListener('blur', () => {
        if (input.value) shownErrors.add(field.name);
        refresh();
      });
    });

    return {
      text,
      isShown,
      refresh,
      /** `complete`: every shown field passes its check. */
      complete: () => errors().every(([, code]) => !code),
      empty: () => fields.every((field) => field.select || !isShown(field) || !text(field.name)),
      /** Hide the fields `shown()` rules out (for example a state where the country has none). */
      applyShown: () => fields.forEach((field) => { byId(field.name + '-field').hidden = !isShown(field); }),
      /** Show every error, as Stripe does on submit: the first one as Stripe.js's validation_error, or null. */
      validate() {
        fields.forEach((field) => shownErrors.add(field.name));
        const failed = refresh().find(([, code]) => code);
        return failed ? { type: 'validation_error', code: failed[1], message: message(failed[1], failed[0]) } : null;
      },
      clear() {
        fields.forEach((field) => { if (!field.select) byId(field.name).value = ''; });
        shownErrors.clear();
        refresh();
      },
    };
  }

  return { COMMON, form };
})();
