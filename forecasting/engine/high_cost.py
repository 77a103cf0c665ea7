"""High-cost placements month by month (FORECAST.md, High-cost placements).

A high-cost placement is a register row whose gross weekly cost is above the threshold (£4,100 a
week, Nottingham City's KPI), leaving out secure placements and unaccompanied asylum-seeking
children, whose costs are set (and largely met) elsewhere. The threshold and the excluded types
are the engine's placement vocabulary (`forecasting.engine.placements`); they are named here too
so that callers outside the engine ask this module for the rule and never write their own.

Units: money in integer pence, weekly costs in pence a week, numbers of children as floats.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements import (
    DEFAULT_HIGH_COST_THRESHOLD,
    HIGH_COST_EXCLUDED_TYPES,
    effective_end,
    placement_kpis,
)

__all__ = [
    "DEFAULT_HIGH_COST_THRESHOLD",
    "HIGH_COST_COLUMNS",
    "HIGH_COST_EXCLUDED_TYPES",
    "high_cost_by_month",
    "high_cost_mask",
]

HIGH_COST_COLUMNS = ("period", "month", "number", "gross_cost", "average_weekly_cost")


def high_cost_mask(
    register: pd.DataFrame,
    *,
    threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    excluded_types: Sequence[str] = HIGH_COST_EXCLUDED_TYPES,
) -> pd.Series:
    """Register rows above `threshold` pence a week (strictly above: a row at exactly £4,100 is
    not high-cost), excluding `excluded_types` and UASC rows."""
    mask: pd.Series = (
        (register["weekly_cost"] > threshold)
        & ~register["uasc"].astype(bool)
        & ~register["placement_type"].isin(list(excluded_types))
    )
    return mask


def high_cost_by_month(
    register: pd.DataFrame,
    types: pd.DataFrame,
    year: FinancialYear,
    *,
    through_period: int,
    threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    excluded_types: Sequence[str] = HIGH_COST_EXCLUDED_TYPES,
) -> pd.DataFrame:
    """High-cost placements for periods 1..`through_period` of `year` (actuals only).

    Columns: period; month (YYYY-MM); number (float, high-cost rows active on the last day of
    the month); gross_cost (int pence, their gross cost in the month, each row and month rounded
    once, from `placement_kpis`); average_weekly_cost (int pence a week: the plain mean of the
    weekly costs of the rows counted in `number`, rounded to the penny with Python's round;
    missing (NaN in the frame) when there are none).

    `register` and `types` are the engine's register and types frames; rows are active on a day
    when they have started by it and their effective (exclusive) end is after it.
    """
    if through_period < 1:
        return pd.DataFrame(columns=list(HIGH_COST_COLUMNS))
    kpis = placement_kpis(
        register,
        types,
        months_from=year.start,
        months_to=year.month_end(through_period),
        high_cost_threshold=threshold,
        high_cost_excluded_types=excluded_types,
    )
    by_month = kpis.groupby("month")[["high_cost_number", "high_cost_cost"]].sum()
    ends = effective_end(register, types)
    high = high_cost_mask(register, threshold=threshold, excluded_types=excluded_types)
    rows = []
    for period in range(1, through_period + 1):
        day = pd.Timestamp(year.month_end(period))
        active = high & (register["start_date"] <= day) & (ends.isna() | (ends > day))
        rates = register.loc[active, "weekly_cost"]
        label = year.month_label(period)
        found = label in by_month.index
        rows.append(
            {
                "period": period,
                "month": label,
                "number": float(by_month.loc[label, "high_cost_number"]) if found else 0.0,
                "gross_cost": int(by_month.loc[label, "high_cost_cost"]) if found else 0,
                "average_weekly_cost": int(round(float(rates.mean()))) if len(rates) else None,
            }
        )
    return pd.DataFrame(rows, columns=list(HIGH_COST_COLUMNS))
