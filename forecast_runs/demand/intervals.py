"""10-90% intervals that mean what they say, calibrated from the back-test's own errors.

For the chosen method, the ratio actual / forecast of every back-test forecast at horizon h is
an error the method really made. The interval at h is the forecast times the 10% and 90% points
of those ratios, taken as split-conformal does (the k-th smallest of n, k = floor(0.1 (n + 1))
below and ceil(0.9 (n + 1)) above, so that a new ratio falls inside with at least 80% chance).
A series with fewer than ``MIN_RATIOS`` ratios at h uses the ratios of every series at h
(pooled); a horizon with no ratios widens the last one that had some by the square root of the
horizons' ratio (errors grow roughly like a random walk's).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
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


def calibrate(records: pd.DataFrame, chosen: Mapping[str, str], *, min_ratios: int = MIN_RATIOS) -> Calibration:
    """Interval ratios for each series' ``chosen`` method from back-test ``records``."""
    method = records["series"].map(chosen)
    rows = records[(records["method"] == method) & (records["forecast"] > 0)]
    ratio = (rows["actual"] / rows["forecast"]).astype(float)
    bands: dict[tuple[str, int], tuple[float, float, str]] = {}
    for horizon, at_h in ratio.groupby(rows["horizon"]):
        pooled = conformal_bounds(at_h.tolist()) if len(at_h) >= min_ratios else None
        for series in chosen:
            own = at_h[rows.loc[at_h.index, "series"] == series]
            bounds = conformal_bounds(own.tolist()) if len(own) >= min_ratios else None
            if bounds is not None:
                bands[(series, int(horizon))] = (*bounds, "own")
            elif pooled is not None:
                bands[(series, int(horizon))] = (*pooled, "pooled")
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
