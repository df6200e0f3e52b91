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

  /** One labelled input or <select>, with its error line under it; `id` is the input's (`<id>-label`, …). */
  function buildField(field, id) {
    const wrap = document.createElement('div');
    wrap.className = 'Field';
    wrap.id = id + '-field';
    const label = wrap.appendChild(document.createElement('label'));
    label.className = 'Label';
    label.htmlFor = id;
    label.id = id + '-label';
    label.textContent = field.label;
    const input = wrap.appendChild(document.createElement(field.select ? 'select' : 'input'));
    Object.assign(input, { className: 'Input', id, name: field.name, autocomplete: field.autocomplete });
    if (!field.select) {
      Object.assign(input, { type: field.inputType || 'text', placeholder: field.placeholder || '', spellcheck: false,
        value: field.initial || '' });
      if (field.inputMode) input.inputMode = field.inputMode;
      input.setAttribute('aria-describedby', id + '-error');
      const error = wrap.appendChild(document.createElement('p'));
      Object.assign(error, { className: 'Error', id: id + '-error' });
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
   * every edit. Elements get ids from the field names, after `prefix` when one frame shows two forms that share a
   * field (the Payment Element's SEPA Debit and Bancontact tabs both ask for a name).
   */
  function form(fields, container, messages, onChange, prefix = '') {
    const input = (name) => byId(prefix + name);
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
      parent.appendChild(buildField(field, prefix + field.name));
    });

    const isShown = (field) => !field.shown || field.shown();
    const text = (name) => input(name).value.trim();
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
        byId(prefix + name + '-error').textContent = visible ? message(visible, name) : '';
        input(name).classList.toggle('Input--invalid', !!visible);
        input(name).setAttribute('aria-invalid', visible ? 'true' : 'false');
      });
      return found;
    }

    fields.forEach((field) => {
      const node = input(field.name);
      node.addEventListener(field.select ? 'change' : 'input', () => {
        if (field.format) field.format(node);
        onChange();
      });
      node.addEventListener('blur', () => {
        if (node.value) shownErrors.add(field.name);
        refresh();
      });
    });

    return {
      input,
      text,
      isShown,
      refresh,
      /** `complete`: every shown field passes its check. */
      complete: () => errors().every(([, code]) => !code),
      empty: () => fields.every((field) => field.select || !isShown(field) || !text(field.name)),
      /** Hide the fields `shown()` rules out (for example a state where the country has none). */
      applyShown: () => fields.forEach((field) => { byId(prefix + field.name + '-field').hidden = !isShown(field); }),
      /** Show every error, as Stripe does on submit: the first one as Stripe.js's validation_error, or null. */
      validate() {
        fields.forEach((field) => shownErrors.add(field.name));
        const failed = refresh().find(([, code]) => code);
        return failed ? { type: 'validation_error', code: failed[1], message: message(failed[1], failed[0]) } : null;
      },
      clear() {
        fields.forEach((field) => { if (!field.select) input(field.name).value = ''; });
        shownErrors.clear();
        refresh();
      },
    };
  }

  return { COMMON, form };
})();
