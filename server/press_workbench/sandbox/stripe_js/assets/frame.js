/*
 * What every sandbox Element frame shares (payment, card, cardNumber/Expiry/Cvc, address,
 * linkAuthentication): talking to the page that mounted it, the Elements group's private
 * channel, the Appearance API, focus, escape and height reporting.
 *
 * Why frames at all: as with Stripe's real Elements, what the shopper types lives on the
 * sandbox's origin, out of reach of the shop page's scripts. A frame tells the page only what
 * Stripe.js tells it (empty, complete, the validation error, the value Stripe.js exposes, such as
 * an email or an address — never a card number). Card data leaves a frame only over the group's
 * BroadcastChannel, which only this origin can join, to the controller frame that calls the API.
 */
window.SandboxFrame = (function () {
  'use strict';

  const query = new URLSearchParams(window.location.search);
  const TO_PARENT = 'sandbox-element';
  const FROM_PARENT = 'sandbox-stripe-js';
  const THEMES = ['stripe', 'night', 'flat'];

  function parseJson(text) {
    try {
      return JSON.parse(text) || {};
    } catch (malformed) {
      return {};
    }
  }

  const config = {
    type: query.get('type') || '',
    frameId: query.get('frame_id') || '',
    group: query.get('group') || '',
    parentOrigin: query.get('parent_origin') || '',
    options: parseJson(query.get('options')),
  };

  /** The group's channel: sibling frames and the controller frame, all on this origin. */
  const channel = new BroadcastChannel('sandbox-elements-' + config.group);

  /** Countries the address and card forms offer; `postal` is what Stripe asks for there (see card-rules). */
  const COUNTRIES = [
    ['AU', 'Australia'], ['AT', 'Austria'], ['BE', 'Belgium'], ['BR', 'Brazil'], ['CA', 'Canada', 'postal'],
    ['DK', 'Denmark'], ['FR', 'France'], ['DE', 'Germany'], ['IN', 'India'], ['IE', 'Ireland'], ['IT', 'Italy'],
    ['JP', 'Japan'], ['MX', 'Mexico'], ['NL', 'Netherlands'], ['NZ', 'New Zealand'], ['NO', 'Norway'],
    ['ES', 'Spain'], ['SE', 'Sweden'], ['CH', 'Switzerland'], ['GB', 'United Kingdom', 'postal'],
    ['US', 'United States', 'zip'],
  ];

  /** Fill a <select> with COUNTRIES (only `allowed` ones if given); each option carries its postal kind. */
  function fillCountries(select, allowed, selected) {
    const codes = Array.isArray(allowed) && allowed.length ? allowed.map((c) => String(c).toUpperCase()) : null;
    COUNTRIES.filter(([code]) => !codes || codes.includes(code)).forEach(([code, name, postal]) => {
      const option = new Option(name, code, false, code === selected);
      if (postal) option.dataset.postal = postal;
      select.add(option);
    });
    if (!select.value && select.options.length) select.selectedIndex = 0;
  }

  function post(type, payload) {
    if (window.parent === window || !config.parentOrigin) return; // opened on its own: nobody to tell
    const message = Object.assign({ source: TO_PARENT, frame_id: config.frameId, type }, payload);
    window.parent.postMessage(message, config.parentOrigin);
  }

  let appliedVariables = [];

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

  let loadError = null; // the key or client secret was refused: nothing can be submitted

  /** Replace the form with the reason it cannot work, as Stripe's Elements do after a load error. */
  function showLoadError(element, error) {
    loadError = error;
    const banner = document.getElementById('banner');
    banner.textContent = 'This ' + element.label + ' could not load: ' + error.message;
    banner.hidden = false;
    element.form.hidden = true;
  }

  function validate(element) {
    return loadError || element.validate();
  }

  /** What the page may ask of any Element frame. `element` is the frame's own form (see `start`). */
  const PARENT_MESSAGES = {
    session: (element, message) => (message.error ? showLoadError(element, message.error)
      : element.session && element.session(message)),
    validate: (element, message) => post('validate-result', { requestId: message.requestId, error: validate(element) }),
    update: (element, message) => element.update(message.options || {}),
    appearance: (element, message) => applyAppearance(message.appearance || {}),
    clear: (element) => element.clear(),
    focus: (element) => element.focus(),
    blur: () => document.activeElement && document.activeElement.blur(),
  };

  /** Report focus entering or leaving the form as a whole (not moves between its fields), and Escape. */
  function reportFocus(root) {
    root.addEventListener('focusin', (event) => { if (!root.contains(event.relatedTarget)) post('focus'); });
    root.addEventListener('focusout', (event) => { if (!root.contains(event.relatedTarget)) post('blur'); });
    root.addEventListener('keydown', (event) => { if (event.key === 'Escape') post('escape'); });
  }

  /** The page sizes the iframe to our content: report every height change. */
  function watchHeight(root) {
    let last = -1;
    new ResizeObserver(() => {
      const height = Math.ceil(root.getBoundingClientRect().height);
      if (height !== last) post('resize', { height: (last = height) });
    }).observe(root);
  }

  /**
   * Run an Element form. `element` provides: root and form (nodes), label (what a load error calls
   * it), validate() → StripeError | null (and shows the errors), collect() → its part of the
   * PaymentMethod data, clear(), focus(), update(options), setBusy(busy), and optionally
   * onChannel(message) for sibling news, session(message) for what the page learnt of the group's
   * session (the Payment Element's payment method types, and whether the card will be saved for later use),
   * and confirmData() → what confirming an intent also carries, such as the mandate acceptance of a shown mandate.
   */
  function start(element) {
    window.addEventListener('message', (event) => {
      const data = event.data;
      if (event.source !== window.parent || event.origin !== config.parentOrigin) return;
      if (!data || data.source !== FROM_PARENT || data.frame_id !== config.frameId) return;
      if (Object.prototype.hasOwnProperty.call(PARENT_MESSAGES, data.type)) PARENT_MESSAGES[data.type](element, data);
    });
    channel.addEventListener('message', (event) => {
      const data = event.data || {};
      const mine = Array.isArray(data.frames) && data.frames.includes(config.frameId);
      if (data.type === 'collect' && mine) {
        const error = validate(element);
        const confirm = !error && element.confirmData ? element.confirmData() : null;
        channel.postMessage({ type: 'collected', requestId: data.requestId, frameId: config.frameId, error,
          data: error ? null : element.collect(), confirm });
      } else if (data.type === 'busy' && mine) {
        element.setBusy(!!data.busy);
      } else if (element.onChannel) {
        element.onChannel(data);
      }
    });
    reportFocus(element.root);
    watchHeight(element.root);
    applyAppearance(parseJson(query.get('appearance')));
    element.root.hidden = false; // the form's script is listening: typing may start (Stripe renders its inputs from script too)
    post('frame-ready');
  }

  return { config, channel, post, start, fillCountries };
})();
