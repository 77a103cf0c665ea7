"""Numbers in placement on given dates and the month-end history the demand methods learn from
(FORECAST.md, Placements: "number in placement on a date D", entries and exits)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from forecasting.engine.placements.days import date_of, day_number, month_grid
from forecasting.engine.placements.register import (
    IntArray,
    RegisterRows,
    count_active_by_group,
    count_by_group_and_month,
    read_register,
)


def numbers_on_dates(register: pd.DataFrame, types: pd.DataFrame, dates: Sequence[date]) -> pd.DataFrame:
    """Number in placement on each date by type: rows with start ≤ D < effective end
    (FORECAST.md). Index: placement_type (every type); columns: the dates."""
    rows = read_register(register, types)
    counts = numbers_on_dates_of_rows(rows, dates)
    return pd.DataFrame(counts, index=pd.Index(rows.type_codes, name="placement_type"), columns=list(dates))


def numbers_on_dates_of_rows(rows: RegisterRows, dates: Sequence[date]) -> IntArray:
    """`numbers_on_dates` of a register already read, as a (types × dates) array."""
    day_numbers = np.asarray([day_number(d) for d in dates], dtype=np.int32)
    return count_active_by_group(rows.type_index, len(rows.type_codes), rows.start, rows.end, day_numbers)


def month_end_history(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    up_to: date,
    from_date: date | None = None,
) -> pd.DataFrame:
    """Month-end numbers, entries and exits by type for every month from the month of the
    first start in the register (or of `from_date`) to the month of `up_to`.

    Columns: placement_type, month (YYYY-MM), count_date (the last day of the month, or `up_to`
    itself in the final month), month_end_number (rows active on count_date, by effective end),
    entries (placements beginning in the month), exits (placements whose effective end falls
    in the month; a rate change is neither), so month_end_number(t) = month_end_number(t−1) +
    entries(t) − exits(t) for complete months. Every type appears. Input for the trend,
    statistical and flow methods.
    """
    return month_end_history_of_rows(read_register(register, types), up_to=up_to, from_date=from_date)


def month_end_history_of_rows(rows: RegisterRows, *, up_to: date, from_date: date | None = None) -> pd.DataFrame:
    """`month_end_history` of a register already read (`read_register(register, types)`)."""
    grid = month_end_arrays(rows, up_to=up_to, from_date=from_date)
    n_types = len(rows.type_codes)
    frame = pd.DataFrame(
        {
            "placement_type": np.repeat(rows.type_codes, len(grid.months)),
            "month": grid.months * n_types,
            "count_date": grid.count_dates * n_types,
            "month_end_number": grid.numbers.ravel(),
            "entries": grid.entries.ravel(),
            "exits": grid.exits.ravel(),
        }
    )
    return frame


@dataclass(frozen=True, eq=False)
class MonthEndArrays:
    """`month_end_history` as (types × months) arrays, types in `rows.type_codes` order."""

    months: list[str]  # YYYY-MM
    count_dates: list[date]  # the last day of each month, or `up_to` itself in the final month
    numbers: IntArray
    entries: IntArray
    exits: IntArray


def month_end_arrays(rows: RegisterRows, *, up_to: date, from_date: date | None = None) -> MonthEndArrays:
    """The numbers of `month_end_history_of_rows` without building its long frame: the demand
    replay reads them for dozens of dates."""
    if from_date is None:
        from_date = date_of(int(rows.start.min())) if len(rows) else up_to
    if from_date > up_to:
        from_date = up_to
    m_starts, m_ends, labels = month_grid(from_date, up_to)
    count_days = np.minimum(m_ends - 1, np.int32(day_number(up_to))).astype(np.int32)
    # entries and exits stop at up_to: nothing after it is known yet
    m_ends_known = m_ends.copy()
    m_ends_known[-1] = count_days[-1] + 1
    n_types = len(rows.type_codes)
    g = rows.type_index
    return MonthEndArrays(
        months=labels,
        count_dates=[date_of(int(d)) for d in count_days],
        numbers=count_active_by_group(g, n_types, rows.start, rows.end, count_days),
        entries=count_by_group_and_month(g, n_types, rows.start, m_starts, m_ends_known, rows.is_entry),
        exits=count_by_group_and_month(g, n_types, rows.end, m_starts, m_ends_known, rows.is_exit),
    )
