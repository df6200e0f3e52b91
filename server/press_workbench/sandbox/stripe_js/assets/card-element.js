/*
 * Sandbox card Elements: the `card` Element (one line: number, expiry, CVC, ZIP) and the split
 * `cardNumber`, `cardExpiry` and `cardCvc` Elements, each in its own sandbox-origin frame.
 *
 * Why like this: the classic card Elements show no error text of their own. Stripe.js reports the
 * validation error in each `change` event and the page displays it, so this form only marks the
 * invalid input. The split Elements of one group are three frames: the number frame tells the CVC
 * frame the brand (3 or 4 digits) over the group's channel, and on confirm each frame hands its own
 * field to the controller frame, which joins them.
 */
(function () {
  'use strict';

  const frame = window.SandboxFrame;
  const rules = window.SandboxCard;
  const $ = (id) => document.getElementById(id);
  const type = frame.config.type;
  const inputs = { number: $('number'), expiry: $('expiry'), cvc: $('cvc'), postal: $('postal') };
  const FIELDS_OF = { card: ['number', 'expiry', 'cvc', 'postal'], cardNumber: ['number'], cardExpiry: ['expiry'],
    cardCvc: ['cvc'] };
  const NEXT_FIELD = { number: 'expiry', expiry: 'cvc', cvc: 'postal' };
  const touched = new Set(); // fields left or submitted: their "incomplete" errors count from now on
  let options = {};
  let shown = [];
  let siblingBrand = 'unknown'; // the brand the cardNumber frame of this group reports (for cardCvc)

  function brand() {
    return type === 'cardCvc' ? rules.brandNamed(siblingBrand) : rules.brandOf(rules.digitsOf(inputs.number.value));
  }

  function errorsOf() {
    const check = {
      number: () => rules.numberError(rules.digitsOf(inputs.number.value)),
      expiry: () => rules.expiryError(rules.digitsOf(inputs.expiry.value), new Date()),
      cvc: () => rules.cvcError(rules.digitsOf(inputs.cvc.value), brand()),
      postal: () => rules.postalError(inputs.postal.value, 'any'),
    };
    return Object.fromEntries(shown.map((name) => [name, check[name]()]));
  }

  /** The error Stripe.js would report now: invalid at once, incomplete once the field was left. */
  function visibleErrors(errors) {
    return shown.filter((name) => errors[name] && (touched.has(name) || !errors[name].startsWith('incomplete')));
  }

  function afterEdit() {
    const errors = errorsOf();
    const visible = visibleErrors(errors);
    shown.forEach((name) => {
      inputs[name].classList.toggle('Input--invalid', visible.includes(name));
      inputs[name].setAttribute('aria-invalid', visible.includes(name) ? 'true' : 'false');
    });
    const change = {
      empty: shown.every((name) => !inputs[name].value),
      complete: shown.every((name) => !errors[name]),
      error: visible.length ? rules.stripeError(errors[visible[0]]) : undefined,
    };
    if (type === 'card') change.value = { postalCode: inputs.postal.value };
    if (type === 'card' || type === 'cardNumber') change.brand = brand().brand;
    frame.post('change', change);
    return errors;
  }

  function onInput(name, event) {
    const input = inputs[name];
    let atEnd = false;
    if (name === 'postal') rules.reformat(input, (raw) => raw.toUpperCase().replace(/[^A-Z0-9 -]/g, '').slice(0, 10));
    else atEnd = rules.formatInput(name, input, event, brand());
    if (name === 'number') {
      $('brand').textContent = brand().label;
      if (type === 'cardNumber') frame.channel.postMessage({ type: 'brand', brand: brand().brand });
    }
    const next = NEXT_FIELD[name];
    const errors = afterEdit();
    if (atEnd && next && shown.includes(next) && !errors[name]) inputs[next].focus();
  }

  /** Stripe's `style` option (base / invalid variants) mapped onto the frame's CSS variables. */
  function applyStyle(style) {
    const base = style.base || {};
    const root = document.documentElement.style;
    const variables = {
      '--card-color': base.color, '--card-font-size': base.fontSize, '--font-family': base.fontFamily,
      '--card-placeholder': (base['::placeholder'] || {}).color, '--card-invalid': (style.invalid || {}).color,
    };
    Object.entries(variables).forEach(([name, value]) => {
      if (typeof value === 'string') root.setProperty(name, value);
    });
  }

  /** Options of create() and update(): value.postalCode, hidePostalCode, disabled, hideIcon, placeholder, style. */
  function update(next) {
    options = Object.assign({}, options, next);
    shown = FIELDS_OF[type].filter((name) => name !== 'postal' || !options.hidePostalCode);
    Object.keys(inputs).forEach((name) => { inputs[name].hidden = !shown.includes(name); });
    $('brand').hidden = !shown.includes('number') || options.hideIcon === true || options.showIcon === false;
    if (options.value && typeof options.value.postalCode === 'string') inputs.postal.value = options.value.postalCode;
    if (typeof options.placeholder === 'string' && shown.length === 1) inputs[shown[0]].placeholder = options.placeholder;
    shown.forEach((name) => { inputs[name].disabled = !!options.disabled; });
    applyStyle(options.style || {});
  }

  function validate() {
    shown.forEach((name) => touched.add(name));
    const errors = afterEdit();
    const first = shown.find((name) => errors[name]);
    return first ? rules.stripeError(errors[first]) : null;
  }

  /** This frame's part of the PaymentMethod. The controller joins the split frames' parts. */
  function collect() {
    const card = {};
    if (shown.includes('number')) card.number = rules.digitsOf(inputs.number.value);
    if (shown.includes('expiry')) Object.assign(card, rules.expiryParams(rules.digitsOf(inputs.expiry.value)));
    if (shown.includes('cvc')) card.cvc = rules.digitsOf(inputs.cvc.value);
    const data = { card };
    if (type === 'card' || type === 'cardNumber') data.type = 'card';
    if (shown.includes('postal')) data.billing_details = { address: { postal_code: inputs.postal.value.trim() } };
    return data;
  }

  function clear() {
    shown.forEach((name) => { inputs[name].value = ''; });
    $('brand').textContent = '';
    touched.clear();
    afterEdit();
  }

  function onChannel(message) {
    if (message.type !== 'brand' || type !== 'cardCvc') return;
    siblingBrand = message.brand;
    rules.reformat(inputs.cvc, (raw) => rules.digitsOf(raw).slice(0, brand().cvc));
    afterEdit();
  }

  Object.keys(inputs).forEach((name) => {
    inputs[name].addEventListener('input', (event) => onInput(name, event));
    inputs[name].addEventListener('blur', () => {
      if (inputs[name].value) touched.add(name);
      afterEdit();
    });
  });
  $('card-form').addEventListener('submit', (event) => event.preventDefault());
  update(frame.config.options);

  frame.start({
    root: $('root'), form: $('card-form'), label: 'card field', validate, collect, clear, update, onChannel,
    focus: () => shown.length && inputs[shown[0]].focus(),
    setBusy: (busy) => shown.forEach((name) => { inputs[name].disabled = busy || !!options.disabled; }),
  });
})();
