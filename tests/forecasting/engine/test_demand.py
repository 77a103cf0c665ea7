"""Demand methods for N̂ (FORECAST.md, Placements, "Demand methods"), with hand-computed paths."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.engine import demand
from forecasting.engine.demand import (
    Fit,
    _fit_statistical,
    average_numbers,
    commitments_forecast,
    fit_key,
    fits_kept_in,
    flow_forecast,
    forecast_month_ends,
    growth_forecast,
    net_change_forecast,
    statistical_forecast,
    trend_forecast,
)


def seasonal_series(months: int, *, level: float = 60.0, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    season = 8 * np.sin(2 * np.pi * np.arange(months) / 12)
    return np.round(level + 0.2 * np.arange(months) + season + rng.normal(0, 1.5, months))


def test_net_change_moves_in_a_straight_line_from_411_to_436() -> None:
    # Nottinghamshire P4: M_p = 411 on 31 July, Δ = 25 over 8 months: +3.125 a month
    forecast = net_change_forecast(411, 25, 8)
    assert forecast.month_end.tolist() == pytest.approx(
        [414.125, 417.25, 420.375, 423.5, 426.625, 429.75, 432.875, 436.0]
    )
    assert forecast.p10 is None and forecast.p90 is None
    # N̂(Aug) = (411 + 414.125)/2 = 412.5625 ... N̂(Mar) = (432.875 + 436)/2 = 434.4375
    assert average_numbers(411, forecast.month_end).tolist() == pytest.approx(
        [412.5625, 415.6875, 418.8125, 421.9375, 425.0625, 428.1875, 431.3125, 434.4375]
    )


def test_net_change_of_zero_keeps_numbers_flat() -> None:
    assert net_change_forecast(20, 0, 3).month_end.tolist() == [20, 20, 20]


def test_net_change_never_goes_below_zero() -> None:
    # 5 − 20·i/4: 0 (exactly), then −5, −10, −15 → floored
    assert net_change_forecast(5, -20, 4).month_end.tolist() == [0, 0, 0, 0]


def test_commitments_projects_the_rows_active_on_each_month_end() -> None:
    forecast = commitments_forecast([3, 2, 2])
    assert forecast.month_end.tolist() == [3, 2, 2]
    assert forecast.model == "n/a"


def test_trend_extends_the_least_squares_line_through_the_last_24_months() -> None:
    # 30 months: the first 6 are wild and must be ignored; the last 24 go 10, 12, ..., 56
    history = [500, 0, 500, 0, 500, 0] + [10 + 2 * i for i in range(24)]
    forecast = trend_forecast(history, 3)
    # slope 2 a month: 58, 60, 62
    assert forecast.month_end.tolist() == pytest.approx([58, 60, 62])
    assert forecast.history_months == 24


def test_trend_uses_fewer_months_when_fewer_exist_and_is_floored_at_zero() -> None:
    # 9, 6, 3 → slope −3: 0, −3 → 0, 0
    forecast = trend_forecast([9, 6, 3], 2)
    assert forecast.month_end.tolist() == [0, 0]
    assert forecast.history_months == 3
    assert trend_forecast([7], 2).month_end.tolist() == [7, 7]


def test_growth_keeps_the_same_percentage_change_every_month() -> None:
    # 1 + M = 1, 2, 4, 8: log(1 + M) = 0, ln 2, 2 ln 2, 3 ln 2 is a straight line of slope ln 2,
    # so 1 + M doubles every month: 16 − 1 = 15, then 31
    forecast = growth_forecast([0, 1, 3, 7], 2)
    assert forecast.month_end.tolist() == pytest.approx([15, 31])
    assert forecast.model == "GrowthRate" and forecast.detail["change_per_month"] == pytest.approx(1.0)
    # from today's number, not the line's end: 1 + M = 1, 5, 4 has slope (log 4 − log 1) / 2 =
    # log 2 (three points: the ends decide it), so from 1 + 3 = 4: 8 − 1 = 7, then 16 − 1 = 15
    assert growth_forecast([0, 4, 3], 2).month_end.tolist() == pytest.approx([7, 15])


def test_growth_uses_the_last_24_months_and_never_goes_below_zero() -> None:
    # the 6 wild months are dropped; 1 + M halves every month over the last 24 (2**24 down to 2)
    history = [5, 500, 5, 500, 5, 500] + [2.0 ** (24 - i) - 1 for i in range(24)]
    forecast = growth_forecast(history, 2)
    assert forecast.month_end.tolist() == pytest.approx([0.0, 0.0], abs=1e-9)  # 1 − 1, 0.5 − 1 floored
    assert forecast.history_months == 24
    assert growth_forecast([40, 40, 40], 3).month_end.tolist() == pytest.approx([40, 40, 40])
    assert growth_forecast([12], 1).month_end.tolist() == pytest.approx([12])
    assert growth_forecast([], 2).month_end.tolist() == [0, 0]
    assert forecast_month_ends("growth", history=[0, 0, 1, 3, 7], horizon=1).month_end.tolist() == pytest.approx([15])


def test_flow_steps_entries_and_exit_rate_month_by_month() -> None:
    # 13 months at 10 children; last 12 months: 3 entries and 2 exits each month.
    # Children at the start of those months: 12 × 10 = 120 child-months; exits 24 → rate 0.2.
    # M = 10 × 0.8 + 3 = 11; 11 × 0.8 + 3 = 11.8; 11.8 × 0.8 + 3 = 12.44
    history = [10] * 13
    entries = [0] + [3] * 12
    exits = [0] + [2] * 12
    forecast = flow_forecast(history, entries, exits, 3)
    assert forecast.month_end.tolist() == pytest.approx([11.0, 11.8, 12.44])
    assert forecast.detail["exit_rate"] == pytest.approx(0.2)
    assert forecast.detail["entries_per_month"] == pytest.approx(3.0)


def test_flow_never_goes_below_zero_and_needs_one_value_per_month() -> None:
    assert flow_forecast([0, 0], [0, 0], [0, 0], 2).month_end.tolist() == [0, 0]
    with pytest.raises(ValueError, match="one value per month"):
        flow_forecast([1, 2], [1], [0, 0], 2)


def test_the_statistical_method_fits_a_seasonal_series_with_ordered_non_negative_percentiles() -> None:
    history = seasonal_series(60)
    forecast = statistical_forecast(history, 8)
    assert forecast.model == "AutoETS"
    assert forecast.history_months == 60
    assert forecast.p10 is not None and forecast.p90 is not None
    assert (forecast.p10 <= forecast.month_end).all()
    assert (forecast.month_end <= forecast.p90).all()
    assert (forecast.p10 >= 0).all()
    assert (forecast.p90 > forecast.p10).all()
    # it follows the seasonal pattern: the forecast is not flat
    assert np.ptp(forecast.month_end) > 2


def test_the_statistical_fit_is_reused_for_the_same_series() -> None:
    history = seasonal_series(72, seed=11)
    first = statistical_forecast(history, 6)
    fitted = _fit_statistical.cache_info()
    again = statistical_forecast(history.copy(), 6)
    reused = _fit_statistical.cache_info()
    assert reused.misses == fitted.misses  # no refit: the same series is found in the cache
    assert reused.hits == fitted.hits + 1
    assert again.month_end.tolist() == pytest.approx(first.month_end.tolist())


class DictStore:
    """A fit store in a dict, counting what it was asked."""

    def __init__(self) -> None:
        self.fits: dict[str, Fit] = {}
        self.asked = 0

    def get(self, key: str) -> Fit | None:
        self.asked += 1
        return self.fits.get(key)

    def set(self, key: str, fit: Fit) -> None:
        self.fits[key] = fit


def test_a_stored_fit_is_used_instead_of_fitting_with_the_usual_floors_and_order() -> None:
    history = seasonal_series(48, seed=5)
    store = DictStore()
    # The key is that of the series the method fits (float64, at most 120 months) for the fit's
    # horizon, max(3, season 12) = 12.
    key = fit_key(np.ascontiguousarray(history, dtype=np.float64).tobytes(), 12, 12)
    mean = (10.0, 11.0, 12.0) + (13.0,) * 9
    low = (9.0, 12.0, -1.0) + (5.0,) * 9
    high = (11.0, 10.0, 14.0) + (20.0,) * 9
    store.fits[key] = (mean, low, high, "AutoETS")
    with fits_kept_in(store):
        forecast = statistical_forecast(history, 3)
    # middle: the stored mean's first 3 months; p10 = min(max(low, 0), middle) = 9, 11, 0;
    # p90 = max(high, middle) = 11, 11, 14
    assert forecast.month_end.tolist() == [10.0, 11.0, 12.0]
    assert forecast.p10 is not None and forecast.p10.tolist() == [9.0, 11.0, 0.0]
    assert forecast.p90 is not None and forecast.p90.tolist() == [11.0, 11.0, 14.0]
    assert forecast.model == "AutoETS"


def test_a_fit_made_with_a_store_is_kept_there_and_gives_the_same_forecast_as_without() -> None:
    history = seasonal_series(60, seed=23)
    store = DictStore()
    with fits_kept_in(store):
        kept = statistical_forecast(history, 12)
    plain = statistical_forecast(history, 12)
    series = np.ascontiguousarray(history, dtype=np.float64).tobytes()
    assert list(store.fits) == [fit_key(series, 12, 12)]
    assert store.fits[fit_key(series, 12, 12)] == _fit_statistical(series, 12, 12)
    assert kept.month_end.tolist() == plain.month_end.tolist()
    assert kept.p10 is not None and plain.p10 is not None and kept.p10.tolist() == plain.p10.tolist()
    assert kept.p90 is not None and plain.p90 is not None and kept.p90.tolist() == plain.p90.tolist()
    # outside the block no store is asked
    statistical_forecast(history, 12)
    assert store.asked == 1


def test_a_fit_key_changes_with_the_history_the_horizon_the_season_and_the_library(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    history = seasonal_series(36, seed=2)
    changed = history.copy()
    changed[0] += 1
    series = history.tobytes()
    key = fit_key(series, 12, 12)
    assert fit_key(history.copy().tobytes(), 12, 12) == key  # the same history: the same key
    assert len({key, fit_key(changed.tobytes(), 12, 12), fit_key(series, 13, 12), fit_key(series, 12, 4)}) == 4
    monkeypatch.setattr(demand, "_library_version", lambda: "0.0.0")
    assert fit_key(series, 12, 12) != key


def test_the_statistical_method_falls_back_to_seasonal_naive_then_the_mean_on_short_series() -> None:
    twenty = seasonal_series(20)
    assert statistical_forecast(twenty, 4).model == "SeasonalNaive"
    short = statistical_forecast([5, 7, 6, 8, 6, 7], 4)
    assert short.model == "Mean"
    # the mean of 5, 7, 6, 8, 6, 7 = 39/6 = 6.5
    assert short.month_end.tolist() == pytest.approx([6.5] * 4)
    one = statistical_forecast([4], 2)
    assert one.model == "Mean"
    assert one.month_end.tolist() == [4, 4]
    assert one.p10 is not None and np.isnan(one.p10).all()  # no spread can be estimated
    assert one.path("p90").tolist() == [4, 4]  # best/worst fall back to the middle path


def test_the_statistical_method_is_never_negative_near_zero() -> None:
    history = np.array([0, 1, 0, 0, 2, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 3, 0, 0, 1, 0, 0, 0, 1, 0, 0, 2] * 2, dtype=float)
    forecast = statistical_forecast(history, 12)
    assert forecast.p10 is not None and forecast.p90 is not None
    assert (forecast.month_end >= 0).all()
    assert (forecast.p10 >= 0).all()
    assert (forecast.p10 <= forecast.month_end).all() and (forecast.month_end <= forecast.p90).all()


def test_the_dispatcher_ignores_months_before_the_type_existed() -> None:
    # leading zeros are months before the first placement of the type, not evidence of zero demand
    history = [0, 0, 0, 0, 4, 6]
    forecast = forecast_month_ends("trend", history=history, horizon=1)
    # the line through 4, 6 gives 8 (not the line through 0, 0, 0, 0, 4, 6)
    assert forecast.month_end.tolist() == pytest.approx([8.0])
    assert forecast.history_months == 2
    with pytest.raises(ValueError, match="unknown demand method"):
        forecast_month_ends("guess", history=history, horizon=1)
