/*
 * Sandbox Stripe.js controller frame: every API call Stripe.js makes, made from the sandbox's origin.
 *
 * Why: the page (stripe.js) must never hold card data, and card data must leave only from this
 * origin, as it leaves only from js.stripe.com with the real Stripe.js. The page asks for a call
 * (method, path, its parameters) and names the Element frames whose card fields belong in it;
 * this frame asks those frames over their group's BroadcastChannel (same origin only), joins the
 * parts (a split card is three frames), adds the publishable key, calls the API and hands the page
 * the API's JSON answer, which never contains the card number.
 */
(function () {
  'use strict';

  const rules = window.SandboxCard;
  const query = new URLSearchParams(window.location.search);
  const config = { key: query.get('key') || '', controllerId: query.get('controller_id') || '',
    parentOrigin: query.get('parent_origin') || '', apiVersion: query.get('api_version') };
  const FROM_PARENT = 'sandbox-stripe-js';
  const TO_PARENT = 'sandbox-controller';
  const COLLECT_TIMEOUT_MS = 5000;
  // The sandbox's root, from this frame's own URL (<root>/v3/controller.html): `/` on its own port, or the
  // Jupyter server's path to it (`/user/alice/stripe/`) behind jupyter-server-proxy.
  const API_ROOT = new URL('..', window.location.href);

  function post(type, payload) {
    const message = Object.assign({ source: TO_PARENT, controller_id: config.controllerId, type }, payload);
    window.parent.postMessage(message, config.parentOrigin);
  }

  function isObject(value) {
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  }

  /** Merge `source` into `target`, nested objects included; `source` wins. */
  function deepMerge(target, source) {
    Object.keys(source || {}).forEach((key) => {
      if (isObject(source[key])) target[key] = deepMerge(isObject(target[key]) ? target[key] : {}, source[key]);
      else target[key] = source[key];
    });
    return target;
  }

  /** Bracket-encode nested params as Stripe.js does: a[b][0]=c. */
  function encodeForm(value, prefix, pairs) {
    pairs = pairs || [];
    if (value === null || value === undefined) return pairs;
    if (typeof value === 'object') {
      Object.keys(value).forEach((key) => encodeForm(value[key], prefix ? prefix + '[' + key + ']' : key, pairs));
    } else {
      pairs.push(encodeURIComponent(prefix).replace(/%5B/g, '[').replace(/%5D/g, ']') + '=' + encodeURIComponent(String(value)));
    }
    return pairs;
  }

  /** Call the sandbox API (this origin) with the publishable key; `{status, body}`, status 0 = no answer. */
  async function callApi(method, path, params) {
    const version = config.apiVersion ? { _stripe_version: config.apiVersion } : {};
    const form = encodeForm(Object.assign({}, params, { key: config.key }, version)).join('&');
    const init = { method, headers: { Accept: 'application/json' } };
    if (method !== 'GET') {
      init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      init.body = form;
    }
    let response;
    try {
      const url = new URL(path.slice(1), API_ROOT).href;
      response = await fetch(method === 'GET' ? url + '?' + form : url, init);
    } catch (networkFailure) {
      const message = 'An error occurred with our connection to Stripe. Is the sandbox running?';
      return { status: 0, body: { error: { type: 'api_connection_error', message } } };
    }
    const body = await response.json().catch(() => ({
      error: { type: 'api_error', message: 'The sandbox sent a reply that is not JSON (HTTP ' + response.status + ').' },
    }));
    return { status: response.status, body };
  }

  /**
   * Ask the named Element frames for their part of the PaymentMethod (`data`) and of an intent's confirmation
   * (`confirm`: a mandate's acceptance); the first validation error wins.
   */
  function collect(channel, frames) {
    const requestId = Math.random().toString(36).slice(2) + Date.now().toString(36);
    const answers = new Map();
    return new Promise((resolve) => {
      function finish() {
        clearTimeout(timer);
        channel.onmessage = null;
        const ordered = frames.map((id) => answers.get(id));
        if (ordered.some((answer) => !answer)) {
          resolve({ error: { type: 'validation_error', message: 'A payment field did not answer. Is its Element still mounted?' } });
        } else {
          const failed = ordered.find((answer) => answer.error);
          const join = (part) => ordered.reduce((all, answer) => deepMerge(all, answer[part]), {});
          resolve(failed ? { error: failed.error } : { data: join('data'), confirm: join('confirm') });
        }
      }
      const timer = setTimeout(finish, COLLECT_TIMEOUT_MS);
      channel.onmessage = (event) => {
        const data = event.data || {};
        if (data.type !== 'collected' || data.requestId !== requestId || !frames.includes(data.frameId)) return;
        answers.set(data.frameId, data);
        if (answers.size === frames.length) finish();
      };
      channel.postMessage({ type: 'collect', requestId, frames });
    });
  }

  function mergeAll(params, layers) {
    (layers || []).forEach((layer) => deepMerge(params, layer));
    return params;
  }

  /** A card joined from split Elements may lack a part whose Element was never mounted. */
  function missingCardPart(card) {
    if (!card.number) return 'incomplete_number';
    if (!card.exp_month) return 'incomplete_expiry';
    return card.cvc ? null : 'incomplete_cvc';
  }

  /**
   * One request from the page: `params` (the page's), `collect` ({group, frames, into, card}: the
   * Element frames whose fields go under `params[into]`, or at the top level without `into`; `card`:
   * card Elements, whose split parts may be missing; with `into` the frames' confirm part joins the top level)
   * and `merge` (what the page's Address and Link Authentication Elements collected). Each layer
   * overrides the one before, as Stripe.js documents ("details collected by Elements will override
   * values passed here"); a billing Address Element's address replaces the card form's country and
   * postal code, as the Payment Element then stops asking for them.
   */
  async function handle(message) {
    const params = message.params || {};
    const spec = message.collect;
    if (!spec) return callApi(message.method, message.path, mergeAll(params, message.merge));
    const channel = new BroadcastChannel('sandbox-elements-' + spec.group);
    try {
      const collected = await collect(channel, spec.frames);
      if (collected.error) return { status: 0, body: { error: collected.error } };
      const missing = spec.card && missingCardPart(collected.data.card || {});
      if (missing) return { status: 0, body: { error: rules.stripeError(missing) } };
      deepMerge(spec.into ? (params[spec.into] = params[spec.into] || {}) : params, collected.data);
      if (spec.into) deepMerge(params, collected.confirm); // confirming an intent, not creating a PaymentMethod
      mergeAll(params, message.merge);
      channel.postMessage({ type: 'busy', busy: true, frames: spec.frames });
      const result = await callApi(message.method, message.path, params);
      channel.postMessage({ type: 'busy', busy: false, frames: spec.frames });
      return result;
    } finally {
      channel.close();
    }
  }

  window.addEventListener('message', async (event) => {
    const data = event.data;
    if (event.source !== window.parent || event.origin !== config.parentOrigin) return;
    if (!data || data.source !== FROM_PARENT || data.controller_id !== config.controllerId) return;
    if (data.type !== 'request' || typeof data.path !== 'string' || !data.path.startsWith('/v1/')) return;
    post('response', Object.assign({ requestId: data.requestId }, await handle(data)));
  });
  post('controller-ready');
})();
