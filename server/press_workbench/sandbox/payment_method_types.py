"""The payment method types the sandbox models, which currencies each takes, and which ones a PaymentIntent offers.

Stripe's account offers, under ``automatic_payment_methods``, every method switched on in its Dashboard that
can pay in the PaymentIntent's currency; a real account's list follows its settings and is usually longer.  The
sandbox is one account whose Dashboard has card everywhere, plus iDEAL and SEPA Direct Debit in euros (what the
Payment Element shows for a EUR checkout).  Bancontact is modelled too but not switched on for automatic payment
methods: a PaymentIntent gets it by naming it in ``payment_method_types``, as on an account that left it off.

Explicit ``payment_method_types`` limit a PaymentIntent as at Stripe: each must be a type the sandbox models and
able to pay in the currency ("The currency provided (usd) is invalid. Payments with ideal support the following
currencies: eur.", Stripe's words, quoted in stripe-ios's tests), and a PaymentMethod of another type is refused
when it is confirmed.
"""

from dataclasses import dataclass

from .pipeline.errors import invalid


@dataclass(frozen=True)
class MethodType:
    """One modelled payment method type: its currencies (None: any), whether it redirects, its Dashboard name."""

    name: str
    label: str  # as Stripe's Dashboard and the Payment Element's tab name it
    currencies: tuple | None = None
    redirects: bool = False  # the shopper authorises at their bank: confirm needs a return_url
    settles_later: bool = False  # a bank debit: processing until the bank answers (settlement)
    options: dict | None = None  # the PaymentIntent's payment_method_options[<type>] when offered


CARD_OPTIONS = {"installments": None, "mandate_options": None, "network": None, "request_three_d_secure": "automatic"}
TYPES = {
    "card": MethodType("card", "Card", options=CARD_OPTIONS),
    "ideal": MethodType("ideal", "iDEAL", currencies=("eur",), redirects=True, options={}),
    "sepa_debit": MethodType("sepa_debit", "SEPA Debit", currencies=("eur",), settles_later=True, options={}),
    "bancontact": MethodType(
        "bancontact", "Bancontact", currencies=("eur",), redirects=True, options={"preferred_language": "en"}
    ),
}
MODELLED = tuple(TYPES)
AUTOMATIC = ("card", "ideal", "sepa_debit")  # this account's Dashboard: what automatic payment methods may offer


def offered(currency, allow_redirects="always"):
    """What ``automatic_payment_methods`` offers in ``currency``: card everywhere, iDEAL and SEPA Debit in euros;
    ``allow_redirects=never`` leaves out those that send the shopper to their bank."""
    return [
        name
        for name in AUTOMATIC
        if accepts(TYPES[name], currency) and not (TYPES[name].redirects and allow_redirects == "never")
    ]


def accepts(method_type, currency):
    """Whether ``method_type`` can pay in ``currency``."""
    return method_type.currencies is None or currency in method_type.currencies


def check_types(names, currency, param="payment_method_types"):
    """Refuse a type the sandbox does not model (saying so, with the ones it does) or one the currency rules out.

    ``currency`` None: a SetupIntent's types, which the sandbox models for cards only.
    """
    for name in names:
        if name not in TYPES:
            raise invalid(
                f"The payment method type provided: {name} is invalid. The sandbox models these payment method "
                f"types only: {', '.join(MODELLED)}.",
                param=param,
            )
        if currency is None and name != "card":
            raise invalid(
                f"The payment method type provided: {name} is invalid. The sandbox's SetupIntents save cards "
                "only: card.",
                param=param,
            )
    for name in names:
        method_type = TYPES[name]
        if not accepts(method_type, currency):
            raise invalid(
                f"The currency provided ({currency}) is invalid. Payments with {name} support the following "
                f"currencies: {', '.join(method_type.currencies)}.",
                param="currency",
            )
    return list(names)


def options_for(names):
    """The PaymentIntent's ``payment_method_options``: one entry per offered type that has options at Stripe."""
    return {name: dict(TYPES[name].options) for name in names if TYPES[name].options is not None}


def check_allowed(intent, pm):
    """Refuse a PaymentMethod whose type the PaymentIntent (or SetupIntent) does not offer, in Stripe's words."""
    kind, noun = pm["type"], {"payment_intent": "PaymentIntent", "setup_intent": "SetupIntent"}[intent["object"]]
    if kind not in intent["payment_method_types"]:
        raise invalid(
            f"The PaymentMethod provided ({kind}) is not allowed for this {noun}. Please attach a "
            f"PaymentMethod of one of the following types: {', '.join(intent['payment_method_types'])}. "
            f'Alternatively, update the allowed payment_method_types for this {noun} to include "{kind}".',
            code=f"{intent['object']}_incompatible_payment_method",
        )
