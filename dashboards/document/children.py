"""Children in care: month-end numbers against the budget and past years, a fan for each of the
types that cost the most, the placement mix and high-cost placements.

Inputs are the run's `placements` table for one scenario (placement_type, period 1..12,
is_actual, month_end_number, average_number, number_p10, number_p90, net_cost in pence), the
register and types frames of the engine (forecasting/engine/placements.py) and plain values.
Care leaver types (those that continue after 18) are not children in care.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import pandas as pd

import wording
from dashboards import charts
from dashboards.document.spec import Chart, chart, column, count, money, month, months
from forecast_runs.demand.reported import IN_CARE
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.high_cost import DEFAULT_HIGH_COST_THRESHOLD
from forecasting.engine.money import pounds_text
from forecasting.engine.placements import placement_kpis
from forecasting.engine.scenarios import REPORTED_SCENARIO

SECTION = "Children in care"
FAN_TYPES = 3  # fan charts for the types with the largest net cost
MIX_GROUPS = 3  # named types in the mix chart; the rest are "All other types"
PAST_YEARS = 2


def budgeted_numbers(explained: pd.DataFrame, line_types: Mapping[str, str]) -> dict[str, float]:
    """Budgeted numbers of children by placement type, from the run's variance explained (one
    scenario): the lines' budget_numbers added up per type."""
    out: dict[str, float] = {}
    if explained.empty or "budget_numbers" not in explained.columns:
        return out
    for row in explained.to_dict("records"):
        code = line_types.get(row["line_code"])
        if code and row.get("budget_numbers") is not None and not pd.isna(row["budget_numbers"]):
            out[code] = out.get(code, 0.0) + float(row["budget_numbers"])
    return out


def past_year_numbers(
    register: pd.DataFrame | None, types: pd.DataFrame, calendar: Calendar, care_leaver_types: Collection[str]
) -> dict[str, list[float]]:
    """Month-end children in care for up to two past years, April..March, by year label; a year
    with no children at all is left out."""
    if register is None:
        return {}
    first = Calendar(calendar.start_year - PAST_YEARS)
    last = Calendar(calendar.start_year - 1)
    kpis = placement_kpis(register, types, months_from=first.start, months_to=last.end)
    kpis = kpis[~kpis["placement_type"].isin(care_leaver_types)]
    by_month = kpis.groupby("month")["month_end_number"].sum()
    out: dict[str, list[float]] = {}
    for back in range(PAST_YEARS, 0, -1):
        year = Calendar(calendar.start_year - back)
        values = [float(by_month.get(year.month_label(p), 0)) for p in range(1, 13)]
        if any(values):
            out[year.label] = values
    return out


def year_series(group: pd.DataFrame, period: int) -> tuple[list[float | None], list[float | None]]:
    """Actual month-end numbers to the as-at period and the forecast after it; the forecast
    starts at the last actual so that the two lines meet."""
    values = {int(p): float(v) for p, v in zip(group["period"], group["month_end_number"], strict=True)}
    actual = [values.get(p) if p <= period else None for p in range(1, 13)]
    forecast = [values.get(p) if p > period or (p == period and period > 0) else None for p in range(1, 13)]
    return actual, forecast


def children_charts(
    placements: pd.DataFrame,
    *,
    calendar: Calendar,
    period: int,
    care_leaver_types: Collection[str],
    type_names: Mapping[str, str],
    budgeted: Mapping[str, float],
    past: Mapping[str, list[float]],
    band: Mapping[int, tuple[float, float]] | None = None,
) -> list[Chart]:
    """The children in care chart, then a fan for each of the FAN_TYPES costliest types."""
    if placements.empty:
        return []
    in_care = in_care_chart(
        placements,
        calendar=calendar,
        period=period,
        care_leaver_types=care_leaver_types,
        budgeted=budgeted,
        past=past,
        band=band,
    )
    fans = fan_charts(placements, calendar=calendar, period=period, type_names=type_names, budgeted=budgeted)
    return [in_care, *fans]


def in_care_chart(
    placements: pd.DataFrame,
    *,
    calendar: Calendar,
    period: int,
    care_leaver_types: Collection[str],
    budgeted: Mapping[str, float],
    past: Mapping[str, list[float]],
    band: Mapping[int, tuple[float, float]] | None = None,
) -> Chart:
    """Children in care by month end. `band`: the likely-range ratios (low, high) by months
    after the as-at date of the number a run reports, calibrated from the back-test of that sum
    (``in_care_band``); the range is the forecast times them, opening from the last actual."""
    in_care = placements[~placements["placement_type"].isin(care_leaver_types)]
    total = in_care.groupby("period", as_index=False)["month_end_number"].sum()
    actual, forecast = year_series(total, period)
    frame = pd.DataFrame({"month": months(calendar), "actual": actual, "forecast": forecast})
    low, high = _likely_range(actual, forecast, period, band)
    if low is not None and high is not None:
        frame["p10"], frame["p90"] = low, high
    in_care_budget = sum(v for k, v in budgeted.items() if k not in care_leaver_types)
    if in_care_budget:
        frame["budgeted"] = in_care_budget
    for label, values in past.items():
        frame[f"past:{label}"] = values
    columns = [
        column("month", "Month"),
        column("actual", f"{calendar.label} actual", "number"),
        column("forecast", f"{calendar.label} forecast", "number"),
    ]
    if low is not None:
        columns += [column("p10", "Low (10th percentile)", "number"), column("p90", "High (90th percentile)", "number")]
    if in_care_budget:
        columns.append(column("budgeted", "Budgeted", "number"))
    columns += [column(f"past:{label}", f"{label} actual", "number") for label in past]
    now = actual[period - 1] if period else None
    summary = (
        f"Children in care: {count(now)} at {wording.date_text(calendar.as_at_date(period))}, "
        f"forecast {count(forecast[11])} at March"
    )
    if low is not None and high is not None:
        summary += f" (likely between {count(low[11])} and {count(high[11])})"
    if in_care_budget:
        summary += f" against {count(in_care_budget)} budgeted"
    if past:
        last_label = list(past)[-1]
        summary += f"; {count(past[last_label][11])} at March in {last_label}"
    return chart(
        "children",
        SECTION,
        "Children in care: month-end numbers",
        summary + ".",
        frame,
        columns,
        charts.numbers_over_year_figure,
        caption="Children in care at each month end (placement types that stop at 18)",
    )


def _fan_edge(values: dict[int, Any], p: int, period: int, fallback: float | None) -> float | None:
    if p < period:
        return None
    if p == period:
        return fallback  # the fan opens from the last actual number
    value = values.get(p)
    return None if value is None or pd.isna(value) else float(value)


def in_care_band(
    made_from: Mapping[str, Any] | None, models_used: pd.DataFrame, scenario: str
) -> dict[int, tuple[float, float]] | None:
    """The likely-range ratios of the children in care a run reports, by months ahead, from the
    run's calibration (``input_summary["calibration"]["totals"]``). Only for the reported
    scenario with every type forecast by the method its back-test chose (``auto``): the ratios
    were calibrated on the sum of those forecasts and say nothing about another method's."""
    if scenario != REPORTED_SCENARIO or models_used.empty:
        return None
    if set(models_used.get("demand_method", pd.Series(dtype=object))) != {"auto"}:
        return None
    calibration = (made_from or {}).get("calibration") or {}
    bands = (calibration.get("totals") or {}).get(IN_CARE)
    if not bands:
        return None
    return {int(h): (float(low), float(high)) for h, (low, high) in bands.items()}


def _likely_range(
    actual: list[Any], forecast: list[Any], period: int, band: Mapping[int, tuple[float, float]] | None
) -> tuple[list[float | None], list[float | None]] | tuple[None, None]:
    """The forecast times the band's ratios after the as-at month (a horizon without ratios
    takes the last one before it), opening from the last actual; None without a band."""
    if not band or period >= 12:
        return None, None
    low: list[float | None] = [None] * 12
    high: list[float | None] = [None] * 12
    if period:
        low[period - 1] = high[period - 1] = actual[period - 1]
    for p in range(period + 1, 13):
        value = forecast[p - 1]
        known = [h for h in band if h <= p - period]
        if value is None or pd.isna(value) or not known:
            continue
        ratio_low, ratio_high = band[max(known)]
        low[p - 1], high[p - 1] = float(value) * ratio_low, float(value) * ratio_high
    return low, high


def fan_charts(
    placements: pd.DataFrame,
    *,
    calendar: Calendar,
    period: int,
    type_names: Mapping[str, str],
    budgeted: Mapping[str, float],
) -> list[Chart]:
    """Actual and forecast numbers of each of the types with the largest net cost, with the
    forecast's 10–90% range where the scenario's method gives one."""
    cost = placements.groupby("placement_type")["net_cost"].sum().sort_values(ascending=False)
    out = []
    for code in [c for c, v in cost.items() if v > 0][:FAN_TYPES]:
        group = placements[placements["placement_type"] == code].sort_values("period")
        actual, forecast = year_series(group, period)
        p10 = {int(p): v for p, v in zip(group["period"], group["number_p10"], strict=True)}
        p90 = {int(p): v for p, v in zip(group["period"], group["number_p90"], strict=True)}
        low = [_fan_edge(p10, p, period, actual[p - 1] if p else None) for p in range(1, 13)]
        high = [_fan_edge(p90, p, period, actual[p - 1] if p else None) for p in range(1, 13)]
        has_band = any(v is not None for p, v in enumerate(low, start=1) if p > period)
        if not has_band:
            low = high = [None] * 12
        frame = pd.DataFrame(
            {"month": months(calendar), "actual": actual, "forecast": forecast, "p10": low, "p90": high}, dtype=object
        )
        if code in budgeted:
            frame["budgeted"] = budgeted[code]
        name = type_names.get(str(code), str(code))
        now = actual[period - 1] if period else None
        summary = (
            f"{name}: {count(now)} at {wording.date_text(calendar.as_at_date(period))}, forecast {count(forecast[11])}"
        )
        if has_band:
            summary += f" (range {count(low[11])}–{count(high[11])})"
        summary += " at March"
        if code in budgeted:
            summary += f"; {count(budgeted[str(code)])} budgeted"
        if not has_band:
            summary += ". This scenario's method gives no 10–90% range"
        columns = [
            column("month", "Month"),
            column("actual", "Actual", "number"),
            column("forecast", "Forecast", "number"),
            column("p10", "Low (10th percentile)", "number"),
            column("p90", "High (90th percentile)", "number"),
        ]
        if code in budgeted:
            columns.append(column("budgeted", "Budgeted", "number"))
        fan = chart(
            f"fan-{code}",
            SECTION,
            f"{name}: actual and forecast numbers",
            summary + ".",
            frame,
            columns,
            charts.fan_figure,
            caption=f"{name}: month-end numbers, forecast and its 10–90% range",
        )
        fan["placement_type"] = code
        out.append(fan)
    return out


def mix_chart(
    placements: pd.DataFrame,
    *,
    calendar: Calendar,
    period: int,
    care_leaver_types: Collection[str],
    type_names: Mapping[str, str],
) -> list[Chart]:
    """Children in care by placement type over the year: the MIX_GROUPS largest types at the
    as-at month by name, the rest together."""
    if placements.empty:
        return []
    in_care = placements[~placements["placement_type"].isin(care_leaver_types)]
    at = max(period, 1)
    size = in_care[in_care["period"] == at].groupby("placement_type")["month_end_number"].sum()
    size = size[size > 0].sort_values(ascending=False)
    if size.empty:
        return []
    named = list(size.index[:MIX_GROUPS])
    pivot = in_care.pivot_table(index="period", columns="placement_type", values="month_end_number", aggfunc="sum")
    pivot = pivot.reindex(range(1, 13)).fillna(0.0)
    frame = pd.DataFrame({"month": months(calendar)})
    columns = [column("month", "Month")]
    for code in named:
        label = type_names.get(code, code)
        frame[label] = pivot[code].to_numpy()
        columns.append(column(label, label, "number"))
    others = [c for c in pivot.columns if c not in named]
    if others and pivot[others].to_numpy().any():
        frame["All other types"] = pivot[others].sum(axis=1).to_numpy()
        columns.append(column("All other types", "All other types", "number"))
    total = float(size.sum())
    shares = ", ".join(f"{type_names.get(c, c)} {wording.percent(size[c] / total * 100)}" for c in named)
    summary = (
        f"Placement mix at {month(calendar, at)}: {shares} of {wording.count(total)} children in care. Months after "
        f"{month(calendar, period) if period else 'March'} are forecast."
    )
    return [
        chart(
            "mix",
            SECTION,
            "Placement mix over the year",
            summary,
            frame,
            columns,
            charts.stacked_numbers_figure,
            caption="Children in care at each month end by placement type (actual, then forecast)",
        )
    ]


def high_cost_chart(
    series: pd.DataFrame, *, calendar: Calendar, period: int, threshold: int = DEFAULT_HIGH_COST_THRESHOLD
) -> list[Chart]:
    """High-cost placements by month to the as-at date, from the engine's `high_cost_by_month`
    (period, number, gross_cost, average_weekly_cost); nothing when there are none."""
    if period == 0 or series.empty:
        return []
    frame = pd.DataFrame(
        {
            "month": [month(calendar, int(p)) for p in series["period"]],
            "number": series["number"].tolist(),
            "gross_cost": series["gross_cost"].tolist(),
            "average_weekly_cost": series["average_weekly_cost"].tolist(),
        }
    )
    if not frame["number"].any():
        return []
    last = frame.iloc[-1]
    rate = last["average_weekly_cost"]
    summary = (
        f"High-cost placements (over {pounds_text(threshold)} a week, excluding secure and "
        f"unaccompanied asylum-seeking children): {wording.count(last['number'])} at "
        f"{wording.date_text(calendar.month_end(period))}, average weekly rate "
        f"{'none' if rate is None or pd.isna(rate) else money(rate)}"
        f"; {money(frame['gross_cost'].sum())} spent on them so far this year."
    )
    columns = [
        column("month", "Month"),
        column("number", "Number at month end", "number"),
        column("gross_cost", "Gross cost in month", "money"),
        column("average_weekly_cost", "Average weekly rate", "money2"),
    ]
    return [
        chart(
            "high-cost",
            SECTION,
            "High-cost placements",
            summary,
            frame,
            columns,
            charts.high_cost_figure,
            caption="High-cost placements by month (actual)",
        )
    ]
