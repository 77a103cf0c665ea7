"""Back-test and calibration (FORECAST.md, Accuracy)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.backtest import (
    backtest,
    known_at,
    month_ends_between,
)
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


def _jumpy_register() -> pd.DataFrame:
    # 3 years flat around 20, then a step of +6 every 4 months: a model fitted on the calm years
    # claims tight intervals that the steps fall outside of
    calm = [20 + (i % 3 == 0) for i in range(36)]
    steps = [21 + 6 * (1 + i // 4) for i in range(24)]
    return register_from_path(calm + steps, date(2015, 1, 1))
