"""How the variance bridge is worked out, line by line, in words with the figures, so that a
finance officer can check volume, price and other against the placement KPI page.

For each placement line with budgeted numbers (the engine's variance explained,
`forecasting.engine.variance`): the budget as a number of children and a weekly cost, the
forecast as a number of children (full-year equivalent, FYE) and an average weekly net cost —
split into the children already placed, whose FYE number and average weekly net cost are those
the placement KPI page shows for the same register, and the change the forecast expects — then
volume, price and other, and their sum, the line's variance.

Volume and price are whole pounds (the engine rounds them once, half up), so the three steps
shown in pounds add up to the variance shown in pounds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from dashboards.document.spec import Chart, chart, column, money
from forecasting.engine.money import pounds_text, round_pence_array
from wording import decimal_count

SECTION = "Spend and variance"
WEEKS = 52
NEEDED = {"line_code", "budget", "forecast", "variance", "volume", "price", "other", "budget_numbers"} | {
    "forecast_fye_number",
    "budget_unit_cost",
}


def _pence(value: Any) -> int | None:
    """An unrounded amount in pence (a weekly cost) as whole pence, half up; None when blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(round_pence_array(np.asarray([float(value)]))[0])


def weekly(value: Any) -> str:
    """A weekly cost to the penny: £4,807.69."""
    pence = _pence(value)
    return "" if pence is None else pounds_text(pence, 2)


def signed(pence: int) -> str:
    """+£1,234 / -£1,234 / £0: a step of the bridge."""
    return ("+" if pence > 0 else "") + money(pence)


def children(value: float) -> str:
    return f"{value:,.2f}"


def _number(row: dict[str, Any], key: str) -> float | None:
    value = row.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def line_sentences(row: dict[str, Any]) -> list[str]:
    """The workings of one line of variance explained (pence; numbers of children; weekly costs
    in unrounded pence a week), in the order a finance officer checks them."""
    b, f = float(row["budget_numbers"]), float(row["forecast_fye_number"])
    u, c = float(row["budget_unit_cost"]), _number(row, "forecast_unit_cost")
    budget, outturn, variance = int(row["budget"]), int(row["forecast"]), int(row["variance"])
    volume, price, other = int(row["volume"]), int(row["price"]), int(row["other"])
    cost = _number(row, "forecast_placement_cost")
    placed, placed_cost = _number(row, "placed_fye_number"), _number(row, "placed_net_cost")
    out = [
        f"Budget {money(budget)} for {children(b)} children (full-year equivalent), "
        f"{weekly(u)} a week each ({money(budget)} ÷ {children(b)} ÷ {WEEKS})."
    ]
    if f > 0 and c is not None and cost is not None:
        forecast = (
            f"Forecast {children(f)} children (full-year equivalent) at an average of {weekly(c)} a week "
            f"net of contributions, {money(int(cost))} for the year"
        )
        if placed and placed_cost is not None and placed > 0:
            change, change_cost = f - placed, int(cost) - int(placed_cost)
            forecast += (
                f": {children(placed)} children already placed at {weekly(placed_cost / (placed * WEEKS))} a week "
                f"({money(int(placed_cost))}; the FYE number and average weekly net cost that the placement KPI "
                f"page shows for the register as it stood at the as-at date)"
            )
            if round(abs(change), 2) == 0 and change_cost == 0:
                forecast += " and no change forecast beyond them"
            else:
                forecast += (
                    f" and {children(abs(change))} {'more' if change >= 0 else 'fewer'} children forecast beyond them "
                    f"({signed(change_cost)})"
                )
        out.append(forecast + ".")
    else:
        out.append("Forecast: no children on this line for the rest of the year.")
    more = "more" if f >= b else "fewer"
    out.append(
        f"Volume {signed(volume)}: {children(abs(f - b))} {more} children than budgeted × {WEEKS} weeks × "
        f"the budgeted {weekly(u)} a week."
    )
    if f > 0 and c is not None:
        side = "above" if c >= u else "below"
        out.append(
            f"Price {signed(price)}: the average weekly cost of {weekly(c)} is {weekly(abs(c - u))} {side} the "
            f"budgeted {weekly(u)}, × {decimal_count(f * WEEKS)} child-weeks ({children(f)} × {WEEKS})."
        )
    else:
        out.append("Price £0: no children forecast, so no weekly cost to compare.")
    rest = "Other " + signed(other) + ": the rest of the variance"
    if cost is not None:
        rest += (
            f", chiefly the forecast outturn of {money(outturn)} (actual spend in the ledger to date, then the "
            f"forecast) less the forecast placement cost of {money(int(cost))} (from the register), with any "
            f"savings on the line"
        )
    out.append(rest + ".")
    out.append(
        f"Volume + price + other = {signed(volume)} {'+' if price >= 0 else '−'} {money(abs(price))} "
        f"{'+' if other >= 0 else '−'} {money(abs(other))} = {money(variance)}, the line's variance "
        f"(forecast outturn {money(outturn)} − budget {money(budget)})."
    )
    return out


def workings_chart(lines: pd.DataFrame, explained: pd.DataFrame) -> list[Chart]:
    """The workings of each explained line: a table of the figures and, beside it, the words."""
    if explained.empty or not NEEDED <= set(explained.columns):
        return []
    names = dict(zip(lines["line_code"], lines["line_name"], strict=True)) if len(lines.columns) else {}
    rows = explained.to_dict("records")
    frame = pd.DataFrame(
        {
            "line": [names.get(r["line_code"], r["line_code"]) for r in rows],
            "budget_numbers": [float(r["budget_numbers"]) for r in rows],
            "budget_unit_cost": [_pence(r["budget_unit_cost"]) for r in rows],
            "forecast_fye_number": [float(r["forecast_fye_number"]) for r in rows],
            "forecast_unit_cost": [_pence(r.get("forecast_unit_cost")) for r in rows],
            "placed_fye_number": [_number(r, "placed_fye_number") for r in rows],
            "volume": [int(r["volume"]) for r in rows],
            "price": [int(r["price"]) for r in rows],
            "other": [int(r["other"]) for r in rows],
            "variance": [int(r["variance"]) for r in rows],
        }
    )
    columns = [
        column("line", "Line"),
        column("budget_numbers", "Budgeted children (FYE)", "number"),
        column("budget_unit_cost", "Budgeted weekly cost", "money2"),
        column("forecast_fye_number", "Forecast children (FYE)", "number"),
        column("placed_fye_number", "Of which already placed", "number"),
        column("forecast_unit_cost", "Forecast weekly cost (net)", "money2"),
        column("volume", "Volume", "money"),
        column("price", "Price", "money"),
        column("other", "Other", "money"),
        column("variance", "Variance", "money"),
    ]
    summary = (
        "Volume is the cost of more or fewer children than budgeted at the budgeted weekly cost; price is "
        "the cost of the forecast's average weekly cost differing from the budgeted one, over the forecast "
        "child-weeks; other is the rest. Each line's workings follow, with its figures."
    )
    workings = chart(
        "bridge-workings",
        SECTION,
        "How volume, price and other are worked out",
        summary,
        frame,
        columns,
        None,
        caption="The figures behind volume, price and other, by placement line",
    )
    workings["workings"] = [
        {"line": names.get(r["line_code"], r["line_code"]), "sentences": line_sentences(r)} for r in rows
    ]
    return [workings]
