"""The candidate demand methods, run on one series with the engine's own code
(``forecasting.engine.demand``), plus a simple combination of three of them.

Names as the councils say them: "no change" is the engine's ``net_change`` with Δ = 0 (children
who leave are replaced); "combination" is the mean of the no change, flow and statistical paths
(those the series allows). Only the statistical method has a band of its own (the model's
10th-90th percentiles); the intervals shown are calibrated from the back-test (``intervals``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from forecast_runs.demand.drift_setting import drift_setting
from forecast_runs.demand.series import ANNUAL, FloatArray, SeriesInputs
from forecasting.engine import demand

METHODS = ("naive", "commitments", "trend", "growth", "flow", "statistical", "combined", "drift")
# What ``auto`` chooses between for yearly counts. On every English LA's published 31 March
# numbers the statistical model (AutoETS), trend and steady percentage change were all worse
# than no change at 1 to 3 years; a quarter of the recent yearly change was not (docs/accuracy.md).
ANNUAL_AUTO = ("naive", "drift")
# Damped drift: the average yearly change over the last ``span`` years, times ``share``, added
# once per year ahead (a series with fewer years uses the ones it has). Share and span are chosen
# for each forecast date on the published numbers known by then (``drift_setting``).
# Every demand method as a finance officer says it: the one home of these words for sentences,
# pages and `make accuracy` ("net_change" is the engine's name for no change with Δ = 0).
LABELS = {
    "naive": "no change",
    "net_change": "no change",
    "commitments": "children already placed only",
    "trend": "trend",
    "growth": "steady percentage change",
    "drift": "a share of the recent yearly change",
    "flow": "entries and exits",
    "statistical": "statistical model",
    "combined": "combination of no change, entries and exits and the statistical model",
    "zero": "none (no placements)",
    "reported": "the total a run shows",
}
_ENGINE_NAMES = {"naive": "net_change"}
# The combination's parts are the engine's (its `combined` method), under the replay's names.
COMBINED_FROM = tuple({engine: ours for ours, engine in _ENGINE_NAMES.items()}.get(m, m) for m in demand.COMBINED_FROM)


@dataclass(frozen=True, eq=False)
class Path:
    """A method's forecast for the next dates: the middle path and, for the statistical method,
    the model's own 10th and 90th percentiles."""

    mid: FloatArray
    p10: FloatArray | None = None
    p90: FloatArray | None = None
    model: str = "n/a"


def methods_for(series: SeriesInputs) -> tuple[str, ...]:
    """The methods this series allows: flow needs entries and exits, commitments the children
    already placed; an analyst's plain series has neither."""
    allowed = {"naive", "trend", "growth", "statistical", "combined"}
    if series.step == ANNUAL:
        allowed.add("drift")
    if series.entries is not None and series.exits is not None and series.step != ANNUAL:
        allowed.add("flow")
    if series.committed is not None and series.step != ANNUAL:
        allowed.add("commitments")
    return tuple(m for m in METHODS if m in allowed)


def forecast_paths(series: SeriesInputs, horizon: int, methods: Iterable[str]) -> dict[str, Path]:
    """Each method's path ``horizon`` dates on. The combination is worked out from its parts,
    so asking for it runs them (and the statistical fit) too."""
    wanted = list(methods)
    allowed = methods_for(series)
    unknown = [m for m in wanted if m not in allowed]
    if unknown:
        raise ValueError(f"the series {series.name} cannot be forecast with {', '.join(unknown)}")
    parts = [m for m in COMBINED_FROM if m in allowed] if "combined" in wanted else []
    paths = {m: _path(m, series, horizon) for m in dict.fromkeys([*parts, *wanted]) if m != "combined"}
    if "combined" in wanted:
        paths["combined"] = Path(mid=np.mean([paths[m].mid for m in parts], axis=0), model="Combination")
    return {m: paths[m] for m in wanted}


def _path(method: str, series: SeriesInputs, horizon: int) -> Path:
    if method == "drift":
        setting = drift_setting(series.as_at)
        return damped_drift(series.values, horizon, share=setting.share, span=setting.span)
    if method == "statistical" and series.step == ANNUAL:
        return annual_statistical(series.values, horizon)
    committed = series.committed[:horizon] if series.committed is not None else None
    forecast = demand.forecast_month_ends(
        _ENGINE_NAMES.get(method, method),
        history=series.values,
        horizon=horizon,
        entries=series.entries,
        exits=series.exits,
        committed_month_ends=committed,
        net_change=0.0,
    )
    return Path(mid=forecast.month_end, p10=forecast.p10, p90=forecast.p90, model=forecast.model)


def annual_statistical(values: FloatArray, horizon: int) -> Path:
    """AutoETS without a season for yearly counts (the engine's statistical method is for
    month-ends and needs 24 of them); no change when there are fewer than 3 years or the fit
    fails. statsforecast is imported here only, when a fit is needed."""
    y = np.ascontiguousarray(demand.trim_leading_zeros(values), dtype=np.float64)
    last = float(y[-1]) if len(y) else 0.0
    flat = Path(mid=np.full(horizon, last), model="Naive")
    if len(y) < 3 or float(np.ptp(y)) == 0.0:
        return flat
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast.models import AutoETS

        try:
            out = AutoETS(season_length=1).forecast(y=y, h=horizon, level=[demand.INTERVAL_LEVEL])
        except Exception:  # noqa: BLE001 - a failed fit falls back to no change
            return flat
    mid = np.maximum(np.asarray(out["mean"], dtype=np.float64), 0.0)
    if not all(math.isfinite(v) for v in mid):
        return flat
    p10 = np.maximum(np.asarray(out[f"lo-{demand.INTERVAL_LEVEL}"], dtype=np.float64), 0.0)
    p90 = np.asarray(out[f"hi-{demand.INTERVAL_LEVEL}"], dtype=np.float64)
    return Path(mid=mid, p10=p10, p90=p90, model="AutoETS")


def damped_drift(values: FloatArray, horizon: int, *, share: float, span: int) -> Path:
    """The last number plus, per year ahead, ``share`` of the average yearly change over the
    last ``span`` years (never below zero): 500 after 400, 420, 440, 460, 480 with a quarter of
    five years is 500 + 0.25 x 20 = 505, then 510, 515."""
    y = np.asarray(values, dtype=np.float64)
    last = float(y[-1]) if len(y) else 0.0
    span = min(span, len(y) - 1)
    step = (last - float(y[-1 - span])) / span if span > 0 else 0.0
    mid = np.maximum(last + share * step * np.arange(1, horizon + 1, dtype=np.float64), 0.0)
    return Path(mid=mid, model="Damped drift")
