"""Money is integer pence (FORECAST.md, Money).

Rounding to the penny, half up, happens once per item per month; totals are sums of rounded
amounts. These helpers are the only place that rounds.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

from wording import money, money_short


class MoneyError(ValueError):
    """A value that is not an amount of money."""


def round_pence(value: Decimal | float | int) -> int:
    """Round an amount in (fractional) pence to whole pence, half up (away from zero)."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_pence_array(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Vectorised half-up rounding (away from zero) of fractional pence.

    A tiny tolerance absorbs binary floating point error so that 12.5 computed as 12.4999999
    still rounds to 13, as a hand calculation would.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 0:
        return (np.sign(arr) * np.floor(np.abs(arr) + 0.5 + 1e-9)).astype(np.int64)
    # In place on one scratch array (a run rounds millions of row-months); the same operations
    # in the same order as sign(x) × floor(|x| + 0.5 + 1e-9).
    scratch = np.abs(arr)
    scratch += 0.5
    scratch += 1e-9
    np.floor(scratch, out=scratch)
    scratch *= np.sign(arr)
    return scratch.astype(np.int64)


# The largest amount one row of a file may hold: £1bn either way. Far beyond any children's
# services budget line, far inside what a bigint column of pence holds (about £92 quadrillion),
# so a row can never overflow the database or the engine's int64 arithmetic.
MAX_AMOUNT_PENCE = 100_000_000_000

# Pounds as users write them, once spaces are taken out: an optional minus before or after an
# optional '£', whole pounds plain (1234) or in groups of three (1,234), then optional pence.
# No '+', no exponent (1e3, 1.23E+07), no brackets: one rule, in the engine so that every parser
# (one cell at a time or a whole column) reads money the same way.
MONEY_PATTERN = r"^(?P<sign>-?)£?(?P<sign2>-?)(?P<pounds>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<pence>\d*))?$"
_MONEY = re.compile(MONEY_PATTERN)
_SPACES = re.compile(r"[ \u00a0\u202f]")


def money_text_cleaned(text: str) -> str:
    """The text a money pattern is matched against: no spaces (a thin or non-breaking space
    is a thousands separator in some exports)."""
    return _SPACES.sub("", text.strip())


def money_refusal(raw: str) -> str:
    """Why `raw` is not an amount of money, in words (the text has already failed MONEY_PATTERN)."""
    cleaned = money_text_cleaned(raw)
    if not cleaned:
        return "is empty; expected an amount in pounds"
    if re.search(r"\d[eE][+-]?\d", cleaned):
        return f"'{raw}' is written as a power of ten; write the amount in full, e.g. 1000 or 1,000.00"
    if "+" in cleaned:
        return f"'{raw}' has a plus sign; write amounts without one (e.g. 45), and a negative amount with a minus (-45)"
    if cleaned.startswith("(") or cleaned.endswith(")"):
        return f"'{raw}' is in brackets; write a negative amount with a minus sign (e.g. -12.00)"
    if re.fullmatch(r"-?£?-?[\d,]*\.\d{3,}", cleaned):
        return f"'{raw}' has more than 2 decimal places"
    if "," in cleaned and re.fullmatch(r"-?£?-?[\d,]+(\.\d*)?", cleaned):
        return f"'{raw}' has its commas in the wrong places; write thousands as 1,234,567 or 1234567"
    return f"'{raw}' is not an amount of money in pounds"


def amount_refusal(raw: str, pence: int) -> str | None:
    """Why an amount that reads as money cannot be stored, or None when it can."""
    if abs(pence) > MAX_AMOUNT_PENCE:
        return f"'{raw}' is more than £1,000,000,000 (£1bn) either way, the most one row may hold"
    return None


def pounds_to_pence(text: str | int | float | Decimal) -> int:
    """Parse pounds as users write them: '£1,234.56', '-45', '-£45', '£-45'; at most two decimal
    places and at most £1bn either way. '(12.00)', '+45', '1e3', '1.23E+07' and anything else
    are a MoneyError with a message for the user."""
    raw = str(text).strip()
    cleaned = money_text_cleaned(raw)
    match = _MONEY.match(cleaned)
    if match is None or not (match["pounds"] or match["pence"]):
        raise MoneyError(money_refusal(raw))
    if match["sign"] and match["sign2"]:
        raise MoneyError(f"'{raw}' is not an amount of money in pounds")
    pence_text = match["pence"] or ""
    if len(pence_text) > 2:
        raise MoneyError(f"'{raw}' has more than 2 decimal places")
    pounds_digits = (match["pounds"] or "0").replace(",", "")
    if len(pounds_digits.lstrip("0")) > 12:  # surely beyond £1bn: no need to build the number
        raise MoneyError(amount_refusal(raw, MAX_AMOUNT_PENCE + 1) or "")
    pence = int(pounds_digits) * 100 + int(pence_text.ljust(2, "0"))
    if match["sign"] or match["sign2"]:
        pence = -pence
    refusal = amount_refusal(raw, pence)
    if refusal:
        raise MoneyError(refusal)
    return pence


def pence_to_pounds(pence: int) -> Decimal:
    return (Decimal(int(pence)) / 100).quantize(Decimal("0.01"))


def pounds_text(pence: int | None, places: int = 0) -> str:
    """Pence as councils write pounds: '£1,234', or '£1,234.56' with places=2; negative in
    brackets, '(£1,234)'. The engine's name for `wording.money`, the one money formatter."""
    return money(pence, places)


def millions_text(pence: int) -> str:
    """Pence as a short amount for a sentence ('£130.5m', '£950k'): `wording.money_short`."""
    return money_short(pence)
