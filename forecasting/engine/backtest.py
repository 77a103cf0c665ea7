"""Back-testing and calibration of the demand methods (FORECAST.md, Accuracy).

The engine is run "as at" earlier dates using only what was known then: rows that had started
by that date, with end dates (and planned end dates) after it treated as unknown, i.e. open.
Each method's projected month-end numbers are compared with what the full register says
happened. Reported per method and horizon (months after the as-at date): the mean absolute
percentage error (MAPE) of month-end numbers and how often the actual number fell inside the
10–90% interval (statistical method only).

Calibration: the factor by which the statistical interval must be widened around its middle
path so that, on the authority's own history, it covers what it claims (80%). Intervals are
only ever widened (factor ≥ 1), never narrowed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from forecasting.engine import demand
from forecasting.engine.placements import month_end_history, numbers_on_dates
from forecasting.engine.scenarios import ALL_TYPES, FORECAST_METHODS

TARGET_COVERAGE = 0.8  # a 10th–90th percentile interval claims 80%
MAX_CALIBRATION = 5.0  # beyond this the model is not describing the data; cap, do not chase
MIN_CALIBRATION_OBSERVATIONS = 12  # fewer forecasts of a type: use the pooled factor


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """`forecasts`: one row per method, type, origin and horizon with forecast, actual, the
    raw and calibrated 10/90 percentiles, abs_pct_error (%, NaN when the actual is 0) and
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
    calibration: Mapping[str, float] | None = None,
    placement_types: Sequence[str] | None = None,
) -> BacktestResult:
    """Run each demand method as at each origin date and score it against the full register.

    For origin D and horizon h (1..`horizon`) the target is the last day of the h-th month after
    D's month; targets after `actuals_up_to` (the date the register is complete to) are skipped.
    `net_change` is the Δ used for the net_change method (0 = numbers stay flat, the natural
    benchmark). `calibration` (by type, or "*") widens the statistical intervals; raw intervals
    are kept as p10_raw/p90_raw so factors can be estimated from any run. Types: those named, or
    every type with at least one row.
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
        if not targets:
            continue
        known = known_at(register, origin)
        history = month_end_history(known, types, up_to=origin)
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
                    calibration=1.0,
                )
                records += _forecast_records(
                    forecast, method, code, origin, targets, actual, horizon, _factor(calibration, code)
                )
    forecasts = pd.DataFrame.from_records(records, columns=_FORECAST_COLUMNS[:13])
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
    factor: float,
) -> list[dict[str, object]]:
    """One record per target date: the forecast, what happened, the raw and widened interval."""
    lo_raw = forecast.p10 if forecast.p10 is not None else np.full(horizon, np.nan)
    hi_raw = forecast.p90 if forecast.p90 is not None else np.full(horizon, np.nan)
    lo, _, hi = demand.widen_interval(forecast.month_end, lo_raw, hi_raw, factor)
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
            "p10": float(lo[h - 1]),
            "p90": float(hi[h - 1]),
            "calibration": factor,
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
    "calibration",
    "abs_pct_error",
    "covered",
]


def _targets(origin: date, horizon: int) -> list[date]:
    ends = month_ends_between(origin, _add_months(origin, horizon))
    return ends[1 : horizon + 1]


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _factor(calibration: Mapping[str, float] | None, code: str) -> float:
    if calibration is None:
        return 1.0
    return float(calibration.get(code, calibration.get(ALL_TYPES, 1.0)))


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


def calibration_factors(
    forecasts: pd.DataFrame,
    *,
    target_coverage: float = TARGET_COVERAGE,
    min_observations: int = MIN_CALIBRATION_OBSERVATIONS,
    max_factor: float = MAX_CALIBRATION,
) -> dict[str, float]:
    """Widening factor per placement type (and "*" pooled over all types) from back-test
    forecasts of the statistical method.

    For each forecast the factor needed to cover the actual is r = distance of the actual from
    the middle / distance of the RAW percentile on that side from the middle. The factor is the
    smallest r covering `target_coverage` of the forecasts (the 80th percentile of r), never
    below 1 (intervals are widened, not narrowed) nor above `max_factor`. Types with fewer than
    `min_observations` forecasts take the pooled factor.
    """
    rows = forecasts[(forecasts["method"] == "statistical")]
    rows = rows[rows["p10_raw"].notna() & rows["p90_raw"].notna()]
    if rows.empty:
        return {ALL_TYPES: 1.0}
    needed = _needed_factor(rows)
    pooled = _quantile_factor(needed, target_coverage, max_factor)
    factors = {ALL_TYPES: pooled}
    for code, values in needed.groupby(rows["placement_type"]):
        factors[str(code)] = (
            _quantile_factor(values, target_coverage, max_factor) if len(values) >= min_observations else pooled
        )
    return factors


def _needed_factor(rows: pd.DataFrame) -> pd.Series:
    actual = rows["actual"].astype(float)
    mid = rows["forecast"].astype(float)
    above = actual >= mid
    half_width = (rows["p90_raw"] - mid).where(above, mid - rows["p10_raw"]).astype(float)
    distance = (actual - mid).abs()
    # a zero-width side covers only an exact hit; anything else needs an unbounded factor
    ratio = (distance / half_width.where(half_width > 0)).fillna(0.0)
    ratio = ratio.where(~((half_width <= 0) & (distance > 0)), np.inf)
    return ratio


def _quantile_factor(values: pd.Series, target: float, max_factor: float) -> float:
    finite = np.minimum(values.to_numpy(dtype=np.float64), max_factor)
    factor = float(np.quantile(finite, target, method="higher"))
    return float(min(max(factor, 1.0), max_factor))


def calibrate(
    register: pd.DataFrame,
    types: pd.DataFrame,
    *,
    origins: Sequence[date],
    actuals_up_to: date,
    horizon: int = 12,
    target_coverage: float = TARGET_COVERAGE,
) -> dict[str, float]:
    """Back-test the statistical method and return the widening factors for
    `project_placements(..., calibration=...)`."""
    result = backtest(
        register,
        types,
        origins=origins,
        actuals_up_to=actuals_up_to,
        horizon=horizon,
        methods=("statistical",),
    )
    return calibration_factors(result.forecasts, target_coverage=target_coverage)


def coverage_after_calibration(forecasts: pd.DataFrame, factors: Mapping[str, float]) -> pd.DataFrame:
    """Per horizon: how often the actual fell inside the RAW 10–90% interval of the statistical
    method, and inside the interval widened by `factors` (FORECAST.md, Accuracy: intervals that
    cover less than they claim are widened before they are shown). Shares 0..1."""
    rows = forecasts[(forecasts["method"] == "statistical") & forecasts["p10_raw"].notna()].copy()
    columns = ["horizon", "forecasts", "coverage_raw", "coverage_calibrated"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    factor = rows["placement_type"].map(lambda code: _factor(factors, str(code))).astype(float)
    mid = rows["forecast"].astype(float)
    low = np.maximum(mid - factor * np.maximum(mid - rows["p10_raw"].astype(float), 0.0), 0.0)
    high = mid + factor * np.maximum(rows["p90_raw"].astype(float) - mid, 0.0)
    actual = rows["actual"].astype(float)
    rows["raw"] = (actual >= rows["p10_raw"].astype(float)) & (actual <= rows["p90_raw"].astype(float))
    rows["calibrated"] = (actual >= low) & (actual <= high)
    summary = rows.groupby("horizon", sort=True).agg(
        forecasts=("raw", "size"), coverage_raw=("raw", "mean"), coverage_calibrated=("calibrated", "mean")
    )
    return summary.reset_index()[columns]
