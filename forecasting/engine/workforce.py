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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd

from .calendar import FinancialYear
from .money import round_pence_array

AGENCY_REASONS = (
    "vacancy",
    "additional_capacity",
    "asye_cover",
    "long_term_sickness",
    "maternity",
    "suspension",
)
ABSENCES = ("maternity", "long_term_sickness", "suspension")

# Far-away day numbers standing in for "no start" and "no end".
_NO_START = np.int64(-(10**9))
_NO_END = np.int64(10**9)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

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


class WorkforceError(ValueError):
    """Workforce data that cannot be costed (the message is for a finance officer)."""


# --------------------------------------------------------------------------------------------
# dates as day numbers


def day_number(day: date) -> np.int64:
    """Days since 1970-01-01 of a calendar date."""
    return np.int64(np.datetime64(day, "D").astype(np.int64))


def day_numbers(values: pd.Series | object, *, missing: np.int64) -> IntArray:
    """Days since 1970-01-01 of a column of dates; missing dates (NaT/None) become `missing`."""
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    as_dates = pd.to_datetime(series, errors="raise")
    out = np.full(len(as_dates), missing, dtype=np.int64)
    present = as_dates.notna().to_numpy()
    if present.any():
        out[present] = as_dates[present].to_numpy().astype("datetime64[D]").astype(np.int64)
    return out


def month_bounds(year: FinancialYear) -> IntArray:
    """13 day numbers: the first day of periods 1..12 and 1 April after the year."""
    days = [*year.month_starts, year.end_exclusive]
    return np.array([day_number(d) for d in days], dtype=np.int64)


def overlap_days(start: IntArray, end_exclusive: IntArray, bounds: IntArray) -> IntArray:
    """Days of [start, end_exclusive) inside each window [bounds[j], bounds[j+1]).

    Returns an (rows × windows) matrix of whole days; one vectorised step, no row loop.
    """
    lo = np.maximum(start[:, None], bounds[None, :-1])
    hi = np.minimum(end_exclusive[:, None], bounds[None, 1:])
    days: IntArray = np.clip(hi - lo, 0, None).astype(np.int64)
    return days


# --------------------------------------------------------------------------------------------
# the worker rows, read once


@dataclass(frozen=True, eq=False)
class WorkerRows:
    """The worker frame as arrays (one element per row)."""

    team: npt.NDArray[np.object_]
    is_agency: BoolArray
    fte: FloatArray
    start: IntArray  # first day (inclusive)
    end_exclusive: IntArray  # last day + 1
    annual_cost: FloatArray  # pence a year, permanent
    weekly_rate: FloatArray  # pence a week, agency
    absent: BoolArray
    agency_reason: npt.NDArray[np.object_]
    caseload: FloatArray
    asye: BoolArray

    def __len__(self) -> int:
        return len(self.fte)

    def active_on(self, day: date) -> BoolArray:
        """Rows engaged on `day`: start ≤ day ≤ end date (the end date is the last day)."""
        d = day_number(day)
        return (self.start <= d) & (d < self.end_exclusive)


def read_workers(workers: pd.DataFrame) -> WorkerRows:
    """Arrays of a workers frame. The end date is inclusive, so end_exclusive = end + 1 day."""
    n = len(workers)

    def column(name: str, default: object) -> pd.Series:
        if name in workers.columns:
            return workers[name]
        return pd.Series([default] * n, index=workers.index, dtype=object)

    worker_type = column("worker_type", "permanent").astype(str).str.strip().str.lower()
    unknown = sorted(set(worker_type) - {"permanent", "agency"})
    if unknown:
        raise WorkforceError(f"worker type {', '.join(unknown)} is not known; each worker must be permanent or agency")
    end = day_numbers(column("end_date", None), missing=_NO_END - 1) + 1
    absence = column("absence", None)
    absent = absence.notna().to_numpy() & (absence.astype(str).str.strip() != "").to_numpy()
    asye = column("asye", False).fillna(False).astype(bool).to_numpy()
    return WorkerRows(
        team=column("team", None).astype(str).to_numpy(dtype=object),
        is_agency=(worker_type == "agency").to_numpy(),
        fte=pd.to_numeric(column("fte", 0.0)).fillna(0.0).to_numpy(dtype=np.float64),
        start=day_numbers(column("start_date", None), missing=_NO_START),
        end_exclusive=end,
        annual_cost=pd.to_numeric(column("annual_cost", 0)).fillna(0).to_numpy(dtype=np.float64),
        weekly_rate=pd.to_numeric(column("weekly_rate", 0)).fillna(0).to_numpy(dtype=np.float64),
        absent=absent,
        agency_reason=column("agency_reason", None).to_numpy(dtype=object),
        caseload=pd.to_numeric(column("caseload", np.nan)).to_numpy(dtype=np.float64),
        asye=asye,
    )


# --------------------------------------------------------------------------------------------
# monthly costs of worker rows


def worker_month_days(rows: WorkerRows, year: FinancialYear) -> IntArray:
    """Days employed / engaged in each period 1..12 (rows × 12). End date inclusive."""
    return overlap_days(rows.start, rows.end_exclusive, month_bounds(year))


def _days_in_months(year: FinancialYear) -> IntArray:
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
    cost = permanent_month_cost(rows, days, _days_in_months(year)) + agency_month_cost(rows, days, billable_factor)
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


# --------------------------------------------------------------------------------------------
# the agency trajectory


def team_agency_targets(
    targets: Mapping[str | None, float],
    as_at_agency_fte: Mapping[str, float],
    teams: list[str],
) -> dict[str, float]:
    """Agency FTE target at the end of March for each team that has one.

    A team target (key = team code) applies to that team. An overall target (key None) is the
    agency FTE of the whole service at the end of March: what is left of it after the teams
    with their own target (floored at zero) is shared between the other teams in proportion to
    their agency FTE on the as-at date; if none of them has any agency FTE it is shared
    equally. Teams not covered by any target keep their committed agency workers.
    """
    out: dict[str, float] = {}
    for team in teams:
        if team in targets and targets[team] is not None:
            out[team] = float(targets[team])
    overall = targets.get(None)
    if overall is None:
        return out
    rest = [t for t in teams if t not in out]
    if not rest:
        return out
    remaining = max(0.0, float(overall) - sum(out.values()))
    weights = np.array([float(as_at_agency_fte.get(t, 0.0)) for t in rest])
    if weights.sum() <= 0:
        weights = np.ones(len(rest))
    shares = remaining * weights / weights.sum()
    for team, share in zip(rest, shares, strict=True):
        out[team] = float(share)
    return out


def straight_line_month_ends(start_fte: float, target_fte: float, as_at_period: int) -> FloatArray:
    """Month-end agency FTE for periods 0..12 on the straight line (FORECAST.md, Workforce).

    M_t = A + (T − A)(t − p)/(12 − p) for t > p; M_t = A for t ≤ p (A = FTE on the as-at date).
    """
    p = as_at_period
    t = np.arange(13, dtype=np.float64)
    if p >= 12:
        return np.full(13, start_fte)
    line = start_fte + (target_fte - start_fte) * (t - p) / (12 - p)
    return np.where(t <= p, start_fte, line)


# --------------------------------------------------------------------------------------------
# the forecast per team and month


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
    days_in_month = _days_in_months(year)
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


def agency_rate_per_fte(rows: WorkerRows, mask: BoolArray) -> float | None:
    """FTE-weighted average weekly rate per FTE of the agency rows in `mask`, pence a week.

    Each row's rate per FTE is weekly_rate / fte; weighting by FTE gives Σ weekly_rate / Σ fte.
    None when no agency FTE is in the mask.
    """
    sel = mask & rows.is_agency
    fte = float(rows.fte[sel].sum())
    if fte <= 0:
        return None
    return float(rows.weekly_rate[sel].sum()) / fte


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
    year, p = base.year, base.as_at_period
    rows = base.rows
    n_teams = len(base.teams)
    future = np.arange(1, 13) > p
    past_factor = billable_factor if past_billable_factor is None else past_billable_factor

    agency_future = agency_month_cost(rows, base.days, billable_factor)
    agency_past = agency_future if past_factor == billable_factor else agency_month_cost(rows, base.days, past_factor)
    agency_cost_rows = np.where(future[None, :], agency_future, agency_past)

    permanent_cost = _by_team_int(base, base.permanent_cost)
    agency_cost = _by_team_int(base, agency_cost_rows)

    fte = rows.fte[:, None]
    perm = ~rows.is_agency[:, None]
    permanent_fte = _by_team_float(base, np.where(perm & base.month_end_active, fte, 0.0))
    agency_fte = _by_team_float(base, np.where(~perm & base.month_end_active, fte, 0.0))
    committed_avg_agency = _by_team_float(base, np.where(~perm, fte * base.days / base.days_in_month[None, :], 0.0))

    # the agency trajectory
    as_at = year.as_at_date(p)
    active_as_at = rows.active_on(as_at) & rows.is_agency
    as_at_fte = _by_team_float(base, np.where(active_as_at, rows.fte, 0.0)[:, None])[:, 0]
    targets = team_agency_targets(
        agency_targets, {t: float(as_at_fte[i]) for i, t in enumerate(base.teams)}, base.teams
    )
    overall_rate = agency_rate_per_fte(rows, active_as_at)
    projected = np.zeros((n_teams, 12), dtype=np.int64)
    for i, team in enumerate(base.teams):  # one small loop per team, never per row
        if team not in targets or p >= 12:
            continue
        path = straight_line_month_ends(float(as_at_fte[i]), targets[team], p)
        n_hat = (path[:-1] + path[1:]) / 2.0  # average number in periods 1..12
        change_fte = np.where(future, n_hat - committed_avg_agency[i], 0.0)
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

    # A post held by someone on leave is filled (Outturn's vacancy rule, as in the DfE statistics):
    # vacancies count empty posts only; absences are cover needed on top.
    vacancies = np.clip(base.budgeted_fte[:, None] - permanent_fte, 0.0, None)
    agency_total = agency_cost + projected
    months = [year.month_label(t) for t in range(1, 13)]
    by_team_month = pd.DataFrame(
        {
            "team": np.repeat(np.array(base.teams, dtype=object), 12),
            "period": np.tile(np.arange(1, 13), n_teams),
            "month": np.tile(months, n_teams),
            "permanent_fte": permanent_fte.reshape(-1),
            "agency_fte": agency_fte.reshape(-1),
            "vacancies": vacancies.reshape(-1),
            "permanent_cost": permanent_cost.reshape(-1).astype(np.int64),
            "agency_cost": agency_total.reshape(-1).astype(np.int64),
            "total_cost": (permanent_cost + agency_total).reshape(-1).astype(np.int64),
        }
    )
    committed = (permanent_cost + agency_cost)[:, future].sum(axis=1).astype(np.int64)
    by_team = pd.DataFrame(
        {
            "team": np.array(base.teams, dtype=object),
            "committed_remaining": committed,
            "projected_change": projected.sum(axis=1).astype(np.int64),
        }
    )
    return WorkforceForecast(by_team_month=by_team_month, by_team=by_team)


# --------------------------------------------------------------------------------------------
# KPIs for the workforce pages, on any date


def _group_labels(teams_in: npt.NDArray[np.object_], teams: pd.DataFrame | None, by: str) -> npt.NDArray[np.object_]:
    if by == "team":
        return teams_in
    if by == "overall":
        return np.full(len(teams_in), "overall", dtype=object)
    if by == "hard_to_retain":
        htr: dict[str, bool] = {}
        if teams is not None and len(teams):
            htr = dict(zip(teams["team"].astype(str), teams["hard_to_retain"].fillna(False).astype(bool), strict=True))
        return np.array(["hard to retain" if htr.get(str(t), False) else "other teams" for t in teams_in], dtype=object)
    raise ValueError(f"cannot group workforce KPIs by {by!r}; use team, hard_to_retain or overall")


def workforce_kpis(
    workers: pd.DataFrame,
    posts: pd.DataFrame,
    on: date,
    *,
    teams: pd.DataFrame | None = None,
    by: str = "team",
) -> pd.DataFrame:
    """Workforce KPIs on a date, by team, by hard-to-retain group or overall (FORECAST.md, Workforce).

    Columns (FTE floats, money pence):
    group, budgeted_fte, fte_in_post (permanent engaged on the date, absent or not), absent_fte,
    vacancies (Σ per team of max(0, budgeted − permanent in post, absent or not): a post held by
    someone on leave is filled), vacancy_rate (vacancies / budgeted FTE), agency_fte, agency_rate
    (agency / (permanent in post + agency)), cover_needed (vacancies + absent FTE),
    above_establishment (max(0, agency − cover needed) on the group's totals),
    asye_fte, average_caseload (Σ caseload / FTE of case-holding workers: engaged, not absent,
    caseload given), manageable_caseload (the teams' levels weighted by case-holding FTE),
    agency_weekly_cost (Σ weekly rates of engaged agency workers), equivalent_weekly_cost (the
    same FTE at the team's budgeted annual cost per post FTE / 52), agency_premium_weekly (the
    difference) and agency_premium_pct. Rates are NaN where the denominator is zero.
    """
    rows = read_workers(workers)
    active = rows.active_on(on)
    perm = active & ~rows.is_agency
    agency = active & rows.is_agency

    post_team = posts["team"].astype(str) if len(posts) else pd.Series([], dtype=object)
    post_fte = pd.to_numeric(posts["fte"]).fillna(0.0) if len(posts) else pd.Series([], dtype=float)
    post_cost = pd.to_numeric(posts["annual_cost"]).fillna(0.0) if len(posts) else pd.Series([], dtype=float)
    per_team_posts = pd.DataFrame({"team": post_team, "fte": post_fte, "cost": post_cost}).groupby("team").sum()

    manageable: dict[str, float] = {}
    if teams is not None and len(teams) and "manageable_caseload" in teams.columns:
        manageable = dict(zip(teams["team"].astype(str), pd.to_numeric(teams["manageable_caseload"]), strict=True))

    caseholding = active & ~rows.absent & ~np.isnan(rows.caseload)
    frame = pd.DataFrame(
        {
            "team": rows.team,
            "fte_in_post": np.where(perm, rows.fte, 0.0),
            "absent_fte": np.where(perm & rows.absent, rows.fte, 0.0),
            "agency_fte": np.where(agency, rows.fte, 0.0),
            "asye_fte": np.where(active & rows.asye, rows.fte, 0.0),
            "cases": np.where(caseholding, np.nan_to_num(rows.caseload), 0.0),
            "caseholding_fte": np.where(caseholding, rows.fte, 0.0),
            "agency_weekly_cost": np.where(agency, rows.weekly_rate, 0.0),
        }
    )
    per_team = frame.groupby("team").sum()
    all_teams = sorted(set(per_team.index) | set(per_team_posts.index))
    per_team = per_team.reindex(all_teams, fill_value=0.0)
    per_team["budgeted_fte"] = per_team_posts["fte"].reindex(all_teams, fill_value=0.0)
    # Outturn's vacancy rule: empty posts only. Counting absent workers' posts as vacant too would
    # count an absence twice once cover (vacancies + absent) is worked out below.
    per_team["vacancies"] = np.clip(per_team["budgeted_fte"] - per_team["fte_in_post"], 0.0, None)
    cost_per_fte = per_team_posts["cost"] / per_team_posts["fte"].replace(0.0, np.nan)
    per_team["equivalent_weekly_cost"] = per_team["agency_fte"] * cost_per_fte.reindex(all_teams) / 52.0
    per_team["manageable_x_fte"] = [
        manageable.get(t, np.nan) * f for t, f in zip(all_teams, per_team["caseholding_fte"], strict=True)
    ]
    per_team["manageable_fte"] = [
        f if not np.isnan(manageable.get(t, np.nan)) else 0.0
        for t, f in zip(all_teams, per_team["caseholding_fte"], strict=True)
    ]
    per_team["group"] = _group_labels(np.array(all_teams, dtype=object), teams, by)
    grouped = per_team.groupby("group").sum(min_count=1)
    out = pd.DataFrame(index=grouped.index)
    for name in ("budgeted_fte", "fte_in_post", "absent_fte", "vacancies", "agency_fte", "asye_fte"):
        out[name] = grouped[name].fillna(0.0)
    out["vacancy_rate"] = out["vacancies"] / out["budgeted_fte"].replace(0.0, np.nan)
    out["agency_rate"] = out["agency_fte"] / (out["fte_in_post"] + out["agency_fte"]).replace(0.0, np.nan)
    out["cover_needed"] = out["vacancies"] + out["absent_fte"]
    out["above_establishment"] = np.clip(out["agency_fte"] - out["cover_needed"], 0.0, None)
    out["average_caseload"] = grouped["cases"] / grouped["caseholding_fte"].replace(0.0, np.nan)
    out["manageable_caseload"] = grouped["manageable_x_fte"] / grouped["manageable_fte"].replace(0.0, np.nan)
    out["agency_weekly_cost"] = grouped["agency_weekly_cost"].fillna(0.0)
    out["equivalent_weekly_cost"] = grouped["equivalent_weekly_cost"]
    out["agency_premium_weekly"] = out["agency_weekly_cost"] - out["equivalent_weekly_cost"]
    out["agency_premium_pct"] = (
        out["agency_premium_weekly"] / out["equivalent_weekly_cost"].replace(0.0, np.nan) * 100.0
    )
    return out.reset_index()


def agency_by_reason(
    workers: pd.DataFrame,
    on: date,
    *,
    teams: pd.DataFrame | None = None,
    by: str = "team",
) -> pd.DataFrame:
    """Agency FTE and headcount engaged on a date by reason: group, agency_reason, agency_fte, workers.

    A blank reason is reported as `not_given`.
    """
    rows = read_workers(workers)
    sel = rows.active_on(on) & rows.is_agency
    reason = pd.Series(rows.agency_reason[sel], dtype=object).fillna("not_given").astype(str)
    reason = reason.where(reason.str.strip() != "", "not_given")
    frame = pd.DataFrame(
        {
            "group": _group_labels(rows.team[sel], teams, by),
            "agency_reason": reason.to_numpy(),
            "agency_fte": rows.fte[sel],
            "workers": 1,
        }
    )
    return frame.groupby(["group", "agency_reason"], as_index=False).sum().sort_values(["group", "agency_reason"])


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
