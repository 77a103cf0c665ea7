"""Back-testing of the demand methods over the register (FORECAST.md, Accuracy).

The engine is run "as at" earlier dates using only what was known then: rows that had started
by that date, with end dates (and planned end dates) after it treated as unknown, i.e. open.
Each method's projected month-end numbers are compared with what the full register says
happened. Reported per method and horizon (months after the as-at date): the mean absolute
percentage error (MAPE) of month-end numbers and how often the actual number fell inside the
10–90% interval (statistical method only).

Intervals are calibrated from these forecasts' own errors by `forecast_runs.demand`
(split-conformal ratios for every method); here the statistical model's raw band is only scored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from forecasting.engine import demand
from forecasting.engine.placements import month_end_history, numbers_on_dates
from forecasting.engine.scenarios import FORECAST_METHODS


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """`forecasts`: one row per method, type, origin and horizon with forecast, actual, the
    model's own 10/90 percentiles (p10_raw/p90_raw, and p10/p90 alike), abs_pct_error (%, NaN when the actual is 0) and
    covered (NaN without an interval). `summary`: per method and horizon, mape (%), coverage
    (share 0..1, NaN without intervals), forecasts (count) and with_interval (count)."""

    forecasts: pd.DataFrame
    summary: pd.DataFrame


def known_at(register: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """The register as it could have been known on `as_at`: rows started on or before it, end
    dates and planned end dates after it cleared (open). 18th birthdays still apply (dates of
    birth were known). Planned end dates are cleared too because a register does not say when
    a plan was recorded; keeping them would let hindsight into the back-test."""
    cutoff = pd.Timestamp(as_at)
    known = register.loc[pd.to_datetime(register["start_date"]) <= cutoff].copy()
    for column in ("end_date", "planned_end_date"):
        dates = pd.to_datetime(known[column])
        known[column] = dates.where(dates <= cutoff)
    return known


def month_ends_between(first: date, last: date) -> list[date]:
    """The last day of every month from the month of `first` to the month of `last`."""
    months = np.arange(
        np.datetime64(f"{first.year:04d}-{first.month:02d}", "M"),
        np.datetime64(f"{last.year:04d}-{last.month:02d}", "M") + 1,
    )
    ends = (months + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return [d.astype(object) for d in ends]


def backtest(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    origins: Sequence[date],
    actuals_up_to: date,
    horizon: int = 12,
    methods: Sequence[str] = FORECAST_METHODS,
    net_change: float = 0.0,
    history_from: date | None = None,
    placement_types: Sequence[str] | None = None,
) -> BacktestResult:
    """Run each demand method as at each origin date and score it against the full register.

    For origin D and horizon h (1..`horizon`) the target is the last day of the h-th month after
    D's month; targets after `actuals_up_to` (the date the register is complete to) are skipped.
    `net_change` is the Δ used for the net_change method (0 = numbers stay flat, the natural
    benchmark). `history_from`: the date from which the register holds every placement (the
    history a method learns from starts there, as in a run). Types: those named, or every type
    with at least one row.
    """
    unknown = set(methods) - set(FORECAST_METHODS)
    if unknown:
        raise ValueError(f"unknown demand method(s): {sorted(unknown)}")
    if placement_types is None:
        placement_types = sorted({str(t) for t in register["placement_type"]})
    actual = _actual_numbers(register, types, origins, horizon, actuals_up_to)
    records: list[dict[str, object]] = []
    for origin in origins:  # a loop over as-at dates and types, never over rows
        targets = [t for t in _targets(origin, horizon) if t <= actuals_up_to]
        if not targets or (history_from is not None and origin < history_from):
            continue  # nothing to score, or nothing known yet to learn from
        known = known_at(register, origin)
        history = month_end_history(known, types, up_to=origin, from_date=history_from)
        committed = numbers_on_dates(known, types, _targets(origin, horizon))
        for code in placement_types:
            part = history[history["placement_type"] == code]
            series = part["month_end_number"].to_numpy(dtype=np.float64)
            if len(series) == 0 or not series.any():
                continue  # the type did not exist yet at this origin
            committed_month_ends = (
                committed.loc[code].to_numpy(dtype=np.float64) if code in committed.index else np.zeros(horizon)
            )
            for method in methods:
                forecast = demand.forecast_month_ends(
                    method,
                    history=series,
                    horizon=horizon,
                    entries=part["entries"].to_numpy(),
                    exits=part["exits"].to_numpy(),
                    committed_month_ends=committed_month_ends,
                    net_change=net_change,
                )
                records += _forecast_records(forecast, method, code, origin, targets, actual, horizon)
    forecasts = pd.DataFrame.from_records(records, columns=_FORECAST_COLUMNS[:12])
    forecasts = _score(forecasts)
    return BacktestResult(forecasts=forecasts, summary=_summarise(forecasts))


def _actual_numbers(
    register: pd.DataFrame, types: pd.DataFrame, origins: Sequence[date], horizon: int, actuals_up_to: date
) -> dict[tuple[str, date], float]:
    """What the full register says was the number in placement on every target date, by type."""
    all_targets = sorted({t for d in origins for t in _targets(d, horizon) if t <= actuals_up_to})
    actual: dict[tuple[str, date], float] = {}
    if all_targets:
        numbers = numbers_on_dates(register, types, all_targets)
        for code_, values in zip(numbers.index, numbers.to_numpy(dtype=np.float64), strict=True):
            actual.update({(str(code_), target): float(v) for target, v in zip(all_targets, values, strict=True)})
    return actual


def _forecast_records(
    forecast: demand.DemandForecast,
    method: str,
    code: str,
    origin: date,
    targets: list[date],
    actual: Mapping[tuple[str, date], float],
    horizon: int,
) -> list[dict[str, object]]:
    """One record per target date: the forecast, what happened and the model's own interval."""
    lo_raw = forecast.p10 if forecast.p10 is not None else np.full(horizon, np.nan)
    hi_raw = forecast.p90 if forecast.p90 is not None else np.full(horizon, np.nan)
    return [
        {
            "method": method,
            "placement_type": code,
            "origin": origin,
            "horizon": h,
            "target_date": target,
            "model": forecast.model,
            "forecast": float(forecast.month_end[h - 1]),
            "actual": actual.get((code, target), 0.0),
            "p10_raw": float(lo_raw[h - 1]),
            "p90_raw": float(hi_raw[h - 1]),
            "p10": float(lo_raw[h - 1]),
            "p90": float(hi_raw[h - 1]),
        }
        for h, target in enumerate(targets, start=1)
    ]


_FORECAST_COLUMNS = [
    "method",
    "placement_type",
    "origin",
    "horizon",
    "target_date",
    "model",
    "forecast",
    "actual",
    "p10_raw",
    "p90_raw",
    "p10",
    "p90",
    "abs_pct_error",
    "covered",
]


def _targets(origin: date, horizon: int) -> list[date]:
    ends = month_ends_between(origin, _add_months(origin, horizon))
    return ends[1 : horizon + 1]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _score(forecasts: pd.DataFrame) -> pd.DataFrame:
    """APE in % (undefined when nothing was actually placed) and interval coverage."""
    out = forecasts.copy()
    actual = out["actual"].astype(float)
    error = (out["forecast"].astype(float) - actual).abs()
    out["abs_pct_error"] = (error / actual * 100.0).where(actual > 0)
    has_interval = out["p10"].notna() & out["p90"].notna()
    inside = (out["p10"] <= actual) & (actual <= out["p90"])
    out["covered"] = inside.astype(float).where(has_interval)
    return out[_FORECAST_COLUMNS]


def _summarise(forecasts: pd.DataFrame) -> pd.DataFrame:
    columns = ["method", "horizon", "mape", "coverage", "forecasts", "with_interval"]
    if forecasts.empty:
        return pd.DataFrame(columns=columns)
    grouped = forecasts.groupby(["method", "horizon"], sort=True)
    summary = grouped.agg(
        mape=("abs_pct_error", "mean"),
        coverage=("covered", "mean"),
        forecasts=("forecast", "size"),
        with_interval=("covered", "count"),
    ).reset_index()
    return summary[columns]
