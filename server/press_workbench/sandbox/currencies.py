"""Stripe's currency rules: minor units, supported currencies, amount limits, and how amounts read.

The sandbox checks amounts with them and words its errors with them; the shop
formats prices with the same function, so both speak about money the same way.
"""

ZERO_DECIMAL = {
    "bif",
    "clp",
    "djf",
    "gnf",
    "jpy",
    "kmf",
    "krw",
    "mga",
    "pyg",
    "rwf",
    "ugx",
    "vnd",
    "vuv",
    "xaf",
    "xof",
    "xpf",
}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$", "chf": "CHF ", "inr": "₹"}
SUPPORTED = sorted(
    set(SYMBOLS)
    | ZERO_DECIMAL
    | {
        "aed",
        "brl",
        "czk",
        "dkk",
        "hkd",
        "huf",
        "ils",
        "mxn",
        "myr",
        "nok",
        "nzd",
        "pln",
        "ron",
        "sek",
        "sgd",
        "thb",
        "zar",
    }
)
MIN_AMOUNT = 50  # Stripe's minimum, the equivalent of $0.50 (checked here in the charge currency)
MAX_AMOUNT = 99_999_999


def minor_units(currency):
    """Decimal places of a currency's minor unit: zero-decimal currencies (JPY, …) are sent as whole units."""
    return 0 if currency.lower() in ZERO_DECIMAL else 2


def format_amount(amount, currency):
    """``4800, "usd"`` → ``"$48.00"``; unknown symbols fall back to the ISO code."""
    currency = currency.lower()
    digits = minor_units(currency)
    value = amount / (10**digits)
    number = f"{value:,.{digits}f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{number} {currency.upper()}"
