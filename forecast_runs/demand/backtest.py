"""Forecasts made on past dates and scored against what happened.

``backtest`` is told how to get each series as it was known on a past date (``inputs_at``: the
replay of the SSDA903 returns, or an analyst's series cut at that date) and what the numbers
turned out to be (``truth``); it makes every method's forecast on every origin and keeps one row
per series, method, origin and horizon.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date

import numpy as np
import pandas as pd

from forecast_runs.demand.methods import forecast_paths, methods_for
from forecast_runs.demand.series import ANNUAL, MONTHLY, FloatArray, SeriesInputs

# A past date is scored only where the series already had a year of month-ends (three yearly
# counts): the methods that learn from the past (flow's 12 months, the trends' 24, a yearly
# model's 3 years) are judged on the history they will have when the product uses them, not on
# a first return's few months.
MIN_HISTORY = {MONTHLY: 12, ANNUAL: 3}
RECORD_COLUMNS = [
    "series",
    "method",
    "origin",
    "horizon",
    "target",
    "forecast",
    "p10_model",
    "p90_model",
    "actual",
    "ape",
]


def backtest_origins(dates: Sequence[date], *, every: int) -> list[date]:
    """Past forecast dates: every ``every``-th date counting back from the last (the as-at
    date, which is not one of them), oldest first."""
    positions = range(len(dates) - 1 - every, -1, -every)
    return sorted(dates[i] for i in positions)


def backtest(
    inputs_at: Callable[[date], Mapping[str, SeriesInputs]],
    truth: Mapping[str, pd.Series],
    origins: Sequence[date],
    *,
    horizon: int,
    methods: Collection[str] | None = None,
    min_history: int | None = None,
) -> pd.DataFrame:
    """One row per series, method, origin and horizon (``RECORD_COLUMNS``): the forecast, the
    model's own 10/90 band (statistical only, else NaN), what happened (``actual``; 0 for a
    series that has no number that day) and the absolute percentage error (NaN when the actual
    is 0). Only dates up to the last date of ``truth`` are scored; a series is forecast on an
    origin only once it has ``min_history`` dates since its first child (None: ``MIN_HISTORY``).
    ``methods`` None = every method the series allows."""
    last_known = max((s.index.max() for s in truth.values() if len(s)), default=None)
    parts: list[dict[str, np.ndarray]] = []
    for origin in origins:  # a loop over past dates and series, never over rows
        for name, series in inputs_at(origin).items():
            targets = [d for d in series.future_dates(horizon) if last_known is not None and d <= last_known]
            if not targets or series.length() < (min_history or MIN_HISTORY[series.step]):
                continue
            allowed = [m for m in methods_for(series) if methods is None or m in methods]
            actual = _actuals(truth.get(name), targets)
            for method, path in forecast_paths(series, horizon, allowed).items():
                parts.append(_records(name, method, origin, targets, path.mid, path.p10, path.p90, actual))
    if not parts:
        return empty_records()
    # One frame of every part's columns (a frame per part cost more than the forecasts).
    return pd.DataFrame({c: np.concatenate([part[c] for part in parts]) for c in RECORD_COLUMNS})


def empty_records() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=float if c in _NUMBERS else object) for c in RECORD_COLUMNS})


_NUMBERS = ("forecast", "p10_model", "p90_model", "actual", "ape")


def _actuals(series: pd.Series | None, targets: list[date]) -> FloatArray:
    if series is None:
        return np.zeros(len(targets))
    values: FloatArray = series.reindex(targets).fillna(0.0).to_numpy(dtype=np.float64)
    return values


def _records(
    name: str,
    method: str,
    origin: date,
    targets: list[date],
    mid: FloatArray,
    p10: FloatArray | None,
    p90: FloatArray | None,
    actual: FloatArray,
) -> dict[str, np.ndarray]:
    """One series, method and origin's rows, column by column (``RECORD_COLUMNS``)."""
    n = len(targets)
    forecast = np.asarray(mid[:n], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.where(actual > 0, np.abs(forecast - actual) / actual * 100.0, np.nan)
    nan = np.full(n, np.nan)
    return {
        "series": _repeated(name, n),
        "method": _repeated(method, n),
        "origin": _repeated(origin, n),
        "horizon": np.arange(1, n + 1),
        "target": _repeated(None, n, targets),
        "forecast": forecast,
        "p10_model": np.asarray(p10[:n], dtype=np.float64) if p10 is not None else nan,
        "p90_model": np.asarray(p90[:n], dtype=np.float64) if p90 is not None else nan,
        "actual": np.asarray(actual, dtype=np.float64),
        "ape": ape,
    }


def _repeated(value: object, n: int, values: list[date] | None = None) -> np.ndarray:
    """An object column of ``n`` rows: ``value`` each time, or ``values``."""
    column = np.empty(n, dtype=object)
    column[:] = values if values is not None else [value] * n
    return column


def mape_table(records: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute percentage error by series, method and horizon, with how many forecasts
    were scored (a forecast of a date with no child is not)."""
    columns = ["series", "method", "horizon", "mape", "scored"]
    scored = records[records["ape"].notna()]
    if scored.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    grouped = scored.groupby(["series", "method", "horizon"], sort=True)["ape"]
    table = grouped.agg(mape="mean", scored="size").reset_index()
    return table[columns]
