"""Every table of a document as a frame for the CSV and XLSX downloads: the screen's column labels,
money in pounds with two places. The live dashboard and the published copy download the same
way, from the document alone.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from dashboards.display import SAVINGS_COLUMNS
from dashboards.document.movement import MOVEMENT_COLUMNS
from forecasting.engine.outturn_ranges import likely_range_frame

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
    return pd.DataFrame(data, columns=[c["label"] for c in columns])


def headline_frame(document: dict[str, Any]) -> pd.DataFrame:
    rows = [
        [
            h["scenario"],
            *(_pounds(h[k]) for k in ("budget", "outturn", "variance")),
            None if h["variance_pct"] is None else Decimal(str(h["variance_pct"])).quantize(Decimal("0.01")),
        ]
        for h in document.get("headlines", [])
    ]
    return pd.DataFrame(rows, columns=["scenario", "budget", "forecast_outturn", "variance", "variance_pct"])


def services_frame(document: dict[str, Any]) -> pd.DataFrame:
    """Each service's total row, then its lines."""
    rows = []
    for service in document.get("services", []):
        rows.append([service["name"], "", "Service total", *_money_cells(service), service["variance_pct"]])
        for line in service["lines"]:
            rows.append(
                [service["name"], line["line_code"], line["line_name"], *_money_cells(line), line["variance_pct"]]
            )
    return pd.DataFrame(rows, columns=SERVICE_COLUMNS)


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
        return likely_range_frame(document["likely_range"])
    if name == "movement" and document.get("movement"):
        return chart_table_frame({"table": {"columns": MOVEMENT_COLUMNS, "rows": document["movement"]["services"]}})
    chart = find_chart(document, name)
    return chart_table_frame(chart) if chart is not None else None
