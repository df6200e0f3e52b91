"""Stripe's test IBANs with the outcomes Stripe gives them, and what a SEPA Debit PaymentMethod shows of an IBAN.

The counterpart of ``cards``.  Sources: docs.stripe.com/testing (SEPA Direct Debit), whose table reads
"AT611904300234573201 — The PaymentIntent status transitions from processing to succeeded", and so on for the
others below; the German ones are the same scenarios with German IBANs.  A real test-mode run
(github.com/gburgyan/aat-stripe, plans/sepa/direct-debit.yaml) showed ``DE89370400440532013000`` as country
``DE``, bank code ``37040044``, last4 ``3000``, and a failed debit leaving ``payment_intent_payment_attempt_failed``
(decline code ``generic_decline``) on the PaymentIntent with ``incorrect_account_holder_name`` on the charge.

Any other well-formed IBAN of a SEPA country is a debit that succeeds, like the first test IBAN.  An IBAN is
well-formed when its country is in SEPA, its length is that country's and its check digits pass ISO 13616's
mod-97 test; anything else is refused as Stripe refuses it (``invalid_bank_account_iban``).
"""

import hashlib
from dataclasses import dataclass

# IBAN length by SEPA country (ISO 13616 registry); bank and branch code positions in the BBAN (after the
# first four characters), as Stripe reports them on the PaymentMethod: (bank start, bank end, branch start, end).
LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
    "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28,
    "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22,
}  # fmt: skip
CODES = {  # country: (bank code slice, branch code slice) of the BBAN
    "AT": (slice(0, 5), None),
    "BE": (slice(0, 3), None),
    "DE": (slice(0, 8), None),
    "ES": (slice(0, 4), slice(4, 8)),
    "FR": (slice(0, 5), slice(5, 10)),
    "IE": (slice(0, 4), slice(4, 10)),
    "IT": (slice(1, 6), slice(6, 11)),
    "LU": (slice(0, 3), None),
    "NL": (slice(0, 4), None),
    "PT": (slice(0, 4), slice(4, 8)),
}
INVALID_IBAN = "The IBAN you provided is invalid."  # code invalid_bank_account_iban


@dataclass(frozen=True)
class Debit:
    """What the bank does with a debit from one test IBAN."""

    succeeds: bool = True
    delayed: bool = False  # Stripe: "after at least three minutes"; the sandbox's delayed setting (settlement)
    disputed: bool = False  # succeeds, then the customer's bank disputes it at once


SUCCEEDS = Debit()
FAILS = Debit(succeeds=False)
TEST_IBANS = {
    "AT611904300234573201": SUCCEEDS,
    "AT321904300235473204": Debit(delayed=True),
    "AT861904300235473202": FAILS,
    "AT051904300235473205": Debit(succeeds=False, delayed=True),
    "AT591904300235473203": Debit(disputed=True),
    "DE89370400440532013000": SUCCEEDS,
    "DE08370400440532013003": Debit(delayed=True),
    "DE62370400440532013001": FAILS,
    "DE78370400440532013004": Debit(succeeds=False, delayed=True),
    "DE35370400440532013002": Debit(disputed=True),
}
# What a failed test debit leaves on the charge (see the module docstring); the message is how Stripe's SEPA
# Direct Debit docs explain the code (docs.stripe.com/payments/sepa-debit, "Failed payments").
FAILURE_CODE = "incorrect_account_holder_name"
FAILURE_MESSAGE = (
    "The transaction can't be processed because your customer's account information is missing or incorrect."
)


def normalized(iban):
    """An IBAN as typed (spaces, lower case) in its electronic form: ``at61 1904 …`` → ``AT611904…``."""
    return "".join(iban.split()).upper()


def is_valid(iban):
    """Whether a normalized IBAN is a well-formed one of a SEPA country (length and mod-97 check digits)."""
    if not iban.isascii() or not iban.isalnum() or LENGTHS.get(iban[:2]) != len(iban):
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def fingerprint(iban):
    """The bank account's ``fingerprint``: the same for the same IBAN, as at Stripe, and never the IBAN."""
    digest = hashlib.sha256(b"press-workbench-sandbox-iban:" + iban.encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % 62] for b in digest[:16])


def details(iban):
    """``bank_code``, ``branch_code``, ``country``, ``fingerprint`` and ``last4`` of a valid IBAN, as Stripe shows
    them (a country without a branch code in its IBAN shows an empty one)."""
    bban = iban[4:]
    bank, branch = CODES.get(iban[:2], (slice(0, 4), None))
    return {
        "bank_code": bban[bank],
        "branch_code": bban[branch] if branch else "",
        "country": iban[:2],
        "fingerprint": fingerprint(iban),
        "last4": iban[-4:],
    }


BY_FINGERPRINT = {fingerprint(iban): debit for iban, debit in TEST_IBANS.items()}


def debit_for(account_fingerprint):
    """What the bank does with a debit from the account with this fingerprint (any other account: it succeeds)."""
    return BY_FINGERPRINT.get(account_fingerprint, SUCCEEDS)
