"""Dates in SSDA903 returns: UK or ISO text, collection (financial) years, dates as text."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from placements.ssda903.uniques import on_uniques

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?$")


def parse_dates(values: pd.Series) -> pd.Series:
    """Parse UK (31/07/2019) or ISO (2019-07-31, optionally with a midnight time) dates; anything
    else, and impossible dates such as 31/02/2019, becomes NaT. Vectorised, and each distinct
    text parsed once."""
    # Text as read needs no conversion to text (a pass over every value to check it is).
    plain = values.dtype == object and infer_dtype(values, skipna=False) == "string"
    text = values if plain else values.astype(str)
    return on_uniques(text, _parse_text)


def _parse_text(text: pd.Series) -> pd.Series:
    # Most dates are written 31/07/2019: those are read from their digits; pandas parses the rest.
    quick = _uk_digits(text.to_numpy())
    rest = np.isnat(quick)
    if not rest.any():
        return pd.Series(quick, index=text.index)
    out = quick.copy()
    out[rest] = _parsed(text[rest]).to_numpy()
    return pd.Series(out, index=text.index)


_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _uk_digits(text: np.ndarray) -> np.ndarray:
    """The dates written exactly DD/MM/YYYY (a real day, a year pandas can hold in
    nanoseconds), NaT for every other text (which ``_parsed`` reads)."""
    out = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    at = np.flatnonzero(np.fromiter(map(len, text), dtype=np.int64, count=len(text)) == 10)
    try:
        raw = text[at].astype("S10")
    except UnicodeError:  # not ASCII: none of them is such a date
        return out
    cells = raw.view(np.uint8).reshape(-1, 10).astype(np.int64) - ord("0")
    digit = (cells >= 0) & (cells <= 9)
    slash = cells == ord("/") - ord("0")
    shaped = digit[:, [0, 1, 3, 4, 6, 7, 8, 9]].all(axis=1) & slash[:, 2] & slash[:, 5]
    day = cells[:, 0] * 10 + cells[:, 1]
    month = cells[:, 3] * 10 + cells[:, 4]
    year = cells[:, 6] * 1000 + cells[:, 7] * 100 + cells[:, 8] * 10 + cells[:, 9]
    ok = shaped & (month >= 1) & (month <= 12) & (year >= 1678) & (year <= 2261)
    month_days = _MONTH_DAYS[np.where(ok, month - 1, 0)]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = month_days + ((month == 2) & leap)
    ok &= (day >= 1) & (day <= month_days)
    at, year, month, day = at[ok], year[ok], month[ok], day[ok]
    months = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    out[at] = (months.astype("datetime64[D]") + (day - 1)).astype("datetime64[ns]")
    return out


def _parsed(text: pd.Series) -> pd.Series:
    """UK or ISO dates by pandas' parsers."""
    out = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    out = out.where(text.str.len().between(8, 10))  # 4-digit years only
    rest = out.isna() & (text != "")
    if rest.any():
        candidates = text[rest]
        iso = candidates[candidates.str.match(_ISO)]
        if len(iso):
            out[iso.index] = pd.to_datetime(iso.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return out.astype("datetime64[ns]")


def yyyymmdd(dates: pd.Series) -> pd.Series:
    """Dates as 20190731 text (placement references)."""
    return on_uniques(dates, _yyyymmdd_text)


def _yyyymmdd_text(dates: pd.Series) -> pd.Series:
    number: pd.Series = dates.dt.year * 10000 + dates.dt.month * 100 + dates.dt.day
    return number.astype("int64").astype(str)


def financial_year_start(dates: pd.Series) -> pd.Series:
    """Calendar year in which the financial (collection) year of each date starts: April-March."""
    values = dates.to_numpy()
    if values.dtype == np.dtype("datetime64[ns]") and not np.isnat(values).any():
        return pd.Series(financial_year_of(values), index=dates.index, name=dates.name, dtype="int64")
    years: pd.Series = dates.dt.year - (dates.dt.month < 4).astype("int64")
    return years


def financial_year_of(values: np.ndarray) -> np.ndarray:
    """``financial_year_start`` of an array of dates with no NaT, from the month number (a few
    times quicker than pandas' date fields)."""
    months = values.astype("datetime64[M]").astype(np.int64)
    start: np.ndarray = months // 12 + 1970 - (months % 12 < 3)
    return start


def uk_dates(dates: pd.Series) -> pd.Series:
    """Dates as 31/07/2019 text, as the councils write them; '' for NaT."""
    return on_uniques(dates, _uk_text)


def _uk_text(dates: pd.Series) -> pd.Series:
    text: pd.Series = dates.dt.strftime("%d/%m/%Y")
    return text.fillna("")


def fy_label(years: pd.Series) -> pd.Series:
    """Collection-year starts as 2019/20 labels."""
    years = years.astype("int64")
    return years.astype(str) + "/" + ((years + 1) % 100).astype(str).str.zfill(2)
