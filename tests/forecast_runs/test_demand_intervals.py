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


def test_errors_are_scaled_by_the_spread_a_count_of_that_size_has() -> None:
    from forecast_runs.demand.intervals import count_scale, scaled_band, scaled_errors

    # sqrt(3 + 1) = 2; sqrt(99 + 1) = 10; a type of none still has a scale of sqrt(1) = 1
    assert count_scale(3.0) == 2.0
    assert count_scale(99.0) == 10.0
    assert count_scale(0.0) == 1.0
    rows = pd.DataFrame({"forecast": [3.0, 8.0], "actual": [5.0, 5.0]})
    # (5 - 3) / sqrt(4) = 1.0; (5 - 8) / sqrt(9) = -1.0
    assert scaled_errors(rows).tolist() == [1.0, -1.0]
    # at 99 children the scale is 10, 10/99 of the number: (1 - 10/99, 1 + 10/99)
    assert scaled_band((-1.0, 1.0), 99.0) == pytest.approx((1 - 10 / 99, 1 + 10 / 99))
    # at 3 children the scale is 2, 2/3 of the number: 1 - 1.5 x 2/3 = 0 and 1 + 2 x 2/3 = 7/3
    assert scaled_band((-1.5, 2.0), 3.0) == pytest.approx((0.0, 7 / 3))
    # a lower bound below none is none, and a series at 0 has no band to scale
    assert scaled_band((-3.0, 1.0), 3.0)[0] == 0.0  # type: ignore[index]
    assert scaled_band((-1.0, 1.0), 0.0) is None


def _counts(series: str, forecast: float, actuals: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"series": series, "method": "naive", "horizon": 1, "forecast": forecast, "actual": actuals})


def _small_and_big() -> pd.DataFrame:
    # big: forecast 99 (scale 10), actuals 91, 93 .. 107: scaled errors -0.8, -0.6 .. 0.8
    # small: forecast 3 (scale 2), actuals 1 and 6: scaled errors -1.0 and 1.5
    # total: forecast 102, actuals 99.96, 102, 105.06 (ratios 0.98, 1.0, 1.03)
    return pd.concat(
        [
            _counts("big", 99.0, [91.0 + 2 * i for i in range(9)]),
            _counts("small", 3.0, [1.0, 6.0]),
            _counts("total", 102.0, [99.96, 102.0, 105.06]),
        ],
        ignore_index=True,
    )


def test_a_small_type_takes_the_types_scaled_errors_and_a_big_one_is_widened_to_them() -> None:
    chosen = {"big": "naive", "small": "naive", "total": "naive"}
    levels = {"big": 99.0, "small": 3.0, "total": 102.0}
    calibration = calibrate(_small_and_big(), chosen, levels=levels, totals=("total",))
    # The types' scaled errors pooled (not the total's): 9 + 2 = 11; k = floor(1.2) = 1st and
    # ceil(10.8) = 11th: the smallest, -1.0 (small's), and the largest, 1.5 (small's).
    # small, only 2 ratios of its own: at 3 children, spread 2/3: (1 - 2/3, 1 + 1.5 x 2/3)
    assert calibration.bands[("small", 1)] == pytest.approx((1 / 3, 2.0, "pooled scaled"))
    # big: its own 9 ratios give (91/99, 107/99) = (0.919, 1.081); the scaled band at 99
    # children, spread 10/99, is (1 - 10/99, 1 + 15/99) = (0.899, 1.152): wider on both sides
    assert calibration.bands[("big", 1)] == pytest.approx((1 - 10 / 99, 1 + 15 / 99, "own, widened"))
    # total: 3 ratios of its own, too few, and a total never takes the types' band alone (its
    # errors are not independent small counts): the 14 ratios of every series pooled, k = 1st
    # (floor 1.5) and 14th (ceil 13.5): small's 1/3 and 6/3
    assert calibration.bands[("total", 1)] == pytest.approx((1 / 3, 2.0, "pooled"))


def test_without_levels_a_series_with_too_few_ratios_takes_every_series_ratios_as_before() -> None:
    calibration = calibrate(_small_and_big(), {"big": "naive", "small": "naive", "total": "naive"})
    # 14 ratios pooled: 1st is 1/3, 14th is 2.0; big keeps its own 9 unwidened
    assert calibration.bands[("small", 1)] == pytest.approx((1 / 3, 2.0, "pooled"))
    assert calibration.bands[("big", 1)] == pytest.approx((91 / 99, 107 / 99, "own"))


def test_a_totals_band_is_at_least_its_types_chance_band() -> None:
    from forecast_runs.demand.intervals import chance_band, widest

    records = _small_and_big()
    types = {"big": "naive", "small": "naive"}
    # the types' 11 scaled errors: -1.0 and 1.5 at the extremes (as above); a total of 102
    # children has scale sqrt(103) = 10.149, spread 10.149/102 = 0.0995:
    # (1 - 0.0995, 1 + 1.5 x 0.0995) = (0.9005, 1.1492)
    chance = chance_band(records, types, {"total": 102.0}, ["total"])
    spread = math.sqrt(103.0) / 102.0
    assert chance.bands[("total", 1)] == pytest.approx((1 - spread, 1 + 1.5 * spread, "pooled scaled"))
    # its own (0.98, 1.03) widened to it on both sides; a horizon only one of them has is kept
    own = Calibration({("total", 1): (0.98, 1.03, "own"), ("total", 2): (0.95, 1.05, "own")})
    both = widest(own, chance)
    assert both.bands[("total", 1)] == pytest.approx((1 - spread, 1 + 1.5 * spread, "own and pooled scaled"))
    assert both.bands[("total", 2)] == (0.95, 1.05, "own")
    # a narrower chance band leaves the own one as it was
    assert widest(own, Calibration({("total", 1): (0.99, 1.01, "x")})).bands[("total", 1)][:2] == (0.98, 1.03)


def test_beyond_a_year_a_type_with_too_few_ratios_takes_every_series_ratios() -> None:
    # the same errors, 13 months ahead: small has 2 ratios of its own; beyond 12 months it takes
    # the 14 ratios of every series pooled (1st 1/3, 14th 2.0), not the chance band; big keeps
    # its own widened to the chance band, as at one month
    records = _small_and_big().assign(horizon=13)
    levels = {"big": 99.0, "small": 3.0, "total": 102.0}
    calibration = calibrate(records, dict.fromkeys(levels, "naive"), levels=levels, totals=("total",))
    assert calibration.bands[("small", 13)] == pytest.approx((1 / 3, 2.0, "pooled"))
    assert calibration.bands[("big", 13)] == pytest.approx((1 - 10 / 99, 1 + 15 / 99, "own, widened"))
