"""Placement register arithmetic: days, numbers, costs and the placement projection
(FORECAST.md, Placements).

Conventions used throughout (all from FORECAST.md):

* End dates are EXCLUSIVE (SSDA903 "DEC"): a row from 1 April with end date 8 April lasts 7 days.
* The effective end of a row is the earliest of its end date, planned end date and the child's
  18th birthday (unless the type continues after 18).
* Money is integer pence. A row's cost in a month is `weekly × days / 7`, rounded half up ONCE
  per row and month; every total is a sum of those rounded amounts.

The register frame has one row per placement and weekly rate with the columns `placement_ref`,
`child_ref`, `child_dob`, `placement_type`, `start_date`, `end_date`, `planned_end_date`,
`weekly_cost`, `health_contribution`, `education_contribution` (pence per week), `uasc`,
`line_code`. The types frame has `code` and `continues_after_18`.

Where things are:

* `days`: day numbers, days active in each month, effective end, 18th birthday;
* `register`: the register read once into arrays, entries and exits, each row's cost per month;
* `kpis`: monthly and yearly KPIs by type, high-cost placements;
* `history`: numbers on given dates and the month-end history the demand methods learn from;
* `unit_cost`: the default weekly cost of a new placement;
* `memo`: the register read once for every projection of a run;
* `projection`: `project_placements`, in steps `committed` → `projected_change` → `outputs`.

Every public name is importable from `forecasting.engine.placements` itself.
"""

from __future__ import annotations

from forecasting.engine.placements.days import days_active_matrix, effective_end, eighteenth_birthday
from forecasting.engine.placements.history import (
    MonthEndArrays,
    month_end_arrays,
    month_end_history,
    numbers_on_dates,
    numbers_on_dates_of_rows,
)
from forecasting.engine.placements.kpis import (
    DEFAULT_HIGH_COST_THRESHOLD,
    HIGH_COST_EXCLUDED_TYPES,
    placement_kpis,
    placement_year_summary,
)
from forecasting.engine.placements.memo import RegisterMemo
from forecasting.engine.placements.projection import INTERVALS, PlacementProjection, project_placements
from forecasting.engine.placements.register import RegisterRows, read_register
from forecasting.engine.placements.unit_cost import default_unit_cost_new
from forecasting.engine.scenarios import PlacementAssumption

__all__ = [
    "DEFAULT_HIGH_COST_THRESHOLD",
    "HIGH_COST_EXCLUDED_TYPES",
    "INTERVALS",
    "MonthEndArrays",
    "PlacementAssumption",
    "PlacementProjection",
    "RegisterRows",
    "RegisterMemo",
    "days_active_matrix",
    "default_unit_cost_new",
    "effective_end",
    "eighteenth_birthday",
    "month_end_arrays",
    "month_end_history",
    "numbers_on_dates",
    "numbers_on_dates_of_rows",
    "placement_kpis",
    "placement_year_summary",
    "project_placements",
    "read_register",
]
