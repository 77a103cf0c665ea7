"""Intervals calibrated from the back-test's own errors (forecast_runs.demand.intervals): the
quantiles below are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.intervals import (
    Calibration,
    calibrate,
    calibrated_interval,
    conformal_bounds,
    coverage,
    short_series_interval,
)


def test_the_bounds_are_the_split_conformal_order_statistics() -> None:
    # n = 9: k = floor(0.1 x 10) = 1st smallest and ceil(0.9 x 10) = 9th: the extremes
    nine = [1.2, 0.85, 1.0, 0.9, 1.1, 0.95, 1.05, 0.97, 1.02]
    assert conformal_bounds(nine) == (0.85, 1.2)
    # n = 19 (0.81, 0.82 .. 0.99): k = floor(2.0) = 2nd -> 0.82 and ceil(18.0) = 18th -> 0.98
    nineteen = [round(0.80 + i / 100, 2) for i in range(1, 20)]
    assert conformal_bounds(nineteen) == (0.82, 0.98)
    # n = 8: floor(0.9) = 0 and ceil(8.1) = 9: both bounds lie beyond the ratios, so none
    assert conformal_bounds([0.9, 0.92, 0.94, 0.96, 0.98, 1.0, 1.02, 1.04]) is None
    # n = 4: floor(0.5) = 0, ceil(4.5) = 5: the extremes would cover less than 80%
    assert conformal_bounds([1.0, 0.5, 2.0, 1.5]) is None
    assert conformal_bounds([math.nan]) is None


def records(series: str, ratios: list[float], horizon: int = 1, method: str = "naive") -> pd.DataFrame:
    forecast = np.full(len(ratios), 100.0)
    return pd.DataFrame(
        {
            "series": series,
            "method": method,
            "horizon": horizon,
            "forecast": forecast,
            "actual": forecast * np.asarray(ratios),
        }
    )


def test_a_series_with_too_few_errors_takes_the_pooled_ones() -> None:
    own = [0.90, 0.92, 0.94, 0.96, 0.98, 1.00, 1.02, 1.04, 1.06]
    frame = pd.concat(
        [records("a", own), records("b", [0.5, 1.5]), records("b", [9.0], method="trend")], ignore_index=True
    )
    calibration = calibrate(frame, {"a": "naive", "b": "naive"})
    # a: its own 9 ratios, n = 9: the 1st (floor 1.0) and the 9th (ceil 9.0)
    assert calibration.bands[("a", 1)] == pytest.approx((0.90, 1.06, "own"))
    # b: only 2 of its own; all 11 ratios of the chosen methods pooled (trend's 9.0 is not one):
    # the 1st (floor 1.2) is 0.5, the 11th (ceil 10.8) is 1.5
    assert calibration.bands[("b", 1)] == pytest.approx((0.5, 1.5, "pooled"))


def test_a_horizon_without_errors_widens_the_last_calibrated_one_by_the_square_root() -> None:
    calibration = Calibration({("a", 1): (0.9, 1.1, "own")})
    # at 4 months: 0.9 ** sqrt(4) = 0.81 and 1.1 ** 2 = 1.21
    assert calibration.band("a", 4) == pytest.approx((0.81, 1.21))
    p10, p90 = calibrated_interval(np.array([100.0, 100.0, 100.0, 100.0]), "a", calibration)  # type: ignore[misc]
    assert p10.tolist() == pytest.approx([90.0, 100 * 0.9 ** math.sqrt(2), 100 * 0.9 ** math.sqrt(3), 81.0])
    assert p90[-1] == pytest.approx(121.0)
    assert calibrated_interval(np.array([5.0]), "other", calibration) is None


def test_a_short_series_gets_a_wide_interval_from_its_own_largest_move() -> None:
    # 100 -> 110 (log 1.1 = 0.0953) -> 99 (|log 0.9| = 0.1054): w = |log 0.9|; at h months the
    # forecast times 0.9 ** sqrt(h) and its inverse: at 1 month 89.1 and 110, at 4 months 0.81
    p10, p90 = short_series_interval(np.array([100.0, 110.0, 99.0]), np.full(4, 99.0))
    assert p10[0] == pytest.approx(89.1) and p90[0] == pytest.approx(110.0)
    assert p10[3] == pytest.approx(99 * 0.81) and p90[3] == pytest.approx(99 / 0.81)
    # a flat series still gets at least 10% at one month: exp(-0.1) and exp(0.1)
    flat_low, flat_high = short_series_interval(np.array([5.0, 5.0]), np.array([5.0]))
    assert flat_low[0] == pytest.approx(5 * math.exp(-0.1)) and flat_high[0] == pytest.approx(5 * math.exp(0.1))


def test_coverage_counts_the_actuals_inside_the_interval() -> None:
    frame = pd.DataFrame({"actual": [5.0, 10.0, 20.0, 7.0], "p10": [4.0, 11.0, 15.0, np.nan], "p90": [6, 12, 20, 8]})
    assert coverage(frame, "p10", "p90") == pytest.approx(2 / 3)  # the last row has no interval
