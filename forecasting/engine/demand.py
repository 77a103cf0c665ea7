"""Demand methods: projected month-end numbers of children in placement (FORECAST.md,
Placements, "Demand methods for N̂").

Every method works on a series of month-end numbers of ONE placement type (oldest first, the
last value is the actual number on the as-at date, M_p) and returns the projected month-end
numbers for the next `horizon` months (M_{p+1} .. M_{p+horizon}). Nothing here knows about
dates, money or the register: `placements/` turns month-end numbers into average numbers
(`average_numbers`) and those into pounds with the N̂ − C rule.

Numbers are children (floats, never negative). Percentile paths (p10, p90) exist only for the
statistical method; the other methods return None for them.
"""

from __future__ import annotations

import functools
import hashlib
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from importlib import metadata
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

SEASON_LENGTH = 12
# Below two full seasons AutoETS cannot estimate a seasonal pattern; below this many points
# even a seasonal-naive model has too few seasonal differences to estimate its spread.
MIN_POINTS_ETS = 2 * SEASON_LENGTH
MIN_POINTS_SEASONAL_NAIVE = SEASON_LENGTH + 6
# Older history says little about next year's numbers and makes the fit slower.
STATISTICAL_MAX_HISTORY = 120
TREND_WINDOW = 24
FLOW_WINDOW = 12
INTERVAL_LEVEL = 80  # the 10th-90th percentile band is an 80% central interval
# `combined`: the mean of these paths (no change is net_change with Δ = 0), as the back-test
# that may choose it scores it.
COMBINED_FROM = ("net_change", "flow", "statistical")
# Part of every stored fit's key: raise it whenever the fitting below changes what it returns
# for the same series (candidates, their order, fallbacks), so that no older fit is reused.
FIT_VERSION = 1

# A fitted statistical forecast: mean, p10 and p90 paths and the model's name.
Fit = tuple[tuple[float, ...], tuple[float, ...], tuple[float, ...], str]


class FitStore(Protocol):
    """Where fitted forecasts are kept between processes (a worker's back-test reuses the fits
    of last month's run and of the back-test three months before). ``get`` gives None for a
    key it does not hold; a store that fails may give None or do nothing, never raise."""

    def get(self, key: str) -> Fit | None: ...

    def set(self, key: str, fit: Fit) -> None: ...


_FIT_STORE: ContextVar[FitStore | None] = ContextVar("fit_store", default=None)


@contextmanager
def fits_kept_in(store: FitStore | None) -> Iterator[None]:
    """Statistical fits made inside the block are looked up in ``store`` first and kept there.
    A fit is the same for the same key (``fit_key``), so a stored one gives the same figures."""
    token = _FIT_STORE.set(store)
    try:
        yield
    finally:
        _FIT_STORE.reset(token)


@dataclass(frozen=True, eq=False)
class DemandForecast:
    """Projected month-end numbers for months p+1..p+horizon (children, floats ≥ 0).

    `p10`/`p90` are the model's own 10th and 90th percentile paths (statistical method only),
    else None; the intervals shown are calibrated from the back-test, not these. `model` names
    the model that produced the numbers ("AutoETS", "SeasonalNaive", "Mean", "LinearTrend",
    "GrowthRate", "Flow", "n/a"); `history_months` is how many month-end numbers it used.
    """

    month_end: FloatArray
    p10: FloatArray | None = None
    p90: FloatArray | None = None
    model: str = "n/a"
    history_months: int = 0
    detail: dict[str, float] = field(default_factory=dict)

    def path(self, interval: str) -> FloatArray:
        """The month-end path for `interval` in {"middle", "p10", "p90"}.

        Methods without percentiles (and percentiles that could not be estimated) give the
        middle path, so best/worst scenarios fall back to the central projection.
        """
        if interval == "middle":
            return self.month_end
        if interval not in ("p10", "p90"):
            raise ValueError(f"interval must be 'middle', 'p10' or 'p90', not {interval!r}")
        band = self.p10 if interval == "p10" else self.p90
        if band is None:
            return self.month_end
        return np.where(np.isfinite(band), band, self.month_end)


def average_numbers(last_actual: float, month_ends: npt.ArrayLike) -> FloatArray:
    """N̂(t) = (M_{t−1} + M_t) / 2 with M_p = `last_actual` (FORECAST.md, net_change).

    Used for every method that projects month-end numbers (net_change, trend, growth, statistical,
    flow), so a path's average number in a month is the mean of its two month ends.
    """
    ends = np.asarray(month_ends, dtype=np.float64)
    previous = np.concatenate(([float(last_actual)], ends[:-1]))
    return (previous + ends) / 2.0


def commitments_forecast(committed_month_ends: npt.ArrayLike) -> DemandForecast:
    """`commitments`: only children already placed (FORECAST.md). The projected month-end number
    is the number of register rows active on the last day of each month; N̂ = C is applied by
    the caller, so the projected change is exactly zero."""
    ends = np.maximum(np.asarray(committed_month_ends, dtype=np.float64), 0.0)
    return DemandForecast(month_end=ends, model="n/a", history_months=0)


def net_change_forecast(last_actual: float, delta: float, horizon: int) -> DemandForecast:
    """`net_change Δ`: M_t = M_p + Δ·(t−p)/(12−p), a straight line from the actual month-end
    number M_p to M_p + Δ at the end of the horizon (FORECAST.md). Floored at zero."""
    _check_horizon(horizon)
    steps = np.arange(1, horizon + 1, dtype=np.float64)
    ends = float(last_actual) + float(delta) * steps / horizon if horizon else steps
    return DemandForecast(month_end=np.maximum(ends, 0.0), model="n/a", history_months=1)


def _straight_line(y: FloatArray) -> tuple[float, float]:
    """Least-squares (slope, intercept) through y at x = 0..n−1, in closed form: no rank
    warnings on short or flat series. One point is a flat line."""
    n = len(y)
    if n < 2:
        return 0.0, float(y[0]) if n else 0.0
    x = np.arange(n, dtype=np.float64)
    x_mean, y_mean = x.mean(), y.mean()
    slope = float(((x - x_mean) * (y - y_mean)).sum() / ((x - x_mean) ** 2).sum())
    return slope, float(y_mean - slope * x_mean)


def trend_forecast(history: npt.ArrayLike, horizon: int, *, window: int = TREND_WINDOW) -> DemandForecast:
    """`trend`: a least-squares straight line through the last `window` (24) month-end numbers,
    fewer if fewer exist, extended `horizon` months and floored at zero (FORECAST.md)."""
    _check_horizon(horizon)
    y = np.asarray(history, dtype=np.float64)[-window:]
    n = len(y)
    if n == 0:
        return DemandForecast(month_end=np.zeros(horizon), model="LinearTrend", history_months=0)
    slope, intercept = _straight_line(y)
    future = np.arange(n, n + horizon, dtype=np.float64)
    ends = np.maximum(intercept + slope * future, 0.0)
    return DemandForecast(
        month_end=ends,
        model="LinearTrend",
        history_months=n,
        detail={"slope_per_month": slope},
    )


def growth_forecast(history: npt.ArrayLike, horizon: int, *, window: int = TREND_WINDOW) -> DemandForecast:
    """`growth`: numbers change by the same percentage every month, from today's number. The
    monthly rate is the slope b of a least-squares straight line through log(1 + M) of the last
    `window` (24) month-end numbers; from the actual number M_p, M_{p+k} = (1 + M_p)·e^{b·k} − 1,
    never below zero. The one added before the logarithm keeps a month with no children finite
    and hardly moves a number in the tens. Starting from the actual number (not the line's own
    end) keeps the path from jumping on the as-at date, as no change and the flow do.

    Children in care come and go in proportion to how many there are, so a county that has
    been losing a tenth of its children every few months goes on losing a tenth, not the same
    number each month (which a straight line assumes and which reaches zero).
    """
    _check_horizon(horizon)
    y = np.asarray(history, dtype=np.float64)[-window:]
    n = len(y)
    if n == 0:
        return DemandForecast(month_end=np.zeros(horizon), model="GrowthRate", history_months=0)
    slope, _ = _straight_line(np.log1p(np.maximum(y, 0.0)))
    steps = np.arange(1, horizon + 1, dtype=np.float64)
    ends = np.maximum(np.expm1(math.log1p(max(float(y[-1]), 0.0)) + slope * steps), 0.0)
    return DemandForecast(
        month_end=ends,
        model="GrowthRate",
        history_months=n,
        detail={"change_per_month": float(np.expm1(slope))},
    )


def flow_forecast(
    history: npt.ArrayLike,
    entries: npt.ArrayLike,
    exits: npt.ArrayLike,
    horizon: int,
    *,
    window: int = FLOW_WINDOW,
) -> DemandForecast:
    """`flow`: entries per month = mean of the last `window` (12) months' entries; exit rate per
    child-month = exits in those months / children at the start of those months; then month by
    month M_t = M_{t−1} × (1 − rate) + entries (FORECAST.md). Never below zero.

    `entries[i]` and `exits[i]` are the placements that began and ended in the month whose
    month-end number is `history[i]`; the number at the start of month i is `history[i−1]`
    (zero before the first month).
    """
    _check_horizon(horizon)
    y = np.asarray(history, dtype=np.float64)
    n_in = np.asarray(entries, dtype=np.float64)
    n_out = np.asarray(exits, dtype=np.float64)
    if not (len(y) == len(n_in) == len(n_out)):
        raise ValueError("history, entries and exits must have one value per month")
    n = min(window, len(y))
    if n == 0:
        return DemandForecast(month_end=np.zeros(horizon), model="Flow", history_months=0)
    at_start = np.concatenate(([0.0], y[:-1]))[-n:]
    entries_per_month = float(n_in[-n:].mean())
    exposure = float(at_start.sum())
    exit_rate = min(float(n_out[-n:].sum()) / exposure, 1.0) if exposure > 0 else 0.0
    ends = np.empty(horizon, dtype=np.float64)
    current = float(y[-1])
    for i in range(horizon):  # a loop over at most 12 months, not over rows
        current = max(current * (1.0 - exit_rate) + entries_per_month, 0.0)
        ends[i] = current
    return DemandForecast(
        month_end=ends,
        model="Flow",
        history_months=n,
        detail={"entries_per_month": entries_per_month, "exit_rate": exit_rate},
    )


def statistical_forecast(
    history: npt.ArrayLike,
    horizon: int,
    *,
    season_length: int = SEASON_LENGTH,
) -> DemandForecast:
    """`statistical`: a time-series model of month-end numbers with 10th/90th percentiles
    (FORECAST.md). AutoETS (seasonal, period 12) with at least 24 months of history, else
    seasonal-naive with at least 18, else the mean; the model used is reported.

    Everything is floored at zero, with p10 ≤ mid ≤ p90. The band is the model's own: a run
    replaces it with the ratios calibrated from the authority's back-test when it has them.

    The fit is cached on the exact series, so the same type's model is fitted once and reused
    by every scenario and interval choice in a run.
    """
    _check_horizon(horizon)
    y = np.ascontiguousarray(np.asarray(history, dtype=np.float64)[-STATISTICAL_MAX_HISTORY:])
    if horizon == 0:
        empty = np.zeros(0)
        return DemandForecast(month_end=empty, p10=empty, p90=empty, model="n/a", history_months=len(y))
    fit_horizon = max(horizon, season_length)
    mean, lo, hi, model = _fitted(y.tobytes(), fit_horizon, season_length)
    mid = np.asarray(mean[:horizon], dtype=np.float64)
    p10 = np.asarray(lo[:horizon], dtype=np.float64)
    p90 = np.asarray(hi[:horizon], dtype=np.float64)
    mid = np.maximum(mid, 0.0)
    p10, p90 = np.minimum(np.maximum(p10, 0.0), mid), np.maximum(p90, mid)
    return DemandForecast(month_end=mid, p10=p10, p90=p90, model=model, history_months=len(y))


def forecast_month_ends(
    method: str,
    *,
    history: npt.ArrayLike,
    horizon: int,
    entries: npt.ArrayLike | None = None,
    exits: npt.ArrayLike | None = None,
    committed_month_ends: npt.ArrayLike | None = None,
    net_change: float | None = None,
) -> DemandForecast:
    """Dispatch to the demand method named in a scenario (see scenarios.FORECAST_METHODS), or to
    `combined` (scenarios.CHOSEN_METHODS), which the back-test may choose for `auto`.

    `history` is the type's month-end numbers up to and including the as-at date; leading
    months before the type's first placement are dropped (they are not evidence of zero
    demand, only of a register that starts later). `net_change` None means Δ = 0.
    """
    y = trim_leading_zeros(history)
    last = float(y[-1]) if len(y) else 0.0
    if method == "commitments":
        if committed_month_ends is None:
            raise ValueError("the commitments method needs the committed month-end numbers")
        return commitments_forecast(np.asarray(committed_month_ends, dtype=np.float64)[:horizon])
    if method == "net_change":
        return net_change_forecast(last, float(net_change or 0.0), horizon)
    if method == "trend":
        return trend_forecast(y, horizon)
    if method == "growth":
        return growth_forecast(y, horizon)
    if method == "statistical":
        return statistical_forecast(y, horizon)
    if method == "combined":
        parts = [
            forecast_month_ends(
                m,
                history=history,
                horizon=horizon,
                entries=entries,
                exits=exits,
                committed_month_ends=committed_month_ends,
            )
            for m in COMBINED_FROM
        ]
        mean = np.mean([f.month_end for f in parts], axis=0) if horizon else np.zeros(0)
        return DemandForecast(month_end=np.asarray(mean, dtype=np.float64), model="Combination", history_months=len(y))
    if method == "flow":
        if entries is None or exits is None:
            raise ValueError("the flow method needs entries and exits per month")
        full = np.asarray(history, dtype=np.float64)
        keep = len(y)
        start = len(full) - keep
        return flow_forecast(
            y,
            np.asarray(entries, dtype=np.float64)[start:],
            np.asarray(exits, dtype=np.float64)[start:],
            horizon,
        )
    raise ValueError(f"unknown demand method {method!r}")


def trim_leading_zeros(history: npt.ArrayLike) -> FloatArray:
    """Drop the months before the first non-zero month-end number (keeps the last value)."""
    y = np.asarray(history, dtype=np.float64)
    nonzero = np.flatnonzero(y != 0)
    if len(nonzero) == 0:
        return y[-1:] if len(y) else y
    return y[nonzero[0] :]


def _check_horizon(horizon: int) -> None:
    if horizon < 0:
        raise ValueError(f"a horizon is a number of months ≥ 0, not {horizon}")


@functools.cache
def _library_version() -> str:
    """The statistical library's version, read from its metadata (importing it takes seconds)."""
    try:
        return metadata.version("statsforecast")
    except metadata.PackageNotFoundError:
        return "absent"


def fit_key(series: bytes, horizon: int, season_length: int) -> str:
    """What a fit depends on, hashed: the exact history (float64 bytes), the horizon and season,
    every setting of the fitting code and the library's version."""
    settings = (
        f"{FIT_VERSION}|{_library_version()}|{np.__version__}|{horizon}|{season_length}|"
        f"{MIN_POINTS_ETS}|{MIN_POINTS_SEASONAL_NAIVE}|{INTERVAL_LEVEL}|"
    )
    return hashlib.sha256(settings.encode() + series).hexdigest()


def _fitted(series: bytes, horizon: int, season_length: int) -> Fit:
    """The fit of ``series``: from the store when one is in use and holds it, else fitted (once
    per process) and kept in the store. A series with no model to fit is worked out at once."""
    store = _FIT_STORE.get()
    if store is None or not _needs_a_model(series):
        return _fit_statistical(series, horizon, season_length)
    key = fit_key(series, horizon, season_length)
    found = store.get(key)
    if found is not None:
        return found
    fit = _fit_statistical(series, horizon, season_length)
    store.set(key, fit)
    return fit


def _needs_a_model(series: bytes) -> bool:
    """Whether the library fits ``series``: not when it has one point or none, or is flat."""
    y = np.frombuffer(series, dtype=np.float64)
    return len(y) > 1 and float(np.ptp(y)) != 0.0


def load_statistical_library() -> None:
    """Import statsforecast now: before a process forks others that will fit models, so that
    none of them pays for the import again."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import statsforecast.models  # noqa: F401


@functools.lru_cache(maxsize=4096)
def _fit_statistical(series: bytes, horizon: int, season_length: int) -> Fit:
    """Fit once per exact series (the bytes of a float64 array) and return mean/p10/p90 paths.

    statsforecast is imported here, not at module level: it takes seconds to import and runs
    without the statistical method must not pay for it.
    """
    y = np.frombuffer(series, dtype=np.float64)
    n = len(y)
    nan = tuple([math.nan] * horizon)
    if n == 0:
        zero = tuple([0.0] * horizon)
        return zero, zero, zero, "Mean"
    if not _needs_a_model(series):
        # one point or a flat series: the mean is the series, the spread cannot be estimated
        # (one point) or is zero (flat)
        flat = tuple([float(y[-1])] * horizon)
        return flat, (nan if n == 1 else flat), (nan if n == 1 else flat), "Mean"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from statsforecast.models import AutoETS, HistoricAverage, SeasonalNaive

        candidates: list[tuple[str, object]] = []
        if n >= MIN_POINTS_ETS:
            candidates.append(("AutoETS", AutoETS(season_length=season_length)))
        if n >= MIN_POINTS_SEASONAL_NAIVE:
            candidates.append(("SeasonalNaive", SeasonalNaive(season_length=season_length)))
        candidates.append(("Mean", HistoricAverage()))
        key_lo, key_hi = f"lo-{INTERVAL_LEVEL}", f"hi-{INTERVAL_LEVEL}"
        for name, model in candidates:
            try:
                out = model.forecast(y=y, h=horizon, level=[INTERVAL_LEVEL])  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001 - any failed fit falls back to a simpler model
                continue
            mean = np.asarray(out["mean"], dtype=np.float64)
            if not np.all(np.isfinite(mean)):
                continue
            lo = np.asarray(out.get(key_lo, np.full(horizon, np.nan)), dtype=np.float64)
            hi = np.asarray(out.get(key_hi, np.full(horizon, np.nan)), dtype=np.float64)
            return tuple(mean.tolist()), tuple(lo.tolist()), tuple(hi.tolist()), name
    mean_value = float(y.mean())
    return tuple([mean_value] * horizon), nan, nan, "Mean"
