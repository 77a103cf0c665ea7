"""The monthly back-test's choice of method and interval from the engine back-test's records
(forecast_runs.demand.register_choice), checked against figures worked out by hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.register_choice import choose_from_register, records_from_engine
from forecast_runs.demand.reported import IN_CARE, REPORTED, reported_sums
from forecast_runs.demand.series import TOTAL

ORIGINS = [date(2018, m, 28) for m in range(1, 9)]
# One type, "fostering", actual 10 children a month after every origin (horizon 1 only).
FORECASTS = {
    "net_change": [13, 7, 13, 7, 13, 7, 13, 7],  # 30% off every time
    "flow": [8, 9, 9.5, 10, 10, 10.5, 11, 12.5],  # 20, 10, 5, 0, 0, 5, 10, 25: 9.375% on average
    "statistical": [15] * 8,  # 50%
    "trend": [5] * 8,  # 50%
    "commitments": [6] * 8,  # 40%
}


def engine_records() -> pd.DataFrame:
    rows = [
        {
            "method": method,
            "placement_type": "fostering",
            "origin": origin,
            "horizon": 1,
            "target_date": date(2018, origin.month + 1, 28),
            "forecast": float(value),
            "actual": 10.0,
            "p10_raw": np.nan,
            "p90_raw": np.nan,
        }
        for method, values in FORECASTS.items()
        for origin, value in zip(ORIGINS, values, strict=True)
    ]
    return pd.DataFrame(rows)


def history() -> dict[str, np.ndarray]:
    return {
        "fostering": np.full(20, 10.0),
        "secure": np.array([0.0] * 15 + [4, 4, 5, 5, 5]),  # 5 month-ends: too short to back-test
        "adoption": np.zeros(20),  # no placements
        TOTAL: np.array([10.0] * 15 + [14, 14, 15, 15, 15]),
    }


def test_records_get_the_combination_and_the_total() -> None:
    records = records_from_engine(engine_records())
    first = records[records["origin"] == ORIGINS[0]].set_index(["series", "method"])
    # combination = (no change 13 + flow 8 + statistical 15) / 3 = 12; 20% off an actual of 10
    assert first.loc[("fostering", "combined"), "forecast"] == pytest.approx(12.0)
    assert first.loc[("fostering", "combined"), "ape"] == pytest.approx(20.0)
    assert first.loc[("fostering", "naive"), "forecast"] == 13.0
    # one type: the total is the type's forecast and actual
    assert first.loc[(TOTAL, "flow"), "forecast"] == 8.0 and first.loc[(TOTAL, "flow"), "actual"] == 10.0


def test_the_choice_is_the_lowest_average_error_no_worse_than_no_change_with_its_sentence() -> None:
    chosen = choose_from_register(records_from_engine(engine_records()), history())
    flow = chosen.choices["fostering"]
    # combination: (13+8+15)/3 = 12, (7+9+15)/3 = 10.33, 12.5, 10.67, 12.67, 10.83, 13, 11.5 →
    # 20 + 3.33 + 25 + 6.67 + 26.67 + 8.33 + 30 + 15 = 135 → 16.875%, behind flow's 9.375%
    assert flow.method == "flow" and flow.average == pytest.approx(9.375)
    assert flow.reason == (
        "entries and exits: 9.4% average error at 1 month, against 30.0% for no change "
        "(9.4% against 30.0% over 1 to 12 months)"
    )
    assert chosen.choices[TOTAL].method == "flow"
    assert chosen.choices["secure"].method == "naive" and chosen.choices["secure"].too_short
    assert chosen.choices["adoption"].method == "zero" and "adoption" not in chosen.ratios


def test_the_interval_ratios_are_split_conformal_and_grow_with_the_square_root_of_the_horizon() -> None:
    chosen = choose_from_register(records_from_engine(engine_records()), history())
    # 8 ratios actual / flow forecast: k = floor(0.1 × 9) → 1st smallest = 10/12.5 = 0.8,
    # k = ceil(0.9 × 9) = 9 → at most the 8th = 10/8 = 1.25. At 4 months: 0.8² and 1.25².
    ratios = chosen.ratios["fostering"]
    assert ratios[0] == pytest.approx((0.8, 1.25))
    assert ratios[3] == pytest.approx((0.64, 1.5625))
    assert len(ratios) == 12
    # too short: the largest move, |log(5/4)|, so exp(∓0.2231) = 0.8 and 1.25 at one month
    assert chosen.ratios["secure"][0] == pytest.approx((0.8, 1.25))


def test_coverage_before_and_after_calibration() -> None:
    chosen = choose_from_register(records_from_engine(engine_records()), history())
    one_month = chosen.coverage[0]
    # flow has no band of its own: only the two exact forecasts (10) covered, for the type and
    # the total (4 of 16); forecast × [0.8, 1.25] covers every actual
    assert one_month == {"horizon": 1, "forecasts": 16, "before": 0.25, "after": 1.0}


def test_the_totals_a_run_reports_are_scored_and_calibrated_as_the_sum_of_the_chosen_forecasts() -> None:
    # A second type, residential: no change is exact (5 children, 5 actual), flow 20% off.
    residential = engine_records().assign(placement_type="residential", actual=5.0)
    residential = residential[residential["method"].isin(["net_change", "flow"])]
    residential["forecast"] = np.where(residential["method"] == "net_change", 5.0, 6.0)
    records = records_from_engine(pd.concat([engine_records(), residential], ignore_index=True))
    chosen = choose_from_register(
        records,
        {**history(), "residential": np.full(20, 5.0)},
        {TOTAL: ["fostering", "residential"], IN_CARE: ["fostering"]},
    )
    assert chosen.choices["fostering"].method == "flow" and chosen.choices["residential"].method == "naive"
    # reported total at each origin: fostering's flow + residential's 5 against 10 + 5 = 15;
    # |flow - 10| = 2, 1, 0.5, 0, 0, 0.5, 1, 2.5 → 7.5 / 15 / 8 = 6.25%
    assert chosen.errors[TOTAL][REPORTED][1] == pytest.approx(6.25)
    # children in care are fostering alone: flow's own 9.375%
    assert chosen.errors[IN_CARE][REPORTED][1] == pytest.approx(9.375)
    # The types' chance band: their 16 errors are 0 for residential's 5 children and up to 2.5
    # for fostering's 10, so the line through e^2 / (f + 1) against f^2 / (f + 1) crosses below 0
    # (intercept -0.108): none of the spread is chance's, and the dispersion is the most, 1. The
    # scaled errors (actual - forecast) / sqrt(f + 1 + f^2) run from (10 - 12.5)/sqrt(13.5 +
    # 156.25) = -0.1919 to (10 - 8)/sqrt(9 + 64) = 0.2341 (k = 1st and 16th, the extremes).
    # Every child, 15: spread sqrt(16 + 225)/15 = 1.0349, so (0.8014, 1.2423). Its own 8 ratios
    # 15/13 .. 15/17.5 (too few for split-conformal) give a t prediction interval: log mean
    # -0.00069, sd 0.0890, t(7) = 1.415, exp(mean -/+ 1.415 x 0.0890 x sqrt(9/8)) = (0.874,
    # 1.142), inside the chance band: the total takes the wider, the chance band.
    lo, hi = -2.5 / math.sqrt(13.5 + 156.25), 2.0 / math.sqrt(9.0 + 64.0)
    spread = math.sqrt(16.0 + 225.0) / 15.0
    assert chosen.method_ratios[TOTAL][REPORTED][0] == pytest.approx((1 + lo * spread, 1 + hi * spread))
    # Children in care are fostering's 10 children: spread sqrt(11 + 100)/10 = 1.0536, chance
    # (0.7978, 1.2466); its own 8 ratios 10/12.5 .. 10/8 give (0.820, 1.224): the chance band.
    spread = math.sqrt(11.0 + 100.0) / 10.0
    assert chosen.method_ratios[IN_CARE][REPORTED][0] == pytest.approx((1 + lo * spread, 1 + hi * spread))


def test_a_lone_total_with_too_few_errors_takes_a_t_interval_at_least_its_chance_band() -> None:
    residential = engine_records().assign(placement_type="residential", actual=5.0)
    residential = residential[residential["method"].isin(["net_change", "flow"])]
    residential["forecast"] = np.where(residential["method"] == "net_change", 5.0, 6.0)
    records = records_from_engine(pd.concat([engine_records(), residential], ignore_index=True))
    chosen = choose_from_register(records, {**history(), "residential": np.full(20, 5.0)})
    # Only the total (8 ratios, too few for split-conformal): their t prediction interval, (0.874,
    # 1.142), widened to the types' chance band at 15 children, (0.8014, 1.2423), as in the test
    # above (no other total is needed to calibrate it)
    lo, hi = -2.5 / math.sqrt(13.5 + 156.25), 2.0 / math.sqrt(9.0 + 64.0)
    spread = math.sqrt(16.0 + 225.0) / 15.0
    assert chosen.method_ratios[TOTAL][REPORTED][0] == pytest.approx((1 + lo * spread, 1 + hi * spread))


def test_a_reported_total_leaves_out_a_date_a_member_was_not_forecast_on_and_types_with_no_children() -> None:
    rows = pd.DataFrame(
        [
            ("a", "naive", date(2020, 1, 31), 1, date(2020, 2, 29), 10.0, 12.0),
            ("b", "flow", date(2020, 1, 31), 1, date(2020, 2, 29), 5.0, 4.0),
            ("b", "naive", date(2020, 1, 31), 1, date(2020, 2, 29), 7.0, 4.0),
            ("a", "naive", date(2020, 3, 31), 1, date(2020, 4, 30), 10.0, 10.0),  # b has no flow here
        ],
        columns=["series", "method", "origin", "horizon", "target", "forecast", "actual"],
    )
    summed = reported_sums(rows, {"a": "naive", "b": "flow", "c": "zero"}, {TOTAL: ["a", "b", "c"]})
    assert len(summed) == 1
    # 10 + 5 = 15 against 12 + 4 = 16: 1/16 = 6.25%
    row = summed.iloc[0]
    assert (row["series"], row["method"], row["forecast"], row["actual"]) == (TOTAL, REPORTED, 15.0, 16.0)
    assert row["ape"] == pytest.approx(6.25)


def test_a_run_takes_the_reported_totals_ratios_from_its_back_test_and_nothing_else() -> None:
    from forecast_runs.backtests import reported_bands
    from forecasting.models import BacktestReport

    report = BacktestReport(
        method_intervals={
            TOTAL: {REPORTED: {"1": [0.9, 1.1]}, "flow": {"1": [0.5, 1.5]}},
            IN_CARE: {REPORTED: {"1": [0.95, 1.05]}},
            "fostering": {"flow": {"1": [0.8, 1.25]}},
        }
    )
    assert reported_bands(report) == {TOTAL: {"1": [0.9, 1.1]}, IN_CARE: {"1": [0.95, 1.05]}}
