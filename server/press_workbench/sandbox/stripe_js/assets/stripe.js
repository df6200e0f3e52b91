/*
 * Sandbox Stripe.js: an offline stand-in for https://js.stripe.com/v3/.
 *
 * Why it exists: real Stripe.js only talks to api.stripe.com and has no option to point it
 * elsewhere, so in sandbox mode a page loads this file from the sandbox (`{SANDBOX}/v3/`) instead.
 * It mirrors Stripe.js's public names, result shapes, events and integration errors (the typed
 * surface of @stripe/stripe-js is the reference) for what a card checkout and a saved card use:
 * `Stripe(pk)`, `elements({clientSecret} | {mode: 'payment', amount, currency} | {mode: 'setup'})`,
 * the `payment`, `linkAuthentication`, `address`, `card`, `cardNumber`, `cardExpiry`, `cardCvc` and
 * `expressCheckout` Elements, `elements.submit()`, `confirmPayment` and `confirmSetup`,
 * `confirmCardPayment` and `confirmCardSetup`, `createPaymentMethod`, `handleNextAction`,
 * `retrievePaymentIntent` and `retrieveSetupIntent`. Code written for Stripe.js runs unchanged.
 * PaymentIntents and SetupIntents go through the same machinery (confirm, next actions, the 3D
 * Secure modal, the redirect back); INTENTS holds the little that differs.
 *
 * Isolation works as with the real thing. What the shopper types lives in iframes served from the
 * sandbox's origin; a hidden controller frame on that origin makes every API call and receives the
 * card fields from the Element frames over a channel only that origin can join. This page sees
 * what Stripe.js shows a page: change events, the PaymentIntent, the PaymentMethod — never a card
 * number. Messages travel by postMessage; both sides check the origin, the source window and an id.
 */
(function () {
  'use strict';

  const SANDBOX_ROOT = detectSandboxRoot(); // where the sandbox is: its port, or its path behind a Jupyter server
  const SANDBOX_ORIGIN = new URL(SANDBOX_ROOT).origin; // who may talk to us: the frames' origin
  const FROM_FRAME = 'sandbox-element'; // `source` tag on messages from Element frames
  const FROM_CONTROLLER = 'sandbox-controller';
  const TO_FRAMES = 'sandbox-stripe-js'; // `source` tag on messages we send to frames
  const CLIENT_SECRET = /^(pi|seti)_[A-Za-z0-9]+_secret_[A-Za-z0-9]+$/;
  const CONTROLLER_TIMEOUT_MS = 10000;
  const AUTHENTICATION_FAILED = 'We are unable to authenticate your payment method. ' +
    'Please choose a different payment method and try again.';
  const NOT_MOUNTED = 'We could not retrieve data from the specified Element. Please make sure the Element you are ' +
    'attempting to use is still mounted.';

  /**
   * The two intents Stripe.js confirms, told apart as Stripe.js tells them: by the client secret's prefix. `object`
   * also names the redirect's query parameters (`setup_intent`, `setup_intent_client_secret`), the intent a
   * StripeError carries and the error codes (`setup_intent_authentication_failure`); `methods` are the Stripe.js
   * methods for each role, so that misuse can name the right one.
   */
  const INTENTS = {
    pi: {
      name: 'PaymentIntent', object: 'payment_intent', collection: 'payment_intents', result: 'paymentIntent',
      lastError: 'last_payment_error', settled: ['succeeded', 'processing', 'requires_capture'], takesShipping: true,
      methods: { confirm: 'confirmPayment', confirmCard: 'confirmCardPayment', retrieve: 'retrievePaymentIntent' },
    },
    seti: {
      name: 'SetupIntent', object: 'setup_intent', collection: 'setup_intents', result: 'setupIntent',
      lastError: 'last_setup_error', settled: ['succeeded', 'processing'], takesShipping: false,
      methods: { confirm: 'confirmSetup', confirmCard: 'confirmCardSetup', retrieve: 'retrieveSetupIntent' },
    },
  };

  /** Stripe.js reports misuse by throwing an IntegrationError. We throw the same. */
  class IntegrationError extends Error {
    constructor(message) {
      super(message);
      this.name = 'IntegrationError';
    }
  }

  // -- small helpers -------------------------------------------------------------------------

  /**
   * The sandbox is wherever this script was loaded from (`<root>/v3/`). Capture it once, at load time. The root
   * keeps its path: behind jupyter-server-proxy the sandbox is `/user/<name>/stripe/` on the Jupyter server's origin.
   */
  function detectSandboxRoot() {
    const script = document.currentScript || Array.from(document.scripts).find((s) => /\/v3\/?(\?|$)/.test(s.src));
    const url = new URL(script ? script.src : window.location.href);
    return url.origin + url.pathname.replace(/\/v3(\/[^/]*)?$/, '');
  }

  function randomId(prefix) {
    return prefix + Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  }

  /** Plain data only (what postMessage and the API can carry); `undefined` fields disappear. */
  function plain(value) {
    return JSON.parse(JSON.stringify(value || {}));
  }

  function describe(value) {
    return typeof value === 'object' && value !== null ? 'object' : String(value);
  }

  function assertClientSecret(value, method) {
    if (typeof value !== 'string' || !CLIENT_SECRET.test(value)) {
      throw new IntegrationError('Invalid value for ' + method + '(): clientSecret should be a client ' +
        'secret of the form ${id}_secret_${secret}. You specified: ' + value + '.');
    }
  }

  /** Which intent a (well-formed) client secret belongs to: an entry of INTENTS. */
  function intentKind(clientSecret) {
    return INTENTS[clientSecret.split('_')[0]];
  }

  /** Check that `clientSecret` is one of `kind`'s, as the Stripe.js method for `role` needs (see INTENTS.methods). */
  function assertIntentSecret(clientSecret, kind, role) {
    const method = kind.methods[role];
    assertClientSecret(clientSecret, 'stripe.' + method);
    const found = intentKind(clientSecret);
    if (found !== kind) {
      throw new IntegrationError('Your code called ' + method + '() but you passed a client_secret associated with a ' +
        found.name + '. Did you mean to call ' + found.methods[role] + '() instead?');
    }
  }

  /** The integration error Stripe.js throws when the deferred flow skips elements.submit(). */
  function submitFirst(method) {
    return new IntegrationError('elements.submit() must be called before ' + method + '. Call elements.submit() as ' +
      'soon as your customer presses pay, prior to any asynchronous work. Integration guide: ' +
      'https://stripe.com/docs/payments/accept-a-payment-deferred');
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
      message: 'An error occurred with our connection to Stripe. Is the sandbox running at ' + SANDBOX_ROOT + '?' };
  }

  // -- the controller frame: every API call -------------------------------------------------

  /** One hidden frame per Stripe instance, on the sandbox origin, created on first use (see controller.js). */
  class Controller {
    constructor(key, apiVersion) {
      this._key = key;
      this._apiVersion = apiVersion; // sent as `_stripe_version`, as js.stripe.com does
      this._id = randomId('ctrl_');
      this._pending = new Map(); // requestId → resolve
      this._frame = this._ready = null;
      this._onMessage = this._onMessage.bind(this);
    }

    /** `extras`: `merge` (objects laid over params) and `collect` (Element frames whose card fields go in). */
    request(method, path, params, extras) {
      const ready = this._ready || this._start();
      const requestId = randomId('req_');
      const message = Object.assign({ source: TO_FRAMES, controller_id: this._id, type: 'request', requestId, method,
        path, params: plain(params) }, extras);
      return new Promise((resolve) => {
        this._pending.set(requestId, resolve);
        ready.then((frame) => {
          if (frame) frame.contentWindow.postMessage(message, SANDBOX_ORIGIN);
          else this._settle({ requestId, status: 0, body: { error: connectionError() } });
        });
      });
    }

    _start() {
      const frame = document.createElement('iframe');
      frame.name = '__privateStripeController' + Math.floor(1000 + Math.random() * 9000);
      frame.setAttribute('aria-hidden', 'true');
      frame.tabIndex = -1;
      frame.src = SANDBOX_ROOT + '/v3/controller.html?' + new URLSearchParams(plain({
        key: this._key, controller_id: this._id, parent_origin: window.location.origin,
        api_version: this._apiVersion }));
      frame.style.cssText = 'border:none;margin:0;padding:0;width:1px;height:1px;position:fixed;visibility:hidden;' +
        'pointer-events:none';
      this._frame = frame;
      this._ready = new Promise((resolve) => {
        this._markReady = () => resolve(frame);
        setTimeout(() => resolve(null), CONTROLLER_TIMEOUT_MS); // no sandbox there: answer with a connection error
      });
      window.addEventListener('message', this._onMessage);
      (document.body || document.documentElement).appendChild(frame);
      return this._ready;
    }

    _onMessage(event) {
      const data = event.data;
      if (event.origin !== SANDBOX_ORIGIN || event.source !== this._frame.contentWindow) return;
      if (!data || data.source !== FROM_CONTROLLER || data.controller_id !== this._id) return;
      if (data.type === 'controller-ready') this._markReady();
      else if (data.type === 'response') this._settle(data);
    }

    _settle(reply) {
      const resolve = this._pending.get(reply.requestId);
      this._pending.delete(reply.requestId);
      if (resolve) resolve(reply);
    }
  }

  /** The API's JSON answer (an object or `{error}`). */
  async function callApi(context, method, path, params, extras) {
    const reply = await context.controller.request(method, path, params, extras);
    return reply.body || { error: connectionError() };
  }

  function intentPath(clientSecret, suffix) {
    const collection = intentKind(clientSecret).collection;
    return '/v1/' + collection + '/' + encodeURIComponent(clientSecret.split('_secret_')[0]) + (suffix || '');
  }

  /**
   * GET the intent with the publishable key, as Stripe.js does: `{paymentIntent}` or `{setupIntent}` (Stripe's
   * publishable-key view of it), or `{error}`.
   */
  async function retrieveIntent(context, clientSecret) {
    const body = await callApi(context, 'GET', intentPath(clientSecret), { client_secret: clientSecret });
    return body.error ? { error: body.error } : { [intentKind(clientSecret).result]: body };
  }

  /** retrievePaymentIntent(clientSecret) and retrieveSetupIntent(clientSecret). */
  function retrieve(context, kind, clientSecret) {
    assertIntentSecret(clientSecret, kind, 'retrieve');
    return retrieveIntent(context, clientSecret);
  }

  // -- 3D Secure and other next actions -------------------------------------------------------

  /**
   * Show the sandbox's 3DS challenge page in a modal over the page, as Stripe.js does for a
   * `use_stripe_sdk` action. The page posts `sandbox-3ds-result` once the shopper clicks Complete or Fail.
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

  /**
   * The error Stripe.js resolves with when a confirmed intent did not end up paid (or set up): the intent's last
   * error, or why it stopped, with the intent itself as `payment_intent` or `setup_intent`.
   */
  function intentError(kind, intent) {
    const carried = { [kind.object]: intent };
    if (intent.status === 'requires_payment_method' && intent[kind.lastError]) {
      return { error: Object.assign({}, intent[kind.lastError], carried) };
    }
    const [code, message] = intent.status === 'requires_action'
      ? [kind.object + '_authentication_failure', AUTHENTICATION_FAILED]
      : [kind.object + '_unexpected_state', 'This ' + kind.name + '\'s status is ' + intent.status + '.'];
    return { error: Object.assign({ type: 'invalid_request_error', code, message }, carried) };
  }

  /** Carry out `next_action`: a modal for `use_stripe_sdk` (what Stripe.js confirms get), a redirect for `redirect_to_url`. */
  async function runNextAction(context, intent, clientSecret) {
    const action = intent.next_action || {};
    if (action.type === 'redirect_to_url') return navigate(action.redirect_to_url.url);
    if (action.type !== 'use_stripe_sdk') return intentError(intentKind(clientSecret), intent);
    await authenticateInModal(action.use_stripe_sdk.stripe_js);
    return retrieveIntent(context, clientSecret);
  }

  /**
   * What a confirm resolves with: after any 3D Secure, `{paymentIntent}` / `{setupIntent}` or `{error}` — or, with a
   * `returnUrl` (confirmPayment's and confirmSetup's default `redirect: 'always'`), a redirect there on success,
   * with Stripe's query parameters (`payment_intent` or `setup_intent`, its client secret, `redirect_status`).
   */
  async function settleIntent(context, confirmed, options) {
    const kind = intentKind(options.clientSecret);
    let intent = confirmed;
    if (intent.status === 'requires_action') {
      if (options.handleActions === false) return { [kind.result]: intent };
      const after = await runNextAction(context, intent, options.clientSecret);
      if (after.error) return after;
      intent = after[kind.result];
    }
    if (!kind.settled.includes(intent.status)) return intentError(kind, intent);
    if (!options.returnUrl) return { [kind.result]: intent };
    return navigate(withQuery(options.returnUrl, {
      [kind.object]: intent.id,
      [kind.object + '_client_secret']: options.clientSecret,
      redirect_status: 'succeeded',
    }));
  }

  /**
   * POST the intent's confirm as Stripe.js does (with `use_stripe_sdk`, so 3D Secure comes back for the modal), then
   * settle it. `extras` says which Element frames' card goes in (see Controller.request); `settle`: settleIntent's options.
   */
  async function confirmIntent(context, clientSecret, params, extras, settle) {
    const body = await callApi(context, 'POST', intentPath(clientSecret, '/confirm'),
      Object.assign(plain(params), { client_secret: clientSecret, use_stripe_sdk: true }), extras);
    return body.error ? { error: body.error } : settleIntent(context, body, Object.assign({ clientSecret }, settle));
  }

  // -- Elements -------------------------------------------------------------------------------

  /**
   * The Elements this stand-in models. `frame`: which sandbox page the iframe shows (none for
   * expressCheckout: no wallet exists offline); `form`: validated by submit() and confirmPayment();
   * `intent`: needs a clientSecret or a mode; `card`: usable as `card` in confirmCardPayment and
   * createPaymentMethod.
   */
  const KINDS = {
    payment: { frame: 'payment', title: 'Secure payment input frame', form: true, intent: true },
    card: { frame: 'card', title: 'Secure card payment input frame', card: true },
    cardNumber: { frame: 'card', title: 'Secure card number input frame', card: true, split: true },
    cardExpiry: { frame: 'card', title: 'Secure expiration date input frame', split: true },
    cardCvc: { frame: 'card', title: 'Secure CVC input frame', split: true },
    linkAuthentication: { frame: 'details', title: 'Secure email input frame', form: true },
    address: { frame: 'details', title: 'Secure address input frame', form: true },
    expressCheckout: { frame: null, intent: true },
  };
  const ADDRESS_MODES = ['shipping', 'billing'];
  const DEFAULT_CLASSES = { base: 'StripeElement', complete: 'StripeElement--complete', empty: 'StripeElement--empty',
    focus: 'StripeElement--focus', invalid: 'StripeElement--invalid' };

  function resolveMountTarget(target) {
    const node = typeof target === 'string' ? document.querySelector(target) : target;
    if (node instanceof HTMLElement) return node;
    if (typeof target === 'string') {
      throw new IntegrationError('The selector you specified (' + target + ') applies to no DOM elements ' +
        'that are currently on the page.\nMake sure the element exists on the page before calling mount().');
    }
    throw new IntegrationError('Invalid DOM element. Make sure to call mount() with a valid DOM element or selector.');
  }

  class Element {
    constructor(group, type, options) {
      this._group = group;
      this._type = type;
      this._kind = KINDS[type];
      this._options = options || {};
      this._classes = Object.assign({}, DEFAULT_CLASSES, this._options.classes);
      this._frameId = randomId('el_');
      this._handlers = {};
      this._pending = new Map(); // requestId → resolve
      this._state = { empty: true, complete: false };
      this._iframe = this._wrapper = this._container = this._mountId = null;
      this._destroyed = false;
      this._onMessage = this._onMessage.bind(this);
    }

    mount(target) {
      if (this._destroyed) throw new IntegrationError('This Element has already been destroyed. Please create a new one.');
      if (this._wrapper) {
        throw new IntegrationError('This Element is already mounted. Use `unmount()` to unmount the Element before re-mounting.');
      }
      this._container = resolveMountTarget(target);
      const mountId = this._mountId = randomId('m_');
      this._wrapper = document.createElement('div');
      this._wrapper.className = '__PrivateStripeElement';
      this._wrapper.style.cssText = 'margin:0;padding:0;border:none;display:block;background:transparent;position:relative';
      this._frameReady = Promise.resolve();
      if (this._kind.frame) {
        this._frameReady = new Promise((resolve) => { this._markFrameReady = resolve; });
        this._iframe = this._wrapper.appendChild(this._createFrame());
        window.addEventListener('message', this._onMessage);
      }
      this._container.appendChild(this._wrapper);
      this._setContainerState({ base: true, empty: true, complete: false, focus: false, invalid: false });
      this._frameReady.then(() => {
        if (this._mountId === mountId && this._kind.form) this._emit('loaderstart');
      });
      Promise.all([this._group._session(), this._frameReady]).then(([session]) => {
        if (this._mountId === mountId) this._loaded(session);
      });
    }

    unmount() {
      if (!this._wrapper) return;
      window.removeEventListener('message', this._onMessage);
      this._wrapper.remove();
      Object.values(this._classes).forEach((name) => this._container.classList.remove(name));
      const unmounted = { type: 'validation_error', message: 'The ' + this._type + ' Element was unmounted.' };
      this._pending.forEach((resolve) => resolve({ error: unmounted }));
      this._pending.clear();
      this._iframe = this._wrapper = this._container = this._mountId = null;
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

    once(event, handler) {
      const wrapper = (payload) => {
        this.off(event, wrapper);
        handler(payload);
      };
      wrapper.original = handler;
      return this.on(event, wrapper);
    }

    off(event, handler) {
      this._handlers[event] = handler
        ? (this._handlers[event] || []).filter((h) => h !== handler && h.original !== handler) : [];
      return this;
    }

    focus() {
      if (this._iframe) this._iframe.focus(); // lets the iframe take focus without a user gesture
      this._send('focus');
    }

    blur() { this._send('blur'); }

    clear() { this._send('clear'); }

    update(options) {
      this._options = Object.assign({}, this._options, options);
      this._send('update', { options: plain(options) });
      return this;
    }

    // -- internal ------------------------------------------------------------------------------

    _createFrame() {
      const query = new URLSearchParams({
        type: this._type,
        frame_id: this._frameId,
        group: this._group._id,
        parent_origin: window.location.origin,
        options: JSON.stringify(plain(this._options)),
        appearance: JSON.stringify(this._group._appearance),
      });
      const iframe = document.createElement('iframe');
      iframe.title = this._kind.title;
      iframe.name = '__privateStripeFrame' + Math.floor(1000 + Math.random() * 9000);
      iframe.src = SANDBOX_ROOT + '/v3/elements-inner-' + this._kind.frame + '.html?' + query;
      iframe.setAttribute('allow', 'payment');
      iframe.setAttribute('frameborder', '0');
      iframe.setAttribute('scrolling', 'no');
      iframe.style.cssText = 'width:100%;min-width:100%;height:1px;border:0;margin:0;padding:0;' +
        'display:block;overflow:hidden;color-scheme:normal';
      return iframe;
    }

    /** The frame is listening and the group's session is known: `ready`, or `loaderror` for a refused key or secret. */
    _loaded(session) {
      if (session.error) {
        this._send('session', { error: session.error });
        this._emit('loaderror', { error: session.error });
      } else if (this._type === 'expressCheckout') {
        this._emit('ready', { availablePaymentMethods: undefined }); // no wallet offline: no buttons render
        this._emit('availablepaymentmethodschange', { paymentMethods: undefined });
      } else {
        this._send('session', this._group._frameSession(session));
        this._emit('ready');
      }
    }

    _onMessage(event) {
      const data = event.data;
      if (event.origin !== SANDBOX_ORIGIN || !this._iframe || event.source !== this._iframe.contentWindow) return;
      if (!data || data.source !== FROM_FRAME || data.frame_id !== this._frameId) return;
      if (Object.prototype.hasOwnProperty.call(FRAME_MESSAGES, data.type)) FRAME_MESSAGES[data.type](this, data);
    }

    _emit(event, details) {
      const payload = Object.assign({ elementType: this._type }, details);
      (this._handlers[event] || []).slice().forEach((handler) => {
        try {
          handler(payload);
        } catch (pageError) {
          setTimeout(() => { throw pageError; }); // surface the page's bug without breaking ours
        }
      });
    }

    /** Mirror Stripe's state classes (or the `classes` option's names) on the mount node, for the page's CSS. */
    _setContainerState(state) {
      const classes = this._container && this._container.classList;
      if (!classes) return;
      Object.keys(state).forEach((name) => classes.toggle(this._classes[name], !!state[name]));
    }

    /** Post to the iframe once its script is listening. Messages sent earlier would be lost. */
    _send(type, payload) {
      const iframe = this._iframe;
      if (!iframe) return;
      const message = Object.assign({ source: TO_FRAMES, frame_id: this._frameId, type }, payload);
      this._frameReady.then(() => {
        if (this._iframe === iframe) iframe.contentWindow.postMessage(message, SANDBOX_ORIGIN);
      });
    }

    /** Ask the frame to validate (showing its errors): the first StripeError, or null. */
    _validate() {
      const requestId = randomId('req_');
      return new Promise((resolve) => {
        this._pending.set(requestId, (reply) => resolve(reply.error || null));
        this._send('validate', { requestId });
      });
    }
  }

  /** The Address Element also answers getValue(). */
  class AddressElement extends Element {
    getValue() {
      const empty = { name: '', address: { line1: '', line2: null, city: '', state: '', postal_code: '', country: '' } };
      return Promise.resolve({ complete: this._state.complete, isNewAddress: true, value: this._state.value || empty });
    }
  }

  /** What each message from an Element frame does to its Element. */
  const FRAME_MESSAGES = {
    'frame-ready': (element) => element._markFrameReady(),
    change(element, data) {
      const change = { empty: !!data.empty, complete: !!data.complete };
      ['error', 'value', 'brand', 'collapsed', 'elementMode', 'isNewAddress'].forEach((key) => {
        if (key in data) change[key] = data[key];
      });
      element._state = change;
      element._setContainerState({ empty: change.empty, complete: change.complete, invalid: !!change.error });
      element._emit('change', change);
    },
    focus(element) {
      element._setContainerState({ focus: true });
      element._emit('focus');
    },
    blur(element) {
      element._setContainerState({ focus: false });
      element._emit('blur');
    },
    escape: (element) => element._emit('escape'),
    resize(element, data) {
      element._iframe.style.height = Math.ceil(Number(data.height) || 0) + 'px';
    },
    'validate-result'(element, reply) {
      const resolve = element._pending.get(reply.requestId);
      element._pending.delete(reply.requestId);
      if (resolve) resolve(reply);
    },
  };

  // -- Elements group -------------------------------------------------------------------------

  class ElementsGroup {
    constructor(context, options) {
      this._context = context;
      this._id = randomId('grp_');
      this._clientSecret = options.clientSecret;
      this._mode = options.mode;
      this._setupFutureUsage = futureUsageOption(options);
      this._paymentMethodCreation = options.paymentMethodCreation;
      this._deferredIntent = plain({ mode: options.mode, amount: options.amount, currency: options.currency });
      this._allowedTypes = options.allowedPaymentMethodTypes;
      this._appearance = plain(options.appearance);
      this._elements = [];
      this._handlers = [];
      this._submitted = false;
      this._sessionLoad = null;
    }

    create(type, options) {
      const kind = KINDS[type];
      if (!kind) {
        throw new IntegrationError('The sandbox Stripe.js does not model the `' + type + '` Element. It models: ' +
          Object.keys(KINDS).join(', ') + '.');
      }
      if (kind.intent && !this._clientSecret && !this._mode) {
        throw new IntegrationError('In order to create a ' + type + ' element, you must pass a clientSecret or mode ' +
          'when creating the Elements group.');
      }
      options = options || {};
      if (type === 'address' && !ADDRESS_MODES.includes(options.mode)) {
        throw new IntegrationError('Invalid value for create(): mode should be one of the following strings: ' +
          ADDRESS_MODES.join(', ') + '. You specified: ' + options.mode + '.');
      }
      if (this.getElement(type, options)) {
        throw new IntegrationError('Can only create one Element of type ' + type +
          (type === 'address' ? ' with mode ' + options.mode : '') + '.');
      }
      const clash = this._elements.find((e) => (type === 'card' && e._kind.split) || (kind.split && e._type === 'card'));
      if (clash) {
        throw new IntegrationError('Cannot create a ' + type + ' Element in a group that has a ' + clash._type +
          ' Element: use either the card Element or the cardNumber, cardExpiry and cardCvc Elements.');
      }
      const element = type === 'address' ? new AddressElement(this, type, options) : new Element(this, type, options);
      this._elements.push(element);
      return element;
    }

    getElement(type, options) {
      const mode = options && options.mode;
      return this._elements.find((e) => e._type === type && (!mode || e._options.mode === mode)) || null;
    }

    /** Validate every mounted Element (they show their errors) and, in the deferred flow, allow confirming. */
    async submit() {
      const error = await this._validate();
      this._submitted = !error;
      if (error) return { error };
      const payment = this._mounted('payment');
      if (!payment) return {};
      const chosen = (payment._state.value || {}).type; // the frame's change events say which tab is selected
      return { selectedPaymentMethod: chosen || (await this._session()).paymentMethodTypes[0] };
    }

    update(options) {
      options = options || {};
      if (options.appearance) {
        this._appearance = plain(options.appearance);
        this._elements.forEach((element) => element._send('appearance', { appearance: this._appearance }));
      }
      if (options.mode) this._mode = options.mode;
      const usage = futureUsageOption(options);
      if (usage !== undefined) this._setupFutureUsage = usage;
      if (options.mode || usage !== undefined) {
        this._session().then((session) => {
          this._elements.forEach((element) => element._send('session', this._frameSession(session)));
        });
      }
      this._handlers.forEach((handler) => setTimeout(handler));
      return Promise.resolve();
    }

    /** Only `update-end` is an Elements-group event. */
    on(event, handler) {
      if (event === 'update-end' && typeof handler === 'function') this._handlers.push(handler);
    }

    /**
     * Load the group's session again, as after a server-side change to its intent (the shop's "Save my card"
     * sets `payment_method_options.card.setup_future_usage`), and show it: the card terms follow. Deferred groups
     * change through update() instead.
     */
    async fetchUpdates() {
      if (!this._clientSecret) return {};
      this._sessionLoad = null;
      const session = await this._session();
      if (session.error) return { error: session.error };
      this._elements.forEach((element) => element._send('session', this._frameSession(session)));
      return {};
    }

    // -- internal ------------------------------------------------------------------------------

    _deferred() {
      return !this._clientSecret && !!this._mode;
    }

    /** What this group confirms: the client secret's intent, or the deferred `mode`'s (an entry of INTENTS). */
    _intentKind() {
      if (this._clientSecret) return intentKind(this._clientSecret);
      return this._mode === 'setup' ? INTENTS.seti : INTENTS.pi;
    }

    /**
     * What an Element frame learns of the group's session: the payment method types (the Payment Element's tabs),
     * and whether the card will be saved for later use — a SetupIntent, or a payment with `setup_future_usage` (on
     * the PaymentIntent, in its `payment_method_options.card`, or `setupFutureUsage` in the deferred flow) — so the
     * Payment Element shows Stripe's card terms, as the real one does.
     */
    _frameSession(session) {
      const intent = session.intent || {};
      const card = (intent.payment_method_options || {}).card || {};
      const saving = this._intentKind() === INTENTS.seti || !!this._setupFutureUsage ||
        !!intent.setup_future_usage || !!card.setup_future_usage;
      return { paymentMethodTypes: session.paymentMethodTypes, saving };
    }

    /**
     * Stripe.js loads an elements session once per group (and again on fetchUpdates). Here it is
     * `{paymentMethodTypes, intent}`: the intent behind the client secret and its types or, deferred, what the
     * sandbox offers for the currency.
     */
    _session() {
      if (!this._sessionLoad) {
        this._sessionLoad = this._clientSecret
          ? intentSession(this._context, this._clientSecret)
          : deferredSession(this._context, this._deferredIntent, this._allowedTypes);
      }
      return this._sessionLoad;
    }

    _mounted(type, mode) {
      const element = this.getElement(type, mode ? { mode } : null);
      return element && element._wrapper ? element : null;
    }

    async _validate() {
      const forms = this._elements.filter((element) => element._kind.form && element._wrapper);
      const errors = await Promise.all(forms.map((element) => element._validate()));
      return errors.find(Boolean) || null;
    }

    /** What the Address and Link Authentication Elements collected: `shipping` and `billing` details. */
    _details() {
      const valueOf = (type, mode) => { const e = this._mounted(type, mode); return e && e._state.value; };
      const person = (value) => Object.assign({ name: value.name, address: value.address }, value.phone ? { phone: value.phone } : {});
      const shipping = valueOf('address', 'shipping');
      const billingAddress = valueOf('address', 'billing');
      const login = valueOf('linkAuthentication');
      const billing = Object.assign({}, billingAddress ? person(billingAddress) : {}, login && login.email ? { email: login.email } : {});
      return { shipping: shipping ? person(shipping) : null, billing: Object.keys(billing).length ? billing : null };
    }

    /** Which frames hold `element`'s card: one frame, or the mounted split Elements of this group. */
    _collectSpec(element, into) {
      const split = ['cardNumber', 'cardExpiry', 'cardCvc'].map((type) => this._mounted(type)).filter(Boolean);
      const frames = element._kind.split ? split.map((e) => e._frameId) : [element._frameId];
      return { group: this._id, frames, into, card: !!element._kind.card }; // card Elements: a split part may be missing
    }

    _forget(element) {
      this._elements = this._elements.filter((e) => e !== element);
    }
  }

  /** What `elements({clientSecret})` offers: its intent's types, and the intent, from an elements session. */
  async function intentSession(context, clientSecret) {
    const type = intentKind(clientSecret).object;
    const body = await callApi(context, 'GET', '/v1/elements/sessions', { type, client_secret: clientSecret });
    if (body.error) return { error: body.error };
    const preference = body.payment_method_preference;
    return { intent: preference[type], paymentMethodTypes: preference.ordered_payment_method_types };
  }

  /**
   * What a deferred Payment Element offers: the account's automatic payment methods for the currency, asked of the
   * sandbox as Stripe.js asks Stripe (an elements session), narrowed by the page's `allowedPaymentMethodTypes`.
   */
  async function deferredSession(context, deferredIntent, allowed) {
    if (!deferredIntent.mode) return {};
    const body = await callApi(context, 'GET', '/v1/elements/sessions', { type: 'deferred_intent',
      deferred_intent: deferredIntent });
    if (body.error) return { error: body.error };
    const offered = body.payment_method_preference.ordered_payment_method_types;
    return { paymentMethodTypes: Array.isArray(allowed) ? offered.filter((type) => allowed.includes(type)) : offered };
  }

  function createElements(context, options) {
    options = options || {};
    if (options.clientSecret !== undefined && options.mode !== undefined) {
      throw new IntegrationError('Invalid value for elements(): use either `clientSecret` or `mode`, not both.');
    }
    if (options.clientSecret !== undefined) assertClientSecret(options.clientSecret, 'elements');
    if (options.mode !== undefined) checkDeferredOptions(options);
    return new ElementsGroup(context, options); // `loader`, `locale` and `fonts` are accepted and ignored
  }

  /**
   * elements({mode, …}): the deferred flow. `payment` needs `amount` and `currency`; `setup` (a SetupIntent) takes
   * an optional `currency`. `setupFutureUsage` (or `setup_future_usage`) says the card will be saved.
   */
  function checkDeferredOptions(options) {
    if (options.mode === 'subscription') {
      throw new IntegrationError('The sandbox Stripe.js models elements({mode: \'payment\'}) and ' +
        'elements({mode: \'setup\'}), not mode \'subscription\' (subscriptions are not modelled).');
    }
    if (options.mode !== 'payment' && options.mode !== 'setup') {
      throw new IntegrationError('Invalid value for elements(): mode should be one of the following strings: payment, ' +
        'setup, subscription. You specified: ' + options.mode + '.');
    }
    if (options.mode === 'payment' && (!Number.isInteger(options.amount) || options.amount < 0)) {
      throw new IntegrationError('Invalid value for elements(): amount should be a positive integer. You specified: ' +
        options.amount + '.');
    }
    const currencyNeeded = options.mode === 'payment' || options.currency !== undefined;
    if (currencyNeeded && (typeof options.currency !== 'string' || !/^[A-Za-z]{3}$/.test(options.currency))) {
      throw new IntegrationError('Invalid value for elements(): currency should be a three-letter ISO currency code. ' +
        'You specified: ' + options.currency + '.');
    }
    const usage = futureUsageOption(options);
    if (usage !== undefined && usage !== null && !FUTURE_USAGES.includes(usage)) {
      throw new IntegrationError('Invalid value for elements(): setupFutureUsage should be one of the following ' +
        'strings: ' + FUTURE_USAGES.join(', ') + '. You specified: ' + usage + '.');
    }
  }

  const FUTURE_USAGES = ['off_session', 'on_session'];

  /** `setupFutureUsage`, or its snake_case spelling (Stripe.js takes both); undefined when neither is given. */
  function futureUsageOption(options) {
    return options.setupFutureUsage !== undefined ? options.setupFutureUsage : options.setup_future_usage;
  }

  // -- confirmPayment and confirmSetup: the Payment Element ------------------------------------

  /** Check confirmPayment's or confirmSetup's options (`kind`: what it confirms) as Stripe.js does, before any call. */
  function confirmOptions(params, kind) {
    const method = kind.methods.confirm;
    if (!params || typeof params !== 'object') {
      throw new IntegrationError('Invalid value for stripe.' + method + '(): expected an object with `elements` or ' +
        '`clientSecret`. You specified: ' + describe(params) + '.');
    }
    const group = params.elements;
    if (group !== undefined && !(group instanceof ElementsGroup)) {
      throw new IntegrationError('Invalid value for stripe.' + method + '(): elements should be an Elements group. ' +
        'You specified: ' + describe(group) + '.');
    }
    const redirect = params.redirect === undefined ? 'always' : params.redirect;
    if (redirect !== 'always' && redirect !== 'if_required') {
      throw new IntegrationError('Invalid value for ' + method + '(): redirect should be one of the following ' +
        'strings: always, if_required. You specified: ' + redirect + '.');
    }
    const confirmParams = params.confirmParams || {};
    if (redirect === 'always' && !confirmParams.return_url) {
      throw new IntegrationError('stripe.' + method + '(): the `confirmParams.return_url` argument is required ' +
        'unless passing `redirect: \'if_required\'`');
    }
    if (group && !group._mounted('payment')) {
      if (group._mounted('expressCheckout')) {
        throw new IntegrationError('Element confirming payment is "expressCheckout", but stripe.' + method + '() was ' +
          'not called within the "confirm" event. Please call stripe.' + method + '() in the "confirm" event ' +
          '(https://stripe.com/docs/js/elements_object/express_checkout_element_confirm_event)');
      }
      throw new IntegrationError('Invalid value for stripe.' + method + '(): elements should have a mounted Payment ' +
        'Element or Express Checkout Element.');
    }
    const clientSecret = params.clientSecret || (group && group._clientSecret);
    assertIntentSecret(clientSecret, kind, 'confirm');
    if (group && group._deferred() && group._intentKind() !== kind) {
      throw new IntegrationError('stripe.' + method + '(): the Elements group was created with mode: \'' + group._mode +
        '\', which confirms a ' + group._intentKind().name + '. Use mode: \'' + (kind === INTENTS.seti ? 'setup' : 'payment') +
        '\' to confirm a ' + kind.name + '.');
    }
    return { group, confirmParams, clientSecret, returnUrl: redirect === 'always' ? confirmParams.return_url : null };
  }

  /**
   * confirmPayment or confirmSetup (`kind`): the card from the group's Payment Element (and what its Address and
   * Link Authentication Elements collected), or confirmParams alone with a clientSecret.
   */
  function confirmWithElements(context, kind, params) {
    const options = confirmOptions(params, kind);
    const group = options.group;
    return (async () => {
      const merge = [];
      let collect = null;
      if (group) {
        if (group._deferred() && !group._submitted) throw submitFirst('stripe.' + kind.methods.confirm + '()');
        const error = group._deferred() ? null : await group._validate();
        if (error) return { error };
        const details = group._details();
        if (details.shipping && kind.takesShipping) merge.push({ shipping: details.shipping });
        if (details.billing) merge.push({ payment_method_data: { billing_details: details.billing } });
        collect = group._collectSpec(group._mounted('payment'), 'payment_method_data');
      }
      return confirmIntent(context, options.clientSecret, options.confirmParams, { merge, collect },
        { returnUrl: options.returnUrl });
    })();
  }

  // -- card Elements: confirmCardPayment, createPaymentMethod ---------------------------------

  /** The mounted `card` or `cardNumber` Element passed as `param`, or Stripe.js's integration error. */
  function cardElement(card, method, param) {
    if (!(card instanceof Element) || !card._kind.card) {
      throw new IntegrationError('Invalid value for ' + method + ': ' + param + ' should be a `card` or `cardNumber` ' +
        'Element. You specified: ' + describe(card) + '.');
    }
    if (!card._wrapper) throw new IntegrationError(NOT_MOUNTED);
    return card;
  }

  /**
   * confirmCardPayment or confirmCardSetup (`kind`): `payment_method` is a `pm_…` id (a saved card), `{card:
   * Element, billing_details}` (a new card, sent as `payment_method_data`), or absent (the intent already has one).
   * Everything else in `data` (`save_payment_method`, `setup_future_usage`, `return_url`…) goes to the confirm as is.
   */
  function confirmCard(context, kind, clientSecret, data, options) {
    const method = kind.methods.confirmCard;
    assertIntentSecret(clientSecret, kind, 'confirmCard');
    if (data instanceof Element) {
      const anchor = method.replace(/[A-Z]/g, (letter) => '-' + letter.toLowerCase());
      throw new IntegrationError('Do not pass an Element to stripe.' + method + '() directly.\nFor more ' +
        'information: https://stripe.com/docs/stripe-js/reference#stripe-' + anchor);
    }
    const params = Object.assign({}, data);
    const paymentMethod = params.payment_method;
    let collect = null;
    if (paymentMethod !== null && typeof paymentMethod === 'object') {
      const card = cardElement(paymentMethod.card, method, 'payment_method.card');
      const methodData = Object.assign({}, paymentMethod);
      delete methodData.card;
      delete params.payment_method;
      params.payment_method_data = methodData;
      collect = card._group._collectSpec(card, 'payment_method_data');
    }
    const handleActions = !options || options.handleActions !== false;
    return confirmIntent(context, clientSecret, params, { collect }, { handleActions });
  }

  /** createPaymentMethod({elements, params}) (deferred flow) or ({type: 'card', card, billing_details}). */
  function createPaymentMethod(context, options) {
    let element = null;
    let group = null;
    let params = null;
    const merge = [];
    if (options && options.elements !== undefined) {
      group = options.elements;
      element = group instanceof ElementsGroup && group._mounted('payment');
      if (!element) {
        throw new IntegrationError('Invalid value for stripe.createPaymentMethod(): elements should have a mounted ' +
          'Payment Element.');
      }
      if (group._paymentMethodCreation !== 'manual') {
        throw new IntegrationError('stripe.createPaymentMethod() with `elements` needs `paymentMethodCreation: ' +
          '\'manual\'` when the Elements group is created: stripe.elements({mode, amount, currency, ' +
          'paymentMethodCreation: \'manual\'}).');
      }
      params = Object.assign({}, options.params, options.metadata ? { metadata: options.metadata } : {});
      const billing = group._details().billing;
      if (billing) merge.push({ billing_details: billing });
    } else if (options && options.card !== undefined) {
      element = cardElement(options.card, 'createPaymentMethod', 'card');
      params = Object.assign({}, options);
      delete params.card;
    } else {
      throw new IntegrationError('Please provide either an Element or PaymentMethod creation parameters to ' +
        'createPaymentMethod.');
    }
    return (async () => {
      if (group && !group._submitted) throw submitFirst('createPaymentMethod()');
      const body = await callApi(context, 'POST', '/v1/payment_methods', params,
        { merge, collect: element._group._collectSpec(element, null) });
      return body.error ? { error: body.error } : { paymentMethod: body };
    })();
  }

  /** handleNextAction({clientSecret}): finish an intent the server confirmed (3D Secure in a modal). */
  function handleNextAction(context, options) {
    const clientSecret = options && options.clientSecret;
    assertClientSecret(clientSecret, 'stripe.handleNextAction');
    const kind = intentKind(clientSecret);
    return (async () => {
      const current = await retrieveIntent(context, clientSecret);
      if (current.error) return current;
      const intent = current[kind.result];
      if (intent.status !== 'requires_action') {
        throw new IntegrationError('stripe.handleNextAction(): the ' + kind.name + ' must have a status of ' +
          'requires_action; its status is ' + intent.status + '.');
      }
      return settleIntent(context, intent, { clientSecret });
    })();
  }

  // -- Stripe() ---------------------------------------------------------------------------------

  /** Real Stripe.js methods this stand-in does not model: calling one says so instead of "not a function". */
  const NOT_MODELLED = ['handleCardAction', 'createToken', 'createSource',
    'createConfirmationToken', 'paymentRequest', 'redirectToCheckout', 'initCheckout', 'initEmbeddedCheckout',
    'collectBankAccountForPayment', 'collectBankAccountForSetup', 'verifyMicrodepositsForPayment',
    'verifyMicrodepositsForSetup'];

  function assertPublishableKey(key) {
    if (typeof key !== 'string' || key === '') {
      throw new IntegrationError('Please call Stripe() with your publishable key. You used an empty string.');
    }
    if (/^(sk|rk)_/.test(key)) {
      throw new IntegrationError('You should not use your secret key with Stripe.js.\nPlease pass a publishable key instead.');
    }
    if (!/^pk_(test|live)_[A-Za-z0-9_]+$/.test(key)) throw new IntegrationError('Invalid API Key provided: ' + key);
  }

  /**
   * `Stripe(publishableKey, options)`. `apiVersion` is sent with every call (objects come back in that version's
   * shape); locale, stripeAccount and betas are accepted and ignored.
   */
  function Stripe(publishableKey, options) {
    assertPublishableKey(publishableKey);
    const context = { controller: new Controller(publishableKey, (options || {}).apiVersion) };
    const stripe = {
      elements: (options) => createElements(context, options),
      confirmPayment: (params) => confirmWithElements(context, INTENTS.pi, params),
      confirmSetup: (params) => confirmWithElements(context, INTENTS.seti, params),
      confirmCardPayment: (clientSecret, data, options) => confirmCard(context, INTENTS.pi, clientSecret, data, options),
      confirmCardSetup: (clientSecret, data, options) => confirmCard(context, INTENTS.seti, clientSecret, data, options),
      createPaymentMethod: (options) => createPaymentMethod(context, options),
      handleNextAction: (options) => handleNextAction(context, options),
      retrievePaymentIntent: (clientSecret) => retrieve(context, INTENTS.pi, clientSecret),
      retrieveSetupIntent: (clientSecret) => retrieve(context, INTENTS.seti, clientSecret),
    };
    NOT_MODELLED.forEach((name) => {
      stripe[name] = () => {
        throw new IntegrationError('stripe.' + name + '() is not modelled by the sandbox Stripe.js (see "What the ' +
          'sandbox covers", docs/sandbox-coverage.md).');
      };
    });
    return stripe;
  }

  Stripe.version = 3; // what js.stripe.com/v3 reports; @stripe/stripe-js reads it
  window.Stripe = Stripe;
})();
