"""What each worker row costs in each month: permanent at annual cost / 12 by days employed,
agency at the weekly rate by days engaged and the billable factor (FORECAST.md, Workforce).

One worker row's cost in one month is rounded to the penny, half up, once (FORECAST.md, Money);
team totals are sums of those rounded amounts.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..calendar import FinancialYear
from ..money import round_pence_array
from .workers import IntArray, WorkerRows, day_number, month_bounds, overlap_days, read_workers


def worker_month_days(rows: WorkerRows, year: FinancialYear) -> IntArray:
    """Days employed / engaged in each period 1..12 (rows × 12). End date inclusive."""
    return overlap_days(rows.start, rows.end_exclusive, month_bounds(year))


def days_in_months(year: FinancialYear) -> IntArray:
    return np.diff(month_bounds(year))


def permanent_month_cost(rows: WorkerRows, days: IntArray, days_in_month: IntArray) -> IntArray:
    """Permanent cost in month t, pence (FORECAST.md, Workforce).

    annual cost / 12 × days employed in t / days in t, rounded once per row and month. An
    absence does not stop it. Agency rows are zero here.
    """
    raw = rows.annual_cost[:, None] / 12.0 * days / days_in_month[None, :]
    raw = np.where(rows.is_agency[:, None], 0.0, raw)
    return round_pence_array(raw)


def agency_month_cost(rows: WorkerRows, days: IntArray, billable_factor: float) -> IntArray:
    """Agency cost in month t, pence: weekly rate × days engaged in t / 7 × billable factor.

    Rounded once per row and month (FORECAST.md, Workforce). Permanent rows are zero here.
    """
    raw = rows.weekly_rate[:, None] * days / 7.0 * float(billable_factor)
    raw = np.where(rows.is_agency[:, None], raw, 0.0)
    return round_pence_array(raw)


def worker_costs(workers: pd.DataFrame, year: FinancialYear, *, billable_factor: float = 1.0) -> pd.DataFrame:
    """Cost of every worker row in every period, pence (long frame).

    Columns: worker_ref, team, worker_type, period (1..12), month (YYYY-MM), days, cost.
    """
    rows = read_workers(workers)
    days = worker_month_days(rows, year)
    cost = permanent_month_cost(rows, days, days_in_months(year)) + agency_month_cost(rows, days, billable_factor)
    n = len(rows)
    refs = workers["worker_ref"].to_numpy(dtype=object) if "worker_ref" in workers else np.arange(n)
    return pd.DataFrame(
        {
            "worker_ref": np.repeat(refs, 12),
            "team": np.repeat(rows.team, 12),
            "worker_type": np.repeat(np.where(rows.is_agency, "agency", "permanent"), 12),
            "period": np.tile(np.arange(1, 13), n),
            "month": np.tile([year.month_label(p) for p in range(1, 13)], n),
            "days": days.reshape(-1),
            "cost": cost.reshape(-1).astype(np.int64),
        }
    )


def committed_cost_by_month(
    workers: pd.DataFrame,
    year: FinancialYear,
    on: date,
    *,
    billable_factor: float = 1.0,
) -> pd.DataFrame:
    """Cost committed from the day after `on` to the year end, per team and period, pence.

    Every worker row's cost in the days after `on` (end dates inclusive; agency rows to their
    expected end or the year end), rounded once per row and month. Columns: team, period, month,
    permanent_cost, agency_cost, total_cost; only periods with days after `on`.
    """
    rows = read_workers(workers)
    bounds = month_bounds(year)
    start = np.maximum(rows.start, day_number(on + timedelta(days=1)))
    days = overlap_days(start, rows.end_exclusive, bounds)
    dim = np.diff(bounds)
    perm = permanent_month_cost(rows, days, dim)
    agency = agency_month_cost(rows, days, billable_factor)
    first = int(np.searchsorted(bounds, day_number(on + timedelta(days=1)), side="right"))
    periods = list(range(max(first, 1), 13))
    frame = pd.DataFrame(
        {
            "team": np.repeat(rows.team, 12),
            "period": np.tile(np.arange(1, 13), len(rows)),
            "permanent_cost": perm.reshape(-1),
            "agency_cost": agency.reshape(-1),
        }
    )
    out = frame[frame["period"].isin(periods)].groupby(["team", "period"], as_index=False).sum()
    out["month"] = [year.month_label(int(t)) for t in out["period"]]
    out["total_cost"] = out["permanent_cost"] + out["agency_cost"]
    return out[["team", "period", "month", "permanent_cost", "agency_cost", "total_cost"]].reset_index(drop=True)
