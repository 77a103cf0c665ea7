"""How Outturn writes numbers, money, dates and times for people: the one set of rules that every
page, PDF, download, message and audit entry uses (issue 12, point 4).

Plain Python with no Django and no app imports, at the bottom of the layers, so that the engine,
the apps and the templates all call the same functions and cannot drift apart.

Rules, each rounded half up (away from zero), as a hand calculation would:
- money: whole pounds "£1,234", or with pence "£1,234.56"; a negative amount in brackets, as
  councils' accounts write credits and income: "(£1,234)". Never "-£".
- short money: "£1.2m" from a million pounds, "£950k" from a thousand, else whole pounds.
- variance: "an overspend of £1.2m", "an underspend of £1.2m", or "on budget".
- percentages: one decimal place everywhere ("2.7%").
- counts of children, workers or FTE: whole numbers ("998").
- dates "31 July 2019", times "2:15pm", date-times "2:15pm on 3 May 2026".
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "change_phrase",
    "count",
    "date_text",
    "decimal_count",
    "datetime_text",
    "money",
    "money_short",
    "percent",
    "signed_percent",
    "time_text",
    "variance_phrase",
    "variance_word",
]

_ONE = Decimal(1)


def _half_up(value: Decimal, places: int = 0) -> Decimal:
    return value.quantize(_ONE.scaleb(-places), rounding=ROUND_HALF_UP)


def _number(value: float | int | Decimal | str | None) -> Decimal | None:
    """A finite number, or None for nothing, a blank or NaN (a figure that does not exist)."""
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    return number if number.is_finite() else None


def _bracketed(negative: bool, text: str) -> str:
    return f"({text})" if negative else text


def money(pence: int | None, places: int = 0) -> str:
    """Integer pence as pounds: 123_456 → '£1,235'; with places=2 → '£1,234.56'; negative in
    brackets: -123_456 → '(£1,235)'; no amount → ''."""
    if pence is None:
        return ""
    whole = int(pence)
    size = abs(whole)
    if places == 0:
        text = f"£{int(_half_up(Decimal(size) / 100)):,}"
    else:
        pounds, part = divmod(size, 100)
        text = f"£{pounds:,}.{part:02d}"
    return _bracketed(whole < 0 and text not in ("£0", "£0.00"), text)


def money_short(pence: int | None) -> str:
    """Pence as a short amount for sentences and headlines, one decimal of millions or whole
    thousands: 123_456_789_00 → '£123.5m', 95_000_000 → '£950k', 45_600 → '£456'; negative in
    brackets. An amount that rounds up to a thousand thousands is written in millions."""
    if pence is None:
        return ""
    whole = int(pence)
    pounds = Decimal(abs(whole)) / 100
    thousands = _half_up(pounds / 1000)
    if pounds >= 1_000_000 or thousands >= 1000:
        text = f"£{_half_up(pounds / 1_000_000, 1):,}m"
    elif _half_up(pounds) >= 1000:
        text = f"£{int(thousands):,}k"
    else:
        text = f"£{int(_half_up(pounds)):,}"
    return _bracketed(whole < 0 and text != "£0", text)


def variance_word(pence: int) -> str:
    """'overspend', 'underspend' or 'on budget' for a forecast minus budget in pence."""
    return "overspend" if pence > 0 else "underspend" if pence < 0 else "on budget"


def variance_phrase(pence: int | None, *, short: bool = True) -> str:
    """A variance (forecast minus budget) in words: 'an overspend of £1.2m', 'an underspend of
    £1.2m', or 'on budget' when it rounds to nothing. The amount is always positive."""
    if pence is None:
        return ""
    amount = (money_short if short else money)(abs(int(pence)))
    if amount == "£0":
        return "on budget"
    return f"an {variance_word(int(pence))} of {amount}"


def change_phrase(pence: int | None, *, short: bool = True, up: str = "more", down: str = "less") -> str:
    """A change between two amounts: '£1.2m more', '£1.2m less' or 'no change'."""
    if pence is None:
        return ""
    amount = (money_short if short else money)(abs(int(pence)))
    if amount == "£0":
        return "no change"
    return f"{amount} {up if int(pence) > 0 else down}"


def percent(value: float | Decimal | str | None, places: int = 1) -> str:
    """A percentage to one decimal place: 2.71 → '2.7%', 2.75 → '2.8%', -0.04 → '0.0%'."""
    number = _number(value)
    if number is None:
        return ""
    shown = _half_up(number, places)
    if shown == 0:
        shown = abs(shown)
    return f"{shown}%"


def signed_percent(value: float | Decimal | None) -> str:
    """A percentage without its sign, for a sentence that already says over or under."""
    if value is None:
        return ""
    return percent(abs(Decimal(str(value))))


def count(value: float | int | Decimal | str | None) -> str:
    """A number of children, workers or FTE as a whole number: 998.0 → '998', 1234.5 → '1,235'."""
    number = _number(value)
    return "" if number is None else f"{int(_half_up(number)):,}"


def decimal_count(value: float | int | Decimal | str | None) -> str:
    """A number that may be part of a whole (FTE, an average number of children) to one decimal
    place, without a '.0' on whole numbers: 12.0 → '12', 12.46 → '12.5', 1234.25 → '1,234.3'."""
    number = _number(value)
    if number is None:
        return ""
    shown = _half_up(number, 1)
    if shown == shown.to_integral_value():
        return f"{int(shown):,}"
    return f"{shown:,}"


def date_text(value: date | datetime | None) -> str:
    """31 July 2019."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def time_text(value: time | datetime | None) -> str:
    """2:15pm, 9:05am, 12:00pm at noon and 12:00am at midnight."""
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    return f"{hour}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"


def datetime_text(value: datetime | None) -> str:
    """2:15pm on 3 May 2026 (the caller gives the local time)."""
    if value is None:
        return ""
    return f"{time_text(value)} on {date_text(value)}"
