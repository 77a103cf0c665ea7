"""The default weekly cost of a new placement of a type (FORECAST.md, Placements: unit_cost_new)."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd

from forecasting.engine.money import round_pence_array
from forecasting.engine.placements.days import day_number
from forecasting.engine.placements.register import RegisterRows, read_register


def default_unit_cost_of_type(rows: RegisterRows, type_position: int, as_at: date) -> tuple[int, str]:
    """Default unit_cost_new (pence per week) and where it came from.

    FORECAST.md: the average NET weekly cost of rows of the type that started in the 12 months
    before the as-at date (start in (as_at − 1 year, as_at]); if none, of rows of the type active
    on the as-at date. The average is a simple mean per row: each row is one price agreed for a
    placement, and a new placement is bought at such a price whatever its eventual length
    (a child-weeks weighting would let the few oldest, longest placements set the price of new
    ones). Rounded half up to whole pence per week, so the rate shown is the rate used.
    """
    of_type = rows.type_index == type_position
    net_weekly = rows.net_weekly
    as_at_day = day_number(as_at)
    year_before = _year_before(as_at)
    recent = of_type & (rows.start > year_before) & (rows.start <= as_at_day) & (rows.end > rows.start)
    if recent.any():
        return int(round_pence_array(net_weekly[recent].mean())), "started_last_12_months"
    active = of_type & (rows.start <= as_at_day) & (as_at_day < rows.end)
    if active.any():
        return int(round_pence_array(net_weekly[active].mean())), "active_on_as_at_date"
    return 0, "none"


@functools.lru_cache(maxsize=64)
def _year_before(as_at: date) -> int:
    """The day number a year before `as_at` (asked once per type and projection)."""
    return day_number((pd.Timestamp(as_at) - pd.DateOffset(years=1)).date())


def default_unit_cost_new(register: pd.DataFrame, types: pd.DataFrame, *, placement_type: str, as_at: date) -> int:
    """Default cost of a new placement of a type, pence per week (see `default_unit_cost_of_type`);
    0 when the register holds no usable row of that type."""
    rows = read_register(register, types, [placement_type])
    return default_unit_cost_of_type(rows, rows.type_codes.index(placement_type), as_at)[0]
