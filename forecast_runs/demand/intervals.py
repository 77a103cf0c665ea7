"""10-90% intervals that mean what they say, calibrated from the back-test's own errors.

For the chosen method, the ratio actual / forecast of every back-test forecast at horizon h is
an error the method really made. The interval at h is the forecast times the 10% and 90% points
of those ratios, taken as split-conformal does (the k-th smallest of n, k = floor(0.1 (n + 1))
below and ceil(0.9 (n + 1)) above, so that a new ratio falls inside with at least 80% chance).
A series with fewer than ``MIN_RATIOS`` ratios at h has no quantile of its own.

Placement types are small counts: a type of 3 children moves by whole children, and its
handful of ratios (one per back-test date) says little. So the errors of every type are also
pooled, each divided by the spread a count of its size has (``count_scale``: the square root of
the forecast plus one, by chance alone, plus a part that grows with the count, ``dispersion``,
estimated from the same errors), and the same split-conformal points of those scaled errors,
times the scale of a series' own number on the as-at date, give a *chance band* for any series
(``scaled_band``). Up to a year ahead a type blends its own band (split-conformal, or from 3 to
8 ratios a t prediction interval, ``few_bounds``) with the chance band, its own weighing by how
many nearly independent ratios it has (``own_weight``); with fewer than 3, the chance band
alone. A total (and the total a run reports) takes the wider of its own band and the chance
band at its size: its types rise and fall together or make up for each other, so chance is only
its floor. Further ahead than a year, as before: the wider of its own ratios and the chance
band, or the ratios of every series pooled. An analyst's series and yearly counts (no
``levels``) keep own ratios or else pooled ratios.

A horizon with no band widens the last one that had some by the square root of the horizons'
ratio (errors grow roughly like a random walk's).

A series at none on the as-at date has no ratio (a ratio of none is none, so its band would be
none to none, a certainty no back-test supports). Where the caller has the forecast itself
(``in_children_at_none``: the monthly forecast of the returns), its band is in children: the
forecast plus the pooled scaled errors' points times the scale of a count of the forecast's
size, which is 1 child at none (``IN_CHILDREN``).
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
# The most a count's spread can grow with the count (``dispersion``): sqrt(n + 1 + n^2), nearly
# n itself, a spread proportional to the count.
MAX_DISPERSION = 1.0
# Up to a year ahead (the horizons a run shows and the choice of method looks at) a type's own
# ratios and the chance band are blended; further ahead, where few back-test dates have errors
# and those follow trends common to every type, the rule is as before: the wider of its own
# ratios and the chance band, or with too few, the ratios of every series pooled.
BLEND_UP_TO = 12
# The source of a band in children, not ratios (a series at none on the as-at date).
IN_CHILDREN = "pooled scaled, in children"


# The 90% point of Student's t with 1 to 8 degrees of freedom: a prediction interval from fewer
# than MIN_RATIOS ratios, where the split-conformal points do not exist.
_T90 = (3.078, 1.886, 1.638, 1.533, 1.476, 1.440, 1.415, 1.397)
MIN_FEW_RATIOS = 3  # the fewest ratios whose spread says anything (two degrees of freedom)


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


def few_bounds(ratios: Sequence[float]) -> tuple[float, float] | None:
    """(low, high) ratios from 3 to 8 positive ratios, too few for ``conformal_bounds``: the 80%
    prediction interval of one more ratio were their logarithms normal, exp(mean -/+ t(n-1) x
    sd x sqrt(1 + 1/n)) with t(n-1) the 90% point of Student's t with n - 1 degrees of
    freedom. None with fewer than 3, or with a ratio of 0 (no logarithm)."""
    values = np.asarray([r for r in ratios if math.isfinite(r)], dtype=np.float64)
    n = len(values)
    if n < MIN_FEW_RATIOS or n > len(_T90) or not (values > 0).all():
        return None
    logs = np.log(values)
    half = _T90[n - 2] * float(logs.std(ddof=1)) * math.sqrt(1.0 + 1.0 / n)
    return math.exp(float(logs.mean()) - half), math.exp(float(logs.mean()) + half)


@dataclass(frozen=True)
class Calibration:
    """Interval ratios by (series, horizon), each with where they came from ("own" errors of
    the series or "pooled" over every series); a band whose source is ``IN_CHILDREN`` holds
    pooled scaled errors instead, to be turned into children with ``dispersions`` (the φ of
    ``count_scale`` at each horizon)."""

    bands: Mapping[tuple[str, int], tuple[float, float, str]] = field(default_factory=dict)
    dispersions: Mapping[int, float] = field(default_factory=dict)

    def band(self, series: str, horizon: int) -> tuple[float, float] | None:
        """(low, high) ratios at ``horizon``; beyond the last calibrated horizon h', the log of
        the ratios times sqrt(horizon / h') (a band in children: the scaled errors themselves
        times it). None when nothing was calibrated up to it."""
        earlier = [h for (s, h) in self.bands if s == series and h <= horizon]
        if not earlier:
            return None
        h0 = max(earlier)
        low, high, source = self.bands[(series, h0)]
        if h0 == horizon:
            return low, high
        grow = math.sqrt(horizon / h0)
        if source == IN_CHILDREN:
            return low * grow, high * grow
        return (low**grow if low > 0 else 0.0), high**grow

    def in_children(self, series: str) -> bool:
        """Whether ``series``' bands are in children (it was at none on the as-at date)."""
        return any(s == series and source == IN_CHILDREN for (s, _), (_, _, source) in self.bands.items())

    def dispersion(self, horizon: int) -> float:
        """φ at ``horizon``, or at the last horizon before it that has one; 0 if none."""
        earlier = [h for h in self.dispersions if h <= horizon]
        return self.dispersions[max(earlier)] if earlier else 0.0

    def sources(self) -> pd.DataFrame:
        rows = [(s, h, lo, hi, src) for (s, h), (lo, hi, src) in sorted(self.bands.items())]
        return pd.DataFrame(rows, columns=["series", "horizon", "low", "high", "source"])


def count_scale(level: float, phi: float = 0.0) -> float:
    """How much a count of ``level`` children moves, roughly: sqrt(level + 1 + phi x level^2).
    By chance alone (phi 0) a Poisson count's spread, with one child added so that a type of
    none or one has a scale; ``phi`` (``dispersion``) adds the part that grows with the count
    itself (a county-wide rise or fall moves every type by a share of its size)."""
    level = max(level, 0.0)
    return math.sqrt(level + 1.0 + max(phi, 0.0) * level * level)


def dispersion(rows: pd.DataFrame) -> float:
    """How much of back-test ``rows``' spread grows with the count itself, relative to the part
    that grows like a count's chance spread: b / a, where on average (actual - forecast)^2 =
    a (forecast + 1) + b forecast^2, fitted by least squares on (actual - forecast)^2 /
    (forecast + 1) (each row's error over its chance spread, so that a few big types do not
    outweigh every small one); a and b at least 0 (if one comes out below 0 the other is fitted
    alone). At most ``MAX_DISPERSION``: a spread all proportional to the count, as when ratios
    are pooled. 0 with fewer than 3 rows with an actual. The ``phi`` of ``count_scale``."""
    forecast = rows["forecast"].astype(float).clip(lower=0.0).to_numpy()
    error = rows["actual"].astype(float).to_numpy() - forecast
    known = np.isfinite(error)
    forecast, error = forecast[known], error[known]
    if len(forecast) < 3:
        return 0.0
    y = error**2 / (forecast + 1.0)
    x = forecast**2 / (forecast + 1.0)
    chance, grows = _nonnegative_line(x, y)
    if grows <= 0:
        return 0.0
    return MAX_DISPERSION if chance <= grows / MAX_DISPERSION else grows / chance


def _nonnegative_line(x: FloatArray, y: FloatArray) -> tuple[float, float]:
    """(a, b) of the least-squares line y = a + b x with a, b >= 0."""
    if float(np.ptp(x)) > 0:
        b, a = np.polyfit(x, y, 1)
        if a >= 0 and b >= 0:
            return float(a), float(b)
    through_origin = float((x * y).sum() / (x * x).sum()) if float((x * x).sum()) > 0 else 0.0
    if through_origin > 0 and float(((y - through_origin * x) ** 2).sum()) < float(((y - y.mean()) ** 2).sum()):
        return 0.0, through_origin
    return max(float(y.mean()), 0.0), 0.0


def scaled_errors(rows: pd.DataFrame, phi: float = 0.0) -> pd.Series:
    """(actual - forecast) / count_scale(forecast, phi) of each back-test row: errors of types of
    3 and of 300 children on one footing, so that they can be pooled."""
    forecast = rows["forecast"].astype(float).clip(lower=0.0)
    return (rows["actual"].astype(float) - forecast) / np.sqrt(forecast + 1.0 + max(phi, 0.0) * forecast**2)


def scaled_band(bounds: tuple[float, float], level: float, phi: float = 0.0) -> tuple[float, float] | None:
    """Pooled scaled errors (low, high) as ratios for a series now at ``level``: 1 + bound x
    count_scale(level, phi) / level (the low one never below 0); None for a series at 0."""
    if not level > 0:
        return None
    spread = count_scale(level, phi) / level
    return max(0.0, 1.0 + bounds[0] * spread), 1.0 + bounds[1] * spread


def origin_step(records: pd.DataFrame) -> int:
    """Months between consecutive back-test dates (the most common gap); 1 when unknown."""
    if "origin" not in records.columns:
        return 1
    dates = pd.to_datetime(pd.Series(sorted(set(records["origin"]))))
    if len(dates) < 2:
        return 1
    months = dates.dt.year * 12 + dates.dt.month
    gaps = months.diff().dropna().astype(int)
    gaps = gaps[gaps > 0]
    return int(gaps.mode().min()) if len(gaps) else 1


def own_weight(n: int, horizon: int, step: int) -> float:
    """How much a series' own n ratios at ``horizon`` count against the pooled chance band:
    n_eff / (n_eff + MIN_RATIOS), with n_eff = n x min(1, step / horizon). Forecasts made
    ``step`` months apart and scored ``horizon`` months on share most of their path, so their
    errors are nearly one error counted horizon / step times; the pooled band weighs as much
    as the fewest independent ratios that give a quantile of their own."""
    effective = n * min(1.0, step / horizon)
    return effective / (effective + MIN_RATIOS)


def calibrate(
    records: pd.DataFrame,
    chosen: Mapping[str, str],
    *,
    min_ratios: int = MIN_RATIOS,
    levels: Mapping[str, float] | None = None,
    totals: Collection[str] = (),
    in_children_at_none: bool = False,
) -> Calibration:
    """Interval ratios for each series' ``chosen`` method from back-test ``records``.

    Without ``levels`` (an analyst's series, yearly counts): a series' own ratios at a horizon
    when it has ``min_ratios``, else the ratios of every series pooled. With ``levels`` (each
    series' number on the as-at date; the monthly forecast of placement types and totals): the
    errors of every series but ``totals`` are pooled as scaled errors (``scaled_errors``, with
    the ``dispersion`` of those same errors at the horizon) and turned into ratios at each
    series' level (``scaled_band``), and each series' band is chosen by ``_one_band``. With
    ``in_children_at_none`` too, a series (not a total) at none takes the pooled scaled errors
    themselves, a band in children (``IN_CHILDREN``), at every horizon that has them."""
    method = records["series"].map(chosen)
    chosen_rows = records[records["method"] == method]
    rows = chosen_rows[chosen_rows["forecast"] > 0]
    ratio = (rows["actual"] / rows["forecast"]).astype(float)
    typed = chosen_rows[~chosen_rows["series"].isin(list(totals))]
    typed_at = {int(h): part for h, part in typed.groupby(typed["horizon"].astype(int))} if levels is not None else {}
    step = origin_step(records)
    bands: dict[tuple[str, int], tuple[float, float, str]] = {}
    dispersions: dict[int, float] = {}
    for horizon in sorted({int(h) for h in rows["horizon"]} | set(typed_at)):
        at_h = ratio[rows["horizon"] == horizon]
        pooled = conformal_bounds(at_h.tolist()) if len(at_h) >= min_ratios else None
        part = typed_at.get(horizon)
        phi = dispersion(part) if part is not None else 0.0
        errors = scaled_errors(part, phi).tolist() if part is not None else []
        pooled_scaled = conformal_bounds(errors) if len(errors) >= min_ratios else None
        dispersions[horizon] = phi
        for series in chosen:
            own = at_h[rows.loc[at_h.index, "series"] == series]
            bounds = conformal_bounds(own.tolist()) if len(own) >= min_ratios else None
            level = (levels or {}).get(series, math.nan)
            if in_children_at_none and level == 0 and series not in totals:
                # No ratio says anything about a series at none: the types' errors in children.
                if pooled_scaled is not None:
                    bands[(series, horizon)] = (*pooled_scaled, IN_CHILDREN)
                continue
            chance = scaled_band(pooled_scaled, level, phi) if pooled_scaled is not None else None
            band = _one_band(series in totals, horizon, own.tolist(), bounds, chance, pooled, step)
            if band is not None:
                bands[(series, horizon)] = band
    return Calibration(bands, dispersions)


def _one_band(
    total: bool,
    horizon: int,
    own: list[float],
    bounds: tuple[float, float] | None,
    chance: tuple[float, float] | None,
    pooled: tuple[float, float] | None,
    step: int,
) -> tuple[float, float, str] | None:
    """One series' (low, high, source) at ``horizon`` from its ``own`` ratios (``bounds``: their
    split-conformal points, if there are enough), the ``chance`` band at its size and the
    ``pooled`` ratios of every series (``calibrate``)."""
    if chance is None:
        if bounds is not None:
            return (*bounds, "own")
        return (*pooled, "pooled") if pooled is not None else None
    if horizon > BLEND_UP_TO:
        # Beyond a year the rule is as it was: few dates have errors that far back.
        if bounds is not None:
            return _wider(bounds, chance)
        return (*pooled, "pooled") if pooled is not None else (*chance, "pooled scaled")
    mine = bounds if bounds is not None else few_bounds(own)
    if mine is None:
        return (*chance, "pooled scaled")
    if total:
        # A total's errors are not those of independent counts (its types rise and fall together
        # or make up for each other): the chance band is only its floor.
        return _wider(mine, chance)
    weight = own_weight(len(own), horizon, step)
    low, high = (weight * m + (1.0 - weight) * c for m, c in zip(mine, chance, strict=True))
    return low, high, f"own ({weight:.0%}) and pooled scaled"


def _wider(own: tuple[float, float], chance: tuple[float, float]) -> tuple[float, float, str]:
    low, high = min(own[0], chance[0]), max(own[1], chance[1])
    return low, high, "own" if (low, high) == own else "own, widened"


def calibrated_interval(mid: FloatArray, series: str, calibration: Calibration) -> tuple[FloatArray, FloatArray] | None:
    """(p10, p90) = the forecast times the ratios at each horizon; for a band in children the
    forecast plus the scaled errors times ``count_scale`` of the forecast (never below none).
    None when even the first horizon has no calibration."""
    bands = [calibration.band(series, h) for h in range(1, len(mid) + 1)]
    if not bands or bands[0] is None:
        return None
    low = np.asarray([b[0] if b else np.nan for b in bands], dtype=np.float64)
    high = np.asarray([b[1] if b else np.nan for b in bands], dtype=np.float64)
    if calibration.in_children(series):
        scale = np.asarray([count_scale(float(m), calibration.dispersion(h)) for h, m in enumerate(mid, start=1)])
        # As below: the band, here in children, does not narrow further ahead.
        below = np.fmax.accumulate(np.maximum(-low * scale, 0.0))
        above = np.fmax.accumulate(np.maximum(high * scale, 0.0))
        return np.maximum(mid - below, 0.0), mid + above
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
