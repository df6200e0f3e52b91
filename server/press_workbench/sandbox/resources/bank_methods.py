"""PaymentMethods that pay from a bank account: SEPA Direct Debit, iDEAL and Bancontact.

What each type's hash holds on the PaymentMethod and on the charge's ``payment_method_details``, field by field as
stripe-python 16 declares them (``PaymentMethod.SepaDebit``, ``Charge.PaymentMethodDetails.Ideal``…).  An IBAN may
come from the server (unlike a card number, Stripe accepts it with a secret key); the PaymentMethod keeps what
identifies the account (bank and branch code, country, fingerprint, last four), never the IBAN.  SEPA Direct Debit
also needs the account holder's name and email, for the mandate and the debit notice the customer gets.

What only a bank returns (iDEAL's transaction id, the IBAN behind a Bancontact or iDEAL payment) is null, as for
the card network's fields of a card charge (``charges.card_details``).
"""

from .. import bank_accounts
from ..pipeline.errors import invalid, missing_param
from ..pipeline.params import one_of

# iDEAL's banks and their BICs, as stripe-python 16 lists them (PaymentMethod.Ideal.bank and .bic).
IDEAL_BANKS = {
    "abn_amro": "ABNANL2A",
    "adyen": "ADYBNL2A",
    "asn_bank": "ASNBNL21",
    "bunq": "BUNQNL2A",
    "buut": "BUUTNL2A",
    "finom": "FNOMNL22",
    "handelsbanken": "HANDNL2A",
    "ing": "INGBNL2A",
    "knab": "KNABNL2H",
    "mollie": "MLLENL2A",
    "moneyou": "MOYONL21",
    "n26": "NTSBDEB1",
    "nn": "NNBANL2G",
    "rabobank": "RABONL2U",
    "regiobank": "RBRBNL21",
    "revolut": "REVOLT21",
    "sns_bank": "SNSBNL2A",
    "triodos_bank": "TRIONL2U",
    "van_lanschot": "FVLBNL22",
    "yoursafe": "BITSNL2A",
}


def type_hash(data, method_type, param):
    """The ``sepa_debit``/``ideal``/``bancontact`` hash of ``payment_method_data``, or ``{}`` when left out."""
    given = data.get(method_type) or {}
    if not isinstance(given, dict):
        raise invalid(f"Invalid hash: {param(method_type)}", param=param(method_type))
    return given


def sepa_debit(data, param):
    """``sepa_debit`` of a new PaymentMethod from an IBAN; a malformed IBAN is refused as Stripe refuses it."""
    iban_param = param("sepa_debit") + "[iban]"
    iban = type_hash(data, "sepa_debit", param).get("iban")
    if not iban:
        raise missing_param(iban_param)
    if not isinstance(iban, str) or not bank_accounts.is_valid(bank_accounts.normalized(iban)):
        raise invalid(bank_accounts.INVALID_IBAN, param=iban_param, code="invalid_bank_account_iban")
    billing = data.get("billing_details") if isinstance(data.get("billing_details"), dict) else {}
    for field in ("name", "email"):  # on the mandate, and where the debit notice goes
        name = param("billing_details") + f"[{field}]"
        if not billing.get(field):
            raise missing_param(name)
        if not isinstance(billing[field], str):
            raise invalid(f"Invalid string: {name}", param=name)
    return {
        **bank_accounts.details(bank_accounts.normalized(iban)),
        "generated_from": {"charge": None, "setup_attempt": None},
    }


def ideal(data, param):
    """``ideal`` of a new PaymentMethod: the shopper's bank if one was chosen (iDEAL asks at the bank otherwise)."""
    bank = type_hash(data, "ideal", param).get("bank")
    if bank is not None and (not isinstance(bank, str) or bank not in IDEAL_BANKS):
        raise invalid(
            f"Invalid {param('ideal')}[bank]: must be one of {one_of(tuple(IDEAL_BANKS))}",
            param=param("ideal") + "[bank]",
        )
    return {"bank": bank, "bic": IDEAL_BANKS.get(bank)}


def bancontact(data, param):
    """``bancontact`` of a new PaymentMethod: Stripe's hash is empty (the card is chosen at the bank)."""
    type_hash(data, "bancontact", param)
    return {}


BUILDERS = {"sepa_debit": sepa_debit, "ideal": ideal, "bancontact": bancontact}


def charge_details(pi, pm, mandate_id=None):
    """A charge's ``payment_method_details[<type>]`` for a bank PaymentMethod, every declared field present."""
    if pm["type"] == "sepa_debit":
        account = pm["sepa_debit"]
        return {
            **{key: account[key] for key in ("bank_code", "branch_code", "country", "fingerprint", "last4")},
            "expected_debit_date": None,
            "mandate": mandate_id,
        }
    redirected = {
        "generated_sepa_debit": None,
        "generated_sepa_debit_mandate": None,
        "iban_last4": None,
        "verified_name": pm["billing_details"]["name"],
    }
    if pm["type"] == "ideal":
        return {**pm["ideal"], **redirected, "transaction_id": None}
    language = pi["payment_method_options"].get("bancontact", {}).get("preferred_language")
    return {"bank_code": None, "bank_name": None, "bic": None, **redirected, "preferred_language": language}
