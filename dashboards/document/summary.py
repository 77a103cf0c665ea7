"""The committee summary: page 1 of the PDF and the top of the published page, in the style of
the councils' own budget reports (issue 12, point 7). Headline outturn and variance with its
likely range; movement since the last published period and where it came from; the services;
children by placement type with their numbers and average weekly cost against budget; agency
workers against the trajectory; savings by RAG. Every figure is in words by the `wording` rules.

`placement_costs` is worked out when the document is built (from the run's tables);
`committee_summary` reads only the document, so it works for every published copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

import wording

MOVERS = 3


def placement_costs(
    explained: pd.DataFrame,
    placements: pd.DataFrame,
    *,
    period: int,
    line_types: Mapping[str, str],
    type_names: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Each placement type with budgeted numbers: children at the as-at month end and budgeted,
    and the average weekly cost forecast for the year against the budget's (pence). A type with
    several lines adds their numbers and weights their weekly costs by numbers."""
    if explained.empty or "budget_numbers" not in explained.columns:
        return []
    now: dict[str, float] = {}
    if not placements.empty and period:
        at = placements[placements["period"] == period]
        now = at.groupby("placement_type")["month_end_number"].sum().to_dict()
    found: dict[str, dict[str, float]] = {}
    for row in explained.to_dict("records"):
        code = line_types.get(row["line_code"])
        numbers = row.get("budget_numbers")
        if not code or numbers is None or pd.isna(numbers) or not numbers:
            continue
        forecast_numbers = row.get("forecast_fye_number")
        forecast_numbers = 0.0 if forecast_numbers is None or pd.isna(forecast_numbers) else float(forecast_numbers)
        into = found.setdefault(
            code, {"budgeted": 0.0, "budget_cost": 0.0, "forecast_numbers": 0.0, "forecast_cost": 0.0}
        )
        into["budgeted"] += float(numbers)
        into["budget_cost"] += float(numbers) * float(row.get("budget_unit_cost") or 0)
        into["forecast_numbers"] += forecast_numbers
        into["forecast_cost"] += forecast_numbers * float(row.get("forecast_unit_cost") or 0)
    out = []
    for code, f in found.items():
        out.append(
            {
                "placement_type": type_names.get(code, code),
                "children": None if code not in now else round(float(now[code])),
                "budgeted": round(f["budgeted"], 1),
                "weekly_cost": round(f["forecast_cost"] / f["forecast_numbers"]) if f["forecast_numbers"] else None,
                "budget_weekly_cost": round(f["budget_cost"] / f["budgeted"]),
            }
        )
    return sorted(out, key=lambda r: -(r["budgeted"] * r["budget_weekly_cost"]))


def _headline(department: Mapping[str, Any]) -> str:
    pct = department.get("variance_pct")
    share = f" ({wording.signed_percent(pct)} of the budget)" if pct is not None and department["variance"] else ""
    text = (
        f"Children's services are forecast to spend {wording.money_short(department['outturn'])} against a budget of "
        f"{wording.money_short(department['budget'])}: {wording.variance_phrase(department['variance'])}{share}"
    )
    if department.get("likely_range"):
        text += f". The outturn is {department['likely_range']}"
    return text + "."


def _movement(movement: Mapping[str, Any] | None) -> str:
    if not movement or movement["department"].get("movement") is None:
        return "This is the first period of the year to be published, so there is no movement to report."
    change = movement["department"]["movement"]
    text = f"Since {movement['previous_title']} the forecast outturn has {_moved(change)}"
    movers = sorted(
        (s for s in movement["services"] if s.get("movement")), key=lambda s: abs(s["movement"]), reverse=True
    )[:MOVERS]
    if movers:
        parts = [f"{s['service']} ({wording.change_phrase(s['movement'])})" for s in movers]
        text += f"; the largest changes are in {_listed(parts)}"
    return text + "."


def _moved(change: int) -> str:
    if wording.money_short(abs(change)) == "£0":
        return "not changed"
    return f"{'risen' if change > 0 else 'fallen'} by {wording.money_short(abs(change))}"


def _listed(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _agency(charts: list[Mapping[str, Any]]) -> str:
    chart = next((c for c in charts if c.get("key") == "agency"), None)
    if chart is None:
        return ""
    rows = chart["table"]["rows"]
    actual = [r for r in rows if r.get("actual") is not None]
    if not actual:
        return ""
    last = actual[-1]
    text = f"Agency social workers: {wording.decimal_count(last['actual'])} FTE at {last['month']}"
    planned = [r for r in rows if r.get("trajectory") is not None]
    if planned:
        same = next((r for r in planned if r["month"] == last["month"]), None)
        if same is not None:
            text += f", against a trajectory of {wording.decimal_count(same['trajectory'])} FTE"
        text += f"; the trajectory is {wording.decimal_count(planned[-1]['trajectory'])} FTE by {planned[-1]['month']}"
    return text + "."


def committee_summary(document: Mapping[str, Any]) -> dict[str, Any] | None:
    """What page 1 shows, every figure already in words; None for a document without figures."""
    department = document.get("department")
    if not department:
        return None
    charts = document.get("charts", [])
    rag = next((c for c in charts if c.get("key") == "savings-rag"), None)
    return {
        "headline": _headline(department),
        "movement": _movement(document.get("movement")),
        "services": [
            {
                "name": s["name"],
                "budget": wording.money(s["budget"]),
                "outturn": wording.money(s["outturn"]),
                "variance": wording.money(abs(s["variance"])),
                "direction": wording.variance_word(s["variance"]).capitalize(),
            }
            for s in document.get("services", [])
        ],
        "total": {
            "name": "Children's services",
            "budget": wording.money(department["budget"]),
            "outturn": wording.money(department["outturn"]),
            "variance": wording.money(abs(department["variance"])),
            "direction": wording.variance_word(department["variance"]).capitalize(),
        },
        "placements": [
            {
                "name": p["placement_type"],
                "children": wording.count(p["children"]),
                "budgeted": wording.decimal_count(p["budgeted"]),
                "weekly_cost": wording.money(p["weekly_cost"]),
                "budget_weekly_cost": wording.money(p["budget_weekly_cost"]),
            }
            for p in document.get("placement_costs") or []
        ],
        "agency": _agency(charts),
        "savings": [
            {
                "rag": r["label"],
                "savings": wording.count(r["savings"]),
                "planned": wording.money(r["planned"]),
                "forecast_delivery": wording.money(r["forecast_delivery"]),
                "shortfall": wording.money(r["shortfall"]),
            }
            for r in (rag["table"]["rows"] if rag else [])
        ],
    }
