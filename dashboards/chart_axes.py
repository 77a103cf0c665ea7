"""Axes and labels of the dashboards' charts: £ tick labels as councils write them, nice round
ticks, and the three kinds of value axis (amounts from zero, differences around zero, numbers
fitted to the data when a zero baseline would hide the change). Used by `dashboards/charts.py`."""

from __future__ import annotations

import math
from collections.abc import Sequence


def money_label(value_pounds: float) -> str:
    """£ tick text as councils write it: £950k, £1.5m, and a negative in brackets, (£2m)."""
    size = abs(value_pounds)
    if size >= 1_000_000:
        text = f"{size / 1_000_000:,.1f}".rstrip("0").rstrip(".") + "m"
    elif size >= 1_000:
        text = f"{size / 1_000:,.0f}k"
    else:
        text = f"{size:,.0f}"
    return f"(£{text})" if value_pounds < 0 and text != "0" else f"£{text}"


def _nice_step(span: float, ticks: int = 5) -> float:
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = float(10 ** math.floor(math.log10(raw)))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return float(multiple * magnitude)
    return float(10 * magnitude)


def _span_ticks(low: float, high: float, *, headroom: bool) -> tuple[float, float, list[float]]:
    """A range from `low` to `high` on nice round ticks (1, 2, 2.5 or 5 × a power of ten).
    `headroom` adds a step above the highest value for the labels printed outside bars."""
    step = _nice_step(high - low)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    if headroom and last <= high:
        last += step
    if headroom and low < 0 and first >= low:
        first -= step
    ticks = [first + i * step for i in range(int(round((last - first) / step)) + 1)]
    return first, last, ticks


def money_axis(values: Sequence[float | None], title: str = "", *, from_zero: bool = True) -> dict[str, object]:
    """An axis in pounds with £ tick labels. By default it includes zero (amounts); with
    `from_zero=False` it is fitted to the values (e.g. forecasts of a £127m outturn that differ by
    a few million), with a little room either side."""
    present = [v for v in values if v is not None]
    if from_zero or not present:
        first, last, ticks = _span_ticks(min([0.0, *present]), max([0.0, *present]), headroom=True)
    else:
        low, high = min(present), max(present)
        pad = (high - low) * 0.1 or abs(high) * 0.02 or 1.0
        first, last, ticks = _span_ticks(low - pad, high + pad, headroom=False)
    return {
        "tickvals": ticks,
        "ticktext": [money_label(t) for t in ticks],
        "range": [first, last],
        "title": {"text": title},
        "rangemode": "normal",
    }


def variance_axis(values: Sequence[float | None], title: str = "") -> dict[str, object]:
    """An axis in pounds for differences from the budget: zero (the budget) always in view, the
    range scaled to the largest difference, with "+£3.4m" above zero and "-£0.5m" below."""
    axis = money_axis(values, title)
    axis["ticktext"] = [("+" if t > 0 else "") + money_label(t) for t in axis["tickvals"]]  # type: ignore[attr-defined]
    return axis


def count_axis(values: Sequence[float | None], title: str = "") -> dict[str, object]:
    """An axis for numbers of children or FTE. It starts at zero unless the smallest value is more
    than half the largest: then a zero baseline would flatten the changes that matter (1,000
    children moving to 1,060), so the axis is fitted to the data and its first tick is not zero,
    which readers see. Never below zero."""
    present = [v for v in values if v is not None]
    low, high = min(present, default=0.0), max(present, default=0.0)
    if low <= 0 or high <= 0 or low <= high / 2:
        # A step of room above the largest value when it falls on a tick, so a bar never touches the edge.
        first, last, ticks = _span_ticks(0.0, max(high, 1.0), headroom=True)
    else:
        pad = (high - low) * 0.1 or high * 0.05
        first, last, ticks = _span_ticks(max(low - pad, 0.0), high + pad, headroom=False)
    return {
        "range": [first, last],
        "tickvals": ticks,
        "ticktext": [f"{t:,.0f}" if float(t).is_integer() else f"{t:,.1f}" for t in ticks],
        "title": {"text": title},
        "rangemode": "normal",
    }


def wrap_label(text: str, width: int = 22) -> str:
    """A category's full name broken over lines of about `width` characters (plotly.js's <br>),
    so that long team names stay whole without taking half a phone's width."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines) or str(text)
