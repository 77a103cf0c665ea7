"""10-90% intervals that mean what they say, calibrated from the back-test's own errors.

For the chosen method, the ratio actual / forecast of every back-test forecast at horizon h is
an error the method really made. The interval at h is the forecast times the 10% and 90% points
of those ratios, taken as split-conformal does (the k-th smallest of n, k = floor(0.1 (n + 1))
below and ceil(0.9 (n + 1)) above, so that a new ratio falls inside with at least 80% chance).
A series with fewer than ``MIN_RATIOS`` ratios at h has no quantile of its own.

Placement types are small counts: a type of 3 children moves by whole children, and its
handful of ratios (one per back-test date) says little. So the errors of every type are also
pooled, each divided by the spread a count of its size has by chance (``count_scale``, the
square root of the forecast plus one), and the same split-conformal points of those scaled
errors, times the scale of a series' own number on the as-at date, give a band for any series
(``scaled_band``). A type takes the wider of its own ratios and that band, or the band alone
when it has too few ratios (up to a year ahead; further ahead, where errors follow trends
common to every type, the ratios of every series pooled). A total (and the total a run
reports) takes the wider of its own ratios and the band, or, with too few ratios, the ratios
of every series pooled, as before. An analyst's series and yearly counts (no ``levels``) keep
own ratios or else pooled ratios.

A horizon with no band widens the last one that had some by the square root of the horizons'
ratio (errors grow roughly like a random walk's).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecast_runs.demand.series import FloatArray

LOWER, UPPER = 0.1, 0.9
MIN_RATIOS = 9  # the fewest ratios whose 10% and 90% order statistics exist (k >= 1, k <= n)
# A series too short to back-test: the largest month-to-month move seen, at least 10%; with
# nothing to measure, 50%. Grown with the square root of the horizon.
SHORT_SERIES_MIN_SPREAD = 0.1
SHORT_SERIES_UNKNOWN_SPREAD = 0.5
_EPSILON = 1e-9
# A type with too few ratios of its own takes the chance band alone up to a year ahead (the
# horizons a run shows and the choice of method looks at); further ahead, where errors follow
# trends common to every type rather than chance, the ratios of every series pooled.
CHANCE_ALONE_UP_TO = 12


def conformal_bounds(ratios: Sequence[float]) -> tuple[float, float] | None:
    """(low, high) ratios: the k-th smallest with k = floor(0.1 (n+1)) and k = ceil(0.9 (n+1))
    of the finite ``ratios``; None when either k falls outside 1..n (fewer than 9 ratios)."""
    values = np.sort(np.asarray([r for r in ratios if math.isfinite(r)], dtype=np.float64))
    n = len(values)
    k_low = math.floor(LOWER * (n + 1) + _EPSILON)
    k_high = math.ceil(UPPER * (n + 1) - _EPSILON)
    if k_low < 1 or k_high > n:
        # Fewer than 9 ratios: the bound split-conformal needs lies beyond the smallest or the
        # largest of them (it is unbounded), and the extremes would cover less than they claim.
        return None
    return float(values[k_low - 1]), float(values[k_high - 1])


@dataclass(frozen=True)
class Calibration:
    """Interval ratios by (series, horizon), each with where they came from ("own" errors of
    the series or "pooled" over every series)."""

    bands: Mapping[tuple[str, int], tuple[float, float, str]] = field(default_factory=dict)

    def band(self, series: str, horizon: int) -> tuple[float, float] | None:
        """(low, high) ratios at ``horizon``; beyond the last calibrated horizon h', the log of
        the ratios times sqrt(horizon / h'). None when nothing was calibrated up to it."""
        earlier = [h for (s, h) in self.bands if s == series and h <= horizon]
        if not earlier:
            return None
        h0 = max(earlier)
        low, high, _ = self.bands[(series, h0)]
        if h0 == horizon:
            return low, high
        grow = math.sqrt(horizon / h0)
        return (low**grow if low > 0 else 0.0), high**grow

    def sources(self) -> pd.DataFrame:
        rows = [(s, h, lo, hi, src) for (s, h), (lo, hi, src) in sorted(self.bands.items())]
        return pd.DataFrame(rows, columns=["series", "horizon", "low", "high", "source"])


def count_scale(level: float) -> float:
    """How much a count of ``level`` children moves by chance alone, roughly: sqrt(level + 1)
    (a Poisson count's spread, with one child added so that a type of none or one has a scale)."""
    return math.sqrt(max(level, 0.0) + 1.0)


def scaled_errors(rows: pd.DataFrame) -> pd.Series:
    """(actual - forecast) / count_scale(forecast) of each back-test row: errors of types of 3
    and of 300 children on one footing, so that they can be pooled."""
    forecast = rows["forecast"].astype(float).clip(lower=0.0)
    return (rows["actual"].astype(float) - forecast) / np.sqrt(forecast + 1.0)


def scaled_band(bounds: tuple[float, float], level: float) -> tuple[float, float] | None:
    """Pooled scaled errors (low, high) as ratios for a series now at ``level``: 1 + bound x
    count_scale(level) / level (the low one never below 0); None for a series at 0."""
    if not level > 0:
        return None
    spread = count_scale(level) / level
    return max(0.0, 1.0 + bounds[0] * spread), 1.0 + bounds[1] * spread


def calibrate(
    records: pd.DataFrame,
    chosen: Mapping[str, str],
    *,
    min_ratios: int = MIN_RATIOS,
    levels: Mapping[str, float] | None = None,
    totals: Collection[str] = (),
) -> Calibration:
    """Interval ratios for each series' ``chosen`` method from back-test ``records``.

    Without ``levels`` (an analyst's series, yearly counts): a series' own ratios at a horizon
    when it has ``min_ratios``, else the ratios of every series pooled. With ``levels`` (each
    series' number on the as-at date; the monthly forecast of placement types): the errors of
    every type but ``totals`` are also pooled as scaled errors (``scaled_errors``) and turned
    into ratios at each series' level (``scaled_band``), the chance a count of that size has of
    moving. A type takes the wider of its own ratios and that band, or the band alone when it
    has too few of its own (up to ``CHANCE_ALONE_UP_TO`` months ahead; further, the pooled
    ratios); a total takes the wider of its own ratios and the band, or, with too few, the
    pooled ratios (its errors are not those of independent small counts)."""
    method = records["series"].map(chosen)
    chosen_rows = records[records["method"] == method]
    rows = chosen_rows[chosen_rows["forecast"] > 0]
    ratio = (rows["actual"] / rows["forecast"]).astype(float)
    typed = chosen_rows[~chosen_rows["series"].isin(list(totals))]
    scaled = scaled_errors(typed).groupby(typed["horizon"].astype(int)) if levels is not None else None
    scaled_at = {int(h): part.tolist() for h, part in scaled} if scaled is not None else {}
    bands: dict[tuple[str, int], tuple[float, float, str]] = {}
    for horizon in sorted({int(h) for h in rows["horizon"]} | set(scaled_at)):
        at_h = ratio[rows["horizon"] == horizon]
        pooled = conformal_bounds(at_h.tolist()) if len(at_h) >= min_ratios else None
        errors = scaled_at.get(horizon, [])
        pooled_scaled = conformal_bounds(errors) if len(errors) >= min_ratios else None
        for series in chosen:
            own = at_h[rows.loc[at_h.index, "series"] == series]
            bounds = conformal_bounds(own.tolist()) if len(own) >= min_ratios else None
            level = (levels or {}).get(series, math.nan)
            chance = scaled_band(pooled_scaled, level) if pooled_scaled is not None else None
            if bounds is not None and chance is not None:
                low, high = min(bounds[0], chance[0]), max(bounds[1], chance[1])
                bands[(series, horizon)] = (low, high, "own" if (low, high) == bounds else "own, widened")
            elif bounds is not None:
                bands[(series, horizon)] = (*bounds, "own")
            elif chance is not None and series not in totals and horizon <= CHANCE_ALONE_UP_TO:
                bands[(series, horizon)] = (*chance, "pooled scaled")
            elif pooled is not None:
                bands[(series, horizon)] = (*pooled, "pooled")
    return Calibration(bands)


def chance_band(
    records: pd.DataFrame,
    chosen: Mapping[str, str],
    levels: Mapping[str, float],
    series: Collection[str],
    *,
    min_ratios: int = MIN_RATIOS,
) -> Calibration:
    """Only the pooled scaled band (``calibrate``) of each of ``series``, from the errors of the
    types in ``chosen``, at ``levels``."""
    method = records["series"].map(chosen)
    typed = records[(records["method"] == method) & records["series"].isin(list(chosen))]
    bands: dict[tuple[str, int], tuple[float, float, str]] = {}
    for horizon, errors in scaled_errors(typed).groupby(typed["horizon"].astype(int)):
        bounds = conformal_bounds(errors.tolist()) if len(errors) >= min_ratios else None
        for name in series:
            band = scaled_band(bounds, levels.get(name, math.nan)) if bounds is not None else None
            if band is not None:
                bands[(name, int(horizon))] = (*band, "pooled scaled")
    return Calibration(bands)


def widest(first: Calibration, second: Calibration) -> Calibration:
    """Each (series, horizon) of either, the lower of the low ratios and the higher of the high."""
    bands = dict(first.bands)
    for key, (low, high, source) in second.bands.items():
        if key in bands:
            low0, high0, source0 = bands[key]
            bands[key] = (min(low, low0), max(high, high0), f"{source0} and {source}")
        else:
            bands[key] = (low, high, source)
    return Calibration(bands)


def calibrated_interval(mid: FloatArray, series: str, calibration: Calibration) -> tuple[FloatArray, FloatArray] | None:
    """(p10, p90) = the forecast times the ratios at each horizon; None when even the first
    horizon has no calibration."""
    bands = [calibration.band(series, h) for h in range(1, len(mid) + 1)]
    if not bands or bands[0] is None:
        return None
    low = np.asarray([b[0] if b else np.nan for b in bands], dtype=np.float64)
    high = np.asarray([b[1] if b else np.nan for b in bands], dtype=np.float64)
    # Uncertainty does not shrink further ahead: a horizon whose few errors happened to be small
    # keeps the width of the horizons before it.
    low, high = np.fmin.accumulate(low), np.fmax.accumulate(high)
    return mid * low, mid * high


def short_series_interval(values: FloatArray, mid: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The wide interval of a series too short to back-test: w = the largest move between two
    consecutive numbers (|log ratio|, at least 10%; 50% with no two numbers above zero), and
    at horizon h the forecast times exp(-w sqrt(h)) and exp(+w sqrt(h))."""
    positive = np.asarray(values, dtype=np.float64)
    pairs = (positive[1:] > 0) & (positive[:-1] > 0)
    if pairs.any():
        moves = np.abs(np.log(positive[1:][pairs] / positive[:-1][pairs]))
        spread = max(float(moves.max()), SHORT_SERIES_MIN_SPREAD)
    else:
        spread = SHORT_SERIES_UNKNOWN_SPREAD
    grow = spread * np.sqrt(np.arange(1, len(mid) + 1, dtype=np.float64))
    return mid * np.exp(-grow), mid * np.exp(grow)


def coverage(frame: pd.DataFrame, low: str, high: str) -> float:
    """Share of rows whose actual lies in [low, high], over rows that have both; NaN if none."""
    has = frame[low].notna() & frame[high].notna()
    if not has.any():
        return math.nan
    part = frame[has]
    inside = (part["actual"] >= part[low] - _EPSILON) & (part["actual"] <= part[high] + _EPSILON)
    return float(inside.mean())
