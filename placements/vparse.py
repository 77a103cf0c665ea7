"""Whole-column parsing for large imports (DATA_FORMATS.md, top rules).

The same rules and messages as `forecasting.parsing` (dates ISO or UK, pounds with £ and commas and at
most 2 decimals, Y/N booleans), applied to a pandas column at once: a 50,000-row register is
parsed in well under a second, where a Python call per cell would take several.
Each parser returns the parsed values and, for bad cells, the message to show (NaN elsewhere).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.engine.money import MAX_AMOUNT_PENCE, MONEY_PATTERN, MoneyError, pounds_to_pence
from forecasting.parsing import FALSE_WORDS, TRUE_WORDS

_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$"
_UK = r"^(\d{1,2})/(\d{1,2})/(\d{4})$"
_SPACES = r"[ \u00a0\u202f]"
MAX_POUND_DIGITS = 12  # longer is surely beyond £1bn, and could overflow int64 pence before the bound is checked


def blank(values: pd.Series) -> pd.Series:
    return values.str.strip() == ""


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(datetime64 with NaT for blank or bad, message per bad cell)."""
    text = values.str.strip()
    iso = text.str.extract(_ISO)
    uk = text.str.extract(_UK)
    year = iso[0].where(iso[0].notna(), uk[2])
    month = iso[1].where(iso[1].notna(), uk[1])
    day = iso[2].where(iso[2].notna(), uk[0])
    shaped = year.notna()
    parts = pd.DataFrame(
        {
            "year": pd.to_numeric(year.where(shaped, "2000")),
            "month": pd.to_numeric(month.where(shaped, "1")),
            "day": pd.to_numeric(day.where(shaped, "1")),
        }
    )
    parsed = pd.to_datetime(parts, errors="coerce").where(shaped)
    parsed = parsed.astype("datetime64[ns]")
    message = pd.Series(np.nan, index=values.index, dtype=object)
    not_shaped = ~shaped & (text != "")
    message[not_shaped] = "'" + text[not_shaped] + "' is not a date; write it as 2019-07-31 or 31/07/2019"
    impossible = shaped & parsed.isna()
    message[impossible] = "'" + text[impossible] + "' is not a real date"
    return parsed, message


def _money_message(text: str) -> str:
    """The one-cell parser's message for a bad cell, so that both parsers say the same."""
    try:
        pounds_to_pence(text)
    except MoneyError as error:
        return str(error)
    return f"'{text}' is not an amount of money in pounds"


def parse_money(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(Int64 pence with <NA> for blank or bad, message per bad cell). The rule of
    `forecasting.engine.money.pounds_to_pence`, a column at a time: £1,234.56, -45, at most 2
    decimal places and £1bn either way; no '+', brackets or exponents."""
    text = values.str.strip()
    parts = text.str.replace(_SPACES, "", regex=True).str.extract(MONEY_PATTERN)
    whole = parts["pounds"].fillna("").str.replace(",", "", regex=False)
    pence_digits = parts["pence"].fillna("")
    negative = (parts["sign"] == "-") | (parts["sign2"] == "-")
    shaped = (
        parts["sign"].notna()
        & ((whole != "") | (pence_digits != ""))
        & ~((parts["sign"] == "-") & (parts["sign2"] == "-"))
        & (pence_digits.str.len() <= 2)
        & (whole.str.lstrip("0").str.len() <= MAX_POUND_DIGITS)
    )
    pounds = pd.to_numeric(whole.where(shaped & (whole != ""), "0")).astype("int64")
    pence_part = pd.to_numeric(pence_digits.where(shaped, "").str.ljust(2, "0")).astype("int64")
    amount = pounds * 100 + pence_part
    amount = amount.where(~negative, -amount)
    ok = shaped & (amount.abs() <= MAX_AMOUNT_PENCE) & (text != "")
    result = amount.astype("Int64").where(ok, pd.NA)
    message = pd.Series(np.nan, index=values.index, dtype=object)
    bad = ~ok & (text != "")
    if bad.any():
        message[bad] = text[bad].map(_money_message)
    return result, message


def parse_bools(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(bool with False for blank, message per bad cell)."""
    text = values.str.strip().str.lower()
    true = text.isin(TRUE_WORDS)
    bad = ~true & ~text.isin(FALSE_WORDS) & (text != "")
    message = pd.Series(np.nan, index=values.index, dtype=object)
    message[bad] = "'" + values.str.strip()[bad] + "' is not yes or no; write Y/N, yes/no, true/false or 1/0"
    return true, message


def uk(dates: pd.Series) -> pd.Series:
    """31/07/2019, '' for NaT: dates in messages as users write them."""
    return dates.dt.strftime("%d/%m/%Y").fillna("")


def age_on(dob: pd.Series, day: pd.Series) -> pd.Series:
    """Whole years of age on `day` (both datetime64); NaN where either is missing."""
    years = day.dt.year - dob.dt.year
    before_birthday = (day.dt.month < dob.dt.month) | ((day.dt.month == dob.dt.month) & (day.dt.day < dob.dt.day))
    return years - before_birthday.astype("int64")
