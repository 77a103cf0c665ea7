"""Parsing one cell (DATA_FORMATS.md: dates ISO or UK, money in pounds, Y/N booleans).

Every parser raises ValueError with a message that completes the sentence
"<file> row <n>, column <c>: ..." so that users see what is wrong and how to fix it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from forecasting.engine.money import MoneyError, pounds_to_pence

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
TRUE_WORDS = {"y", "yes", "true", "1"}
FALSE_WORDS = {"n", "no", "false", "0"}


def parse_money(text: str) -> int:
    """Pounds as written in a file -> integer pence."""
    try:
        return pounds_to_pence(text)
    except MoneyError as error:
        raise ValueError(str(error)) from None


def parse_date(text: str) -> date:
    value = text.strip()
    match = _ISO.match(value)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _UK.match(value)
        if not match:
            raise ValueError(f"'{text}' is not a date; write it as 2019-07-31 or 31/07/2019")
        day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date") from None


def parse_bool(text: str) -> bool:
    value = text.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"'{text}' is not yes or no; write Y/N, yes/no, true/false or 1/0")


def parse_int(text: str, *, low: int | None = None, high: int | None = None, what: str = "a whole number") -> int:
    value = text.strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not {what}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"'{text}' is not {what}")
    result = int(number)
    if (low is not None and result < low) or (high is not None and result > high):
        raise ValueError(f"'{text}' is outside {low}–{high}")
    return result


def parse_decimal(text: str, *, low: Decimal | None = None, high: Decimal | None = None) -> Decimal:
    value = text.strip().replace(",", "")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not a number") from None
    if not number.is_finite():
        raise ValueError(f"'{text}' is not a number")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"'{text}' is outside {low}–{high}")
    return number


def parse_choice(text: str, choices: list[str] | tuple[str, ...]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise ValueError(f"'{text}' is not one of: {', '.join(choices)}")
    return value


def format_date_uk(value: date | datetime | None) -> str:
    """31 July 2019, as councils write dates."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"
