"""Back-test and calibration (FORECAST.md, Accuracy)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.backtest import (
    backtest,
    calibrate,
    calibration_factors,
    known_at,
    month_ends_between,
)
from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements import project_placements
from forecasting.engine.scenarios import PlacementAssumption
from tests.forecasting.engine.conftest import placement, register, register_from_path


def test_it_sees_only_what_was_known_on_the_as_at_date() -> None:
    reg = register(
        [
            placement("A", "2019-01-01", "2019-03-01"),  # ended before: kept
            placement("B", "2019-02-01", "2019-09-01", planned_end="2019-08-01"),  # ends after: open
            placement("C", "2019-05-01"),  # not started yet: dropped
        ]
    )
    known = known_at(reg, date(2019, 3, 31)).set_index("placement_ref")
    assert known.index.tolist() == ["A", "B"]
    assert known.loc["A", "end_date"] == pd.Timestamp("2019-03-01")
    assert pd.isna(known.loc["B", "end_date"]) and pd.isna(known.loc["B", "planned_end_date"])


def test_it_lists_month_ends() -> None:
    assert month_ends_between(date(2019, 12, 15), date(2020, 2, 1)) == [
        date(2019, 12, 31),
        date(2020, 1, 31),
        date(2020, 2, 29),
    ]


def test_it_reports_mape_and_coverage_by_method_and_horizon(types: pd.DataFrame) -> None:
    # One new open placement on the 1st of each month from Jan 2017: the month-end number in
    # month i (from 1) is i. As at 31 Dec 2018 (24 children) the flat forecast (net_change Δ = 0)
    # and commitments both say 24, while 24 + h happened: APE = h / (24 + h).
    # The trend line and flow (1 entry a month, no exits) are exact: APE 0.
    reg = register_from_path(list(range(1, 37)), date(2017, 1, 1))
    result = backtest(
        reg,
        types,
        origins=[date(2018, 12, 31)],
        actuals_up_to=date(2019, 12, 31),
        horizon=3,
        methods=("commitments", "net_change", "trend", "flow", "statistical"),
    )
    summary = result.summary.set_index(["method", "horizon"])
    for method in ("commitments", "net_change"):
        assert summary.loc[(method, 1), "mape"] == pytest.approx(100 * 1 / 25)
        assert summary.loc[(method, 3), "mape"] == pytest.approx(100 * 3 / 27)
        assert np.isnan(summary.loc[(method, 1), "coverage"])  # no interval
    for method in ("trend", "flow"):
        assert summary.loc[(method, 2), "mape"] == pytest.approx(0, abs=1e-9)
    assert summary.loc[("statistical", 1), "with_interval"] == 1
    assert 0 <= summary.loc[("statistical", 1), "coverage"] <= 1
    assert sorted(result.summary["horizon"].unique()) == [1, 2, 3]


def test_it_skips_targets_after_the_register_is_complete(types: pd.DataFrame) -> None:
    reg = register_from_path(list(range(1, 13)), date(2018, 1, 1))
    result = backtest(
        reg,
        types,
        origins=[date(2018, 10, 31)],
        actuals_up_to=date(2018, 12, 31),
        horizon=6,
        methods=("trend",),
    )
    assert result.forecasts["horizon"].tolist() == [1, 2]


def test_calibration_factor_is_the_80th_percentile_of_the_widening_needed() -> None:
    # middle 10, raw interval 9..11 (half-width 1 either side). Actuals 10, 10.5, 11, 11.5, 12,
    # 8, 7, 10, 10, 10 need factors 0, .5, 1, 1.5, 2, 2, 3, 0, 0, 0. Sorted: 0,0,0,0,.5,1,1.5,2,2,3;
    # covering 80% (8 of 10) needs the 8th smallest: 2.
    actuals = [10, 10.5, 11, 11.5, 12, 8, 7, 10, 10, 10]
    frame = pd.DataFrame(
        {
            "method": "statistical",
            "placement_type": "fostering_ifa",
            "forecast": 10.0,
            "actual": actuals,
            "p10_raw": 9.0,
            "p90_raw": 11.0,
        }
    )
    factors = calibration_factors(frame, min_observations=5)
    assert factors["fostering_ifa"] == pytest.approx(2.0)
    assert factors["*"] == pytest.approx(2.0)
    # intervals are widened, never narrowed: an interval that already covers gets 1
    covered = frame.assign(actual=10.0)
    assert calibration_factors(covered, min_observations=5)["fostering_ifa"] == 1.0
    # few forecasts of a type: the pooled factor
    assert calibration_factors(frame.head(3))["fostering_ifa"] == calibration_factors(frame.head(3))["*"]


def _jumpy_register() -> pd.DataFrame:
    # 3 years flat around 20, then a step of +6 every 4 months: a model fitted on the calm years
    # claims tight intervals that the steps fall outside of
    calm = [20 + (i % 3 == 0) for i in range(36)]
    steps = [21 + 6 * (1 + i // 4) for i in range(24)]
    return register_from_path(calm + steps, date(2015, 1, 1))


def test_calibration_widens_under_covering_intervals(types: pd.DataFrame) -> None:
    reg = _jumpy_register()
    origins = month_ends_between(date(2018, 1, 1), date(2019, 6, 30))
    raw = backtest(reg, types, origins=origins, actuals_up_to=date(2019, 12, 31), horizon=6, methods=("statistical",))
    raw_coverage = raw.forecasts["covered"].mean()
    assert raw_coverage < 0.8  # the model claims 80% and covers less
    factors = calibration_factors(raw.forecasts)
    assert factors["fostering_ifa"] > 1.0
    calibrated = backtest(
        reg,
        types,
        origins=origins,
        actuals_up_to=date(2019, 12, 31),
        horizon=6,
        methods=("statistical",),
        calibration=factors,
    )
    # this fails if the factor is ignored: same forecasts, wider intervals, more covered
    assert calibrated.forecasts["covered"].mean() > raw_coverage
    assert calibrated.forecasts["covered"].mean() >= 0.8 or factors["fostering_ifa"] == 5.0
    assert (calibrated.forecasts["forecast"] == raw.forecasts["forecast"]).all()
    assert calibrate(reg, types, origins=origins, actuals_up_to=date(2019, 12, 31), horizon=6) == pytest.approx(factors)


def test_the_projection_takes_the_calibration_factor(types: pd.DataFrame) -> None:
    reg = _jumpy_register()  # Jan 2015 .. Dec 2019
    fy = FinancialYear(2019)
    assumptions = {"fostering_ifa": PlacementAssumption(demand_method="statistical", new_unit_cost=70_000)}
    plain = project_placements(reg, types, fy, 4, assumptions)
    wide = project_placements(reg, types, fy, 4, assumptions, calibration={"*": 3.0})
    worst_plain = project_placements(reg, types, fy, 4, assumptions, interval="p90")
    worst_wide = project_placements(reg, types, fy, 4, assumptions, interval="p90", calibration={"*": 3.0})

    def ifa(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["placement_type"] == "fostering_ifa") & (frame["period"] > 4)]

    plain_width = (ifa(plain.by_type_month)["number_p90"] - ifa(plain.by_type_month)["month_end_number"]).to_numpy()
    wide_width = (ifa(wide.by_type_month)["number_p90"] - ifa(wide.by_type_month)["month_end_number"]).to_numpy()
    assert wide_width == pytest.approx(3 * plain_width)
    # the worst case costs more once the interval is widened
    assert (
        worst_wide.projected_change_by_type.set_index("placement_type").loc["fostering_ifa", "projected_change"]
        > worst_plain.projected_change_by_type.set_index("placement_type").loc["fostering_ifa", "projected_change"]
    )


def test_coverage_after_calibration_counts_actuals_inside_the_widened_interval() -> None:
    import pandas as pd

    from forecasting.engine.backtest import coverage_after_calibration

    # Two statistical forecasts at horizon 1, middle 10 with a raw interval 8–12 (2 either side).
    # Actual 11 is inside; actual 13 is outside the raw interval but inside 10 ± 2 × 1.5 = 7–13.
    forecasts = pd.DataFrame(
        {
            "method": ["statistical", "statistical", "trend"],
            "placement_type": ["fostering_ifa", "fostering_ifa", "fostering_ifa"],
            "horizon": [1, 1, 1],
            "forecast": [10.0, 10.0, 10.0],
            "actual": [11.0, 13.0, 13.0],
            "p10_raw": [8.0, 8.0, float("nan")],
            "p90_raw": [12.0, 12.0, float("nan")],
        }
    )
    summary = coverage_after_calibration(forecasts, {"fostering_ifa": 1.5})
    row = summary.iloc[0]
    assert (row["forecasts"], row["coverage_raw"], row["coverage_calibrated"]) == (2, 0.5, 1.0)
