"""One parser per kind of value in a file or a form (DATA_FORMATS.md, top rules): money in
pounds, dates, whole numbers, decimals (FTE, numbers of children, percentages), yes/no,
choices and text.

Every importer and every form parses through here, so that a value means the same everywhere
and is refused with the same words. Each parser returns the value or raises ValueError with a
message that completes the sentence "<file> row <n>, column <c>: ...", saying what is wrong
and how to write it. Each also bounds the value to what its database column holds, so that a
plan found clean can always be written.

Numbers, like money, are written in full: '-' for negatives, commas only between groups of
three digits; a '+', brackets and exponents ('1e3', '1.23E+07') are refused.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal
from typing import Any

from forecasting.engine.money import MAX_AMOUNT_PENCE, MoneyError, pounds_to_pence

# The bounds of the values the files and forms hold (docs/imports.md says why each).
MAX_MONEY_PENCE = MAX_AMOUNT_PENCE  # £1bn either way per row
MAX_CHILDREN = 10_000  # numbers of children: above the largest authority's whole care population
MAX_TEAM_FTE = Decimal("10000")  # agency FTE targets, for a team or a whole service
MAX_CASELOAD = 200  # open cases one worker holds
MAX_PERIOD = 12

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NUMBER = re.compile(r"^(?P<sign>-?)(?P<whole>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<fraction>\d*))?$")
TRUE_WORDS = {"y", "yes", "true", "1"}
FALSE_WORDS = {"n", "no", "false", "0"}


def parse_money(text: str) -> int:
    """Pounds as written in a file -> integer pence, within ±£1bn (forecasting.engine.money)."""
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


def _number_refusal(text: str, what: str) -> str:
    value = text.strip()
    if re.search(r"\d[eE][+-]?\d", value):
        return f"'{text}' is written as a power of ten; write {what} in full, e.g. 1000"
    if "+" in value:
        return f"'{text}' has a plus sign; write {what} without one, and a negative with a minus (-4)"
    if value.startswith("(") or value.endswith(")"):
        return f"'{text}' is in brackets; write a negative with a minus sign (-4)"
    if "," in value and re.fullmatch(r"-?[\d,]+(\.\d*)?", value):
        return f"'{text}' has its commas in the wrong places; write thousands as 1,234 or 1234"
    return f"'{text}' is not {what}"


def _number(text: str, what: str) -> Decimal:
    """A number as the files write it (see the module's rule) -> Decimal, always finite."""
    match = _NUMBER.match(text.strip())
    if match is None or not (match["whole"] or match["fraction"]):
        raise ValueError(_number_refusal(text, what))
    whole = (match["whole"] or "0").replace(",", "")
    if len(whole.lstrip("0")) > 15:  # far beyond every bound below: refuse before any arithmetic
        raise ValueError(f"'{text}' is far too large for {what}")
    number = Decimal(f"{match['sign']}{whole}.{match['fraction'] or '0'}")
    return number


def _bounds_text(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low:,}–{high:,}"
    return f"at least {low:,}" if low is not None else f"at most {high:,}"


def parse_int(text: str, *, low: int, high: int, what: str = "a whole number") -> int:
    """A whole number between `low` and `high` inclusive ('12', '1,200'; '12.0' is 12)."""
    number = _number(text, what)
    if number != number.to_integral_value():
        raise ValueError(f"'{text}' is not {what}")
    result = int(number)
    if result < low or result > high:
        raise ValueError(f"'{text}' is outside {_bounds_text(low, high)}")
    return result


def parse_decimal(
    text: str, *, low: Decimal | None, high: Decimal | None, places: int = 2, what: str = "a number"
) -> Decimal:
    """A number between `low` and `high` inclusive (None: no bound that way, for a column
    whose own digits bound it) with at most `places` decimal places."""
    number = _number(text, what)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ValueError(f"'{text}' has more than {places} decimal places")
    if (low is not None and number < low) or (high is not None and number > high):
        raise ValueError(f"'{text}' is outside {_bounds_text(low, high)}")
    return number


def decimal_bounds(model: Any, name: str) -> tuple[Decimal, int]:
    """(the largest magnitude, decimal places) a model's DecimalField holds, read from the model
    so that a file's bound can never drift from the column's: max_digits=4, decimal_places=2
    holds up to 99.99."""
    field = model._meta.get_field(name)
    places = int(field.decimal_places)
    return Decimal(10) ** (int(field.max_digits) - places) - Decimal(1).scaleb(-places), places


def parse_choice(text: str, choices: list[str] | tuple[str, ...]) -> str:
    value = text.strip().lower()
    if value not in choices:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise ValueError(f"'{shown}' is not one of: {', '.join(choices)}")
    return value


def field_length(model: Any, name: str) -> int | None:
    """The most characters a model's text field holds (None: any), read from the model so that
    a file's bound cannot drift from the column's."""
    length = model._meta.get_field(name).max_length
    return None if length is None else int(length)


def _control_character(value: str) -> str | None:
    for character in value:
        if character in "\t\n\r":
            continue
        if unicodedata.category(character) in ("Cc", "Cs"):
            return f"U+{ord(character):04X}"
    return None


def parse_text(text: str, max_length: int | None = None) -> str:
    """Text as written, trimmed; refused when longer than its column holds or when it holds a
    control character (a NUL cannot be stored at all). `max_length` None: a column of any length."""
    value = text.strip()
    bad = _control_character(value)
    if bad:
        raise ValueError(f"contains a control character ({bad}) that cannot be stored; remove it")
    if max_length is not None and len(value) > max_length:
        shown = value[:40] + "..."
        raise ValueError(f"'{shown}' is {len(value):,} characters long; at most {max_length:,} fit, so shorten it")
    return value


def text_parser(model: Any, name: str) -> Any:
    """parse_text bounded by a model field's max_length: the parser of one text column."""
    length = field_length(model, name)
    return lambda text: parse_text(text, length)
