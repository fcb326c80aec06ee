"""Amounts, prices and academic years the way a Dutch reader writes and expects them.

The site formats money with babel's CLDR data ("€ 1.234,56"); this package has no babel, so
the same Dutch pattern is written out here (`¤ #,##0.00`, minus after the sign)."""

import re
from datetime import date
from decimal import Decimal

_PRICE = re.compile(r"\d{1,6}(?:[.,]\d{1,2})?")
_YEAR = re.compile(r"(20\d\d)\s*[-/]\s*(20\d\d)|(20\d\d)")
# The academic year starts in August (as the site's describe form counts it).
_FIRST_MONTH = 8


def money_text(cents: int, currency: str = "EUR") -> str:
    """ "€ 1.234,56" for 123456; "€ -3,00" for -300; another currency by its code."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    grouped = f"{euros:,}".replace(",", ".")
    symbol = "€" if currency == "EUR" else currency
    return f"{symbol} {sign}{grouped},{rest:02d}"


def price_cents_parse(text: str) -> int:
    """ "4,99", "4.99", "€ 4,99", "5,-" → cents; ValueError (Dutch) otherwise. The site checks
    the minimum and maximum price."""
    cleaned = re.sub(r"[\s€]", "", text)
    if cleaned.endswith((",-", ".-")):
        cleaned = cleaned[:-2]
    if not _PRICE.fullmatch(cleaned):
        raise ValueError(f"'{text}' is geen bedrag in euro's: schrijf bijvoorbeeld 4,99.")
    return int(Decimal(cleaned.replace(",", ".")).scaleb(2))


def academic_year_parse(text: str) -> str:
    """ "2025-2026", "2025/2026" or "2025" → "2025/2026", the site's form; ValueError otherwise."""
    match = _YEAR.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is geen academisch jaar: schrijf bijvoorbeeld 2025-2026.")
    if match.group(3):
        start = int(match.group(3))
    else:
        start, end = int(match.group(1)), int(match.group(2))
        if end != start + 1:
            raise ValueError(f"'{text}' is geen academisch jaar: het tweede jaar volgt op het eerste.")
    return f"{start}/{start + 1}"


def academic_year_current(today: date) -> str:
    """The academic year running on ``today``: 2025/2026 from August 2025 to July 2026."""
    start = today.year if today.month >= _FIRST_MONTH else today.year - 1
    return f"{start}/{start + 1}"
