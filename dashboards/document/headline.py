"""The headline of the document: the department by scenario, the services and their lines, the
scenarios chart, the models table and what the run was made from.

Every function takes the run's line results (`lines`: scenario, line_code, line_name,
service_area, category, annual_budget, actual_ytd, committed_remaining, projected_change,
savings_adjustment, forecast_outturn, variance; money in pence) or other plain values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

import wording
from dashboards import charts
from dashboards.document.spec import Chart, chart, column, money, month, pct, records
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.money import millions_text, pounds_text
from forecasting.engine.outturn_ranges import likely_range_rows
from forecasting.engine.scenarios import REPORTED_SCENARIO, SCENARIO_ORDER

SERVICE_KEYS = ("budget", "actual_ytd", "outturn", "variance")


@dataclass(frozen=True)
class RunFacts:
    """What the document says about the run it was made from (plain values, no database)."""

    run_id: int
    authority: str
    year: str
    period: int
    calendar: Calendar
    engine_version: str
    inputs_hash: str
    finished_at: datetime | None
    made_from: Any  # the run's input summary: counts of lines, placement rows, workers, savings
    assumptions: Any  # the run's assumptions: {"rows": [...]} when recorded


def meta(facts: RunFacts, scenario: str) -> dict[str, Any]:
    as_at = facts.calendar.as_at_date(facts.period)
    return {
        "authority": facts.authority,
        "year": facts.year,
        "period": facts.period,
        "as_at": as_at.isoformat(),
        "as_at_text": wording.date_text(as_at),
        "month": month(facts.calendar, facts.period) if facts.period else "before April",
        "run_id": facts.run_id,
        "engine_version": facts.engine_version,
        "inputs_hash": facts.inputs_hash,
        "finished_at": facts.finished_at.isoformat() if facts.finished_at else None,
        "made_from": facts.made_from,
        "scenario": scenario,
    }


def assumption_rows(facts: RunFacts) -> list[Any]:
    return list(facts.assumptions.get("rows", [])) if isinstance(facts.assumptions, dict) else []


def headlines(lines: pd.DataFrame) -> list[dict[str, Any]]:
    """The department's budget, actual to date, forecast outturn and variance per scenario: best,
    middle and worst first, then any others by name."""
    if lines.empty:
        return []
    totals = lines.groupby("scenario")[["annual_budget", "actual_ytd", "forecast_outturn"]].sum()
    names = [s for s in SCENARIO_ORDER if s in totals.index] + sorted(
        s for s in totals.index if s not in SCENARIO_ORDER
    )
    out = []
    for name in names:
        budget, outturn = int(totals.loc[name, "annual_budget"]), int(totals.loc[name, "forecast_outturn"])
        out.append(
            {
                "scenario": name,
                "budget": budget,
                "actual_ytd": int(totals.loc[name, "actual_ytd"]),
                "outturn": outturn,
                "variance": outturn - budget,
                "variance_pct": pct(outturn - budget, budget),
            }
        )
    return out


def department(heads: list[dict[str, Any]], scenario: str, ranges: pd.DataFrame | None = None) -> dict[str, Any] | None:
    """The scenario's headline, with `likely_range` (the words of its likely range, or "" when
    the run gives none for the scenario or the range is £0 wide) and its ends `likely_low` and
    `likely_high` (pence, None when there are no words) when `ranges` is given."""
    found = next((h for h in heads if h["scenario"] == scenario), None)
    if found is None or ranges is None:
        return found
    ends = likely_range_ends(ranges, scenario)
    return {
        **found,
        "likely_range": likely_range_words(ranges, scenario),
        "likely_low": ends[0] if ends else None,
        "likely_high": ends[1] if ends else None,
    }


def likely_range_ends(ranges: pd.DataFrame, scenario: str) -> tuple[int, int] | None:
    """The department's likely range (low, high; pence) from the run's outturn ranges (level,
    scenario, outturn_p10, outturn_p90), or None when the scenario has none or it is £0 wide."""
    if ranges.empty or not {"level", "scenario", "outturn_p10", "outturn_p90"} <= set(ranges.columns):
        return None
    rows = ranges[(ranges["level"] == "department") & (ranges["scenario"] == scenario)]
    if rows.empty:
        return None
    low, high = sorted((int(rows["outturn_p10"].iloc[0]), int(rows["outturn_p90"].iloc[0])))
    return None if low == high else (low, high)


def likely_range_words(ranges: pd.DataFrame, scenario: str) -> str:
    """The department's likely range of outturn in words, "likely between £128.9m and £132.6m",
    from the run's outturn ranges (level, scenario, outturn_p10, outturn_p90; pence). Nothing
    when the scenario has no range or it is £0 wide. Two ends that read the same in millions
    are written in whole pounds, so the words never claim a range of nothing."""
    ends = likely_range_ends(ranges, scenario)
    if ends is None:
        return ""
    low, high = millions_text(ends[0]), millions_text(ends[1])
    if low == high:
        low, high = pounds_text(ends[0]), pounds_text(ends[1])
    return f"likely between {low} and {high}"


def likely_range_table(lines: pd.DataFrame, ranges: pd.DataFrame, scenario: str) -> list[dict[str, Any]]:
    """The scenario's likely range by line and for the department, for the download: rows of
    `likely_range_rows` (pence), each line named as in the run's line results."""
    frame = lines[lines["scenario"] == scenario] if not lines.empty else lines
    names = dict(zip(frame["line_code"], frame["line_name"], strict=True)) if not frame.empty else {}
    return likely_range_rows(ranges, scenario=scenario, line_names=names)


def services(
    lines: pd.DataFrame, scenario: str, *, line_types: Mapping[str, str], line_teams: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Services in name order, each with its totals and its lines in code order. A line carries
    the placement type or team it is costed from, for the drill-down."""
    frame = lines[lines["scenario"] == scenario] if not lines.empty else lines
    found: dict[str, dict[str, Any]] = {}
    for row in frame.sort_values(["service_area", "line_code"]).to_dict("records"):
        group = found.setdefault(
            row["service_area"], {"name": row["service_area"], "lines": [], **{k: 0 for k in SERVICE_KEYS}}
        )
        group["budget"] += int(row["annual_budget"])
        group["actual_ytd"] += int(row["actual_ytd"])
        group["outturn"] += int(row["forecast_outturn"])
        group["variance"] += int(row["variance"])
        group["lines"].append(
            {
                "line_code": row["line_code"],
                "line_name": row["line_name"],
                "category": row["category"],
                "budget": int(row["annual_budget"]),
                "actual_ytd": int(row["actual_ytd"]),
                "committed": int(row["committed_remaining"]),
                "projected": int(row["projected_change"]),
                "savings": int(row["savings_adjustment"]),
                "outturn": int(row["forecast_outturn"]),
                "variance": int(row["variance"]),
                "variance_pct": pct(int(row["variance"]), int(row["annual_budget"])),
                "placement_type": line_types.get(row["line_code"]),
                "team": line_teams.get(row["line_code"]),
            }
        )
    for group in found.values():
        group["variance_pct"] = pct(group["variance"], group["budget"])
    return list(found.values())


def scenario_label(name: str) -> str:
    """Best, Middle (reported), Worst: scenario names are slugs, shown capitalised."""
    return name.capitalize() + (" (reported)" if name == REPORTED_SCENARIO else "")


def scenarios_chart(heads: list[dict[str, Any]]) -> list[Chart]:
    if not heads:
        return []
    frame = pd.DataFrame(heads)
    frame["scenario_label"] = frame["scenario"].map(scenario_label)
    parts = "; ".join(
        f"{s.capitalize()} {money(o)} ({wording.variance_phrase(v, short=False)})"
        for s, o, v in zip(frame["scenario"], frame["outturn"], frame["variance"], strict=True)
    )
    summary = f"Forecast outturn by scenario against a budget of {money(int(frame['budget'].iloc[0]))}: {parts}."
    columns = [
        column("scenario_label", "Scenario"),
        column("budget", "Budget", "money"),
        column("outturn", "Forecast outturn", "money"),
        column("variance", "Variance", "money"),
        column("variance_pct", "% of budget", "percent"),
    ]
    return [
        chart(
            "scenarios",
            "Scenarios",
            "Best, middle and worst forecast outturn",
            summary,
            frame,
            columns,
            charts.scenarios_figure,
            caption="Department forecast outturn by scenario",
        )
    ]


def models_table(
    models_used: pd.DataFrame,
    *,
    type_names: Mapping[str, str],
    method_words: Mapping[str, str],
    chosen_words: Mapping[str, str],
) -> list[dict[str, Any]]:
    """The demand method and model of each placement type in the scenario, in words: the type's
    name, and for `auto` the method the back-test chose (types on commitments with no
    new-placement cost are left out)."""
    if models_used.empty:
        return records(models_used, [])
    # A type on commitments with no new-placement cost has nothing to say here.
    worth_showing = (models_used["demand_method"] != "commitments") | (models_used["unit_cost_new"].fillna(0) != 0)
    shown = models_used[worth_showing].copy()
    shown["placement_type"] = [type_names.get(str(c), str(c)) for c in shown["placement_type"]]
    chosen = shown["chosen_method"] if "chosen_method" in shown.columns else pd.Series("", index=shown.index)
    shown["demand_method"] = [
        f"{method_words.get('auto', 'auto')}: {chosen_words.get(str(c), str(c))}"
        if asked == "auto" and c
        else method_words.get(str(asked), str(asked))
        for asked, c in zip(shown["demand_method"], chosen.fillna(""), strict=True)
    ]
    return records(
        shown,
        [
            column("placement_type", "Placement type"),
            column("demand_method", "Method"),
            column("model", "Model"),
            column("unit_cost_new", "New placement weekly cost", "money"),
        ],
    )
