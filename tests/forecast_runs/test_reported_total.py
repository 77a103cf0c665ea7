"""How a run reports its totals: the sum of the types' chosen forecasts, or that sum scaled to
every type forecast by one method, whichever the back-test scores better without ever being
worse than no change (forecast_runs/demand/reported.py). Worked by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from forecast_runs.demand.reported import IN_CARE, REPORTED, choose_reported, reported_sums
from forecast_runs.demand.series import TOTAL

COLUMNS = ["series", "method", "origin", "horizon", "target", "forecast", "actual"]
ORIGIN = date(2020, 1, 31)


def _rows(forecasts: dict[tuple[str, str], float], actual: dict[str, float], horizons: int = 12) -> pd.DataFrame:
    """The same forecasts and actuals at every horizon from one origin."""
    return pd.DataFrame(
        [
            (series, method, ORIGIN, h, date(2020 + (h + 1) // 12, (h + 1) % 12 + 1, 1), value, actual[series])
            for (series, method), value in forecasts.items()
            for h in range(1, horizons + 1)
        ],
        columns=COLUMNS,
    )


def test_a_scaled_total_is_every_type_by_one_method_and_in_care_takes_the_same_scale() -> None:
    rows = _rows(
        {("a", "naive"): 10.0, ("b", "flow"): 5.0, ("a", "growth"): 12.0, ("b", "growth"): 6.0},
        {"a": 11.0, "b": 5.0},
        horizons=1,
    )
    summed = reported_sums(rows, {"a": "naive", "b": "flow"}, {TOTAL: ["a", "b"], IN_CARE: ["a"]}, "growth")
    by_group = summed.set_index("series")
    # own paths 10 + 5 = 15; by growth 12 + 6 = 18; scale 18/15 = 1.2
    assert by_group.loc[TOTAL, "forecast"] == pytest.approx(18.0)
    assert by_group.loc[TOTAL, "actual"] == 16.0
    assert by_group.loc[TOTAL, "ape"] == pytest.approx(12.5)  # 2/16
    assert by_group.loc[IN_CARE, "forecast"] == pytest.approx(12.0)  # a's 10 × 1.2
    assert by_group.loc[IN_CARE, "method"] == REPORTED
    unscaled = reported_sums(rows, {"a": "naive", "b": "flow"}, {TOTAL: ["a", "b"]})
    assert unscaled.iloc[0]["forecast"] == 15.0


def test_the_one_method_total_is_chosen_when_it_scores_better_and_no_worse_than_no_change() -> None:
    # actual 20 at every horizon. No change: 10 + 8 = 18 (10%); chosen (a growth, b no change):
    # 11 + 8 = 19 (5%); every type by growth: 11 + 9 = 20 (0%); by trend 14 + 9 = 23 (15%)
    rows = _rows(
        {
            ("a", "naive"): 10.0,
            ("b", "naive"): 8.0,
            ("a", "growth"): 11.0,
            ("b", "growth"): 9.0,
            ("a", "trend"): 14.0,
            ("b", "trend"): 9.0,
        },
        {"a": 11.0, "b": 9.0},
    )
    scaled_to, reason = choose_reported(rows, {"a": "growth", "b": "naive"}, ["a", "b"])
    assert scaled_to == "growth"
    assert reason == (
        "each type's chosen forecast scaled to every type's steady percentage change added up: 0.0% average "
        "error over 1 to 12 months, against 5.0% for the sum of the chosen forecasts and 10.0% for no change"
    )


def test_the_sum_of_the_chosen_forecasts_wins_a_tie() -> None:
    # chosen (a trend, b no change): 12 + 8 = 20, exact; every type by trend: 12 + 8 = 20, exact too
    rows = _rows(
        {("a", "naive"): 10.0, ("b", "naive"): 8.0, ("a", "trend"): 12.0, ("b", "trend"): 8.0},
        {"a": 12.0, "b": 8.0},
    )
    scaled_to, reason = choose_reported(rows, {"a": "trend", "b": "naive"}, ["a", "b"])
    assert scaled_to is None
    assert reason == "the sum of each type's chosen forecast: 0.0% average error over 1 to 12 months"


def test_a_one_method_total_worse_than_no_change_at_any_horizon_is_never_chosen() -> None:
    # actual 20. No change 10 + 8 = 18 (10%); chosen (a trend, b no change) 11 + 8 = 19 (5%);
    # growth 12 + 8 = 20, exact at 1-11, but 20 + 8 = 28 at 12 (40%, worse than no change's 10%):
    # its average (3.3%) beats the sum's 5%, yet it is not qualified
    rows = _rows(
        {("a", "naive"): 10.0, ("b", "naive"): 8.0, ("a", "trend"): 11.0, ("b", "trend"): 8.0},
        {"a": 12.0, "b": 8.0},
    )
    growth = _rows({("a", "growth"): 12.0, ("b", "growth"): 8.0}, {"a": 12.0, "b": 8.0})
    growth.loc[(growth["horizon"] == 12) & (growth["series"] == "a"), "forecast"] = 20.0
    scaled_to, reason = choose_reported(pd.concat([rows, growth]), {"a": "trend", "b": "naive"}, ["a", "b"])
    assert scaled_to is None
    assert reason == "the sum of each type's chosen forecast: 5.0% average error over 1 to 12 months"


def test_a_run_reads_the_scale_from_its_back_test() -> None:
    from forecast_runs.backtests import chosen_demand
    from forecasting.models import BacktestReport

    report = BacktestReport(
        choices={
            "a": {"method": "growth"},
            "b": {"method": "naive"},
            TOTAL: {"method": "growth", "reported": {"scaled_to": "naive", "types": ["a", "b"], "reason": "…"}},
        }
    )
    chosen = chosen_demand(report)
    assert (chosen.total_method, chosen.total_types) == ("net_change", ("a", "b"))
    assert chosen.methods == {"a": "growth", "b": "net_change"}
    plain = chosen_demand(BacktestReport(choices={"a": {"method": "growth"}, TOTAL: {"method": "growth"}}))
    assert (plain.total_method, plain.total_types) == (None, ())
