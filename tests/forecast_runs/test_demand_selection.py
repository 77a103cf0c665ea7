"""Choosing by evidence (forecast_runs.demand.selection) and the back-test that feeds it, on
hand-made tables: every expected value is worked out in the comments."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.backtest import backtest, backtest_origins, mape_table
from forecast_runs.demand.selection import choose_method, choose_stale_rule
from forecast_runs.demand.series import ANNUAL, SeriesInputs


def scores(errors: dict[str, list[float]]) -> pd.DataFrame:
    """A back-test table of one series: MAPE by method for horizons 1, 2, 3 ..."""
    rows = [(m, h, e) for m, values in errors.items() for h, e in enumerate(values, start=1)]
    return pd.DataFrame(rows, columns=["method", "horizon", "mape"]).assign(series="total", scored=5)


NAIVE = [5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]  # average 10.5


def test_the_lowest_average_among_methods_never_worse_than_no_change_is_chosen() -> None:
    table = scores(
        {
            "naive": NAIVE,
            # equal to no change at 1 month (a tie qualifies), better after: average 8.25
            "trend": [5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0, 8.5, 9.0, 10.0, 12.0, 14.0],
            # lower average (5.0) but worse than no change at 12 months: does not qualify
            "statistical": [1.0] * 11 + [17.0],
        }
    )
    choice = choose_method(table, length=40)
    assert choice.method == "trend" and choice.average == pytest.approx(8.25)
    assert choice.reason == (
        "trend: 6.0% average error at 3 months, against 7.0% for no change (8.2% against 10.5% over 1 to 12 months)"
    )


def test_no_change_wins_a_tie_and_when_nothing_else_qualifies() -> None:
    tied = choose_method(scores({"naive": NAIVE, "combined": NAIVE}), length=40)
    assert tied.method == "naive"  # same average: no change comes first
    worse = choose_method(scores({"naive": NAIVE, "flow": [4.0] * 11 + [16.5]}), length=40)
    assert worse.method == "naive"
    assert worse.reason == (
        "no change: 7.0% average error at 3 months; no other method was as good at every horizon from 1 to 12 months"
    )


def test_a_method_missing_at_a_horizon_no_change_was_scored_at_does_not_qualify() -> None:
    table = scores({"naive": NAIVE, "trend": [1.0] * 12})
    table = table[~((table["method"] == "trend") & (table["horizon"] == 12))]
    assert choose_method(table, length=40).method == "naive"


def test_a_series_too_short_to_back_test_falls_back_to_no_change_and_says_so() -> None:
    choice = choose_method(scores({"naive": NAIVE, "trend": [1.0] * 12}), length=12)
    assert (choice.method, choice.too_short) == ("naive", True)
    assert choice.reason.startswith("no change: only 12 dates, too few to back-test (13 needed)")
    yearly = choose_method(scores({"naive": [5.0, 6.0, 7.0]}), length=3, step=ANNUAL)
    assert yearly.too_short and "(4 needed)" in yearly.reason


def test_a_type_with_no_placements_is_zero() -> None:
    assert choose_method(scores({"naive": NAIVE}), length=0).method == "zero"


def test_the_stale_open_rule_is_the_one_whose_past_numbers_were_nearer() -> None:
    # on two past dates 100 and 200 children were in care (as later returns showed)
    levels = pd.DataFrame(
        [
            (date(2019, 3, 31), "close_at_return_end", 80.0, 100.0),  # 20% away
            (date(2019, 6, 30), "close_at_return_end", 150.0, 200.0),  # 25%: average 22.5%
            (date(2019, 3, 31), "keep_open", 95.0, 100.0),  # 5%
            (date(2019, 6, 30), "keep_open", 190.0, 200.0),  # 5%: average 5%
            (date(2019, 3, 31), "close_at_last_known", 95.0, 100.0),
            (date(2019, 6, 30), "close_at_last_known", 190.0, 200.0),  # 5% too: keep_open wins the tie
        ],
        columns=["origin", "rule", "level", "actual"],
    )
    rule, why = choose_stale_rule(levels)
    assert rule == "keep_open"
    assert why == (
        "kept open: on 2 earlier dates the number of children was 5.0% away from what later returns showed, "
        "against 22.5% closed at the end of their last return and 5.0% counted up to the as-at date"
    )
    nothing, why = choose_stale_rule(levels.iloc[0:0])
    assert nothing == "keep_open" and "no earlier date" in why
    same = levels.assign(level=levels["actual"])  # every rule right on both dates: a tie
    assert choose_stale_rule(same) == (
        "keep_open",
        "kept open: the rules gave the same numbers on 2 earlier dates (0.0% away from what later returns "
        "showed), and an episode is not ended without evidence",
    )


def month_ends(n: int) -> tuple[date, ...]:
    return tuple((pd.Timestamp("2019-01-31") + pd.offsets.MonthEnd(i)).date() for i in range(n))


def test_the_back_test_forecasts_on_past_dates_and_scores_against_what_happened() -> None:
    # 10, 12, 14, 16 children at the end of January to April 2019; forecast at the end of February
    dates = month_ends(4)
    values = np.array([10.0, 12.0, 14.0, 16.0])
    truth = {"s": pd.Series(values, index=dates)}

    def as_known(origin: date) -> dict[str, SeriesInputs]:
        keep = sum(d <= origin for d in dates)
        return {"s": SeriesInputs("s", dates[:keep], values[:keep])}

    assert backtest_origins(list(dates), every=2) == [dates[1]]
    records = backtest(as_known, truth, [dates[1]], horizon=3, methods={"naive", "trend"}, min_history=2)
    got = records.set_index(["method", "horizon"])
    # no change stays at 12: 14 happened (2/14 = 14.29% off), then 16 (4/16 = 25%); April is the
    # last date known, so the third month is not scored
    assert got.loc[("naive", 1), "forecast"] == 12 and got.loc[("naive", 1), "ape"] == pytest.approx(100 * 2 / 14)
    assert got.loc[("naive", 2), "ape"] == pytest.approx(25.0)
    assert len(records) == 4
    # the straight line through 10 and 12 goes on to 14 and 16: exact
    assert got.loc[("trend", 1), "forecast"] == pytest.approx(14.0) and got.loc[("trend", 2), "ape"] == 0
    table = mape_table(records).set_index(["method", "horizon"])
    assert table.loc[("naive", 2), "mape"] == pytest.approx(25.0) and table.loc[("naive", 2), "scored"] == 1


def test_the_back_test_skips_past_dates_with_less_than_a_year_of_history() -> None:
    # 20 month-ends; origins after 6, 11, 12 and 15 of them: only the last two had a year
    dates = month_ends(20)
    values = np.arange(20, dtype=float) + 5
    truth = {"s": pd.Series(values, index=dates)}

    def as_known(origin: date) -> dict[str, SeriesInputs]:
        keep = sum(d <= origin for d in dates)
        return {"s": SeriesInputs("s", dates[:keep], values[:keep])}

    origins = [dates[5], dates[10], dates[11], dates[14]]
    records = backtest(as_known, truth, origins, horizon=1, methods={"naive"})
    assert sorted(records["origin"]) == [dates[11], dates[14]]
    assert len(backtest(as_known, truth, origins, horizon=1, methods={"naive"}, min_history=6)) == 4
