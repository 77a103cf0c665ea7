"""Social work staffing: worker costs, the agency trajectory and workforce KPIs.

Implements FORECAST.md, Workforce. Units: money in integer pence, weekly rates in pence per
week, FTE as floats, dates as days. Decisions where FORECAST.md is silent are written down in
docs/engine/workforce-and-lines.md.

Frames (columns):

- workers: worker_ref, team, post_ref, worker_type (`permanent`|`agency`), fte, start_date,
  end_date (INCLUSIVE last day; NaT = no end), annual_cost (pence a year at the worker's FTE,
  permanent), weekly_rate (pence a week at the worker's FTE, agency), agency_reason, absence
  (None or maternity / long_term_sickness / suspension), caseload, asye.
- posts: post_ref, team, fte (budgeted FTE), annual_cost (budgeted pence a year).
- teams (KPIs only): team, team_name, hard_to_retain, manageable_caseload.

Rounding: one worker row's cost in one month is rounded to the penny, half up, once
(FORECAST.md, Money); team totals are sums of those rounded amounts. The agency trajectory's
projected change is rounded once per team and month.

Where things are:

- `workers`: the workers frame read once into arrays, dates as day numbers;
- `costs`: each worker row's cost per month, worker costs and committed cost from a date;
- `trajectory`: agency FTE targets by team, the straight line, the agency rate per FTE;
- `forecast`: `prepare_workforce` (once per run) and `forecast_workforce` (per scenario);
- `kpis`: workforce KPIs on a date and agency workers by reason.

Every public name is importable from `forecasting.engine.workforce` itself.
"""

from __future__ import annotations

from .costs import (
    agency_month_cost,
    committed_cost_by_month,
    permanent_month_cost,
    worker_costs,
    worker_month_days,
)
from .forecast import (
    WORKFORCE_MONTH_COLUMNS,
    WorkforceBase,
    WorkforceForecast,
    forecast_workforce,
    prepare_workforce,
)
from .kpis import agency_by_reason, workforce_kpis
from .trajectory import agency_rate_per_fte, straight_line_month_ends, team_agency_targets
from .workers import (
    ABSENCES,
    AGENCY_REASONS,
    WorkerRows,
    WorkforceError,
    day_number,
    day_numbers,
    month_bounds,
    overlap_days,
    read_workers,
)

__all__ = [
    "ABSENCES",
    "AGENCY_REASONS",
    "WORKFORCE_MONTH_COLUMNS",
    "WorkerRows",
    "WorkforceBase",
    "WorkforceError",
    "WorkforceForecast",
    "agency_by_reason",
    "agency_month_cost",
    "agency_rate_per_fte",
    "committed_cost_by_month",
    "day_number",
    "day_numbers",
    "forecast_workforce",
    "month_bounds",
    "overlap_days",
    "permanent_month_cost",
    "prepare_workforce",
    "read_workers",
    "straight_line_month_ends",
    "team_agency_targets",
    "worker_costs",
    "worker_month_days",
    "workforce_kpis",
]
