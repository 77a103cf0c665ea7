"""One scenario's workforce forecast per team and month: committed cost of the worker rows plus
the agency trajectory's projected change (FORECAST.md, Workforce)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..calendar import FinancialYear
from ..money import round_pence_array
from .costs import agency_month_cost, days_in_months, permanent_month_cost, worker_month_days
from .trajectory import agency_rate_per_fte, straight_line_month_ends, team_agency_targets
from .workers import BoolArray, FloatArray, IntArray, WorkerRows, WorkforceError, month_bounds, read_workers

WORKFORCE_MONTH_COLUMNS = (
    "team",
    "period",
    "month",
    "permanent_fte",
    "agency_fte",
    "vacancies",
    "permanent_cost",
    "agency_cost",
    "total_cost",
)


@dataclass(frozen=True, eq=False)
class WorkforceBase:
    """What does not depend on the scenario, computed once per run."""

    year: FinancialYear
    as_at_period: int
    teams: list[str]
    rows: WorkerRows
    team_index: IntArray  # row -> index into teams
    days: IntArray  # rows × 12, days engaged
    days_in_month: IntArray  # 12
    month_end_active: BoolArray  # rows × 12, engaged on the last day of each period
    permanent_cost: IntArray  # rows × 12, pence, rounded per row and month
    budgeted_fte: FloatArray  # per team


@dataclass(frozen=True, eq=False)
class WorkforceForecast:
    """One scenario's workforce forecast.

    by_team_month: team, period, month, permanent_fte, agency_fte, vacancies, permanent_cost,
    agency_cost, total_cost (pence; months ≤ p costed from the worker rows, months > p are
    committed cost plus the trajectory's projected change).
    by_team: team, committed_remaining, projected_change (pence, months p+1..12).
    """

    by_team_month: pd.DataFrame
    by_team: pd.DataFrame


def prepare_workforce(
    workers: pd.DataFrame,
    posts: pd.DataFrame,
    year: FinancialYear,
    as_at_period: int,
    *,
    teams: list[str] | None = None,
) -> WorkforceBase:
    """Read workers and posts once: days engaged, month-end status, permanent costs."""
    rows = read_workers(workers)
    post_team = posts["team"].astype(str).to_numpy(dtype=object) if len(posts) else np.array([], dtype=object)
    team_list = sorted(set(rows.team) | set(post_team) | set(teams or []))
    index = {t: i for i, t in enumerate(team_list)}
    team_index = np.array([index[t] for t in rows.team], dtype=np.int64)
    days = worker_month_days(rows, year)
    days_in_month = days_in_months(year)
    month_ends = month_bounds(year)[1:] - 1
    month_end_active = (rows.start[:, None] <= month_ends[None, :]) & (
        month_ends[None, :] < rows.end_exclusive[:, None]
    )
    budgeted = np.zeros(len(team_list))
    if len(posts):
        post_idx = np.array([index[t] for t in post_team], dtype=np.int64)
        np.add.at(budgeted, post_idx, pd.to_numeric(posts["fte"]).fillna(0.0).to_numpy(dtype=np.float64))
    return WorkforceBase(
        year=year,
        as_at_period=as_at_period,
        teams=team_list,
        rows=rows,
        team_index=team_index,
        days=days,
        days_in_month=days_in_month,
        month_end_active=month_end_active,
        permanent_cost=permanent_month_cost(rows, days, days_in_month),
        budgeted_fte=budgeted,
    )


def _by_team_int(base: WorkforceBase, matrix: npt.NDArray[np.generic]) -> IntArray:
    """Sum rows × months into teams × months (pence)."""
    out = np.zeros((len(base.teams), matrix.shape[1]), dtype=np.int64)
    np.add.at(out, base.team_index, matrix.astype(np.int64))
    return out


def _by_team_float(base: WorkforceBase, matrix: npt.NDArray[np.generic]) -> FloatArray:
    """Sum rows × months into teams × months (FTE)."""
    out = np.zeros((len(base.teams), matrix.shape[1]), dtype=np.float64)
    np.add.at(out, base.team_index, matrix.astype(np.float64))
    return out


def forecast_workforce(
    base: WorkforceBase,
    *,
    billable_factor: float,
    agency_targets: Mapping[str | None, float],
    past_billable_factor: float | None = None,
) -> WorkforceForecast:
    """One scenario's workforce forecast (FORECAST.md, Workforce).

    - Committed cost (months p+1..12) = every worker row's cost in those months, agency rows to
      their expected end date or the year end; agency at the scenario's billable factor.
    - Agency trajectory: for a team with a target, month-end agency FTE moves in a straight
      line from the FTE active on the as-at date to the target at the end of March;
      N̂(t) = (M_{t−1} + M_t)/2, C(t) = committed average agency FTE in t (Σ fte × days / days
      in t); projected change = (N̂ − C) × average weekly rate per FTE × days in t / 7 ×
      billable factor, rounded once per team and month.
    - Months ≤ p are costed from the rows at `past_billable_factor` (default: the scenario's),
      so that every scenario can be given the same history.
    """
    future = np.arange(1, 13) > base.as_at_period
    past_factor = billable_factor if past_billable_factor is None else past_billable_factor
    committed = _committed_by_team(base, future, billable_factor, past_factor)
    projected, agency_fte = _agency_trajectory(base, committed, future, agency_targets, billable_factor)
    return _forecast_frames(base, committed, projected, agency_fte, future)


@dataclass(frozen=True, eq=False)
class _TeamMonths:
    """The worker rows summed into teams × months: costs (pence) and FTE."""

    permanent_cost: IntArray
    agency_cost: IntArray  # committed: agency rows to their expected end
    permanent_fte: FloatArray  # engaged at the month end
    agency_fte: FloatArray  # engaged at the month end
    committed_avg_agency: FloatArray  # C(t): Σ fte × days / days in t


def _committed_by_team(
    base: WorkforceBase, future: BoolArray, billable_factor: float, past_factor: float
) -> _TeamMonths:
    """Committed costs and FTE by team; months ≤ p costed at the past billable factor."""
    rows = base.rows
    agency_future = agency_month_cost(rows, base.days, billable_factor)
    agency_past = agency_future if past_factor == billable_factor else agency_month_cost(rows, base.days, past_factor)
    agency_cost_rows = np.where(future[None, :], agency_future, agency_past)
    fte = rows.fte[:, None]
    perm = ~rows.is_agency[:, None]
    return _TeamMonths(
        permanent_cost=_by_team_int(base, base.permanent_cost),
        agency_cost=_by_team_int(base, agency_cost_rows),
        permanent_fte=_by_team_float(base, np.where(perm & base.month_end_active, fte, 0.0)),
        agency_fte=_by_team_float(base, np.where(~perm & base.month_end_active, fte, 0.0)),
        committed_avg_agency=_by_team_float(base, np.where(~perm, fte * base.days / base.days_in_month[None, :], 0.0)),
    )


def _agency_trajectory(
    base: WorkforceBase,
    committed: _TeamMonths,
    future: BoolArray,
    agency_targets: Mapping[str | None, float],
    billable_factor: float,
) -> tuple[IntArray, FloatArray]:
    """Projected change (pence, teams × months) of the teams with an agency target, and the
    month-end agency FTE with their future months on the straight line to the target."""
    year, p = base.year, base.as_at_period
    rows = base.rows
    as_at = year.as_at_date(p)
    active_as_at = rows.active_on(as_at) & rows.is_agency
    as_at_fte = _by_team_float(base, np.where(active_as_at, rows.fte, 0.0)[:, None])[:, 0]
    targets = team_agency_targets(
        agency_targets, {t: float(as_at_fte[i]) for i, t in enumerate(base.teams)}, base.teams
    )
    overall_rate = agency_rate_per_fte(rows, active_as_at)
    projected = np.zeros((len(base.teams), 12), dtype=np.int64)
    agency_fte = committed.agency_fte.copy()
    for i, team in enumerate(base.teams):  # one small loop per team, never per row
        if team not in targets or p >= 12:
            continue
        path = straight_line_month_ends(float(as_at_fte[i]), targets[team], p)
        n_hat = (path[:-1] + path[1:]) / 2.0  # average number in periods 1..12
        change_fte = np.where(future, n_hat - committed.committed_avg_agency[i], 0.0)
        if not np.any(np.abs(change_fte) > 1e-12):
            agency_fte[i, future] = path[1:][future]
            continue
        rate = agency_rate_per_fte(rows, active_as_at & (base.team_index == i))
        if rate is None:
            rate = overall_rate
        if rate is None:
            raise WorkforceError(
                f"team {team} has an agency target but no agency worker is engaged on "
                f"{as_at.isoformat()} to price it; add the agency workers or remove the target"
            )
        projected[i] = round_pence_array(change_fte * rate * base.days_in_month / 7.0 * billable_factor)
        agency_fte[i, future] = path[1:][future]
    return projected, agency_fte


def _forecast_frames(
    base: WorkforceBase, committed: _TeamMonths, projected: IntArray, agency_fte: FloatArray, future: BoolArray
) -> WorkforceForecast:
    """The forecast by team and month and by team (WorkforceForecast's columns)."""
    n_teams = len(base.teams)
    permanent_cost, agency_cost = committed.permanent_cost, committed.agency_cost
    # A post held by someone on leave is filled (Outturn's vacancy rule, as in the DfE statistics):
    # vacancies count empty posts only; absences are cover needed on top.
    vacancies = np.clip(base.budgeted_fte[:, None] - committed.permanent_fte, 0.0, None)
    agency_total = agency_cost + projected
    months = [base.year.month_label(t) for t in range(1, 13)]
    by_team_month = pd.DataFrame(
        {
            "team": np.repeat(np.array(base.teams, dtype=object), 12),
            "period": np.tile(np.arange(1, 13), n_teams),
            "month": np.tile(months, n_teams),
            "permanent_fte": committed.permanent_fte.reshape(-1),
            "agency_fte": agency_fte.reshape(-1),
            "vacancies": vacancies.reshape(-1),
            "permanent_cost": permanent_cost.reshape(-1).astype(np.int64),
            "agency_cost": agency_total.reshape(-1).astype(np.int64),
            "total_cost": (permanent_cost + agency_total).reshape(-1).astype(np.int64),
        }
    )
    committed_remaining = (permanent_cost + agency_cost)[:, future].sum(axis=1).astype(np.int64)
    by_team = pd.DataFrame(
        {
            "team": np.array(base.teams, dtype=object),
            "committed_remaining": committed_remaining,
            "projected_change": projected.sum(axis=1).astype(np.int64),
        }
    )
    return WorkforceForecast(by_team_month=by_team_month, by_team=by_team)
