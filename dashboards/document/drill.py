"""The drill-down from a service to its lines, and from each line to the children or workers
behind it: month-by-month rows from the run's stored placements and workforce tables, and links
to the placement register and the team pages.

Inputs are a service of the document (its lines carry their placement type or team), the run's
tables as frames and the links' addresses, worked out by the caller.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pandas as pd

import wording
from dashboards.document.spec import month
from forecasting.engine.calendar import FinancialYear as Calendar

Link = tuple[str, str]  # (address, text)


def line_links(
    service: dict[str, Any],
    *,
    as_at: date,
    register_url: str | None,
    team_links: Sequence[tuple[str | None, str, str]],
) -> dict[str, list[Link]]:
    """Per line code: the register filtered by the line's placement type and open at the as-at
    date (its filter form's fields), then the pages of the teams costed to the line.
    `team_links` holds (address or None, team name, line code)."""
    out: dict[str, list[Link]] = {}
    for line in service["lines"]:
        links: list[Link] = []
        if line.get("placement_type") and register_url:
            query = urlencode({"placement_type": line["placement_type"], "open_on": f"{as_at:%d/%m/%Y}"})
            links.append((f"{register_url}?{query}", f"Placements open on {wording.date_text(as_at)} in the register"))
        for url, name, code in team_links:
            if code == line["line_code"] and url:
                links.append((url, f"Team: {name}"))
        out[line["line_code"]] = links
    return out


def placement_rows(
    placements: pd.DataFrame | None, service: dict[str, Any], *, scenario: str, calendar: Calendar
) -> list[dict[str, Any]]:
    """For each placement line of the service, in line order, its type's month-end and average
    numbers (with the 10–90% range where there is one) and net cost, month by month."""
    wanted = {line["placement_type"]: line for line in service["lines"] if line.get("placement_type")}
    if placements is None or placements.empty:
        return []
    placements = placements[(placements["scenario"] == scenario) & placements["placement_type"].isin(wanted)]
    out = []
    for code in wanted:
        group = placements[placements["placement_type"] == code]
        if group.empty:
            continue
        out.append(
            {
                "code": code,
                "line": wanted[code],
                "rows": [
                    {
                        "month": month(calendar, int(r["period"])),
                        "actual": bool(r["is_actual"]),
                        "month_end_number": r["month_end_number"],
                        "average_number": r["average_number"],
                        "p10": r.get("number_p10"),
                        "p90": r.get("number_p90"),
                        "net_cost": int(r["net_cost"]),
                    }
                    for r in group.sort_values("period").to_dict("records")
                ],
            }
        )
    return out


def workforce_rows(
    workforce: pd.DataFrame | None, service: dict[str, Any], *, scenario: str, calendar: Calendar, period: int
) -> list[dict[str, Any]]:
    """For each team costed to a line of the service, its permanent and agency FTE, vacancies and
    cost month by month (actual to the as-at period)."""
    wanted = {line["team"]: line for line in service["lines"] if line.get("team")}
    if workforce is None or workforce.empty:
        return []
    workforce = workforce[(workforce["scenario"] == scenario) & workforce["team"].isin(wanted)]
    out = []
    for team, group in workforce.groupby("team", sort=False):
        out.append(
            {
                "team": team,
                "line": wanted[str(team)],
                "rows": [
                    {
                        "month": month(calendar, int(r["period"])),
                        "actual": int(r["period"]) <= period,
                        "permanent_fte": r["permanent_fte"],
                        "agency_fte": r["agency_fte"],
                        "vacancies": r["vacancies"],
                        "total_cost": int(r["total_cost"]),
                    }
                    for r in group.sort_values("period").to_dict("records")
                ],
            }
        )
    return out
