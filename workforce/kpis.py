"""The workforce KPI tables for pages and downloads (FORECAST.md, Workforce; DfE definitions).

The arithmetic is the engine's (`forecasting.engine.workforce`): this module only chooses which
rows describe a month, calls the engine and shapes its answers into tables. Money stays in
pence here; `export_*` functions turn tables into pounds for CSV and XLSX.

Which rows describe a month: the latest snapshot taken within that month (the picture as it
was recorded then); failing that, the current list read on the month's last day (start and
end dates place people in time, but absences and caseloads are as recorded now; the page says
so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from accounts.models import Authority
from core.spreadsheet import declare
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.money import pence_to_pounds
from forecasting.engine.workforce import (
    AGENCY_REASONS,
    agency_by_reason,
    committed_cost_by_month,
    workforce_kpis,
)
from workforce import selectors
from workforce.models import AgencyReason, WorkforceSnapshot

GROUPINGS = {"team": "By team", "hard_to_retain": "Hard-to-retain teams and the rest", "overall": "Whole service"}
REASON_LABELS = dict(AgencyReason.choices)


@dataclass
class Picture:
    """The rows that describe the workforce on one date (team level)."""

    workers: pd.DataFrame
    posts: pd.DataFrame
    teams: pd.DataFrame
    on: date
    snapshot: WorkforceSnapshot | None

    @property
    def source(self) -> str:
        if self.snapshot is not None:
            return f"the snapshot as at {self.snapshot.as_at.isoformat()} ({self.snapshot.source})"
        return "the current workforce list (absences and caseloads as recorded now)"


def picture_for_month(*, authority: Authority, calendar: Calendar, period: int) -> Picture:
    start, end = calendar.month_start(period), calendar.month_end(period)
    snapshot = selectors.snapshot_in_month(authority=authority, month_start=start, month_end=end)
    if snapshot is not None:
        workers, posts, teams = selectors.snapshot_frames(snapshot=snapshot, level="team")
        return Picture(workers, posts, teams, snapshot.as_at, snapshot)
    workers, posts, teams = selectors.current_frames(authority=authority, level="team")
    return Picture(workers, posts, teams, end, None)


def picture_of_snapshot(snapshot: WorkforceSnapshot) -> Picture:
    workers, posts, teams = selectors.snapshot_frames(snapshot=snapshot, level="team")
    return Picture(workers, posts, teams, snapshot.as_at, snapshot)


def _pence(value: float) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def kpi_table(picture: Picture, *, by: str = "team") -> pd.DataFrame:
    """One row per group: the engine's KPIs plus the premium a year and the team's name.

    Money columns are pence (weekly figures rounded to the penny once, here); rates are
    fractions (NaN where the denominator is zero).
    """
    frame = workforce_kpis(picture.workers, picture.posts, picture.on, teams=picture.teams, by=by)
    names = dict(zip(picture.teams["team"], picture.teams["team_name"], strict=True)) if by == "team" else {}
    frame.insert(1, "name", [names.get(g, "") for g in frame["group"]])
    for column in ("agency_weekly_cost", "equivalent_weekly_cost"):
        frame[column] = [_pence(v) for v in frame[column]]
    frame["agency_premium_weekly"] = [
        None if e is None else a - e
        for a, e in zip(frame["agency_weekly_cost"], frame["equivalent_weekly_cost"], strict=True)
    ]
    # A year of the premium at the present rate of use (52 weeks), as committee reports quote it.
    frame["agency_premium_annual"] = [None if w is None else w * 52 for w in frame["agency_premium_weekly"]]
    return frame


def kpi_total(picture: Picture) -> pd.Series | None:
    """The whole service's KPIs; None before the authority has a team or a post."""
    overall = kpi_table(picture, by="overall")
    return overall.iloc[0] if len(overall) else None


def reasons_by_month(*, authority: Authority, calendar: Calendar, upto: int, group: str = "all") -> pd.DataFrame:
    """Agency FTE by reason at each month-end (or snapshot) of the year to `upto`, and the average.

    The shape of Nottinghamshire's "reasons for agency, yearly average" table (seed 000): one
    row per month, a column per reason, a total, and the year-to-date average in the last row.
    `group` is "all", "hard to retain" or "other teams".
    """
    rows = []
    for period in range(1, upto + 1):
        picture = picture_for_month(authority=authority, calendar=calendar, period=period)
        by = "overall" if group == "all" else "hard_to_retain"
        table = agency_by_reason(picture.workers, picture.on, teams=picture.teams, by=by)
        if group != "all":
            table = table[table["group"] == group]
        fte = table.groupby("agency_reason")["agency_fte"].sum() if len(table) else pd.Series(dtype=float)
        row: dict[str, object] = {"month": calendar.month_label(period), "as_at": picture.on}
        for reason in AGENCY_REASONS:
            row[reason] = float(fte.get(reason, 0.0))
        row["not_given"] = float(fte.get("not_given", 0.0))
        row["total"] = float(fte.sum()) if len(fte) else 0.0
        rows.append(row)
    columns = ["month", "as_at", *AGENCY_REASONS, "not_given", "total"]
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame):
        average: dict[str, object] = {"month": "Average", "as_at": None}
        for column in columns[2:]:
            average[column] = float(frame[column].mean())
        frame = pd.concat([frame, pd.DataFrame([average], columns=columns)], ignore_index=True)
    return frame


def committed_table(picture: Picture, calendar: Calendar) -> pd.DataFrame:
    """Cost committed from the day after the picture's date to 31 March, by month (pence)."""
    frame = committed_cost_by_month(picture.workers, calendar, picture.on)
    if frame.empty:
        return pd.DataFrame(columns=["month", "permanent_cost", "agency_cost", "total_cost"])
    out = frame.groupby(["period", "month"], as_index=False)[["permanent_cost", "agency_cost", "total_cost"]].sum()
    return out.drop(columns="period")


def committed_by_team(picture: Picture, calendar: Calendar) -> pd.DataFrame:
    frame = committed_cost_by_month(picture.workers, calendar, picture.on)
    if frame.empty:
        return pd.DataFrame(columns=["team", "permanent_cost", "agency_cost", "total_cost"])
    return frame.groupby("team", as_index=False)[["permanent_cost", "agency_cost", "total_cost"]].sum()


def trend_table(*, authority: Authority) -> pd.DataFrame:
    """The whole service at each snapshot, oldest first: how the picture changed month by month."""
    rows = []
    for snapshot in selectors.snapshots(authority=authority):
        total = kpi_total(picture_of_snapshot(snapshot))
        if total is None:
            continue
        rows.append({"as_at": snapshot.as_at, **{k: total[k] for k in TREND_COLUMNS}})
    return pd.DataFrame(rows, columns=["as_at", *TREND_COLUMNS])


TREND_COLUMNS = [
    "budgeted_fte",
    "fte_in_post",
    "absent_fte",
    "vacancies",
    "vacancy_rate",
    "agency_fte",
    "agency_rate",
    "above_establishment",
    "asye_fte",
    "average_caseload",
    "agency_weekly_cost",
    "agency_premium_weekly",
]


# --------------------------------------------------------------------------------------------
# exports: pounds with pence, FTE to 2 decimals, rates as percentages to 1 decimal

MONEY_COLUMNS = {
    "agency_weekly_cost",
    "equivalent_weekly_cost",
    "agency_premium_weekly",
    "agency_premium_annual",
    "permanent_cost",
    "agency_cost",
    "total_cost",
    "annual_cost",
    "weekly_rate",
    "budgeted_cost",
}
RATE_COLUMNS = {"vacancy_rate", "agency_rate"}
PERCENT_COLUMNS = {"agency_premium_pct"}


def _decimal(value: object, places: str) -> Decimal | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def export_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as it is downloaded: money in pounds, FTE to 2 dp, rates as % to 1 dp."""
    out = frame.copy()
    for column in out.columns:
        if column in MONEY_COLUMNS:
            out[column] = [
                None if v is None or (isinstance(v, float) and np.isnan(v)) else pence_to_pounds(int(v))
                for v in out[column]
            ]
        elif column in RATE_COLUMNS:
            out[column + "_pct"] = [_decimal(v * 100 if v is not None else None, "0.1") for v in out[column]]
            out = out.drop(columns=column)
        elif column in PERCENT_COLUMNS:
            out[column] = [_decimal(v, "0.1") for v in out[column]]
        elif out[column].dtype.kind == "f":
            out[column] = [_decimal(v, "0.01") for v in out[column]]
    return declare(out, money=[c for c in out.columns if c in MONEY_COLUMNS])
