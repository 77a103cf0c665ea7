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


def test_a_small_type_takes_the_types_scaled_errors_and_a_big_one_blends_its_own_with_them() -> None:
    chosen = {"big": "naive", "small": "naive", "total": "naive"}
    levels = {"big": 99.0, "small": 3.0, "total": 102.0}
    calibration = calibrate(_small_and_big(), chosen, levels=levels, totals=("total",))
    # No dispersion here (see test_dispersion_is_the_part_of_the_spread_that_grows_with_the_count):
    # the types' scaled errors pooled (not the total's): 9 + 2 = 11; k = floor(1.2) = 1st and
    # ceil(10.8) = 11th: the smallest, -1.0 (small's), and the largest, 1.5 (small's).
    # small, only 2 ratios of its own: at 3 children, spread 2/3: (1 - 2/3, 1 + 1.5 x 2/3)
    assert calibration.bands[("small", 1)] == pytest.approx((1 / 3, 2.0, "pooled scaled"))
    # big: its own 9 ratios give (91/99, 107/99); the chance band at 99 children, spread
    # 10/99, is (89/99, 114/99). No origins, so every ratio counts: weight 9 / (9 + 9) = 1/2:
    # (90/99, 110.5/99)
    assert calibration.bands[("big", 1)] == pytest.approx((90 / 99, 110.5 / 99, "own (50%) and pooled scaled"))
    # total: 3 ratios of its own (0.98, 1.0, 1.03): a t prediction interval, exp(0.0031 -/+ 1.886
    # x 0.0250 x sqrt(4/3)) = (0.950, 1.059); a total takes the wider of that and the chance band
    # at 102 children, spread sqrt(103)/102 = 0.0995: (1 - 0.0995, 1 + 1.5 x 0.0995) = (0.9005,
    # 1.1492), wider on both sides
    spread = math.sqrt(103.0) / 102.0
    assert calibration.bands[("total", 1)] == pytest.approx((1 - spread, 1 + 1.5 * spread, "own, widened"))


def test_without_levels_a_series_with_too_few_ratios_takes_every_series_ratios_as_before() -> None:
    calibration = calibrate(_small_and_big(), {"big": "naive", "small": "naive", "total": "naive"})
    # 14 ratios pooled: 1st is 1/3, 14th is 2.0; big keeps its own 9 unwidened
    assert calibration.bands[("small", 1)] == pytest.approx((1 / 3, 2.0, "pooled"))
    assert calibration.bands[("big", 1)] == pytest.approx((91 / 99, 107 / 99, "own"))


def test_a_total_with_enough_ratios_is_at_least_its_chance_band() -> None:
    # the total gets 9 ratios of its own, 0.96, 0.97 .. 1.04 (forecast 100): split-conformal
    # extremes (0.96, 1.04). Its chance band at 102 children, (0.9005, 1.1492) as above, is
    # wider on both sides: a total is never blended towards chance, chance is its floor
    total = _counts("total", 100.0, [96.0 + i for i in range(9)])
    records = pd.concat([_small_and_big()[lambda f: f["series"] != "total"], total], ignore_index=True)
    levels = {"big": 99.0, "small": 3.0, "total": 102.0}
    calibration = calibrate(records, dict.fromkeys(levels, "naive"), levels=levels, totals=("total",))
    spread = math.sqrt(103.0) / 102.0
    assert calibration.bands[("total", 1)] == pytest.approx((1 - spread, 1 + 1.5 * spread, "own, widened"))
    # a narrower chance band (a total of 10,000: spread sqrt(10001)/10000 = 0.01) leaves its own
    narrow = calibrate(records, dict.fromkeys(levels, "naive"), levels={**levels, "total": 10000.0}, totals=("total",))
    assert narrow.bands[("total", 1)] == pytest.approx((0.96, 1.04, "own"))


def test_beyond_a_year_a_type_with_too_few_ratios_takes_every_series_ratios() -> None:
    # the same errors, 13 months ahead: small has 2 ratios of its own; beyond 12 months it takes
    # the 14 ratios of every series pooled (1st 1/3, 14th 2.0), not the chance band; big takes
    # the wider of its own and the chance band (no blend beyond a year)
    records = _small_and_big().assign(horizon=13)
    levels = {"big": 99.0, "small": 3.0, "total": 102.0}
    calibration = calibrate(records, dict.fromkeys(levels, "naive"), levels=levels, totals=("total",))
    assert calibration.bands[("small", 13)] == pytest.approx((1 / 3, 2.0, "pooled"))
    assert calibration.bands[("big", 13)] == pytest.approx((1 - 10 / 99, 1 + 15 / 99, "own, widened"))


def test_three_to_eight_ratios_give_a_t_prediction_interval() -> None:
    from forecast_runs.demand.intervals import few_bounds

    # logs -0.1, 0, 0.1: mean 0, sd 0.1; n = 3, t(2) = 1.886: half-width 1.886 x 0.1 x sqrt(1 +
    # 1/3) = 0.21778, so (exp(-0.21778), exp(0.21778)) = (0.8043, 1.2433)
    three = [math.exp(-0.1), 1.0, math.exp(0.1)]
    assert few_bounds(three) == pytest.approx((math.exp(-0.21778), math.exp(0.21778)), abs=1e-4)
    # n = 8, t(7) = 1.415; logs -0.1 (x4) and 0.1 (x4): mean 0, sd sqrt(8 x 0.01 / 7) = 0.10690;
    # half-width 1.415 x 0.10690 x sqrt(9/8) = 0.16044
    eight = [math.exp(-0.1)] * 4 + [math.exp(0.1)] * 4
    assert few_bounds(eight) == pytest.approx((math.exp(-0.16044), math.exp(0.16044)), abs=1e-4)
    # two say nothing of a spread, nine have split-conformal points, and a 0 has no logarithm
    assert few_bounds([0.9, 1.1]) is None
    assert few_bounds([1.0] * 9) is None
    assert few_bounds([0.0, 1.0, 1.2]) is None


def test_dispersion_is_the_part_of_the_spread_that_grows_with_the_count() -> None:
    from forecast_runs.demand.intervals import MAX_DISPERSION, count_scale, dispersion, scaled_band

    # Errors built so that e^2 / (f + 1) = 0.5 + 0.05 x f^2 / (f + 1) exactly, at f = 1, 9 and 99:
    # the line's intercept (chance part) 0.5 and slope (part growing with the count) 0.05, so
    # phi = 0.05 / 0.5 = 0.1
    forecasts = np.array([1.0, 9.0, 99.0])
    squared = (0.5 + 0.05 * forecasts**2 / (forecasts + 1.0)) * (forecasts + 1.0)
    rows = pd.DataFrame({"forecast": forecasts, "actual": forecasts + np.sqrt(squared)})
    assert dispersion(rows) == pytest.approx(0.1)
    # errors that shrink with the count: no dispersion (the slope would be below 0)
    shrinking = pd.DataFrame({"forecast": forecasts, "actual": forecasts + np.array([3.0, 2.0, 1.0])})
    assert dispersion(shrinking) == 0.0
    # errors all proportional to the count (10% of it): no chance part, so the most there is
    proportional = pd.DataFrame({"forecast": forecasts, "actual": forecasts * 1.1})
    assert dispersion(proportional) == MAX_DISPERSION
    # fewer than 3 rows: none
    assert dispersion(rows.iloc[:2]) == 0.0
    # the scale with phi: sqrt(24 + 1 + 0.25 x 24^2) = sqrt(169) = 13, 13/24 of 24 children
    assert count_scale(24.0, 0.25) == pytest.approx(13.0)
    assert scaled_band((-1.0, 1.0), 24.0, 0.25) == pytest.approx((1 - 13 / 24, 1 + 13 / 24))


def test_neighbouring_dates_count_as_fewer_ratios_further_ahead() -> None:
    from datetime import date

    from forecast_runs.demand.intervals import origin_step, own_weight

    every_other = pd.DataFrame({"origin": [date(2018, 1, 31), date(2018, 3, 31), date(2018, 5, 31)] * 2})
    quarters = pd.DataFrame({"origin": [date(2018, 3, 31), date(2018, 6, 30), date(2018, 9, 30)]})
    assert origin_step(every_other) == 2 and origin_step(quarters) == 3
    assert origin_step(pd.DataFrame({"horizon": [1]})) == 1  # no dates: each ratio its own
    # 18 ratios 1 month ahead from dates 2 months apart: all count, 18 / (18 + 9) = 2/3
    assert own_weight(18, 1, 2) == pytest.approx(2 / 3)
    # 12 ratios 12 months ahead from dates 2 months apart: 12 x 2/12 = 2 nearly independent
    # ones, 2 / (2 + 9) = 2/11
    assert own_weight(12, 12, 2) == pytest.approx(2 / 11)


def test_a_type_blends_by_its_nearly_independent_ratios() -> None:
    # big's 9 ratios (91/99 .. 107/99) from dates 2 months apart, 6 months ahead: 9 x 2/6 = 3
    # nearly independent ratios, weight 3 / (3 + 9) = 1/4. Chance band (89/99, 114/99) as at 1
    # month (the same errors): (0.25 x 91 + 0.75 x 89, 0.25 x 107 + 0.75 x 114) / 99
    months = [date_at(2 * i) for i in range(9)] + [date_at(0), date_at(2)]
    records = _small_and_big()[lambda f: f["series"] != "total"].assign(horizon=6, origin=months)
    levels = {"big": 99.0, "small": 3.0}
    calibration = calibrate(records, dict.fromkeys(levels, "naive"), levels=levels)
    expected = ((0.25 * 91 + 0.75 * 89) / 99, (0.25 * 107 + 0.75 * 114) / 99, "own (25%) and pooled scaled")
    assert calibration.bands[("big", 6)] == pytest.approx(expected)


def date_at(months: int) -> object:
    """The month-end ``months`` after 31 January 2018."""
    return (pd.Timestamp("2018-01-31") + pd.offsets.MonthEnd(months)).date()


def test_a_type_at_none_takes_the_scaled_errors_in_children() -> None:
    from forecast_runs.demand.intervals import IN_CHILDREN

    # "gone" had no children on the as-at date: a ratio of none is none, so it takes the types'
    # pooled scaled errors themselves, (-1.0, 1.5) at 1 month (see the test above; phi is 0)
    chosen = {"big": "naive", "small": "naive", "gone": "naive"}
    levels = {"big": 99.0, "small": 3.0, "gone": 0.0}
    records = _small_and_big()[lambda f: f["series"] != "total"]
    calibration = calibrate(records, chosen, levels=levels, in_children_at_none=True)
    assert calibration.dispersions[1] == 0.0
    assert calibration.bands[("gone", 1)] == pytest.approx((-1.0, 1.5, IN_CHILDREN))
    # a forecast of none: the scale of a count of none is sqrt(0 + 1) = 1 child, so 0 to 1.5;
    # at 4 months the scaled errors grow by sqrt(4 / 1) = 2: 0 to 3 (never below none)
    p10, p90 = calibrated_interval(np.zeros(4), "gone", calibration)  # type: ignore[misc]
    assert p10.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert p90.tolist() == pytest.approx([1.5, 1.5 * math.sqrt(2), 1.5 * math.sqrt(3), 3.0])
    # a forecast of 3 (a method that expects children back): scale sqrt(3 + 1) = 2, so
    # 3 - 1.0 x 2 = 1 to 3 + 1.5 x 2 = 6 at 1 month, and 3 - 2 x 2 = none to 3 + 3 x 2 = 9 at 4
    low, high = calibrated_interval(np.full(4, 3.0), "gone", calibration)  # type: ignore[misc]
    assert (low[0], high[0]) == pytest.approx((1.0, 6.0))
    assert (low[3], high[3]) == pytest.approx((0.0, 9.0))
    # the other types keep their bands in ratios
    assert not calibration.in_children("small") and calibration.in_children("gone")
    # without being asked (a register's ratios, which are only ever multiplied by a forecast),
    # a type at none has no chance band and takes every series' ratios pooled, as before: 11
    # ratios, the 1st (1/3) and the 11th (2.0)
    as_before = calibrate(records, chosen, levels=levels)
    assert as_before.bands[("gone", 1)] == pytest.approx((1 / 3, 2.0, "pooled"))


def test_a_total_at_none_keeps_its_band_in_ratios() -> None:
    # a total is never given a band in children: its ratios are of the sum of its types
    chosen = {"big": "naive", "small": "naive", "total": "naive"}
    levels = {"big": 99.0, "small": 3.0, "total": 0.0}
    calibration = calibrate(_small_and_big(), chosen, levels=levels, totals=("total",), in_children_at_none=True)
    assert not calibration.in_children("total")
