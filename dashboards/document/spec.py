"""The shape of a chart in the document, shared by every part: {key, section, title, summary,
figure, table}. The table rows and the figure are made from the same frame, after numbers are
rounded to the two places the table shows, so the screen, the PDF and the CSV cannot disagree.

Also the few words every part writes the same way: money as whole pounds, numbers of children or
FTE without decimals, month names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import wording
from dashboards import charts
from forecasting.engine.calendar import FinancialYear as Calendar

Column = dict[str, str]
Chart = dict[str, Any]


def column(key: str, label: str, kind: str = "text") -> Column:
    """A table column; `kind` is text, money (whole pence), money2 (shown with pence), number,
    integer or percent."""
    return {"key": key, "label": label, "kind": kind}


def records(frame: pd.DataFrame, columns: list[Column]) -> list[dict[str, Any]]:
    """Table rows as plain JSON values: ints for money, floats rounded for numbers."""
    out = []
    for row in frame.to_dict("records"):
        clean: dict[str, Any] = {}
        for col in columns:
            value = row.get(col["key"])
            if value is None or (isinstance(value, float) and np.isnan(value)):
                clean[col["key"]] = None
            elif col["kind"] == "money":
                clean[col["key"]] = int(value)
            elif col["kind"] in ("number", "percent"):
                clean[col["key"]] = round(float(value), 2)
            elif isinstance(value, np.integer | np.floating | np.bool_):
                clean[col["key"]] = value.item()
            else:
                clean[col["key"]] = value
        out.append(clean)
    return out


def chart(
    key: str,
    section: str,
    title: str,
    summary: str,
    frame: pd.DataFrame,
    columns: list[Column],
    draw: Callable[[pd.DataFrame], go.Figure] | None,
    caption: str = "",
) -> Chart:
    """A chart: its table rows and its figure (None for a table without one), drawn from the
    same frame after rounding numbers to the two places the table shows, so the figure plots
    exactly the table's numbers."""
    shown = frame.copy()
    for col in columns:
        if col["kind"] in ("number", "percent") and col["key"] in shown.columns:
            shown[col["key"]] = [None if v is None or pd.isna(v) else round(float(v), 2) for v in shown[col["key"]]]
            shown[col["key"]] = shown[col["key"]].astype(object)
    return {
        "key": key,
        "section": section,
        "title": title,
        "summary": summary,
        "figure": charts.figure_json(draw(shown)) if draw is not None else None,
        "table": {"caption": caption or title, "columns": columns, "rows": records(shown, columns)},
    }


def pct(variance: int, budget: int) -> float | None:
    """Variance as a percentage of the budget's size, 2 places; None with no budget."""
    return round(variance / abs(budget) * 100, 2) if budget else None


def money(pence: Any) -> str:
    """Whole pounds as the pages write them: £1,234, or (£1,234) when negative."""
    return wording.money(int(pence))


def count(value: float | None) -> str:
    """A number of children or FTE in a sentence: 1,234, or 'none'."""
    return "none" if value is None else wording.count(value)


def month(calendar: Calendar, period: int) -> str:
    """A period's month as the charts label it: Apr 2019."""
    return f"{calendar.month_start(period):%b %Y}"


def months(calendar: Calendar) -> list[str]:
    return [month(calendar, p) for p in range(1, 13)]


def scenario_rows(frame: pd.DataFrame, scenario: str) -> pd.DataFrame:
    """A run table's rows for one scenario (tables without a scenario column are shared)."""
    if not frame.empty and "scenario" in frame.columns:
        return frame[frame["scenario"] == scenario]
    return frame
