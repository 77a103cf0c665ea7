"""Money is integer pence (FORECAST.md, Money).

Rounding to the penny, half up, happens once per item per month; totals are sums of rounded
amounts. These helpers are the only place that rounds.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    return (np.sign(arr) * np.floor(np.abs(arr) + 0.5 + 1e-9)).astype(np.int64)


def pounds_to_pence(text: str | int | float | Decimal) -> int:
    """Parse pounds as users write them: '£1,234.56', '-45', '(12.00)' is not accepted.

    At most two decimal places; anything else is a MoneyError with a message for the user.
    """
    raw = str(text).strip()
    cleaned = raw.replace("£", "").replace(",", "").replace(" ", "")
    if cleaned.startswith("-£"):
        cleaned = "-" + cleaned[2:]
    if not cleaned:
        raise MoneyError("is empty; expected an amount in pounds")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"'{raw}' is not an amount of money in pounds") from None
    if not amount.is_finite():
        raise MoneyError(f"'{raw}' is not an amount of money in pounds")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise MoneyError(f"'{raw}' has more than 2 decimal places")
    return int(amount * 100)


def pence_to_pounds(pence: int) -> Decimal:
    return (Decimal(int(pence)) / 100).quantize(Decimal("0.01"))


def pounds_text(pence: int | None, places: int = 0) -> str:
    """Pence as councils write pounds: '£1,234', or '£1,234.56' with places=2; negative in
    brackets, '(£1,234)'. The engine's name for `wording.money`, the one money formatter."""
    return money(pence, places)


def millions_text(pence: int) -> str:
    """Pence as a short amount for a sentence ('£130.5m', '£950k'): `wording.money_short`."""
    return money_short(pence)
