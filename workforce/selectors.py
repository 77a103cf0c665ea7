"""Reads of the workforce for pages and for the forecast engine.

The three frames are the engine's contract (forecasting/engine/workforce.py, inputs.py):

- workers_frame: worker_ref, team, post_ref, worker_type, fte (float), start_date, end_date
  (datetime64, end INCLUSIVE, NaT = none), annual_cost (int64 pence, 0 for agency), weekly_rate
  (int64 pence, 0 for permanent), agency_reason, absence (None when at work), caseload
  (float, NaN when not given), asye (bool).
- posts_frame: post_ref, team, fte (float), annual_cost (int64 pence).
- teams_frame: team, team_name, hard_to_retain (bool), manageable_caseload (float, NaN).

`level="budget"` (the default, what the engine needs) names each row's team by its workforce
budget line's team code, so that every team with staff has exactly one workforce line; several
teams on one line are added together. `level="team"` keeps each team's own code, for the pages.
Built from values_list straight into pandas: no model instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import AuditEvent, Authority
from forecasting.engine.inputs import POSTS_COLUMNS, WORKERS_COLUMNS
from forecasting.engine.workforce import workforce_kpis
from forecasting.models import FinancialYear
from workforce.models import Post, SnapshotRow, Team, Worker, WorkerType, WorkforceSnapshot

WORKER_COLUMNS = list(WORKERS_COLUMNS)  # the engine's worker frame
POST_COLUMNS = list(POSTS_COLUMNS)
TEAM_COLUMNS = ["team", "team_name", "hard_to_retain", "manageable_caseload"]
LEVELS = ("budget", "team")


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")


def _text_or_none(values: pd.Series) -> pd.Series:
    return values.where(values.astype(str).str.strip() != "", None).astype(object)


def _workers_from_records(records: list[tuple[Any, ...]]) -> pd.DataFrame:
    """records: (ref, team, budget_team, post_ref, worker_type, fte, start, end, annual_cost,
    weekly_rate, agency_reason, absence, caseload, asye); team already chosen by level."""
    raw = pd.DataFrame.from_records(
        records,
        columns=WORKER_COLUMNS,
    )
    return pd.DataFrame(
        {
            "worker_ref": raw["worker_ref"].astype(object),
            "team": raw["team"].astype(object),
            "post_ref": raw["post_ref"].astype(object).where(raw["post_ref"].notna(), None),
            "worker_type": raw["worker_type"].astype(object),
            "fte": pd.to_numeric(raw["fte"]).astype(np.float64),
            "start_date": pd.to_datetime(raw["start_date"]).astype("datetime64[ns]"),
            "end_date": pd.to_datetime(raw["end_date"]).astype("datetime64[ns]"),
            "annual_cost": pd.to_numeric(raw["annual_cost"]).fillna(0).astype(np.int64),
            "weekly_rate": pd.to_numeric(raw["weekly_rate"]).fillna(0).astype(np.int64),
            "agency_reason": _text_or_none(raw["agency_reason"].fillna("")),
            "absence": _text_or_none(raw["absence"].fillna("")),
            "caseload": pd.to_numeric(raw["caseload"]).astype(np.float64),
            "asye": raw["asye"].fillna(False).astype(bool),
        },
        columns=WORKER_COLUMNS,
    )


def _posts_from_records(records: list[tuple[Any, ...]]) -> pd.DataFrame:
    raw = pd.DataFrame.from_records(records, columns=POST_COLUMNS)
    return pd.DataFrame(
        {
            "post_ref": raw["post_ref"].astype(object),
            "team": raw["team"].astype(object),
            "fte": pd.to_numeric(raw["fte"]).astype(np.float64),
            "annual_cost": pd.to_numeric(raw["annual_cost"]).fillna(0).astype(np.int64),
        },
        columns=POST_COLUMNS,
    )


def _teams_from_records(records: list[tuple[Any, ...]], post_fte: pd.Series, level: str) -> pd.DataFrame:
    """records: (code, name, budget_team, line_name, hard_to_retain, manageable_caseload).

    At the budget level the teams on one line become one row: named after the line; hard to
    retain if any of them is; manageable caseload the average of theirs weighted by budgeted
    post FTE (equal weights where no team has posts).
    """
    raw = pd.DataFrame.from_records(
        records, columns=["code", "name", "budget_team", "line_name", "hard_to_retain", "manageable_caseload"]
    )
    raw["manageable_caseload"] = pd.to_numeric(raw["manageable_caseload"]).astype(np.float64)
    raw["hard_to_retain"] = raw["hard_to_retain"].fillna(False).astype(bool)
    if level == "team":
        out = pd.DataFrame(
            {
                "team": raw["code"].astype(object),
                "team_name": raw["name"].astype(object),
                "hard_to_retain": raw["hard_to_retain"],
                "manageable_caseload": raw["manageable_caseload"],
            }
        )
        return out[TEAM_COLUMNS].reset_index(drop=True)
    rows = []
    for budget_team, group in raw.groupby("budget_team", sort=True):
        weights = group["code"].map(post_fte).fillna(0.0).to_numpy(dtype=np.float64)
        levels = group["manageable_caseload"].to_numpy(dtype=np.float64)
        given = ~np.isnan(levels)
        if given.any():
            w = weights[given] if weights[given].sum() > 0 else np.ones(int(given.sum()))
            manageable = float(np.average(levels[given], weights=w))
        else:
            manageable = np.nan
        rows.append(
            {
                "team": budget_team,
                "team_name": group["line_name"].iloc[0] if len(group) > 1 else group["name"].iloc[0],
                "hard_to_retain": bool(group["hard_to_retain"].any()),
                "manageable_caseload": manageable,
            }
        )
    frame = pd.DataFrame(rows, columns=TEAM_COLUMNS)
    frame["hard_to_retain"] = frame["hard_to_retain"].astype(bool)
    frame["manageable_caseload"] = frame["manageable_caseload"].astype(np.float64)
    return frame


def _team_field(level: str) -> str:
    return "team__budget_line__team_code" if level == "budget" else "team__code"


def workers_frame(*, authority: Authority, level: str = "budget") -> pd.DataFrame:
    """Every worker of the authority (the engine's workers frame; see the module docstring)."""
    _check_level(level)
    records = list(
        Worker.objects.filter(authority=authority)
        .order_by("ref")
        .values_list(
            "ref",
            _team_field(level),
            "post__ref",
            "worker_type",
            "fte",
            "start_date",
            "end_date",
            "annual_cost",
            "weekly_rate",
            "agency_reason",
            "absence",
            "caseload",
            "asye",
        )
    )
    return _workers_from_records(records)


def posts_frame(*, authority: Authority, level: str = "budget") -> pd.DataFrame:
    """Every budgeted post: post_ref, team, fte, annual_cost (pence a year)."""
    _check_level(level)
    records = list(
        Post.objects.filter(authority=authority)
        .order_by("ref")
        .values_list("ref", _team_field(level), "fte", "annual_cost")
    )
    return _posts_from_records(records)


def teams_frame(*, authority: Authority, level: str = "budget") -> pd.DataFrame:
    """team, team_name, hard_to_retain, manageable_caseload (see the module docstring)."""
    _check_level(level)
    records = list(
        Team.objects.filter(authority=authority)
        .order_by("code")
        .values_list(
            "code", "name", "budget_line__team_code", "budget_line__name", "hard_to_retain", "manageable_caseload"
        )
    )
    post_fte = _post_fte_by_team(Post.objects.filter(authority=authority).values_list("team__code", "fte"))
    return _teams_from_records(records, post_fte, level)


def _post_fte_by_team(pairs: Any) -> pd.Series:
    frame = pd.DataFrame.from_records(list(pairs), columns=["team", "fte"])
    if frame.empty:
        return pd.Series(dtype=np.float64)
    return pd.to_numeric(frame["fte"]).astype(np.float64).groupby(frame["team"]).sum()


# --------------------------------------------------------------------------------------------
# snapshots


def snapshot_frames(
    *, snapshot: WorkforceSnapshot, level: str = "team"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(workers, posts, teams) frames of a snapshot, in the engine's shapes, as they stood then."""
    _check_level(level)
    team_field = "budget_team" if level == "budget" else "team"
    rows = SnapshotRow.objects.filter(snapshot=snapshot)
    workers = _workers_from_records(
        list(
            rows.filter(record=SnapshotRow.Record.WORKER)
            .order_by("ref")
            .values_list(
                "ref",
                team_field,
                "post_ref",
                "worker_type",
                "fte",
                "start_date",
                "end_date",
                "annual_cost",
                "weekly_rate",
                "agency_reason",
                "absence",
                "caseload",
                "asye",
            )
        )
    )
    workers["post_ref"] = workers["post_ref"].where(workers["post_ref"].astype(str) != "", None)
    posts = _posts_from_records(
        list(
            rows.filter(record=SnapshotRow.Record.POST)
            .order_by("ref")
            .values_list("ref", team_field, "fte", "annual_cost")
        )
    )
    team_records = list(
        rows.order_by("team", "record")
        .values_list("team", "team_name", "budget_team", "team_name", "hard_to_retain", "manageable_caseload")
        .distinct()
    )
    first: dict[str, tuple[Any, ...]] = {}
    for record in team_records:
        first.setdefault(record[0], record)
    post_fte = _post_fte_by_team(rows.filter(record=SnapshotRow.Record.POST).values_list("team", "fte"))
    teams = _teams_from_records(list(first.values()), post_fte, level)
    return workers, posts, teams


def current_frames(*, authority: Authority, level: str = "team") -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (
        workers_frame(authority=authority, level=level),
        posts_frame(authority=authority, level=level),
        teams_frame(authority=authority, level=level),
    )


def snapshots(*, authority: Authority) -> list[WorkforceSnapshot]:
    return list(WorkforceSnapshot.objects.filter(authority=authority).order_by("as_at"))


def snapshot_in_month(*, authority: Authority, month_start: date, month_end: date) -> WorkforceSnapshot | None:
    """The latest snapshot taken within a month (a month's picture), or None."""
    return (
        WorkforceSnapshot.objects.filter(authority=authority, as_at__gte=month_start, as_at__lte=month_end)
        .order_by("-as_at")
        .first()
    )


def latest_snapshot(*, authority: Authority) -> WorkforceSnapshot | None:
    return WorkforceSnapshot.objects.filter(authority=authority).order_by("-as_at").first()


# --------------------------------------------------------------------------------------------
# single objects, scoped to the authority (another authority's ids are simply not found)


def team_for(*, authority: Authority, team_id: int) -> Team:
    try:
        return Team.objects.select_related("budget_line").get(pk=team_id, authority=authority)
    except Team.DoesNotExist:
        raise Http404("No such team") from None


def team_or_none(*, authority: Authority, team_id: int) -> Team | None:
    """A team named in a link (?team=12), or None when it is not this authority's."""
    return Team.objects.filter(authority=authority, pk=team_id).first()


def snapshot_for(*, authority: Authority, snapshot_id: int) -> WorkforceSnapshot:
    return get_object_or_404(WorkforceSnapshot, pk=snapshot_id, authority=authority)


def worker_for(*, authority: Authority, worker_id: int) -> Worker:
    try:
        return Worker.objects.select_related("team", "post").get(pk=worker_id, authority=authority)
    except Worker.DoesNotExist:
        raise Http404("No such worker") from None


def worker_snapshot_rows(*, authority: Authority, ref: str) -> list[SnapshotRow]:
    """A worker's row in each snapshot, oldest first: how their record changed month by month."""
    return list(
        SnapshotRow.objects.filter(snapshot__authority=authority, record=SnapshotRow.Record.WORKER, ref=ref)
        .select_related("snapshot")
        .order_by("snapshot__as_at")
    )


def worker_changes(*, authority: Authority, worker: Worker) -> list[AuditEvent]:
    """Every audited change to a worker's record, oldest first."""
    return list(
        AuditEvent.objects.filter(
            authority=authority, object_type="workforce.Worker", object_id=str(worker.pk)
        ).order_by("created_at", "id")
    )


def snapshot_row_counts(snapshots: list[WorkforceSnapshot]) -> dict[int, int]:
    """Rows in each snapshot, by snapshot id."""
    return {s.pk: s.rows.count() for s in snapshots}


def year_labels(*, authority: Authority) -> list[str]:
    """The authority's financial years, latest first."""
    return list(
        FinancialYear.objects.filter(authority=authority).order_by("-start_year").values_list("label", flat=True)
    )


# --------------------------------------------------------------------------------------------
# a team's page


@dataclass
class TeamStaff:
    """A team's posts and workers on a date, and who holds each post then."""

    posts: list[Post]
    workers: list[Worker]  # all of them, or those not gone by the date
    holders: dict[int, list[Worker]]  # post id → permanent workers engaged in it on the date


def team_staff(*, team: Team, on: date, show_all: bool) -> TeamStaff:
    posts = list(Post.objects.filter(team=team).order_by("ref"))
    workers = list(Worker.objects.filter(team=team).select_related("post").order_by("worker_type", "ref"))
    if not show_all:
        workers = [w for w in workers if w.end_date is None or w.end_date >= on]
    holders: dict[int, list[Worker]] = {}
    for w in workers:
        if w.post_id and w.worker_type == WorkerType.PERMANENT and w.engaged_on(on):
            holders.setdefault(w.post_id, []).append(w)
    return TeamStaff(posts, workers, holders)


def team_kpi_summary(*, authority: Authority, team: Team, on: date) -> dict[str, Any] | None:
    """The engine's KPIs of one team on a date (as on the KPI page), None when it has no rows."""
    workers, posts, teams = current_frames(authority=authority, level="team")
    kpi = workforce_kpis(
        workers[workers["team"] == team.code],
        posts[posts["team"] == team.code],
        on,
        teams=teams,
        by="team",
    )
    return kpi.iloc[0].to_dict() if len(kpi) else None


def team_establishment(*, authority: Authority, on: date) -> list[dict[str, Any]]:
    """Per team on a date: budgeted FTE and cost, permanent in post, absent, vacancies, agency FTE.

    Uses the engine's KPI arithmetic per team (level "team"), so figures match the KPI page.
    """
    workers, posts, teams = current_frames(authority=authority, level="team")
    kpis = workforce_kpis(workers, posts, on, teams=teams, by="team").set_index("group")
    cost = posts.groupby("team")["annual_cost"].sum() if len(posts) else pd.Series(dtype=np.int64)
    out = []
    for team in Team.objects.filter(authority=authority).select_related("budget_line").order_by("code"):
        row = kpis.loc[team.code] if team.code in kpis.index else None
        out.append(
            {
                "team": team,
                "budgeted_cost": int(cost.get(team.code, 0)),
                "budgeted_fte": float(row["budgeted_fte"]) if row is not None else 0.0,
                "fte_in_post": float(row["fte_in_post"]) if row is not None else 0.0,
                "absent_fte": float(row["absent_fte"]) if row is not None else 0.0,
                "vacancies": float(row["vacancies"]) if row is not None else 0.0,
                "agency_fte": float(row["agency_fte"]) if row is not None else 0.0,
            }
        )
    return out
