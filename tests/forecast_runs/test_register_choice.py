"""The monthly back-test's choice of method and interval from the engine back-test's records
(forecast_runs.demand.register_choice), checked against figures worked out by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.register_choice import choose_from_register, records_from_engine
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
