"""Whole-column parsing for large imports (DATA_FORMATS.md, top rules).

The same rules and messages as `forecasting.parsing` (dates ISO or UK, pounds with £ and commas and at
most 2 decimals, Y/N booleans), applied to a pandas column at once: a 50,000-row register is
parsed in well under a second, where a Python call per cell would take several.
Each parser returns the parsed values and, for bad cells, the message to show (NaN elsewhere).

The cells almost every file holds (2019-07-31, 31/07/2019, 1234.56, blanks) are read as arrays of
character codes with numpy; any other cell goes through the one-cell rule of `forecasting.parsing`
(its pattern and messages), so a cell means the same whichever way it was read.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from forecasting.engine.money import MAX_AMOUNT_PENCE, MoneyError, pounds_to_pence
from forecasting.parsing import FALSE_WORDS, TRUE_WORDS

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
MAX_POUND_DIGITS = 12  # longer is surely beyond £1bn, and could overflow int64 pence before the bound is checked
_ZERO, _NINE, _MINUS, _DOT, _SLASH = (ord(c) for c in "09-./")


def stripped(values: pd.Series) -> np.ndarray:
    """`values.str.strip()` as an object array: str.strip over the cells when every cell is text
    (pandas' string methods cost several times more per cell), else pandas' own."""
    cells = values.to_numpy(dtype=object)
    try:
        return np.array(list(map(str.strip, cells)), dtype=object)  # a TypeError for a cell not text
    except TypeError:
        result: np.ndarray = values.str.strip().to_numpy(dtype=object)
        return result


def _lengths(cells: np.ndarray) -> np.ndarray:
    """Length of each text cell, -1 for a cell that is not text."""
    try:
        return np.fromiter(map(str.__len__, cells), dtype=np.int64, count=len(cells))
    except TypeError:
        return np.fromiter((len(c) if isinstance(c, str) else -1 for c in cells), dtype=np.int64, count=len(cells))


def _codes(cells: np.ndarray, width: int) -> np.ndarray:
    """The characters of text cells no longer than `width` as a (cells, width) array of code
    points, 0 past each cell's end."""
    if not len(cells):
        return np.zeros((0, width), dtype=np.int32)
    return np.array(cells.tolist(), dtype=f"<U{width}").view(np.int32).reshape(-1, width)


def _digits(codes: np.ndarray) -> np.ndarray:
    return (codes >= _ZERO) & (codes <= _NINE)


def _number(digits: np.ndarray) -> np.ndarray:
    """The whole number written by columns of ASCII digits (as code points)."""
    value = np.zeros(len(digits), dtype=np.int64)
    for k in range(digits.shape[1]):
        value = value * 10 + (digits[:, k].astype(np.int64) - _ZERO)
    return value


def blank(values: pd.Series) -> pd.Series:
    return values.str.strip() == ""


def _date_parts(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(year, month, day, shaped) of each cell: shaped when it is written as a date (ISO or UK)."""
    n = len(cells)
    year, month, day = np.full(n, 2000, dtype=np.int64), np.ones(n, dtype=np.int64), np.ones(n, dtype=np.int64)
    shaped = np.zeros(n, dtype=bool)
    lengths = _lengths(cells)
    # 2019-07-31 and 31/07/2019 in ASCII digits: every date of a register, read as arrays.
    ten = np.flatnonzero(lengths == 10)
    codes = _codes(cells[ten], 10)
    is_digit = _digits(codes)
    iso = is_digit[:, [0, 1, 2, 3, 5, 6, 8, 9]].all(axis=1) & (codes[:, 4] == _MINUS) & (codes[:, 7] == _MINUS)
    uk = is_digit[:, [0, 1, 3, 4, 6, 7, 8, 9]].all(axis=1) & (codes[:, 2] == _SLASH) & (codes[:, 5] == _SLASH)
    year[ten] = np.where(iso, _number(codes[:, 0:4]), _number(codes[:, 6:10]))
    month[ten] = np.where(iso, _number(codes[:, 5:7]), _number(codes[:, 3:5]))
    day[ten] = np.where(iso, _number(codes[:, 8:10]), _number(codes[:, 0:2]))
    shaped[ten] = iso | uk
    # Anything else, one cell at a time by the one-cell parser's patterns (int() reads any digits).
    done = np.zeros(n, dtype=bool)
    done[ten[iso | uk]] = True
    for i in np.flatnonzero(~done & (lengths > 0)):
        text = cells[i]
        match = _ISO.match(text)
        if match:
            year[i], month[i], day[i] = (int(part) for part in match.groups())
        else:
            match = _UK.match(text)
            if not match:
                continue
            day[i], month[i], year[i] = (int(part) for part in match.groups())
        shaped[i] = True
    year[~shaped], month[~shaped], day[~shaped] = 2000, 1, 1
    return year, month, day, shaped


# What a datetime64[ns] column holds (pandas' Timestamp limits, whole days).
FIRST_DAY, LAST_DAY = np.datetime64("1677-09-22", "D"), np.datetime64("2262-04-11", "D")


def _days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The dates as datetime64[D], NaT where year, month and day are no real date or one out of
    FIRST_DAY..LAST_DAY."""
    real_month = (month >= 1) & (month <= 12)
    first = (np.clip(year, 1, 9999) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
    first = first + (np.where(real_month, month, 1) - 1).astype("timedelta64[M]")
    month_days = ((first + np.timedelta64(1, "M")).astype("datetime64[D]") - first.astype("datetime64[D]")).astype(
        np.int64
    )
    days = first.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    real = real_month & (day >= 1) & (day <= month_days) & (year >= 1) & (days >= FIRST_DAY) & (days <= LAST_DAY)
    return np.where(real, days, np.datetime64("NaT", "D"))


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(datetime64 with NaT for blank or bad, message per bad cell)."""
    cells = stripped(values)
    year, month, day, shaped = _date_parts(cells)
    days = np.where(shaped, _days(year, month, day), np.datetime64("NaT", "D"))
    parsed = pd.Series(days.astype("datetime64[ns]"), index=values.index)
    text = pd.Series(cells, index=values.index)
    message = pd.Series(np.nan, index=values.index, dtype=object)
    not_shaped = ~shaped & (cells != "")
    if not_shaped.any():  # messages only for the bad cells, when there are any
        message[not_shaped] = "'" + text[not_shaped] + "' is not a date; write it as 2019-07-31 or 31/07/2019"
    impossible = shaped & np.isnat(days)
    if impossible.any():
        message[impossible] = "'" + text[impossible] + "' is not a real date"
    return parsed, message


def _plain_money(cells: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, pence) of the cells written as plain pounds in ASCII: an optional minus, 1 to
    12 digits, then optionally a point and one or two digits (1234.56, -45, 0.5)."""
    candidates = np.flatnonzero((lengths > 0) & (lengths <= MAX_POUND_DIGITS + 4))
    if not len(candidates):
        return candidates, np.zeros(0, dtype=np.int64)
    size = lengths[candidates]
    width = int(size.max())
    codes = _codes(cells[candidates], width)
    negative = codes[:, 0] == _MINUS
    pounds = np.zeros(len(candidates), dtype=np.int64)
    pence = np.zeros(len(candidates), dtype=np.int64)
    digits_before = np.zeros(len(candidates), dtype=np.int64)
    digits_after = np.zeros(len(candidates), dtype=np.int64)
    dots = np.zeros(len(candidates), dtype=np.int64)
    plain = np.ones(len(candidates), dtype=bool)
    # One character position at a time, for every cell at once (Horner's rule for the pounds).
    for k in range(width):
        c = codes[:, k]
        inside = k < size
        digit = inside & (c >= _ZERO) & (c <= _NINE)
        dot = inside & (c == _DOT)
        plain &= ~inside | digit | dot | ((k == 0) & negative)
        before = digit & (dots == 0)
        value = np.where(digit, c - _ZERO, 0).astype(np.int64)
        pounds = np.where(before, pounds * 10 + value, pounds)
        digits_before += before
        after = digit & (dots == 1)
        digits_after += after
        pence += np.where(after & (digits_after == 1), value * 10, 0) + np.where(after & (digits_after == 2), value, 0)
        dots += dot
    plain &= (
        (dots <= 1)
        & (digits_before >= 1)
        & (digits_before <= MAX_POUND_DIGITS)
        & ((dots == 0) | ((digits_after >= 1) & (digits_after <= 2)))
    )
    amount = pounds * 100 + pence
    return candidates[plain], np.where(negative, -amount, amount)[plain]


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(Int64 pence with <NA> for blank or bad, message per bad cell). The rule of
    `forecasting.engine.money.pounds_to_pence`: £1,234.56, -45, at most 2 decimal places and
    £1bn either way; no '+', brackets or exponents."""
    cells = stripped(values)
    lengths = _lengths(cells)
    n = len(cells)
    amount = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    message = np.full(n, np.nan, dtype=object)
    plain, pence = _plain_money(cells, lengths)
    amount[plain], ok[plain] = pence, np.abs(pence) <= MAX_AMOUNT_PENCE
    done = np.zeros(n, dtype=bool)
    done[plain] = True
    for i in plain[~ok[plain]]:
        message[i] = _money_message(cells[i])
    # Anything else (£, commas, spaces, other digits, mistakes): the one-cell parser, its messages.
    for i in np.flatnonzero(~done & (lengths != 0)):
        try:
            amount[i], ok[i] = pounds_to_pence(cells[i]), True
        except MoneyError as error:
            message[i] = str(error)
    result = pd.Series(pd.array(amount, dtype="Int64"), index=values.index).where(ok, pd.NA)
    return result, pd.Series(message, index=values.index, dtype=object)


def _money_message(text: str) -> str:
    """The one-cell parser's message for a bad cell, so that both parsers say the same."""
    try:
        pounds_to_pence(text)
    except MoneyError as error:
        return str(error)
    return f"'{text}' is not an amount of money in pounds"


def parse_bools(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(bool with False for blank, message per bad cell)."""
    cells = stripped(values)
    try:
        lower = pd.Series(list(map(str.lower, cells)), index=values.index, dtype=object)
    except TypeError:
        lower = pd.Series(cells, index=values.index, dtype=object).str.lower()
    true = lower.isin(TRUE_WORDS)
    bad = ~true & ~lower.isin(FALSE_WORDS) & (lower != "")
    message = pd.Series(np.nan, index=values.index, dtype=object)
    if bad.any():
        message[bad] = (
            "'" + pd.Series(cells, index=values.index)[bad] + "' is not yes or no; write Y/N, yes/no, true/false or 1/0"
        )
    return true, message


def uk(dates: pd.Series) -> pd.Series:
    """31/07/2019, '' for NaT: dates in messages as users write them."""
    if dates.dtype != np.dtype("datetime64[ns]"):
        return dates.dt.strftime("%d/%m/%Y").fillna("")
    # Years 1677 to 2262: always four digits, so the ISO text's characters can be moved about.
    iso = np.datetime_as_string(dates.to_numpy(), unit="D").astype("<U10")
    codes = iso.view(np.uint32).reshape(-1, 10)
    out = np.empty_like(codes)
    out[:, 0:2], out[:, 3:5], out[:, 6:10] = codes[:, 8:10], codes[:, 5:7], codes[:, 0:4]
    out[:, [2, 5]] = _SLASH
    result = out.view("<U10").ravel().astype(object)
    result[dates.isna().to_numpy()] = ""
    return pd.Series(result, index=dates.index, dtype=object)


def age_on(dob: pd.Series, day: pd.Series) -> pd.Series:
    """Whole years of age on `day` (both datetime64); NaN where either is missing."""
    years = day.dt.year - dob.dt.year
    before_birthday = (day.dt.month < dob.dt.month) | ((day.dt.month == dob.dt.month) & (day.dt.day < dob.dt.day))
    return years - before_birthday.astype("int64")
