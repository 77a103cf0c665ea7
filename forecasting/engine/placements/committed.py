"""What the register's rows already commit in the year, by type and month: the first step of the
placement projection (FORECAST.md, Placements: committed cost, fee uplift).

Months ≤ p are actuals at the register's cost; months after p are the committed cost, with the
scenario's fee uplift on gross weekly costs (contributions are never uplifted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements.days import OPEN_END, active_on, day_number, days_in_months, month_grid
from forecasting.engine.placements.register import RegisterRows, row_money, sum_by_group
from forecasting.engine.scenarios import PlacementAssumption

IntArray = npt.NDArray[np.int64]
DayArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class YearMonths:
    """The 12 months of the year as day numbers; `future` marks the months after the as-at period."""

    starts: DayArray
    ends: DayArray  # exclusive: the first day of the next month
    labels: list[str]  # YYYY-MM
    days: IntArray  # days in each month
    future: BoolArray


@dataclass(frozen=True, eq=False)
class FeeUplift:
    """Per type: the uplift as a fraction (3.1% → 0.031), its first day and its days in each month."""

    fraction: FloatArray
    from_day: DayArray
    days: IntArray  # types × months: days on or after `from_day`


@dataclass(frozen=True, eq=False)
class Committed:
    """What the register's rows commit (by effective end): actuals for months ≤ p, committed
    cost with the fee uplift after. Money in pence, each row and month rounded once."""

    days: IntArray  # rows × months: days active
    row_net: IntArray  # rows × months
    gross: IntArray  # types × months
    contributions: IntArray  # types × months
    net: IntArray  # types × months
    average: FloatArray  # types × months: C, child-days / days in the month
    month_end: FloatArray  # types × months: rows active on the month's last day


def year_months(year: FinancialYear, as_at_period: int) -> YearMonths:
    """Periods 1..12 of `year`; those after `as_at_period` are forecast."""
    starts, ends, labels = month_grid(year.start, year.end)
    return YearMonths(
        starts=starts,
        ends=ends,
        labels=labels,
        days=(ends - starts).astype(np.int64),
        future=np.arange(1, 13) > as_at_period,
    )


def assumption_for(assumptions: Mapping[str, PlacementAssumption], code: str) -> PlacementAssumption:
    """The type's own assumption, else the one for every type ("*"), else commitments."""
    return assumptions.get(code, assumptions.get("*", PlacementAssumption()))


def fee_uplift(
    codes: list[str], assumptions: Mapping[str, PlacementAssumption], year: FinancialYear, months: YearMonths
) -> FeeUplift:
    """Per type: the uplift fraction, its start day (1 April unless dated) and its days per month."""
    fractions = np.zeros(len(codes), dtype=np.float64)
    starts = np.full(len(codes), day_number(year.start), dtype=np.int32)
    for k, code in enumerate(codes):
        a = assumption_for(assumptions, code)
        if a.fee_uplift_pct:
            fractions[k] = float(a.fee_uplift_pct) / 100.0
            if a.fee_uplift_from is not None:
                starts[k] = day_number(a.fee_uplift_from)
    no_end = np.full(len(codes), OPEN_END, dtype=np.int32)
    days = days_in_months(starts, no_end, months.starts, months.ends)
    return FeeUplift(fraction=fractions, from_day=starts, days=days)


def committed_cost(rows: RegisterRows, months: YearMonths, uplift: FeeUplift) -> Committed:
    """The register's cost and numbers by type and month: actual months at the register's cost,
    future months with the fee uplift (the committed cost)."""
    g, n_types = rows.type_index, len(rows.type_codes)
    days = days_in_months(rows.start, rows.end, months.starts, months.ends)
    actual_money = row_money(rows, days)
    if uplift.fraction.any():
        uplift_from_rows = uplift.from_day[g] if len(rows) else np.zeros(0, dtype=np.int32)
        days_uplifted = days_in_months(np.maximum(rows.start, uplift_from_rows), rows.end, months.starts, months.ends)
        future_money = row_money(rows, days, uplift.fraction[g], days_uplifted)
    else:
        future_money = actual_money

    def pick(name: str) -> IntArray:
        """Actual months: the register's cost; future months: the committed (uplifted) cost."""
        chosen: IntArray = np.where(months.future[None, :], getattr(future_money, name), getattr(actual_money, name))
        return chosen

    row_net = pick("net")
    child_days = sum_by_group(g, n_types, days).astype(np.float64)
    month_end_active = active_on(rows.start, rows.end, months.ends - 1).astype(np.int64)
    return Committed(
        days=days,
        row_net=row_net,
        gross=sum_by_group(g, n_types, pick("gross")),
        contributions=sum_by_group(g, n_types, pick("contributions")),
        net=sum_by_group(g, n_types, row_net),
        average=child_days / months.days[None, :],
        month_end=sum_by_group(g, n_types, month_end_active).astype(np.float64),
    )
