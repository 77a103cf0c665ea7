"""Dates in SSDA903 returns: UK or ISO text, collection (financial) years, dates as text."""

from __future__ import annotations

import re

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
    years: pd.Series = dates.dt.year - (dates.dt.month < 4).astype("int64")
    return years


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
