"""Every table of a document as a frame for the CSV and XLSX downloads: the screen's column labels,
money in pounds with two places. The live dashboard and the published copy download the same
way, from the document alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from core.spreadsheet import declare
from dashboards.display import SAVINGS_COLUMNS
from dashboards.document.movement import MOVEMENT_COLUMNS
from forecasting.engine.outturn_ranges import LIKELY_RANGE_HEADERS, likely_range_frame

SERVICE_COLUMNS = [
    "service_area",
    "line_code",
    "line_name",
    "annual_budget",
    "actual_ytd",
    "forecast_outturn",
    "variance",
    "variance_pct",
]


def _pounds(pence: Any) -> Decimal:
    return (Decimal(int(pence)) / 100).quantize(Decimal("0.01"))


def find_chart(document: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((c for c in document.get("charts", []) if c["key"] == key), None)


def chart_table_frame(chart: dict[str, Any]) -> pd.DataFrame:
    """A chart's table for CSV/XLSX: the screen's column labels, money in pounds (2 places)."""
    columns = chart["table"]["columns"]
    data = []
    for row in chart["table"]["rows"]:
        out = []
        for column in columns:
            value = row.get(column["key"])
            if value is not None and column["kind"] in ("money", "money2"):
                value = _pounds(value)
            elif value is not None and column["kind"] in ("number", "percent"):
                value = Decimal(str(value)).quantize(Decimal("0.01"))
            out.append(value)
        data.append(out)
    frame = pd.DataFrame(data, columns=[c["label"] for c in columns])
    return declare(
        frame,
        money=[c["label"] for c in columns if c["kind"] in ("money", "money2")],
        percent=[c["label"] for c in columns if c["kind"] == "percent"],
    )


def headline_frame(document: dict[str, Any]) -> pd.DataFrame:
    rows = [
        [
            h["scenario"],
            *(_pounds(h[k]) for k in ("budget", "outturn", "variance")),
            None if h["variance_pct"] is None else Decimal(str(h["variance_pct"])).quantize(Decimal("0.01")),
        ]
        for h in document.get("headlines", [])
    ]
    frame = pd.DataFrame(rows, columns=["scenario", "budget", "forecast_outturn", "variance", "variance_pct"])
    return declare(frame, money=["budget", "forecast_outturn", "variance"], percent=["variance_pct"])


def services_frame(document: dict[str, Any]) -> pd.DataFrame:
    """Each service's total row, then its lines."""
    rows = []
    for service in document.get("services", []):
        rows.append([service["name"], "", "Service total", *_money_cells(service), service["variance_pct"]])
        for line in service["lines"]:
            rows.append(
                [service["name"], line["line_code"], line["line_name"], *_money_cells(line), line["variance_pct"]]
            )
    return declare(
        pd.DataFrame(rows, columns=SERVICE_COLUMNS),
        money=["annual_budget", "actual_ytd", "forecast_outturn", "variance"],
        percent=["variance_pct"],
    )


def _money_cells(row: dict[str, Any]) -> list[Decimal]:
    return [_pounds(row[k]) for k in ("budget", "actual_ytd", "outturn", "variance")]


def document_table(document: dict[str, Any], name: str) -> pd.DataFrame | None:
    """The table called `name` (headline, services, savings, movement, likely-range or a chart's
    key), or None when the document has no such table (likely-range: a document made before
    ranges, or a scenario without one)."""
    if name == "headline":
        return headline_frame(document)
    if name == "services":
        return services_frame(document)
    if name == "savings":
        return chart_table_frame({"table": {"columns": SAVINGS_COLUMNS, "rows": document.get("savings", [])}})
    if name == "likely-range" and document.get("likely_range"):
        return declare(likely_range_frame(document["likely_range"]), money=LIKELY_RANGE_HEADERS[2:])
    if name == "movement" and document.get("movement"):
        return chart_table_frame({"table": {"columns": MOVEMENT_COLUMNS, "rows": document["movement"]["services"]}})
    chart = find_chart(document, name)
    return chart_table_frame(chart) if chart is not None else None


TABLE_WORDS = {
    "headline": "Headline",
    "services": "Services and their budget lines",
    "savings": "Savings",
    "likely-range": "Likely range of the outturn",
    "movement": "Movement since the last published period",
}


def table_what(document: dict[str, Any], name: str) -> str:
    """What the table called `name` is, for a download's title row."""
    chart = find_chart(document, name)
    what = TABLE_WORDS.get(name) or (str(chart["title"]) if chart is not None else name)
    scenario = (document.get("meta") or {}).get("scenario")
    return f"{what} ({scenario} scenario)" if scenario else what


# --------------------------------------------------------------------------------------------
# The service drill-down's tables
# --------------------------------------------------------------------------------------------

SERVICE_LINE_MONEY = ("Budget", "Actual to date", "Committed", "Projected change", "Savings shortfall")
SERVICE_LINE_HEADERS = (
    "Budget line code",
    "Budget line",
    *SERVICE_LINE_MONEY,
    "Forecast outturn",
    "Variance",
    "Variance %",
)


def service_tables(page: dict[str, Any]) -> dict[str, tuple[str, pd.DataFrame]]:
    """Every table of the service drill-down page (`selectors.service_page`'s context) by name:
    `lines`, then `placements-<type>` and `team-<team>`, each with what it is and its frame."""
    service = page["service"]
    rows = [
        [
            line["line_code"],
            line["line_name"],
            *(_pounds(line[k]) for k in ("budget", "actual_ytd", "committed", "projected", "savings", "outturn")),
            _pounds(line["variance"]),
            line["variance_pct"],
        ]
        for line in service["lines"]
    ]
    lines = pd.DataFrame(rows, columns=list(SERVICE_LINE_HEADERS))
    tables = {
        "lines": (
            f"{service['name']}: budget lines",
            declare(lines, money=[*SERVICE_LINE_MONEY, "Forecast outturn", "Variance"], percent=["Variance %"]),
        )
    }
    for found in page["placements"]:
        frame = pd.DataFrame(
            [
                [
                    r["month"],
                    "Actual" if r["actual"] else "Forecast",
                    r["month_end_number"],
                    r["average_number"],
                    None if r["actual"] else r["p10"],
                    None if r["actual"] else r["p90"],
                    _pounds(r["net_cost"]),
                ]
                for r in found["rows"]
            ],
            columns=[
                "Month",
                "Actual or forecast",
                "Month-end number",
                "Average number",
                "10th percentile",
                "90th percentile",
                "Net cost",
            ],
        )
        what = f"{service['name']}: {found['line']['line_name']}, children by month"
        tables[f"placements-{found['code']}"] = (what, declare(frame, money=["Net cost"]))
    for found in page["workforce"]:
        frame = pd.DataFrame(
            [
                [
                    r["month"],
                    "Actual" if r["actual"] else "Forecast",
                    r["permanent_fte"],
                    r["agency_fte"],
                    r["vacancies"],
                    _pounds(r["total_cost"]),
                ]
                for r in found["rows"]
            ],
            columns=["Month", "Actual or forecast", "Permanent FTE", "Agency FTE", "Vacant FTE", "Cost"],
        )
        what = f"{service['name']}: {found['line']['line_name']}, staff by month"
        tables[f"team-{found['team']}"] = (what, declare(frame, money=["Cost"]))
    return tables
