"""The placement projection of one scenario (FORECAST.md, Placements).

`project_placements` runs four steps, each in its own module:
  1. committed: the year's months, each type's fee uplift and what the register's rows already
     commit (actuals for months ≤ p, committed cost after);
  2. history: month-end numbers, entries and exits up to the as-at date;
  3. projected_change: per type, N̂ from the demand method and (N̂ − C) × unit_cost_new;
  4. outputs: the frames by type and month, by type and by budget line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements.committed import committed_cost, fee_uplift, year_months
from forecasting.engine.placements.kpis import DEFAULT_HIGH_COST_THRESHOLD
from forecasting.engine.placements.memo import RegisterMemo
from forecasting.engine.placements.outputs import (
    by_line_frame,
    by_type_month_frame,
    lines_of_types,
    projected_change_by_type_frame,
)
from forecasting.engine.placements.projected_change import project_demand
from forecasting.engine.scenarios import ChosenDemand, PlacementAssumption

INTERVALS = ("middle", "p10", "p90")


@dataclass(frozen=True, eq=False)
class PlacementProjection:
    """The placements part of a forecast run for one scenario (see `project_placements`)."""

    by_type_month: pd.DataFrame
    by_line: pd.DataFrame
    projected_change_by_type: pd.DataFrame
    models_used: pd.DataFrame


def project_placements(
    register: pd.DataFrame,
    types: pd.DataFrame,
    year: FinancialYear,
    as_at_period: int,
    assumptions: Mapping[str, PlacementAssumption],
    *,
    interval: str = "middle",
    chosen: ChosenDemand | None = None,
    high_cost_threshold: int = DEFAULT_HIGH_COST_THRESHOLD,
    type_lines: Mapping[str, str] | None = None,
    history_from: date | None = None,
    memo: RegisterMemo | None = None,
) -> PlacementProjection:
    """Project placement numbers and costs for the year as at period p (FORECAST.md, Placements).

    * Months 1..p are actuals from the register (effective end, no scenario uplift).
    * Committed cost, months p+1..12: every row's net cost by effective end, including rows
      that start after the as-at date (known future placements), with the fee uplift.
    * Projected change for type k, month t > p: (N̂ − C) × unit_cost_new × days in t / 7,
      rounded once per type and month; N̂ = C gives exactly the committed cost.
    * N̂ from the scenario's demand method (`assumptions[k].demand_method`; types not named use
      commitments): commitments N̂ = C; otherwise N̂(t) = (M_{t−1} + M_t)/2 from projected
      month-end numbers with M_p the actual number on the as-at date (31 March for p = 0).
    * `interval` picks the path that drives N̂: "middle", "p10" (best) or "p90" (worst), for
      every type whose method has an interval and whose assumption is not `own_path`.
    * Intervals (FORECAST.md, Accuracy): the p10 and p90 paths are the middle path times the
      ratios `chosen` holds for the type's method, calibrated from the authority's back-test;
      without them the statistical model's own band, and no interval for other methods.
    * `auto`: the method `chosen` names for the type (no change without it).
    * Fee uplift: gross weekly costs (committed and new) × (1 + pct/100) for days on or after
      `fee_uplift_from` (1 April of the year when no date is given); contributions not uplifted.
    * `type_lines` maps a type to the budget line that receives its projected change (default:
      the line most of the type's rows use).

    `high_cost_threshold` is accepted for the caller's convenience (the KPIs use it); it does
    not change any projected figure. Money is pence (int64); numbers are children.
    `memo`: the same register already read by an earlier projection of the run (`RegisterMemo`
    of `register` and `types`); without it the register is read here.
    """
    del high_cost_threshold  # the projection itself has no high-cost figure
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, not {interval!r}")
    if memo is None or memo.register is not register or memo.types is not types:
        memo = RegisterMemo(register, types)
    rows = memo.rows([k for k in assumptions if k != "*"])
    months = year_months(year, as_at_period)
    uplift = fee_uplift(rows.type_codes, assumptions, year, months)
    committed = committed_cost(rows, months, uplift)
    as_at = year.as_at_date(as_at_period)
    history = memo.history(up_to=as_at, from_date=history_from)
    projected = project_demand(
        rows,
        months,
        uplift,
        committed,
        history,
        assumptions,
        as_at=as_at,
        as_at_period=as_at_period,
        interval=interval,
        chosen=chosen,
    )
    line_of_type = lines_of_types(rows, type_lines)
    return PlacementProjection(
        by_type_month=by_type_month_frame(rows.type_codes, months, committed, projected),
        by_line=by_line_frame(rows, months, committed, projected, line_of_type),
        projected_change_by_type=projected_change_by_type_frame(rows.type_codes, line_of_type, projected),
        models_used=pd.DataFrame(projected.models_used),
    )
