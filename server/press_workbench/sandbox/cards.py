"""Stripe's test cards and test PaymentMethod ids, with the outcomes Stripe gives them.

Sources: docs.stripe.com/testing and recorded real responses (see
``shared/reference/stripe-facts.md`` §3).  A card is looked up by number (what a
shopper types into the Payment Element) or by test PaymentMethod id (what
server-side code passes as ``payment_method``).
"""

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class Decline:
    """A card error as Stripe reports it (HTTP 402, ``type=card_error``)."""

    code: str
    message: str
    decline_code: str | None = None
    param: str | None = None
    seller_message: str = "The bank did not return any further details with this decline."
    network_status: str = "declined_by_network"
    outcome_type: str = "issuer_declined"


GENERIC = Decline("card_declined", "Your card was declined.", "generic_decline")
INSUFFICIENT = Decline("card_declined", "Your card has insufficient funds.", "insufficient_funds")
LOST = Decline("card_declined", "Your card was declined.", "lost_card")
STOLEN = Decline("card_declined", "Your card was declined.", "stolen_card")
EXPIRED = Decline("expired_card", "Your card has expired.", "expired_card", param="exp_month")
INCORRECT_CVC = Decline("incorrect_cvc", "Your card's security code is incorrect.", "incorrect_cvc", param="cvc")
PROCESSING = Decline(
    "processing_error",
    "An error occurred while processing your card. Try again in a little bit.",
    "processing_error",
    network_status="not_sent_to_network",
    outcome_type="blocked",
)
VELOCITY = Decline(
    "card_declined",
    "Your card was declined for making repeated attempts too frequently or exceeding its amount limit.",
    "card_velocity_exceeded",
)
AUTHENTICATION_REQUIRED = Decline(  # a 3D Secure card confirmed with off_session=true
    "authentication_required",
    "Your card was declined. This transaction requires authentication.",
    "authentication_required",
)
LIVE_CARD_IN_TEST = Decline(
    "card_declined",
    "Your card was declined. Your request was in test mode, but used a non test (live) card. "
    "For a list of valid test cards, visit: https://stripe.com/docs/testing.",
    "test_mode_live_card",
    network_status="not_sent_to_network",
    outcome_type="invalid",
)


# When a card that asks for 3D Secure asks for it off-session (docs.stripe.com/testing, "Authentication and setup");
# on-session payments and setups with any of them always ask.
ALWAYS = "always"  # every payment, however the card was set up (4000 0027 6000 3184)
UNLESS_SET_UP = "unless_set_up"  # until it is set up with an authentication, then never off-session (…3155)
SET_UP_ALREADY = "set_up_already"  # never off-session, as if it had been set up (4000 0038 0000 0446)


@dataclass(frozen=True)
class TestCard:
    """One of Stripe's test card numbers and the outcome Stripe documents for it."""

    number: str
    brand: str
    funding: str = "credit"
    country: str = "US"
    decline: Decline | None = None
    authentication: str | None = None  # None, or when 3D Secure is asked for off-session: ALWAYS, UNLESS_SET_UP…
    cvc_check: str = "pass"
    attaches_when_declining: bool = False  # a card Stripe saves, then declines when charged (4000 0000 0000 0341)

    @property
    def three_d_secure(self):
        """Whether the bank asks for 3D Secure on-session (a payment or a setup the customer is there for)."""
        return self.authentication is not None


CARDS = [
    TestCard("4242424242424242", "visa"),
    TestCard("4000056655665556", "visa", funding="debit"),
    TestCard("5555555555554444", "mastercard"),
    TestCard("2223003122003222", "mastercard"),
    TestCard("5200828282828210", "mastercard", funding="debit"),
    TestCard("378282246310005", "amex"),
    TestCard("371449635398431", "amex"),
    TestCard("6011111111111117", "discover"),
    TestCard("4000000000000002", "visa", decline=GENERIC),
    TestCard("4000000000009995", "visa", decline=INSUFFICIENT),
    TestCard("4000000000009987", "visa", decline=LOST),
    TestCard("4000000000009979", "visa", decline=STOLEN),
    TestCard("4000000000000069", "visa", decline=EXPIRED),
    TestCard("4000000000000127", "visa", decline=INCORRECT_CVC, cvc_check="fail"),
    TestCard("4000000000000119", "visa", decline=PROCESSING),
    TestCard("4000000000006975", "visa", decline=VELOCITY),
    TestCard("4000000000000341", "visa", decline=GENERIC, attaches_when_declining=True),
    TestCard("4000002760003184", "visa", authentication=ALWAYS),
    TestCard("4000002500003155", "visa", authentication=UNLESS_SET_UP),
    TestCard("4000003800000446", "visa", authentication=SET_UP_ALREADY),
    TestCard("4000000000003220", "visa", authentication=ALWAYS),
]
BY_NUMBER = {card.number: card for card in CARDS}


def _pm(number):
    return BY_NUMBER[number]


TEST_PAYMENT_METHODS = {
    "pm_card_visa": _pm("4242424242424242"),
    "pm_card_visa_debit": _pm("4000056655665556"),
    "pm_card_mastercard": _pm("5555555555554444"),
    "pm_card_mastercard_debit": _pm("5200828282828210"),
    "pm_card_amex": _pm("378282246310005"),
    "pm_card_discover": _pm("6011111111111117"),
    "pm_card_visa_chargeDeclined": _pm("4000000000000002"),
    "pm_card_visa_chargeDeclinedInsufficientFunds": _pm("4000000000009995"),
    "pm_card_visa_chargeDeclinedLostCard": _pm("4000000000009987"),
    "pm_card_visa_chargeDeclinedStolenCard": _pm("4000000000009979"),
    "pm_card_visa_chargeDeclinedExpiredCard": _pm("4000000000000069"),
    "pm_card_visa_chargeDeclinedIncorrectCvc": _pm("4000000000000127"),
    "pm_card_visa_chargeDeclinedProcessingError": _pm("4000000000000119"),
    "pm_card_chargeDeclined": _pm("4000000000000002"),
    "pm_card_chargeDeclinedInsufficientFunds": _pm("4000000000009995"),
    "pm_card_chargeDeclinedLostCard": _pm("4000000000009987"),
    "pm_card_chargeDeclinedStolenCard": _pm("4000000000009979"),
    "pm_card_chargeDeclinedExpiredCard": _pm("4000000000000069"),
    "pm_card_chargeDeclinedIncorrectCvc": _pm("4000000000000127"),
    "pm_card_chargeDeclinedProcessingError": _pm("4000000000000119"),
    "pm_card_chargeDeclinedVelocityLimitExceeded": _pm("4000000000006975"),
    "pm_card_chargeCustomerFail": _pm("4000000000000341"),
    "pm_card_authenticationRequired": _pm("4000002760003184"),
    "pm_card_authenticationRequiredOnSetup": _pm("4000002500003155"),
    "pm_card_authenticationRequiredSetupForOffSession": _pm("4000003800000446"),
    "pm_card_threeDSecure2Required": _pm("4000000000003220"),
}


def luhn_valid(number):
    """The Luhn check: Stripe refuses a mistyped number before any charge, and so does the sandbox."""
    digits = [int(d) for d in number]
    checksum = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        checksum += digit
    return checksum % 10 == 0


def brand_of(number):
    """A card's brand from its number's prefix, as Stripe reports it on the PaymentMethod and charge."""
    if number.startswith("4"):
        return "visa"
    if number[:2] in ("34", "37"):
        return "amex"
    if number[:2] in {"51", "52", "53", "54", "55"} or 2221 <= int(number[:4] or 0) <= 2720:
        return "mastercard"
    if number.startswith(("6011", "65")):
        return "discover"
    return "unknown"


def card_fingerprint(number):
    """A card number's ``card.fingerprint``: the same for the same number, as at Stripe, and never the number."""
    digest = hashlib.sha256(b"press-workbench-sandbox:" + number.encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % 62] for b in digest[:16])


BY_FINGERPRINT = {card_fingerprint(card.number): card for card in CARDS}


def card_for_number(number):
    """The test card for a typed number; any other valid number is a live card (declined in test mode)."""
    return BY_NUMBER.get(number) or TestCard(number, brand_of(number), decline=LIVE_CARD_IN_TEST)
