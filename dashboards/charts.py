"""Plotly figures for the dashboards and the committee PDF: a DataFrame in, a Figure out.

Every builder takes the same frame that is shown as the chart's table (money in integer pence,
numbers of children or FTE as floats), so the figure and the table cannot disagree. Money is
drawn in pounds (pence / 100) with £ tick labels written here ("£1.5m"), because plotly.js's own
SI suffixes would print "£1.2G" for a billion.

Axes are scaled to the story each chart tells: amounts and rates start at zero; differences
(variance against budget) are drawn around zero, so an overspend of £0.5m and one of £7m look
different; forecasts of a £127m outturn and numbers of children in the hundreds are drawn on an
axis fitted to the data, which says so by not starting at zero. Categories with long names
(teams, reasons) are horizontal bars with the full name on the left, growing in height with the
number of categories, never rotated labels. Legends sit above the plot, in a row that wraps, so
they never overlap the axis labels on a phone.

One house theme: the Government Analysis Function accessible palette, at most about four series
per chart, and a second cue besides colour for every series (dashes, markers or bar patterns),
so that colour is never the only way to tell series apart. Only SVG trace types (scatter, bar,
waterfall): no WebGL, so plotly.js needs no eval and the content security policy stays strict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboards.chart_axes import count_axis, money_axis, money_label, variance_axis, wrap_label

__all__ = ["count_axis", "money_axis", "money_label", "variance_axis", "wrap_label"]

DARK_BLUE = "#12436D"
TURQUOISE = "#28A197"
DARK_PINK = "#801650"
ORANGE = "#F46A25"
DARK_GREY = "#3D3D3D"
LIGHT_PURPLE = "#A285D1"
PALETTE = (DARK_BLUE, TURQUOISE, DARK_PINK, ORANGE, DARK_GREY, LIGHT_PURPLE)
# Bar patterns paired with the palette, the non-colour cue for bars.
PATTERNS = ("", "/", ".", "x", "-", "+")
FONT = "Arial, Helvetica, sans-serif"
RAG_COLOURS = {"red": DARK_PINK, "amber": ORANGE, "green": TURQUOISE}

HOUSE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT, "size": 14, "color": "#0b0c0c"},
        colorway=list(PALETTE),
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        margin={"l": 70, "r": 20, "t": 20, "b": 40},
        hoverlabel={"font": {"family": FONT}},
        # Above the plot, left-aligned: a horizontal legend below would collide with the x axis's
        # labels on a 390 px phone, and plotly.js reserves room for it up here.
        legend={
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "x": 0,
            "xanchor": "left",
            "traceorder": "normal",
        },
        xaxis={"showgrid": False, "linecolor": DARK_GREY, "ticks": "outside", "automargin": True},
        yaxis={
            "gridcolor": "#d9d9d9",
            "zeroline": True,
            "zerolinecolor": DARK_GREY,
            "rangemode": "tozero",
            "automargin": True,
        },
        bargap=0.25,
    )
)


def pounds(pence: object) -> float | None:
    """Pence to pounds for drawing (exact for any sum of pence below 2^53)."""
    if pence is None or (isinstance(pence, float) and math.isnan(pence)):
        return None
    return float(int(pence)) / 100  # type: ignore[call-overload]


def _number(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


def _pattern(index: int) -> dict[str, object]:
    # "overlay" draws the pattern on top of the bar's colour; the default would replace the colour.
    return {"shape": PATTERNS[index % len(PATTERNS)], "fgcolor": "#ffffff", "fillmode": "overlay", "solidity": 0.25}


def _figure(height: int = 360) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(template=HOUSE, height=height)
    return figure


def _series(frame: pd.DataFrame, column: str, convert=_number) -> list[float | None]:  # type: ignore[no-untyped-def]
    if column not in frame.columns:
        return [None] * len(frame)
    return [convert(v) for v in frame[column].tolist()]


NUMBER_HOVER = "%{x}: %{y:,.1f}<extra>%{fullData.name}</extra>"
# Twelve "Apr 2019" labels do not fit a phone's width: plotly.js then shows every other month,
# level, rather than rotating them into the legend's way.
MONTH_AXIS = {"tickangle": 0, "automargin": True}
MONEY_HOVER = "%{x}: £%{y:,.0f}<extra>%{fullData.name}</extra>"


def _add_actual_forecast_budgeted(figure: go.Figure, frame: pd.DataFrame, months: list[object]) -> None:
    """The three lines every numbers chart shares: actual (solid, filled markers), forecast
    (dashed, open markers) and the budgeted number (dotted, when the frame has one). Shape and
    dash tell them apart as well as colour."""
    figure.add_trace(
        go.Scatter(
            x=months,
            y=_series(frame, "actual"),
            name="Actual",
            mode="lines+markers",
            line={"color": DARK_BLUE, "width": 3},
            marker={"symbol": "circle", "size": 8},
            hovertemplate=NUMBER_HOVER,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=_series(frame, "forecast"),
            name="Forecast",
            mode="lines+markers",
            line={"color": DARK_BLUE, "width": 3, "dash": "dash"},
            marker={"symbol": "circle-open", "size": 8},
            hovertemplate=NUMBER_HOVER,
        )
    )
    if "budgeted" in frame.columns and frame["budgeted"].notna().any():
        figure.add_trace(
            go.Scatter(
                x=months,
                y=_series(frame, "budgeted"),
                name="Budgeted",
                mode="lines",
                line={"color": ORANGE, "width": 2, "dash": "dot"},
                hovertemplate=NUMBER_HOVER,
            )
        )


def numbers_over_year_figure(frame: pd.DataFrame, *, y_title: str = "Children") -> go.Figure:
    """Month-end numbers through the financial year: this year's actuals (solid, markers), the
    forecast to March (dashed), the budgeted number (dotted) and past years (thin, grey / purple).

    Frame columns: month, actual, forecast, budgeted (optional), p10 and p90 (optional: the
    forecast's likely range, shaded) and any number of past-year columns named "past:<label>"
    (e.g. "past:2025/26")."""
    figure = _figure()
    months = frame["month"].tolist()
    past = [c for c in frame.columns if c.startswith("past:")]
    for index, column in enumerate(past):
        figure.add_trace(
            go.Scatter(
                x=months,
                y=_series(frame, column),
                name=column.removeprefix("past:"),
                mode="lines+markers",
                line={"color": (DARK_GREY, LIGHT_PURPLE)[index % 2], "width": 1.5},
                marker={"symbol": ("square", "triangle-up")[index % 2], "size": 6},
                hovertemplate=NUMBER_HOVER,
            )
        )
    _add_band(figure, frame, months)
    _add_actual_forecast_budgeted(figure, frame, months)
    every = [v for c in frame.columns if c != "month" for v in _series(frame, c)]
    figure.update_layout(yaxis=count_axis(every, y_title), xaxis=MONTH_AXIS)
    return figure


def _add_band(figure: go.Figure, frame: pd.DataFrame, months: Sequence[object]) -> None:
    """The forecast's 10–90% range as a shaded band (when the frame has p10 and p90)."""
    if "p10" not in frame.columns or "p90" not in frame.columns:
        return
    p10, p90 = _series(frame, "p10"), _series(frame, "p90")
    if any(v is not None for v in p10) and any(v is not None for v in p90):
        # The band: the 10% edge drawn invisibly, then the 90% edge filled down to it.
        figure.add_trace(
            go.Scatter(
                x=months,
                y=p10,
                name="Low end of the likely range",
                mode="lines",
                line={"width": 0, "color": TURQUOISE},
                showlegend=False,
                hoverinfo="skip",
                connectgaps=False,
            )
        )
        figure.add_trace(
            go.Scatter(
                x=months,
                y=p90,
                name="10–90% range",
                mode="lines",
                fill="tonexty",
                fillcolor="rgba(40,161,151,0.25)",
                line={"width": 0, "color": TURQUOISE},
                connectgaps=False,
                customdata=p10,
                hovertemplate="%{x}: %{customdata:,.1f}–%{y:,.1f}<extra>10–90% range</extra>",
            )
        )


def fan_figure(frame: pd.DataFrame, *, y_title: str = "Children") -> go.Figure:
    """One placement type: actual month-end numbers, the forecast with its 10–90% interval (the
    fan) and the budgeted number. Frame columns: month, actual, forecast, p10, p90, budgeted."""
    figure = _figure()
    months = frame["month"].tolist()
    _add_band(figure, frame, months)
    _add_actual_forecast_budgeted(figure, frame, months)
    every = [v for c in ("actual", "forecast", "p10", "p90", "budgeted") for v in _series(frame, c)]
    figure.update_layout(yaxis=count_axis(every, y_title), xaxis=MONTH_AXIS)
    return figure


def stacked_numbers_figure(frame: pd.DataFrame, *, y_title: str = "Children") -> go.Figure:
    """Placement mix over time: month-end numbers by group, stacked. Frame columns: month and
    one column per group (at most four; the caller folds the rest into "All other types")."""
    figure = _figure()
    months = frame["month"].tolist()
    groups = [c for c in frame.columns if c != "month"]
    for index, column in enumerate(groups):
        figure.add_trace(
            go.Bar(
                x=months,
                y=_series(frame, column),
                name=column,
                marker={"color": PALETTE[index % len(PALETTE)], "pattern": _pattern(index)},
                hovertemplate=NUMBER_HOVER,
            )
        )
    figure.update_layout(barmode="stack", yaxis={"title": {"text": y_title}, "rangemode": "tozero"})
    return figure


def high_cost_figure(frame: pd.DataFrame) -> go.Figure:
    """High-cost placements by month: the number at month end (bars, left axis) and the average
    weekly rate (line, right axis, £). Frame columns: month, number, gross_cost,
    average_weekly_cost (pence)."""
    figure = _figure()
    months = frame["month"].tolist()
    rates = _series(frame, "average_weekly_cost", pounds)
    figure.add_trace(
        go.Bar(
            x=months,
            y=_series(frame, "number"),
            name="Number at month end",
            marker={"color": DARK_BLUE},
            hovertemplate=NUMBER_HOVER,
        )
    )
    figure.add_trace(
        go.Scatter(
            x=months,
            y=rates,
            name="Average weekly rate",
            mode="lines+markers",
            yaxis="y2",
            line={"color": ORANGE, "width": 3, "dash": "dash"},
            marker={"symbol": "diamond", "size": 8},
            hovertemplate="%{x}: £%{y:,.2f} a week<extra></extra>",
        )
    )
    axis = money_axis(rates, "Average weekly rate")
    figure.update_layout(
        yaxis={"title": {"text": "Children"}, "rangemode": "tozero"},
        yaxis2={**axis, "overlaying": "y", "side": "right", "showgrid": False, "zeroline": False},
        margin={"r": 80},
    )
    return figure


def money_bars_figure(
    frame: pd.DataFrame, *, category: str, series: Sequence[tuple[str, str]], horizontal: bool = False
) -> go.Figure:
    """Grouped bars of money (pence) by category, e.g. spend by placement type (budget, actual to
    date, forecast outturn) or savings by RAG (planned, forecast delivery).
    `series` = (column, legend name) pairs, at most four."""
    figure = _figure(height=max(360, 40 * len(frame) + 120) if horizontal else 360)
    labels = frame[category].tolist()
    every: list[float | None] = []
    for index, (column, name) in enumerate(series):
        values = _series(frame, column, pounds)
        every += values
        marker = {"color": PALETTE[index], "pattern": _pattern(index)}
        if horizontal:
            figure.add_trace(
                go.Bar(
                    y=labels,
                    x=values,
                    name=name,
                    orientation="h",
                    marker=marker,
                    hovertemplate="%{y}: £%{x:,.0f}<extra>%{fullData.name}</extra>",
                )
            )
        else:
            figure.add_trace(go.Bar(x=labels, y=values, name=name, marker=marker, hovertemplate=MONEY_HOVER))
    axis = money_axis(every)
    if horizontal:
        figure.update_layout(
            barmode="group",
            xaxis={**axis, "gridcolor": "#d9d9d9", "showgrid": True},
            yaxis={"autorange": "reversed", "showgrid": False, "zeroline": False},
        )
    else:
        figure.update_layout(barmode="group", yaxis=axis)
    return figure


def bridge_figure(frame: pd.DataFrame) -> go.Figure:
    """The variance bridge: budget → volume → price → other → forecast outturn (a waterfall).
    Frame columns: step, amount (pence), measure ("absolute" for budget, "relative" for the
    steps, "total" for the forecast)."""
    figure = _figure()
    amounts = _series(frame, "amount", pounds)
    figure.add_trace(
        go.Waterfall(
            x=frame["step"].tolist(),
            y=amounts,
            measure=frame["measure"].tolist(),
            name="Bridge",
            increasing={"marker": {"color": DARK_PINK}},
            decreasing={"marker": {"color": TURQUOISE}},
            totals={"marker": {"color": DARK_BLUE}},
            connector={"line": {"color": DARK_GREY, "dash": "dot"}},
            # The signed amount is printed on every bar: up/down is never told by colour alone.
            text=[
                ("+" if m == "relative" and (v or 0) > 0 else "") + money_label(v or 0)
                for v, m in zip(amounts, frame["measure"], strict=True)
            ],
            textposition="outside",
            hovertemplate="%{x}: £%{y:,.0f}<extra></extra>",
        )
    )
    running, levels = 0.0, []
    for value, measure in zip(amounts, frame["measure"], strict=True):
        running = (value or 0) if measure in ("absolute", "total") else running + (value or 0)
        levels.append(running)
    # The axis spans the running totals (where bars start and end), not the signed steps. When
    # the steps are small beside the budget (£2m on £127m) it is fitted to the totals, so the
    # steps can be seen; its title then says that it does not start at £0.
    present = [v for v in levels if v is not None]
    fitted = bool(present) and min(present) > 0 and min(present) > max(present) / 2
    title = "Axis not from £0" if fitted else ""
    steps = [str(step) for step in frame["step"]]
    figure.update_layout(
        yaxis=money_axis(levels, title, from_zero=not fitted),
        # Step names on two short lines, level: rotated names run off a phone's screen.
        xaxis={"tickvals": steps, "ticktext": [wrap_label(step, 10) for step in steps], "tickangle": 0},
        showlegend=False,
    )
    return figure


def fte_lines_figure(frame: pd.DataFrame, *, series: Sequence[tuple[str, str]], y_title: str = "FTE") -> go.Figure:
    """FTE by month, e.g. agency workers: actual to the as-at month, then the trajectory.
    Frame columns: month and the `series` columns."""
    figure = _figure()
    months = frame["month"].tolist()
    styles = (
        {"color": DARK_BLUE, "width": 3},
        {"color": DARK_BLUE, "width": 3, "dash": "dash"},
        {"color": ORANGE, "width": 2, "dash": "dot"},
        {"color": DARK_GREY, "width": 2, "dash": "dashdot"},
    )
    symbols = ("circle", "circle-open", "diamond", "square")
    for index, (column, name) in enumerate(series):
        figure.add_trace(
            go.Scatter(
                x=months,
                y=_series(frame, column),
                name=name,
                mode="lines+markers",
                line=styles[index],
                marker={"symbol": symbols[index], "size": 7},
                hovertemplate=NUMBER_HOVER,
            )
        )
    figure.update_layout(yaxis={"title": {"text": y_title}, "rangemode": "tozero"})
    return figure


def category_bars_figure(
    frame: pd.DataFrame,
    *,
    category: str,
    series: Sequence[tuple[str, str]],
    y_title: str,
    percent: bool = False,
    marker_column: str | None = None,
    marker_name: str = "",
) -> go.Figure:
    """Horizontal bars of numbers or rates by category (team, reason), in the frame's order from
    the top, each category's full name on the left (wrapped, never rotated or cut), with an
    optional marker per category (e.g. the manageable caseload). The chart grows with the number
    of categories so that a bar is never squashed, on screen or in the PDF. `y_title` names the
    values' axis (now the horizontal one)."""
    labels = [str(v) for v in frame[category].tolist()]
    rows = len(labels) * max(len(series), 1)
    figure = _figure(height=max(220, 26 * rows + 18 * len(labels) + 130))
    hover = (
        "%{y}: %{x:.1f}%<extra>%{fullData.name}</extra>"
        if percent
        else "%{y}: %{x:,.1f}<extra>%{fullData.name}</extra>"
    )
    every: list[float | None] = []
    for index, (column, name) in enumerate(series):
        values = _series(frame, column)
        every += values
        figure.add_trace(
            go.Bar(
                y=labels,
                x=values,
                name=name,
                orientation="h",
                hovertemplate=hover,
                marker={"color": PALETTE[index], "pattern": _pattern(index)},
            )
        )
    if marker_column and marker_column in frame.columns:
        marks = _series(frame, marker_column)
        every += marks
        figure.add_trace(
            go.Scatter(
                y=labels,
                x=marks,
                name=marker_name,
                mode="markers",
                marker={"symbol": "line-ns-open", "size": 26, "color": ORANGE, "line": {"width": 3, "color": ORANGE}},
                hovertemplate="%{y}: %{x:,.1f}<extra>%{fullData.name}</extra>",
            )
        )
    axis = count_axis([0.0, *every], y_title)  # bars are lengths: they start at zero
    if percent:
        # one decimal place, as every percentage is written (docs/dashboards.md)
        axis["ticktext"] = [f"{float(t):.1f}%" for t in axis["tickvals"]]  # type: ignore[attr-defined]
    figure.update_layout(
        barmode="group",
        showlegend=len(series) > 1 or bool(marker_column),
        xaxis={**axis, "showgrid": True, "gridcolor": "#d9d9d9", "zeroline": True, "zerolinecolor": DARK_GREY},
        yaxis={
            "autorange": "reversed",
            "tickvals": labels,
            "ticktext": [wrap_label(label) for label in labels],
            "showgrid": False,
            "zeroline": False,
            "rangemode": "normal",
            "automargin": True,
            # Invisible tick marks keep the names clear of the bars.
            "ticks": "outside",
            "ticklen": 8,
            "tickcolor": "rgba(0,0,0,0)",
        },
    )
    return figure


def _signed_money(value: float) -> str:
    return ("+" if value > 0 else "") + money_label(value)


def scenarios_figure(frame: pd.DataFrame) -> go.Figure:
    """Best, middle and worst: each scenario's variance against the budget (forecast outturn −
    budget) as a bar from zero, the budget, so that the axis is scaled to the differences (an
    overspend of £0.5m and one of £7.1m look different) rather than to a £127m outturn. Each bar
    carries its signed amount. Frame columns: scenario, budget, outturn (pence); a `variance`
    column is used when present (it is outturn − budget)."""
    figure = _figure()
    names = [str(s).capitalize() for s in frame["scenario"].tolist()]
    outturn = _series(frame, "outturn", pounds)
    budget = _series(frame, "budget", pounds)
    if "variance" in frame.columns:
        differences = _series(frame, "variance", pounds)
    else:
        differences = [None if o is None or b is None else o - b for o, b in zip(outturn, budget, strict=True)]
    figure.add_trace(
        go.Bar(
            x=names,
            y=differences,
            name="Variance against budget",
            marker={"color": [DARK_PINK if (d or 0) > 0 else TURQUOISE for d in differences]},
            text=[_signed_money(d or 0) for d in differences],
            textposition="outside",
            cliponaxis=False,
            customdata=outturn,
            hovertemplate="%{x}: forecast outturn £%{customdata:,.0f}, variance £%{y:+,.0f}<extra></extra>",
        )
    )
    base = budget[0] if budget and budget[0] is not None else None
    title = f"Over (+) or under (brackets) the budget of {money_label(base)}" if base is not None else "Variance"
    figure.update_layout(yaxis=variance_axis(differences, title), showlegend=False)
    return figure


def accuracy_figure(frame: pd.DataFrame) -> go.Figure:
    """How each period's forecast of a year's outturn moved towards the outturn: one line per
    financial year (at most four), forecast outturn (pence) by period, on an axis fitted to the
    forecasts (a £127m outturn forecast within a few million is not drawn from £0). Frame
    columns: year, period, forecast, reference (the outturn, or the latest forecast while the
    year is open)."""
    figure = _figure()
    years = list(dict.fromkeys(frame["year"].tolist()))[-4:]
    every: list[float | None] = []
    for index, year in enumerate(years):
        rows = frame[frame["year"] == year].sort_values("period")
        values = _series(rows, "forecast", pounds)
        every += values + _series(rows, "reference", pounds)
        figure.add_trace(
            go.Scatter(
                x=[f"P{int(p)}" for p in rows["period"]],
                y=values,
                name=str(year),
                mode="lines+markers",
                line={"color": PALETTE[index], "width": 2.5, "dash": ("solid", "dash", "dot", "dashdot")[index]},
                marker={"symbol": ("circle", "square", "diamond", "triangle-up")[index], "size": 8},
                hovertemplate="%{x}: £%{y:,.0f}<extra>%{fullData.name}</extra>",
            )
        )
    figure.update_layout(
        yaxis={**money_axis(every, "Forecast outturn (axis not from £0)", from_zero=False), "zeroline": False},
        xaxis={
            "title": {"text": "Period the forecast was made"},
            "categoryorder": "array",
            "categoryarray": [f"P{p}" for p in range(13)],
            "tickangle": 0,
        },
    )
    return figure


def figure_json(figure: go.Figure) -> dict[str, object]:
    """The figure as plain JSON data for json_script and the PDF. Lists, never typed arrays."""
    spec = figure.to_plotly_json()
    return {"data": spec["data"], "layout": spec["layout"]}
