"""Workforce KPIs on any date, by team, by hard-to-retain group or overall, and agency workers by
reason (FORECAST.md, Workforce)."""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from .workers import WorkerRows, read_workers


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
    per_team = _team_totals(rows, on, _posts_by_team(posts), _manageable_caseloads(teams))
    per_team["group"] = _group_labels(np.array(list(per_team.index), dtype=object), teams, by)
    grouped = per_team.groupby("group").sum(min_count=1)
    return _group_kpis(grouped).reset_index()


def _posts_by_team(posts: pd.DataFrame) -> pd.DataFrame:
    """Budgeted FTE (`fte`) and budgeted annual cost (`cost`, pence) of the posts, by team."""
    post_team = posts["team"].astype(str) if len(posts) else pd.Series([], dtype=object)
    post_fte = pd.to_numeric(posts["fte"]).fillna(0.0) if len(posts) else pd.Series([], dtype=float)
    post_cost = pd.to_numeric(posts["annual_cost"]).fillna(0.0) if len(posts) else pd.Series([], dtype=float)
    return pd.DataFrame({"team": post_team, "fte": post_fte, "cost": post_cost}).groupby("team").sum()


def _manageable_caseloads(teams: pd.DataFrame | None) -> dict[str, float]:
    """Each team's manageable caseload, where the teams table gives one."""
    if teams is not None and len(teams) and "manageable_caseload" in teams.columns:
        return dict(zip(teams["team"].astype(str), pd.to_numeric(teams["manageable_caseload"]), strict=True))
    return {}


def _team_totals(
    rows: WorkerRows, on: date, per_team_posts: pd.DataFrame, manageable: dict[str, float]
) -> pd.DataFrame:
    """Per team (every team with workers or posts): FTE in post, absent, agency, ASYE, cases,
    budgeted FTE, vacancies, equivalent weekly cost and the caseload weights, on `on`."""
    active = rows.active_on(on)
    perm = active & ~rows.is_agency
    agency = active & rows.is_agency
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
    return per_team


def _group_kpis(grouped: pd.DataFrame) -> pd.DataFrame:
    """The KPIs of each group from its summed team totals (rates NaN on a zero denominator)."""
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
    return out


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
