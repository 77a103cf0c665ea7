"""Social work staffing: agency workers against the trajectory and by reason, vacancy and agency
rates by team, and caseloads.

Inputs are the run's `workforce` table for one scenario (team, period 1..12, permanent_fte,
agency_fte, vacancies, total_cost) and the engine's workers, posts and teams frames
(forecasting/engine/workforce.py) as they stand, read at the as-at date.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

import wording
from dashboards import charts
from dashboards.document.spec import Chart, chart, column, count, months
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.workforce import workforce_kpis

SECTION = "Social work staffing"
NO_REASON = "No reason recorded"


def agency_chart(workforce: pd.DataFrame, *, calendar: Calendar, period: int) -> list[Chart]:
    """Agency FTE by month: actual to the as-at period, then the scenario's trajectory."""
    if workforce.empty or not workforce["agency_fte"].any():
        return []
    total = workforce.groupby("period", as_index=False)[["agency_fte", "permanent_fte", "vacancies"]].sum()
    values = {int(p): float(v) for p, v in zip(total["period"], total["agency_fte"], strict=True)}
    actual = [values.get(p) if p <= period else None for p in range(1, 13)]
    trajectory = [values.get(p) if p >= max(period, 1) else None for p in range(1, 13)]
    frame = pd.DataFrame(
        {
            "month": months(calendar),
            "actual": actual,
            "trajectory": trajectory,
            "permanent": total.set_index("period")["permanent_fte"].reindex(range(1, 13)).tolist(),
        }
    )
    now = actual[period - 1] if period else None
    summary = (
        f"Agency social workers: {count(now)} FTE at {wording.date_text(calendar.as_at_date(period))}, "
        f"{count(trajectory[11])} FTE by March on the trajectory."
    )
    columns = [
        column("month", "Month"),
        column("actual", "Agency FTE (actual)", "number"),
        column("trajectory", "Agency FTE (trajectory)", "number"),
        column("permanent", "Permanent FTE", "number"),
    ]
    return [
        chart(
            "agency",
            SECTION,
            "Agency workers against the trajectory",
            summary,
            frame,
            columns,
            lambda f: charts.fte_lines_figure(
                f, series=(("actual", "Agency FTE (actual)"), ("trajectory", "Agency FTE (trajectory)"))
            ),
            caption="Agency FTE by month: actual, then the scenario's trajectory",
        )
    ]


def engaged_on(workers: pd.DataFrame, day: date) -> pd.DataFrame:
    """Workers engaged on `day` (end dates here are inclusive: the last day worked)."""
    stamp = pd.Timestamp(day)
    return workers[(workers["start_date"] <= stamp) & (workers["end_date"].isna() | (workers["end_date"] >= stamp))]


def agency_reason_chart(workers: pd.DataFrame, *, as_at: date, reason_labels: Mapping[str, str]) -> list[Chart]:
    """Agency workers engaged at the as-at date by the reason they were engaged, largest first.
    `reason_labels` names each reason code; a worker with no reason is 'No reason recorded'."""
    engaged = engaged_on(workers, as_at)
    agency = engaged[engaged["worker_type"] == "agency"]
    if agency.empty:
        return []
    labels = {"": NO_REASON, **reason_labels}
    reason = agency["agency_reason"].fillna("").astype(str)
    grouped = agency.assign(reason=reason).groupby("reason").agg(fte=("fte", "sum"), workers=("fte", "size"))
    grouped = grouped.sort_values("fte", ascending=False).reset_index()
    grouped["reason"] = grouped["reason"].map(lambda r: labels.get(r, r))
    parts = "; ".join(f"{r} {wording.decimal_count(f)}" for r, f in zip(grouped["reason"], grouped["fte"], strict=True))
    summary = f"Agency FTE by reason at {wording.date_text(as_at)}: {parts}."
    columns = [column("reason", "Reason"), column("workers", "Workers", "integer"), column("fte", "FTE", "number")]
    return [
        chart(
            "agency-reason",
            SECTION,
            "Agency workers by reason",
            summary,
            grouped,
            columns,
            lambda f: charts.category_bars_figure(f, category="reason", series=(("fte", "Agency FTE"),), y_title="FTE"),
            caption="Agency workers engaged at the as-at date, by reason",
        )
    ]


def team_kpis(workers: pd.DataFrame, posts: pd.DataFrame, teams: pd.DataFrame, *, as_at: date) -> pd.DataFrame:
    """The workforce KPIs by team at the as-at date, with the engine's arithmetic (the same as the
    workforce KPI page): rates, vacancies, average and manageable caseloads, and team_name."""
    kpis = workforce_kpis(workers, posts, as_at, teams=teams, by="team")
    names = dict(zip(teams["team"], teams["team_name"], strict=True))
    return kpis.assign(team_name=kpis["group"].map(lambda t: names.get(t, t)))


def rates_chart(kpis: pd.DataFrame, *, as_at: date) -> list[Chart]:
    """Vacancy and agency rates (per cent) of the teams with a budget or agency staff."""
    kpis = kpis[(kpis["budgeted_fte"] > 0) | (kpis["agency_fte"] > 0)]
    if kpis.empty:
        return []
    frame = pd.DataFrame(
        {
            "team": kpis["team_name"].tolist(),
            "team_code": kpis["group"].tolist(),
            "budgeted_fte": kpis["budgeted_fte"].tolist(),
            "fte_in_post": kpis["fte_in_post"].tolist(),
            "vacancies": kpis["vacancies"].tolist(),
            "agency_fte": kpis["agency_fte"].tolist(),
            "vacancy_rate": (kpis["vacancy_rate"] * 100).tolist(),
            "agency_rate": (kpis["agency_rate"] * 100).tolist(),
        }
    )
    budgeted, vacancies = frame["budgeted_fte"].sum(), frame["vacancies"].sum()
    in_post, agency = frame["fte_in_post"].sum(), frame["agency_fte"].sum()
    agency_rate = agency / (in_post + agency) * 100 if in_post + agency else 0
    summary = (
        f"Vacancy rate {wording.percent(vacancies / budgeted * 100 if budgeted else 0)} "
        f"({wording.decimal_count(vacancies)} of "
        f"{wording.decimal_count(budgeted)} budgeted FTE); agency rate {wording.percent(agency_rate)}"
        f" (DfE definition) at {wording.date_text(as_at)}."
    )
    columns = [
        column("team", "Team"),
        column("budgeted_fte", "Budgeted FTE", "number"),
        column("fte_in_post", "Permanent FTE in post", "number"),
        column("vacancies", "Vacant FTE", "number"),
        column("agency_fte", "Agency FTE", "number"),
        column("vacancy_rate", "Vacancy rate", "percent"),
        column("agency_rate", "Agency rate", "percent"),
    ]
    rates = chart(
        "rates",
        SECTION,
        "Vacancy and agency rates by team",
        summary,
        frame,
        columns,
        lambda f: charts.category_bars_figure(
            f,
            category="team",
            percent=True,
            y_title="Per cent",
            series=(("vacancy_rate", "Vacancy rate"), ("agency_rate", "Agency rate")),
        ),
        caption="Vacancy and agency rates by team at the as-at date",
    )
    rates["teams"] = frame["team_code"].tolist()
    return [rates]


def caseload_chart(kpis: pd.DataFrame) -> list[Chart]:
    """Average caseload per case-holding FTE by team, against the team's manageable caseload."""
    if not kpis["average_caseload"].notna().any():
        return []
    having = kpis[kpis["average_caseload"].notna()]
    frame = pd.DataFrame(
        {
            "team_name": having["team_name"].tolist(),
            "average": having["average_caseload"].tolist(),
            "manageable": having["manageable_caseload"].tolist(),
        }
    )
    over = [
        f"{n} ({wording.decimal_count(a)} against {wording.decimal_count(m)})"
        for n, a, m in zip(frame["team_name"], frame["average"], frame["manageable"], strict=True)
        if m is not None and not pd.isna(m) and a > m
    ]
    summary = "Average caseload per case-holding FTE by team. " + (
        f"Above a manageable caseload: {'; '.join(over)}." if over else "No team is above its manageable caseload."
    )
    columns = [
        column("team_name", "Team"),
        column("average", "Average caseload", "number"),
        column("manageable", "Manageable caseload", "number"),
    ]
    return [
        chart(
            "caseloads",
            SECTION,
            "Caseloads",
            summary,
            frame,
            columns,
            lambda f: charts.category_bars_figure(
                f,
                category="team_name",
                series=(("average", "Average caseload"),),
                y_title="Cases per FTE",
                marker_column="manageable",
                marker_name="Manageable caseload",
            ),
            caption="Average caseload per case-holding FTE and the manageable caseload, by team",
        )
    ]
