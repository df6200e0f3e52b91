/*
 * Sandbox Stripe.js: an offline stand-in for https://js.stripe.com/v3/ (the Payment Element slice).
 *
 * Why it exists: real Stripe.js only talks to api.stripe.com and has no option to point it
 * elsewhere. So in sandbox mode the shop loads this file from the sandbox (`{SANDBOX}/v3/`)
 * instead. It mirrors the public API and result shapes of Stripe.js: `Stripe(pk)`,
 * `elements({clientSecret, appearance})`, `elements.create('payment')`, `elements.submit()`,
 * `stripe.confirmPayment(...)`, `stripe.retrievePaymentIntent(...)`. Shop code is therefore
 * identical in both modes.
 *
 * Isolation works as it does with the real thing. Card data lives only inside an iframe served
 * from the sandbox's own origin (payment-element.html). The iframe validates it and POSTs the
 * confirm itself. This page only ever sees the resulting PaymentIntent, never a card number.
 * Messages travel by postMessage. Both sides check the origin, the source window and a
 * per-frame id.
 */
(function () {
  'use strict';

  const SANDBOX_ORIGIN = detectSandboxOrigin();
  const FROM_FRAME = 'sandbox-payment-element'; // `source` tag on messages from the element iframe
  const FROM_PARENT = 'sandbox-stripe-js'; // `source` tag on messages we send to it
  const SETTLED = ['succeeded', 'processing', 'requires_capture'];
  const CLIENT_SECRET = /^[a-z]+_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/;
  const AUTHENTICATION_FAILED = 'We are unable to authenticate your payment method. ' +
    'Please choose a different payment method and try again.';

  /** Stripe.js reports misuse by throwing an IntegrationError. We throw the same. */
  class IntegrationError extends Error {
    constructor(message) {
      super(message);
      this.name = 'IntegrationError';
    }
  }

  // -- small helpers -------------------------------------------------------------------------

  /** The sandbox origin is wherever this script was loaded from. Capture it once, at load time. */
  function detectSandboxOrigin() {
    const script = document.currentScript || Array.from(document.scripts).find((s) => /\/v3\/?(\?|$)/.test(s.src));
    return new URL(script ? script.src : window.location.href).origin;
  }

  function randomId(prefix) {
    return prefix + Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  }

  function assertClientSecret(value, method) {
    if (typeof value !== 'string' || !CLIENT_SECRET.test(value)) {
      throw new IntegrationError('Invalid value for ' + method + '(): clientSecret should be a client ' +
        'secret of the form ${id}_secret_${secret}. You specified: ' + value + '.');
    }
  }

  /** Append query parameters to a URL that may already have a query string or a #fragment. */
  function withQuery(url, params) {
    const [base, hash] = url.includes('#') ? [url.slice(0, url.indexOf('#')), url.slice(url.indexOf('#'))] : [url, ''];
    const joiner = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
    return base + joiner + new URLSearchParams(params).toString() + hash;
  }

  /** Navigate away as Stripe.js does on success. The returned promise never settles. */
  function navigate(url) {
    window.location.assign(url);
    return new Promise(() => {});
  }

  function connectionError() {
    return { type: 'api_connection_error',
      message: 'An error occurred with our connection to Stripe. Is the sandbox running at ' + SANDBOX_ORIGIN + '?' };
  }

  /** GET the PaymentIntent with the publishable key, as Stripe.js does: `{paymentIntent}` or `{error}`. */
  async function retrieveIntent(key, clientSecret) {
    const query = new URLSearchParams({ key, client_secret: clientSecret });
    const id = encodeURIComponent(clientSecret.split('_secret_')[0]);
    let response;
    try {
      response = await fetch(SANDBOX_ORIGIN + '/v1/payment_intents/' + id + '?' + query, { headers: { Accept: 'application/json' } });
    } catch (networkFailure) {
      return { error: connectionError() };
    }
    const body = await response.json().catch(() => ({
      error: { type: 'api_error', message: 'The sandbox sent a reply that is not JSON (HTTP ' + response.status + ').' },
    }));
    return body.error ? { error: body.error } : { paymentIntent: body };
  }

  // -- 3D Secure, in-page ----------------------------------------------------------------------

  /** The URL of the challenge page, whichever of the two `next_action` shapes the intent carries. */
  function challengeUrlOf(nextAction) {
    if (nextAction && nextAction.type === 'redirect_to_url') return nextAction.redirect_to_url.url;
    if (nextAction && nextAction.type === 'use_stripe_sdk') return nextAction.use_stripe_sdk.stripe_js;
    return null;
  }

  /**
   * Show the sandbox's 3DS challenge page in a modal over the shop, as Stripe.js does for
   * `redirect: 'if_required'`. The page posts `sandbox-3ds-result` once the shopper clicks
   * Complete or Fail.
   */
  function authenticateInModal(url) {
    const overlay = document.createElement('div');
    overlay.setAttribute('role', 'dialog');
    overlay.setAttribute('aria-modal', 'true');
    overlay.setAttribute('aria-label', '3D Secure authentication');
    overlay.style.cssText = 'position:fixed;top:0;right:0;bottom:0;left:0;z-index:2147483647;display:flex;' +
      'align-items:center;justify-content:center;background:rgba(10,20,30,.55)';
    const frame = overlay.appendChild(document.createElement('iframe'));
    frame.title = '3D Secure authentication';
    frame.src = withQuery(url, { embedded: '1' });
    frame.style.cssText = 'width:min(480px,94vw);height:min(600px,90vh);border:0;border-radius:8px;' +
      'background:#fff;box-shadow:0 12px 40px rgba(0,0,0,.35)';
    return new Promise((resolve) => {
      window.addEventListener('message', function onMessage(event) {
        if (event.origin !== SANDBOX_ORIGIN || event.source !== frame.contentWindow) return;
        if (!event.data || event.data.type !== 'sandbox-3ds-result') return;
        window.removeEventListener('message', onMessage);
        overlay.remove();
        resolve(event.data);
      });
      document.body.appendChild(overlay);
      frame.focus();
    });
  }

  // -- Payment Element ------------------------------------------------------------------------

  function resolveMountTarget(target) {
    const node = typeof target === 'string' ? document.querySelector(target) : target;
    if (node instanceof HTMLElement) return node;
    if (typeof target === 'string') {
      throw new IntegrationError('The selector you specified (' + target + ') applies to no DOM elements ' +
        'that are currently on the page.\nMake sure the element exists on the page before calling mount().');
    }
    throw new IntegrationError('Invalid DOM element. Make sure to call mount() with a valid DOM element or selector.');
  }

  /** Given to callers still waiting on an iframe that got unmounted. Fits both reply shapes. */
  const UNMOUNTED_ERROR = { type: 'validation_error', message: 'The Payment Element was unmounted.' };
  const UNMOUNTED_REPLY = { status: 0, error: UNMOUNTED_ERROR, body: { error: UNMOUNTED_ERROR } };
  const STATE_CLASSES = ['StripeElement', 'StripeElement--empty', 'StripeElement--complete', 'StripeElement--focus'];

  class PaymentElement {
    constructor(group) {
      this._group = group;
      this._frameId = randomId('pe_');
      this._handlers = {};
      this._pending = new Map(); // requestId → resolve
      this._iframe = this._wrapper = this._container = null;
      this._destroyed = false;
      this._onMessage = this._onMessage.bind(this);
    }

    mount(target) {
      if (this._destroyed) throw new IntegrationError('This Element has already been destroyed. Please create a new one.');
      if (this._iframe) {
        throw new IntegrationError('This Element is already mounted. Use `unmount()` to unmount the Element before re-mounting.');
      }
      this._container = resolveMountTarget(target);
      this._frameReady = new Promise((resolve) => { this._markFrameReady = resolve; });
      this._wrapper = document.createElement('div');
      this._wrapper.className = '__PrivateStripeElement';
      this._wrapper.style.cssText = 'margin:0;padding:0;border:none;display:block;background:transparent;position:relative';
      this._iframe = this._wrapper.appendChild(this._createFrame());
      window.addEventListener('message', this._onMessage);
      this._container.appendChild(this._wrapper);
      this._setContainerState({ empty: true, complete: false, focus: false });
    }

    unmount() {
      if (!this._iframe) return;
      window.removeEventListener('message', this._onMessage);
      this._wrapper.remove();
      this._container.classList.remove(...STATE_CLASSES);
      this._pending.forEach((resolve) => resolve(UNMOUNTED_REPLY));
      this._pending.clear();
      this._iframe = this._wrapper = this._container = null;
    }

    destroy() {
      this.unmount();
      this._group._forget(this);
      this._destroyed = true;
    }

    on(event, handler) {
      if (typeof handler !== 'function') {
        throw new IntegrationError('When adding an event listener, the second argument must be a function.');
      }
      (this._handlers[event] = this._handlers[event] || []).push(handler);
      return this;
    }

    off(event, handler) {
      this._handlers[event] = handler ? (this._handlers[event] || []).filter((h) => h !== handler) : [];
      return this;
    }

    focus() {
      if (this._iframe) this._iframe.focus(); // lets the iframe take focus without a user gesture
      this._send('focus');
    }

    blur() { this._send('blur'); }

    clear() { this._send('clear'); }

    /** Layout and field options of the real Payment Element: accepted, nothing to change for card only. */
    update() {}

    // -- internal ------------------------------------------------------------------------------

    _createFrame() {
      const group = this._group;
      const query = new URLSearchParams({
        key: group._key,
        client_secret: group._clientSecret,
        appearance: JSON.stringify(group._appearance),
        frame_id: this._frameId,
        parent_origin: window.location.origin,
      });
      const iframe = document.createElement('iframe');
      iframe.title = 'Secure payment input frame';
      iframe.name = '__privateStripeFrame' + Math.floor(1000 + Math.random() * 9000);
      iframe.src = SANDBOX_ORIGIN + '/elements/payment?' + query;
      iframe.setAttribute('allow', 'payment');
      iframe.setAttribute('frameborder', '0');
      iframe.setAttribute('scrolling', 'no');
      iframe.style.cssText = 'width:100%;min-width:100%;height:1px;border:0;margin:0;padding:0;' +
        'display:block;overflow:hidden;color-scheme:normal';
      return iframe;
    }

    _onMessage(event) {
      const data = event.data;
      if (event.origin !== SANDBOX_ORIGIN || !this._iframe || event.source !== this._iframe.contentWindow) return;
      if (!data || data.source !== FROM_FRAME || data.frame_id !== this._frameId) return;
      if (Object.prototype.hasOwnProperty.call(FRAME_MESSAGES, data.type)) FRAME_MESSAGES[data.type](this, data);
    }

    _emit(event, details) {
      const payload = Object.assign({ elementType: 'payment' }, details);
      (this._handlers[event] || []).slice().forEach((handler) => {
        try {
          handler(payload);
        } catch (shopError) {
          setTimeout(() => { throw shopError; }); // surface the shop's bug without breaking ours
        }
      });
    }

    /** Mirror Stripe's state classes on the mount node, so shop CSS written for Stripe keeps working. */
    _setContainerState(state) {
      const classes = this._container && this._container.classList;
      if (!classes) return;
      classes.add('StripeElement');
      Object.keys(state).forEach((name) => classes.toggle('StripeElement--' + name, !!state[name]));
    }

    /** Post to the iframe once its script is listening. Messages sent earlier would be lost. */
    _send(type, payload) {
      const iframe = this._iframe;
      if (!iframe) return;
      const message = Object.assign({ source: FROM_PARENT, frame_id: this._frameId, type }, payload);
      this._frameReady.then(() => {
        if (this._iframe === iframe) iframe.contentWindow.postMessage(message, SANDBOX_ORIGIN);
      });
    }

    /** Send a request and wait for the iframe's `<type>-result` answer with the same requestId. */
    _request(type, payload) {
      const requestId = randomId('req_');
      return new Promise((resolve) => {
        this._pending.set(requestId, resolve);
        this._send(type, Object.assign({ requestId }, payload));
      });
    }

    _settle(reply) {
      const resolve = this._pending.get(reply.requestId);
      this._pending.delete(reply.requestId);
      if (resolve) resolve(reply);
    }
  }

  /** What each message from the element iframe does to its PaymentElement. */
  const FRAME_MESSAGES = {
    ready(element) {
      element._markFrameReady();
      element._emit('ready');
    },
    loaderror(element, data) {
      element._markFrameReady(); // the frame still answers requests; the API will refuse them
      element._emit('loaderror', { error: data.error });
    },
    change(element, data) {
      element._setContainerState({ empty: data.empty, complete: data.complete });
      element._emit('change', { complete: !!data.complete, empty: !!data.empty, collapsed: false, value: { type: 'card' } });
    },
    focus(element) {
      element._setContainerState({ focus: true });
      element._emit('focus');
    },
    blur(element) {
      element._setContainerState({ focus: false });
      element._emit('blur');
    },
    resize(element, data) {
      element._iframe.style.height = Math.ceil(Number(data.height) || 0) + 'px';
    },
    'validate-result': (element, reply) => element._settle(reply),
    'confirm-result': (element, reply) => element._settle(reply),
  };

  // -- Elements group -------------------------------------------------------------------------

  class ElementsGroup {
    constructor(key, options) {
      this._key = key;
      this._clientSecret = options.clientSecret;
      this._appearance = options.appearance || {};
      this._payment = null;
    }

    create(type) {
      if (type !== 'payment') {
        throw new IntegrationError('The sandbox Stripe.js supports only the `payment` Element; `' + type + '` is not available offline.');
      }
      if (!this._clientSecret) {
        throw new IntegrationError('In order to create a payment element, you must pass a clientSecret or mode ' +
          'when creating the Elements group.');
      }
      if (this._payment) throw new IntegrationError('Can only create one Element of type payment.');
      this._payment = new PaymentElement(this);
      return this._payment;
    }

    getElement(type) {
      return type === 'payment' ? this._payment : null;
    }

    /** Validate the Payment Element. The iframe also shows the errors next to its fields. */
    async submit() {
      const reply = await this._mountedElement('elements.submit')._request('validate');
      return reply.error ? { error: reply.error } : { selectedPaymentMethod: 'card' };
    }

    update(options) {
      if (options && options.appearance) {
        this._appearance = options.appearance;
        if (this._payment) this._payment._send('update', { appearance: this._appearance });
      }
      return Promise.resolve();
    }

    fetchUpdates() {
      return Promise.resolve({});
    }

    _mountedElement(method) {
      if (this._payment && this._payment._iframe) return this._payment;
      throw new IntegrationError(method + '(): the Payment Element must be mounted first. ' +
        'Call elements.create(\'payment\').mount(...) before ' + method + '().');
    }

    _forget(element) {
      if (this._payment === element) this._payment = null;
    }
  }

  // -- confirmPayment -------------------------------------------------------------------------

  function checkConfirmParams(params) {
    if (!params || !(params.elements instanceof ElementsGroup)) {
      throw new IntegrationError('stripe.confirmPayment(): the sandbox supports confirming with `elements` ' +
        '(an Elements group holding a mounted Payment Element) only.');
    }
    const redirect = params.redirect === undefined ? 'always' : params.redirect;
    if (redirect !== 'always' && redirect !== 'if_required') {
      throw new IntegrationError('Invalid value for confirmPayment(): redirect should be one of the following ' +
        'strings: always, if_required. You specified: ' + redirect + '.');
    }
    const confirmParams = params.confirmParams || {};
    if (redirect === 'always' && !confirmParams.return_url) {
      throw new IntegrationError('stripe.confirmPayment(): the `confirmParams.return_url` argument is required ' +
        'unless passing `redirect: \'if_required\'`');
    }
    const clientSecret = params.clientSecret || params.elements._clientSecret;
    assertClientSecret(clientSecret, 'stripe.confirmPayment');
    return { redirect, confirmParams, clientSecret };
  }

  /** The error Stripe.js resolves with when a confirmed intent did not end up paid. */
  function intentError(paymentIntent) {
    if (paymentIntent.status === 'requires_payment_method' && paymentIntent.last_payment_error) {
      return { error: Object.assign({}, paymentIntent.last_payment_error, { payment_intent: paymentIntent }) };
    }
    const [code, message] = paymentIntent.status === 'requires_action'
      ? ['payment_intent_authentication_failure', AUTHENTICATION_FAILED]
      : ['payment_intent_unexpected_state', 'This PaymentIntent\'s status is ' + paymentIntent.status + '.'];
    return { error: { type: 'invalid_request_error', code, message, payment_intent: paymentIntent } };
  }

  /** Run 3DS: a full-page redirect for `redirect: 'always'`, else a modal. Then re-read the intent. */
  async function handleNextAction(key, paymentIntent, options) {
    const url = challengeUrlOf(paymentIntent.next_action);
    if (!url) return intentError(paymentIntent);
    if (options.redirect === 'always' && paymentIntent.next_action.type === 'redirect_to_url') return navigate(url);
    await authenticateInModal(url);
    const result = await retrieveIntent(key, options.clientSecret);
    return (result.error || SETTLED.includes(result.paymentIntent.status)) ? result : intentError(result.paymentIntent);
  }

  /** Turn the confirmed PaymentIntent into what Stripe.js resolves with, or a navigation. */
  function settleIntent(key, paymentIntent, options) {
    if (paymentIntent.status === 'requires_action') return handleNextAction(key, paymentIntent, options);
    if (!SETTLED.includes(paymentIntent.status)) return intentError(paymentIntent);
    if (options.redirect === 'if_required') return { paymentIntent };
    return navigate(withQuery(options.confirmParams.return_url, {
      payment_intent: paymentIntent.id,
      payment_intent_client_secret: options.clientSecret,
      redirect_status: 'succeeded',
    }));
  }

  function confirmPayment(key, params) {
    const options = checkConfirmParams(params);
    const element = params.elements._mountedElement('stripe.confirmPayment');
    return (async () => {
      const reply = await element._request('confirm', {
        clientSecret: options.clientSecret,
        confirmParams: JSON.parse(JSON.stringify(options.confirmParams)), // plain data only
      });
      const body = reply.body || { error: connectionError() };
      return body.error ? { error: body.error } : settleIntent(key, body, options);
    })();
  }

  // -- Stripe() ---------------------------------------------------------------------------------

  function assertPublishableKey(key) {
    if (typeof key !== 'string' || key === '') {
      throw new IntegrationError('Please call Stripe() with your publishable key. You used an empty string.');
    }
    if (/^(sk|rk)_/.test(key)) {
      throw new IntegrationError('You should not use your secret key with Stripe.js.\nPlease pass a publishable key instead.');
    }
    if (!/^pk_(test|live)_[A-Za-z0-9_]+$/.test(key)) throw new IntegrationError('Invalid API Key provided: ' + key);
  }

  function createElements(key, options) {
    options = options || {};
    if (options.mode) {
      throw new IntegrationError('The sandbox Stripe.js supports elements({clientSecret}) only, not elements({mode}).');
    }
    if (options.clientSecret !== undefined) assertClientSecret(options.clientSecret, 'elements');
    return new ElementsGroup(key, options); // `loader`, `locale` and `fonts` are accepted and ignored
  }

  /** `Stripe(publishableKey, options)`. Options (apiVersion, locale, stripeAccount) are accepted and ignored. */
  function Stripe(publishableKey) {
    assertPublishableKey(publishableKey);
    return {
      elements: (options) => createElements(publishableKey, options),
      confirmPayment: (params) => confirmPayment(publishableKey, params),
      retrievePaymentIntent: (clientSecret) => {
        assertClientSecret(clientSecret, 'stripe.retrievePaymentIntent');
        return retrieveIntent(publishableKey, clientSecret);
      },
    };
  }

  Stripe.version = 3; // what js.stripe.com/v3 reports; @stripe/stripe-js reads it
  window.Stripe = Stripe;
})();
