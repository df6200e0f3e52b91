/*
 * Sandbox Payment Element: one tab per payment method type, and the selected method's form.
 *
 * Why: Stripe's Payment Element offers the payment method types the PaymentIntent allows (with
 * automatic payment methods: what the account offers for the currency), each in its own tab, and
 * tells the page which one the shopper picked (`value.type` in change events). Here the page
 * (stripe.js) hands the types over once the Elements group's session is known; each type's form
 * registers itself (payment-element.js: card; bank-methods.js: SEPA Debit, iDEAL, Bancontact) and this script
 * shows the tabs, switches forms and speaks for the selected one to frame.js.
 */
window.SandboxPaymentTabs = (function () {
  'use strict';

  const frame = window.SandboxFrame;
  const $ = (id) => document.getElementById(id);
  // type → its form: state(), validate(), collect(), clear(), and optionally focus(), confirmData(), and session() and
  // update() to hear of the group's session and the page's options
  const forms = {};
  let shown = []; // the types on offer, in tab order
  let selected = null;

  const tabOf = (type) => $('tab-' + type);
  const current = () => forms[selected || 'card']; // before the session arrives, confirming meets an empty card form

  /** The form of `type`, built on the Payment Element frame's page (the type's tab and panel are in the template). */
  function register(type, form) {
    forms[type] = form;
  }

  /** Tell the page what Stripe.js tells it: the selected type's state, in a `change` event. */
  function changed() {
    if (!selected) return;
    const state = forms[selected].state();
    frame.post('change', { empty: state.empty, complete: state.complete, collapsed: false, value: { type: selected } });
  }

  /** Select `type`'s tab and form; `notify`: the shopper did it (the first selection is not a change). */
  function select(type, focusTab, notify = true) {
    if (type === selected || !shown.includes(type)) return;
    selected = type;
    shown.forEach((each) => {
      const tab = tabOf(each);
      tab.setAttribute('aria-selected', each === type ? 'true' : 'false');
      tab.tabIndex = each === type ? 0 : -1; // one tab stop for the list; arrows move within it
      tab.classList.toggle('Tab--selected', each === type);
      $('panel-' + each).hidden = each !== type;
    });
    if (focusTab) tabOf(type).focus();
    if (notify) changed();
  }

  /** The ARIA tabs pattern: arrows (wrapping), Home and End move to a tab and select it. */
  function onTabKey(event) {
    const at = shown.indexOf(selected);
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: shown.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(shown[(moves[event.key] + shown.length) % shown.length], true);
  }

  /**
   * The group's session is known: offer its types (those with a form here), in its order, and select the first,
   * or keep the shopper's tab when the session comes again (fetchUpdates, update). The others' tabs and forms go, as
   * Stripe's Payment Element renders only what it offers.
   */
  function offer(types) {
    shown = (Array.isArray(types) ? types : ['card']).filter((type, i, all) => forms[type] && all.indexOf(type) === i);
    if (!shown.length) shown = ['card'];
    Object.keys(forms).filter((type) => !shown.includes(type)).forEach((type) => {
      tabOf(type).remove();
      $('panel-' + type).remove();
      delete forms[type];
    });
    const list = $('tabs');
    shown.forEach((type) => {
      const tab = tabOf(type);
      tab.hidden = false;
      list.appendChild(tab); // the order of the types
    });
    list.hidden = false;
    list.dataset.count = shown.length;
    select(shown.includes(selected) ? selected : shown[0], false, false);
  }

  function start() {
    document.querySelectorAll('#tabs [role=tab]').forEach((tab) => {
      tab.addEventListener('click', () => select(tab.dataset.type, false));
      tab.addEventListener('keydown', onTabKey);
    });
    $('payment-form').addEventListener('submit', (event) => event.preventDefault());
    // Behind a Jupyter server's proxy the sandbox and the page share one origin, so nothing keeps the page's scripts
    // out of this frame: the label says so (test data only), as Stripe's separate origin would not need to.
    $('same-origin').hidden = frame.config.parentOrigin !== window.location.origin;
    frame.start({
      root: $('root'), form: $('payment-form'), label: 'payment form',
      session(message) {
        offer(message.paymentMethodTypes);
        Object.values(forms).forEach((form) => form.session && form.session(message));
      },
      validate: () => current().validate(),
      collect: () => current().collect(),
      confirmData: () => (current().confirmData ? current().confirmData() : null),
      clear() {
        Object.values(forms).forEach((form) => form.clear());
        changed();
      },
      focus: () => (current().focus ? current().focus() : tabOf(selected).focus()),
      setBusy(busy) { // while a confirmation is under way, neither the form nor the choice of tab changes
        $('fields').disabled = busy;
        shown.forEach((type) => { tabOf(type).disabled = busy; });
        document.body.setAttribute('aria-busy', busy ? 'true' : 'false');
      },
      update(options) { // the real Payment Element's layout options do not apply: the sandbox shows tabs only
        Object.values(forms).forEach((form) => form.update && form.update(options));
      },
    });
  }

  document.addEventListener('DOMContentLoaded', start); // once every form has registered
  return { register, changed };
})();
