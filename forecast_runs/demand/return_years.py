"""Which collection year each return of SSDA903 files describes, read from its own dates, and
the years a later return can check (for ``replay``)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from placements.ssda903 import Ssda903Files, parse_dates
from placements.ssda903.episode_steps import return_numbers
from placements.ssda903.returns import return_order


def episode_years(
    files: Ssda903Files, today: date, decom: pd.Series | None = None, dec: pd.Series | None = None
) -> pd.Series:
    """The collection year (its April's calendar year) of the return each episode row comes
    from, -1 for a return without a single date; aligned with ``files.episodes`` (whose DECOM
    and DEC, parsed, may be given)."""
    ep = files.episodes
    work = pd.DataFrame(
        {
            "_ret": return_numbers(ep),
            "_decom": parse_dates(ep["DECOM"]) if decom is None else decom,
            "_dec": parse_dates(ep["DEC"]) if dec is None else dec,
            "_year_hint": ep["_year_hint"],
            "_src": ep["_src"],
        },
        index=ep.index,
    )
    order = return_order(work, pd.Timestamp(today))
    return work["_ret"].map(order["fy"]).fillna(-1).astype("int64")


def hint_offset(files: Ssda903Files, years: pd.Series) -> int:
    """How the year in the file names (or YEAR) relates to the collection year: 0 when it names
    the year's start (2017 for 2017/18), 1 when it names its end."""
    hint = files.episodes["_year_hint"]
    known = hint.notna() & (years >= 0)
    if not known.any():
        return 0
    return int((years[known] - hint[known].astype("int64")).mode().iloc[0])


def settled_until(as_at: date) -> date:
    """The end of the latest collection year that a later return known on ``as_at`` can check:
    the year before the one ``as_at`` falls in. On 31 March the year just ended is complete, but
    no later return exists yet to say whether its open episodes go on."""
    return date(collection_year(as_at), 3, 31)


def collection_year(day: date) -> int:
    """The collection year (its April's calendar year) a day falls in."""
    return day.year - (1 if day.month < 4 else 0)
