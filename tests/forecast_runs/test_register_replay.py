"""The reported forecast replayed on a register (forecast_runs.demand.register_replay): the
back-test origins, the rows of the chosen method with their interval, and no look-ahead."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.register_choice import RegisterChoice
from forecast_runs.demand.register_replay import choice_at, origins_before, reported_records
from forecast_runs.demand.selection import Choice
from forecast_runs.demand.series import TOTAL, types_frame
from tests.forecasting.engine.conftest import placement, register, register_from_path


def test_the_back_test_origins_are_every_third_month_end_of_the_two_years_before() -> None:
    assert origins_before(date(2020, 3, 31)) == [
        date(2018, 5, 31),
        date(2018, 8, 31),
        date(2018, 11, 30),
        date(2019, 2, 28),
        date(2019, 5, 31),
        date(2019, 8, 31),
        date(2019, 11, 30),
        date(2020, 2, 29),
    ]


def records(origin: date) -> pd.DataFrame:
    # horizons 1-2; "a" and the total, each by no change and trend
    rows = [
        (series, method, origin, h, forecast, 10.0)
        for series, by_method in {
            "a": {"naive": (10.0, 10.0), "trend": (12.0, 14.0)},
            TOTAL: {"naive": (20.0, 20.0), "trend": (18.0, 16.0)},
        }.items()
        for method, path in by_method.items()
        for h, forecast in enumerate(path, start=1)
    ]
    return pd.DataFrame(rows, columns=["series", "method", "origin", "horizon", "forecast", "actual"])


def test_the_reported_rows_are_each_series_own_choice_with_its_interval() -> None:
    first, second = date(2020, 3, 31), date(2020, 9, 30)
    frame = pd.concat([records(first), records(second)], ignore_index=True)
    choices = {
        # on the first date the total is trend although "a" is no change: the total is its own series
        first: RegisterChoice(
            {"a": Choice("naive", ""), TOTAL: Choice("trend", "")},
            {"a": [(0.9, 1.1), (0.8, 1.2)], TOTAL: [(0.5, 2.0), (0.25, 4.0)]},
            [],
            {},
        ),
        # "zero" has no interval and no rows: it is left out
        second: RegisterChoice(
            {"a": Choice("trend", ""), "b": Choice("zero", "")}, {"a": [(1.0, 1.0), (1.0, 1.5)]}, [], {}
        ),
    }
    out = reported_records(frame, choices).set_index(["origin", "series", "horizon"])
    assert list(out.loc[(first, TOTAL), "method"]) == ["trend", "trend"]
    assert out.loc[(first, TOTAL, 2), ["forecast", "p10", "p90"]].tolist() == pytest.approx([16.0, 4.0, 64.0])
    assert out.loc[(first, "a", 1), ["forecast", "p10", "p90"]].tolist() == pytest.approx([10.0, 9.0, 11.0])
    assert out.loc[(second, "a", 2), ["method", "forecast", "p90"]].tolist() == ["trend", 14.0, pytest.approx(21.0)]
    assert len(out) == 6


def test_the_choice_on_a_date_uses_only_the_register_known_then() -> None:
    as_at = date(2019, 6, 30)
    # 4 years of a slowly rising number of children, then one more type after the as-at date
    known = register_from_path([20 + i // 3 for i in range(48)], date(2015, 7, 1))
    later = [
        placement("late-1", "2019-08-01", placement_type="secure"),
        placement("late-2", "2019-07-01", "2019-09-01", placement_type="residential_external"),
    ]
    # an end date after the as-at date, and placements that start after it
    with_future = pd.concat([known, register(later)], ignore_index=True)
    with_future.loc[0, "end_date"] = pd.Timestamp("2019-10-01")
    types = types_frame(["fostering_ifa", "residential_external", "secure"])
    before, after = choice_at(known, types, as_at), choice_at(with_future, types, as_at)
    assert {n: c.method for n, c in before.choices.items()} == {n: c.method for n, c in after.choices.items()}
    assert set(after.choices) == {"fostering_ifa", TOTAL}
    assert np.allclose(before.ratios["fostering_ifa"], after.ratios["fostering_ifa"])
