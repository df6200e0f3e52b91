"""``workbench check``: say which mode the configuration gives and whether its Stripe answers."""

import stripe

from press_workbench.sandbox import sandbox_answers
from press_workbench.shop import ConfigError, build_stripe_client, load_config, stripe_endpoints


def mask(key):
    """A key cut to its start and last four: ``workbench check`` shows which key is in use without printing it."""
    return key[:8] + "…" + key[-4:] if key and len(key) > 16 else key


def run_checks(say):
    """Print a report; return 0 when everything needed to run is in order, 1 or 2 otherwise."""
    try:
        config = load_config()
    except ConfigError as exc:
        say(f"✗ configuration: {exc}")
        return 2
    api_base, js_url = stripe_endpoints(config)
    say(f"✓ mode: {config['MODE']}")
    say(f"  secret key:      {mask(config['STRIPE_SECRET_KEY'])}")
    say(f"  publishable key: {config['STRIPE_PUBLISHABLE_KEY']}")
    say(f"  Stripe.js:       {js_url}")
    say(f"  data dir:        {config['DATA_DIR']}")
    say(f"  currency:        {config['SHOP_CURRENCY']} (SHOP_CURRENCY)")
    if config["MODE"] == "sandbox":
        say(
            f"  sandbox keys (any sk_test_/pk_test_ key works there): {config['STRIPE_SECRET_KEY']} / "
            f"{config['STRIPE_PUBLISHABLE_KEY']}"
        )
        running = sandbox_answers(config["SANDBOX_URL"])
        say(
            f"{'✓' if running else '·'} sandbox at {api_base}: "
            f"{'running' if running else 'not running (workbench serve starts it)'}"
        )
        return 0
    if not config.get("STRIPE_WEBHOOK_SECRET"):
        say(
            "· STRIPE_WEBHOOK_SECRET is not set: run `stripe listen --forward-to localhost:4242/webhook` and copy "
            "the whsec_… it prints, or orders settle only from the return page."
        )
    try:
        build_stripe_client({**config, "STRIPE_MAX_NETWORK_RETRIES": 0}).v1.payment_intents.list(params={"limit": 1})
    except stripe.AuthenticationError as exc:
        say(f"✗ api.stripe.com rejected the secret key: {exc.user_message}")
        return 1
    except stripe.APIConnectionError:
        say("✗ api.stripe.com is not reachable from here (offline?). Unset the keys to use the offline sandbox.")
        return 1
    say("✓ api.stripe.com accepted the secret key")
    return 0
