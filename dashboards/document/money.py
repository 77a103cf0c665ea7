"""Spend and variance: placement lines' budget, spend to date and forecast outturn, and the
variance bridge from budget to forecast outturn (volume, price, other).

Inputs are the run's line results for one scenario (`lines`: line_code, line_name, category,
annual_budget, actual_ytd, forecast_outturn, variance; pence) and its variance explained table
for the same scenario (`explained`: line_code, budget, volume, price, other, forecast; pence).
The bridge's arithmetic is the engine's (`forecasting.engine.variance.variance_bridge`).
"""

from __future__ import annotations

import pandas as pd

import wording
from dashboards import charts
from dashboards.bridge_workings import workings_chart
from dashboards.document.spec import Chart, chart, column, money
from forecasting.engine.variance import variance_bridge

SECTION = "Spend and variance"
SPEND_SERIES = (
    ("budget", "Budget"),
    ("actual_ytd", "Actual to date"),
    ("forecast_outturn", "Forecast outturn"),
)


def spend_chart(lines: pd.DataFrame) -> list[Chart]:
    """Placement lines, largest budget first, with the line of the largest variance named."""
    placements = lines[lines["category"] == "placements"] if not lines.empty else lines
    if placements.empty:
        return []
    placements = placements.sort_values("annual_budget", ascending=False)
    frame = pd.DataFrame(
        {
            "line": [f"{n}" for n in placements["line_name"]],
            "line_code": placements["line_code"].tolist(),
            "budget": placements["annual_budget"].astype("int64").tolist(),
            "actual_ytd": placements["actual_ytd"].astype("int64").tolist(),
            "forecast_outturn": placements["forecast_outturn"].astype("int64").tolist(),
            "variance": placements["variance"].astype("int64").tolist(),
        }
    )
    biggest = frame.loc[frame["variance"].abs().idxmax()]
    direction = "overspend" if biggest["variance"] > 0 else "underspend"
    summary = (
        f"Placements: budget {money(frame['budget'].sum())}, spent {money(frame['actual_ytd'].sum())} "
        f"to date, forecast outturn {money(frame['forecast_outturn'].sum())}. The largest variance is "
        f"{biggest['line']}: {money(abs(biggest['variance']))} {direction}."
    )
    columns = [
        column("line", "Placement line"),
        column("budget", "Budget", "money"),
        column("actual_ytd", "Actual to date", "money"),
        column("forecast_outturn", "Forecast outturn", "money"),
        column("variance", "Variance", "money"),
    ]
    return [
        chart(
            "spend",
            SECTION,
            "Spend by placement type",
            summary,
            frame,
            columns,
            lambda f: charts.money_bars_figure(f, category="line", horizontal=True, series=SPEND_SERIES),
            caption="Placement lines: budget, actual to date and forecast outturn",
        )
    ]


def _signed(pence: int) -> str:
    """£1,234 more / £1,234 less / £0 change."""
    return f"{money(abs(pence))} {'more' if pence > 0 else 'less' if pence < 0 else 'change'}"


def bridge_charts(lines: pd.DataFrame, explained: pd.DataFrame) -> list[Chart]:
    """The variance bridge (a waterfall), then the variance explained line by line (a table).
    A run with no line results has no bridge; a scenario without lines has one of zeros."""
    if len(lines.columns) == 0:
        return []
    bridge = variance_bridge(lines, explained)
    frame = pd.DataFrame(
        {
            "step": ["Budget", "Volume (numbers)", "Price (weekly cost)", "Other", "Forecast outturn"],
            "amount": [bridge.budget, bridge.volume, bridge.price, bridge.other, bridge.outturn],
            "measure": ["absolute", "relative", "relative", "relative", "total"],
        }
    )
    summary = (
        f"Budget {money(bridge.budget)}; volume {_signed(bridge.volume)}; price {_signed(bridge.price)}; "
        f"other {_signed(bridge.other)}; forecast outturn {money(bridge.outturn)} "
        f"({wording.variance_phrase(bridge.variance, short=False)})."
    )
    out = [
        chart(
            "bridge",
            SECTION,
            "Variance bridge: budget to forecast outturn",
            summary,
            frame,
            [column("step", "Step"), column("amount", "Amount", "money")],
            charts.bridge_figure,
            caption="From budget to forecast outturn: volume and price on placement lines with budgeted numbers, "
            "then everything else",
        )
    ]
    if not explained.empty:
        out.append(explained_table(lines, explained))
        out += workings_chart(lines, explained)  # the words and figures behind each line's steps
    return out


def explained_table(lines: pd.DataFrame, explained: pd.DataFrame) -> Chart:
    names = dict(zip(lines["line_code"], lines["line_name"], strict=True))
    by_line = explained.assign(line=explained["line_code"].map(lambda c: names.get(c, c)))
    columns = [
        column("line", "Line"),
        column("budget", "Budget", "money"),
        column("volume", "Volume", "money"),
        column("price", "Price", "money"),
        column("other", "Other", "money"),
        column("forecast", "Forecast outturn", "money"),
    ]
    return chart(
        "explained",
        SECTION,
        "Variance explained by line",
        "For each placement line with "
        "budgeted numbers: volume is the cost of more or fewer children than budgeted, price the "
        "cost of a different average weekly cost; other is the rest of the line's variance.",
        by_line,
        columns,
        None,
        caption="Variance explained: volume, price and other by line",
    )
