"""Money is integer pence (FORECAST.md, Money).

Rounding to the penny, half up, happens once per item per month; totals are sums of rounded
amounts. These helpers are the only place that rounds.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import numpy as np
import numpy.typing as npt


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
    """Pence as councils write pounds: '£1,234' (rounded half up), or '£1,234.56' with places=2;
    negative as '-£1,234'; nothing for no amount. The one money formatter of the pages, the
    files' messages and the engine."""
    if pence is None:
        return ""
    whole_pence = int(pence)
    sign = "-" if whole_pence < 0 else ""
    if places == 0:
        return f"{sign}£{round_pence(Decimal(abs(whole_pence)) / 100):,}"
    pounds, part = divmod(abs(whole_pence), 100)
    return f"{sign}£{pounds:,}.{part:02d}"


def millions_text(pence: int) -> str:
    """Pence as millions of pounds with one decimal, rounded half up: 13_045_000_000 → '£130.5m';
    negative as '-£1.2m'. For a range in a sentence, where whole pounds would be false precision."""
    whole_pence = int(pence)
    sign = "-" if whole_pence < 0 else ""
    millions = (Decimal(abs(whole_pence)) / 100_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{sign}£{millions:,}m"
