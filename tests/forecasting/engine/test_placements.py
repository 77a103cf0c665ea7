"""Placement register arithmetic, checked against hand-computed pounds and pence.

Every expected figure is worked out in the comments from the rules in FORECAST.md
(Placements, Money). Money is pence; £700.00 = 70_000p.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements import (
    days_active_matrix,
    default_unit_cost_new,
    effective_end,
    eighteenth_birthday,
    month_end_history,
    numbers_on_dates,
    placement_kpis,
    placement_year_summary,
    project_placements,
)
from forecasting.engine.scenarios import ChosenDemand, PlacementAssumption
from tests.forecasting.engine.conftest import placement, register

FY = FinancialYear(2019)  # 2019/20: 1 April 2019 to 31 March 2020 (366 days, Feb 2020 has 29)


def kpi(frame: pd.DataFrame, placement_type: str, month: str) -> pd.Series:
    return frame[(frame["placement_type"] == placement_type) & (frame["month"] == month)].iloc[0]


def month_row(projection_frame: pd.DataFrame, placement_type: str, period: int) -> pd.Series:
    rows = projection_frame[
        (projection_frame["placement_type"] == placement_type) & (projection_frame["period"] == period)
    ]
    return rows.iloc[0]


# ----------------------------------------------------------------------------------------------
# days_active_matrix and exclusive end dates
# ----------------------------------------------------------------------------------------------


def test_it_treats_the_end_date_as_the_first_day_no_longer_placed() -> None:
    # FORECAST.md: "A row from 1 April with end date 8 April lasts 7 days."
    days = days_active_matrix(
        np.array(["2019-04-01"], dtype="datetime64[D]"),
        np.array(["2019-04-08"], dtype="datetime64[D]"),
        np.array(["2019-04-01", "2019-05-01"], dtype="datetime64[D]"),
        np.array(["2019-05-01", "2019-06-01"], dtype="datetime64[D]"),
    )
    assert days.tolist() == [[7, 0]]


def test_it_counts_an_open_ended_row_to_the_end_of_every_month() -> None:
    # start 15 April (inclusive), no end: April 15..30 = 16 days, May all 31 days
    days = days_active_matrix(
        pd.Series([pd.Timestamp("2019-04-15")]),
        pd.Series([pd.NaT], dtype="datetime64[ns]"),
        np.array(["2019-04-01", "2019-05-01"], dtype="datetime64[D]"),
        np.array(["2019-05-01", "2019-06-01"], dtype="datetime64[D]"),
    )
    assert days.dtype == np.int64
    assert days.tolist() == [[16, 31]]


def test_it_gives_no_days_to_a_row_that_ends_before_the_month_or_starts_after_it() -> None:
    days = days_active_matrix(
        np.array(["2019-01-01", "2019-06-01", "2019-04-10"], dtype="datetime64[D]"),
        np.array(["2019-04-01", "NaT", "2019-04-10"], dtype="datetime64[D]"),  # ends on 1 April: 0 days
        np.array(["2019-04-01"], dtype="datetime64[D]"),
        np.array(["2019-05-01"], dtype="datetime64[D]"),
    )
    assert days.ravel().tolist() == [0, 0, 0]


def test_it_refuses_a_row_without_a_start_date() -> None:
    with pytest.raises(ValueError, match="start date"):
        days_active_matrix(
            np.array(["NaT"], dtype="datetime64[D]"),
            np.array(["NaT"], dtype="datetime64[D]"),
            np.array(["2019-04-01"], dtype="datetime64[D]"),
            np.array(["2019-05-01"], dtype="datetime64[D]"),
        )


def test_it_computes_20000_rows_by_120_months() -> None:
    rng = np.random.default_rng(7)
    starts = np.datetime64("2010-01-01") + rng.integers(0, 3650, 20_000).astype("timedelta64[D]")
    ends = starts + rng.integers(1, 900, 20_000).astype("timedelta64[D]")
    ends[::3] = np.datetime64("NaT")
    months = np.arange(np.datetime64("2010-01"), np.datetime64("2020-01"))
    month_starts = months.astype("datetime64[D]")
    month_ends = (months + 1).astype("datetime64[D]")
    result = days_active_matrix(starts, ends, month_starts, month_ends)
    assert result.shape == (20_000, 120)
    # a row's days over all months never exceed its length
    lengths = (np.minimum(ends, np.datetime64("2020-01-01")) - starts).astype(np.int64)
    lengths = np.where(np.isnat(ends), (np.datetime64("2020-01-01") - starts).astype(np.int64), lengths)
    assert (result.sum(axis=1) == lengths).all()


# ----------------------------------------------------------------------------------------------
# Effective end: end, planned end, 18th birthday
# ----------------------------------------------------------------------------------------------


def test_it_ends_placements_on_the_18th_birthday(types: pd.DataFrame) -> None:
    # born 10 June 2001: 18 on 10 June 2019, the first day no longer in a fostering placement
    reg = register([placement("A", "2019-04-01", dob="2001-06-10")])
    assert effective_end(reg, types).tolist() == [pd.Timestamp("2019-06-10")]
    june = kpi(
        placement_kpis(reg, types, months_from=date(2019, 6, 1), months_to=date(2019, 6, 30)),
        "fostering_ifa",
        "2019-06",
    )
    # 1..9 June = 9 days; £700/wk × 9/7 = £900.00
    assert june["child_days"] == 9
    assert june["gross_cost"] == 90_000
    assert june["month_end_number"] == 0
    assert june["ends"] == 1


def test_it_keeps_staying_put_placements_going_after_the_18th_birthday(types: pd.DataFrame) -> None:
    reg = register([placement("A", "2019-04-01", dob="2001-06-10", placement_type="staying_put")])
    assert effective_end(reg, types).isna().all()
    june = kpi(
        placement_kpis(reg, types, months_from=date(2019, 6, 1), months_to=date(2019, 6, 30)),
        "staying_put",
        "2019-06",
    )
    # all 30 days of June: £700/wk × 30/7 = £3,000.00
    assert june["gross_cost"] == 300_000


def test_it_takes_the_earliest_of_end_planned_end_and_birthday(types: pd.DataFrame) -> None:
    reg = register(
        [
            placement("A", "2019-04-01", "2019-09-01", planned_end="2019-08-01"),  # planned end first
            placement("B", "2019-04-01", "2019-07-01", planned_end="2019-08-01"),  # end first
            placement("C", "2019-04-01", "2020-01-01", dob="2001-10-05"),  # birthday 5 Oct 2019 first
            placement("D", "2019-04-01"),  # no end dates: runs to the 18th birthday, 1 Jan 2028
            placement("E", "2019-04-01", placement_type="leaving_care"),  # nothing at all: NaT
        ]
    )
    assert effective_end(reg, types).tolist() == [
        pd.Timestamp("2019-08-01"),
        pd.Timestamp("2019-07-01"),
        pd.Timestamp("2019-10-05"),
        pd.Timestamp("2028-01-01"),
        pd.NaT,
    ]


def test_a_child_born_on_29_february_turns_18_on_1_march_in_a_non_leap_year() -> None:
    dob = pd.Series(pd.to_datetime(["2000-02-29", "2004-02-29", "2001-02-28", None]))
    # 2018 and 2022 are not leap years: the birthday is the day after 28 February
    assert eighteenth_birthday(dob).tolist() == [
        pd.Timestamp("2018-03-01"),
        pd.Timestamp("2022-03-01"),
        pd.Timestamp("2019-02-28"),
        pd.NaT,
    ]


# ----------------------------------------------------------------------------------------------
# Costs: rate changes, contributions, rounding
# ----------------------------------------------------------------------------------------------


def test_it_costs_a_rate_change_as_contiguous_rows_of_one_placement(types: pd.DataFrame) -> None:
    reg = register(
        [
            placement("A", "2019-04-01", "2019-04-16", weekly=70_000),  # 1..15 April
            placement("A", "2019-04-16", weekly=140_000),  # 16..30 April, then open
        ]
    )
    april = kpi(
        placement_kpis(reg, types, months_from=date(2019, 4, 1), months_to=date(2019, 4, 30)),
        "fostering_ifa",
        "2019-04",
    )
    # 15 days × £700/7 = £1,500.00; 15 days × £1,400/7 = £3,000.00; total £4,500.00
    assert april["gross_cost"] == 450_000
    assert april["child_days"] == 30
    assert april["average_number"] == pytest.approx(1.0)
    assert april["month_end_number"] == 1
    # one placement: the rate change is neither a start nor an end
    assert april["starts"] == 1
    assert april["ends"] == 0
    # avg weekly cost = £4,500 / (30/7 child-weeks) = £1,050.00
    assert april["avg_weekly_cost"] == pytest.approx(105_000)


def test_it_nets_off_health_and_education_contributions(types: pd.DataFrame) -> None:
    reg = register([placement("A", "2019-05-01", weekly=100_000, health=20_000, education=10_000)])
    may = kpi(
        placement_kpis(reg, types, months_from=date(2019, 5, 1), months_to=date(2019, 5, 31)),
        "fostering_ifa",
        "2019-05",
    )
    # May = 31 days
    # gross £1,000 × 31/7 = £4,428.571 → £4,428.57
    assert may["gross_cost"] == 442_857
    # health £200 × 31/7 = £885.714 → £885.71; education £100 × 31/7 = £442.857 → £442.86
    assert may["health_contributions"] == 88_571
    assert may["education_contributions"] == 44_286
    # contributions £300 × 31/7 = £1,328.571 → £1,328.57
    assert may["contributions"] == 132_857
    # net (£1,000 − £300) × 31/7 = £3,100.00
    assert may["net_cost"] == 310_000


def test_it_rounds_each_row_and_month_once_and_sums_the_rounded_amounts(types: pd.DataFrame) -> None:
    # two rows at 10p a week for one day each: 10/7 = 1.43p → 1p each, total 2p
    # (rounding the total 2.86p would give 3p: FORECAST.md says round per item, then sum)
    reg = register(
        [
            placement("A", "2019-04-01", "2019-04-02", weekly=10),
            placement("B", "2019-04-01", "2019-04-02", weekly=10),
        ]
    )
    april = kpi(
        placement_kpis(reg, types, months_from=date(2019, 4, 1), months_to=date(2019, 4, 30)),
        "fostering_ifa",
        "2019-04",
    )
    assert april["gross_cost"] == 2


def test_it_rounds_half_pence_up(types: pd.DataFrame) -> None:
    # Whole days of whole-pence weekly rates never land on a half penny (n/7), but an uplift can:
    # 70p × 1.05 = 73.5p a week × 1 day / 7 = 10.5p → 11p (half up, FORECAST.md Money).
    reg = register([placement("A", "2019-08-01", "2019-08-02", weekly=70)])
    projection = project_placements(
        reg,
        types,
        FY,
        4,
        {"fostering_ifa": PlacementAssumption(demand_method="commitments", fee_uplift_pct=5.0)},
    )
    august = month_row(projection.by_type_month, "fostering_ifa", 5)
    assert august["gross_cost"] == 11


# ----------------------------------------------------------------------------------------------
# KPIs
# ----------------------------------------------------------------------------------------------


def test_annual_cost_equals_fye_number_times_average_weekly_cost_times_52(types: pd.DataFrame) -> None:
    # Nottingham City: 42.90 placements × £5,573.82 × 52 = £12.435m.
    # 42 children all year 2019/20 (366 days each = 15,372 child-days) and one from 31 July
    # (1 + 244 = 245 days): 15,617 child-days; FYE = 15,617 / 7 / 52 = 42.9038 → 42.90.
    rows = [placement(str(i), "2019-01-01", weekly=557_382, dob="2015-01-01") for i in range(42)]
    rows.append(placement("late", "2019-07-31", weekly=557_382, dob="2015-01-01"))
    summary = placement_year_summary(register(rows), types, FY).set_index("placement_type")
    ifa = summary.loc["fostering_ifa"]
    assert ifa["child_days"] == 15_617
    assert round(ifa["fye_number"], 2) == 42.90
    assert ifa["average_number"] == pytest.approx(15_617 / 366)
    # average weekly cost ≈ £5,573.82 (within a penny: each row-month is rounded)
    assert abs(ifa["avg_weekly_cost"] - 557_382) < 1
    # the identity: annual cost = FYE × average weekly cost × 52
    assert ifa["gross_cost"] == pytest.approx(ifa["fye_number"] * ifa["avg_weekly_cost"] * 52, abs=1)
    # 15,617/7 = 2,231 child-weeks × £5,573.82 = £12,435,192.42 ≈ £12.435m
    assert round(ifa["gross_cost"] / 100 / 1e6, 3) == 12.435
    assert abs(ifa["gross_cost"] - 1_243_519_242) <= 43 * 12  # at most ½p per row-month either way


def test_it_counts_high_cost_placements_without_secure_or_uasc(types: pd.DataFrame) -> None:
    reg = register(
        [
            placement("A", "2019-04-01", weekly=420_000),  # £4,200 > £4,100: counted
            placement("B", "2019-04-01", weekly=500_000, placement_type="secure"),  # secure: excluded
            placement("C", "2019-04-01", weekly=450_000, uasc=True),  # UASC: excluded
            placement("D", "2019-04-01", weekly=410_000),  # exactly £4,100: not above
        ]
    )
    frame = placement_kpis(reg, types, months_from=date(2019, 4, 1), months_to=date(2019, 4, 30))
    april = kpi(frame, "fostering_ifa", "2019-04")
    assert april["high_cost_number"] == 1
    # £4,200 × 30/7 = £18,000.00
    assert april["high_cost_cost"] == 1_800_000
    assert kpi(frame, "secure", "2019-04")["high_cost_number"] == 0
    # a lower threshold brings row D in
    lower = placement_kpis(
        reg, types, months_from=date(2019, 4, 1), months_to=date(2019, 4, 30), high_cost_threshold=400_000
    )
    assert kpi(lower, "fostering_ifa", "2019-04")["high_cost_number"] == 2


def test_it_reports_every_type_and_month_even_when_empty(types: pd.DataFrame) -> None:
    reg = register([placement("A", "2019-04-01")])
    frame = placement_kpis(reg, types, months_from=date(2019, 4, 1), months_to=date(2019, 6, 30))
    assert len(frame) == len(types) * 3
    assert kpi(frame, "secure", "2019-05")["net_cost"] == 0
    assert np.isnan(kpi(frame, "secure", "2019-05")["avg_weekly_cost"])


def test_month_end_history_moves_by_entries_minus_exits(types: pd.DataFrame) -> None:
    reg = register(
        [
            placement("A", "2019-01-10", "2019-03-05"),
            placement("B", "2019-02-01", "2019-02-20"),  # in and out within February
            placement("C", "2019-02-15", "2019-03-01", weekly=60_000),
            placement("C", "2019-03-01", weekly=65_000),  # rate change: not an entry or exit
            placement("D", "2019-03-31"),  # placed on the last day of March: counts at month end
        ]
    )
    history = month_end_history(reg, types, up_to=date(2019, 4, 30))
    ifa = history[history["placement_type"] == "fostering_ifa"].set_index("month")
    assert ifa.index.tolist() == ["2019-01", "2019-02", "2019-03", "2019-04"]
    # 31 Jan: A; 28 Feb: A, C; 31 Mar: C, D (A left 5 March); 30 Apr: C, D
    assert ifa["month_end_number"].tolist() == [1, 2, 2, 2]
    assert ifa["entries"].tolist() == [1, 2, 1, 0]  # Jan A; Feb B, C; Mar D
    assert ifa["exits"].tolist() == [0, 1, 1, 0]  # Feb B; Mar A
    numbers = ifa["month_end_number"].to_numpy()
    assert (numbers[1:] - numbers[:-1] == (ifa["entries"] - ifa["exits"]).to_numpy()[1:]).all()


def test_numbers_on_a_date_count_start_inclusive_and_end_exclusive(types: pd.DataFrame) -> None:
    reg = register([placement("A", "2019-07-31", "2019-08-01"), placement("B", "2019-08-01")])
    counts = numbers_on_dates(reg, types, [date(2019, 7, 30), date(2019, 7, 31), date(2019, 8, 1)])
    assert counts.loc["fostering_ifa"].tolist() == [0, 1, 1]


# ----------------------------------------------------------------------------------------------
# Unit cost for new placements
# ----------------------------------------------------------------------------------------------


def test_the_new_placement_unit_cost_is_the_mean_net_weekly_cost_of_last_years_starts(
    types: pd.DataFrame,
) -> None:
    reg = register(
        [
            placement("A", "2018-08-01", weekly=100_000),  # started within the 12 months: net £1,000
            placement("B", "2019-07-01", weekly=250_000, health=50_000),  # net £2,000
            placement("C", "2018-07-31", weekly=900_000),  # exactly 12 months before: outside
            placement("D", "2019-08-01", weekly=900_000),  # after the as-at date: outside
        ]
    )
    # as at 31 July 2019: mean of £1,000 and £2,000 = £1,500.00 a week (a simple mean per row)
    assert default_unit_cost_new(reg, types, placement_type="fostering_ifa", as_at=date(2019, 7, 31)) == 150_000


def test_without_recent_starts_the_unit_cost_is_that_of_placements_active_on_the_as_at_date(
    types: pd.DataFrame,
) -> None:
    reg = register(
        [
            placement("A", "2015-01-01", weekly=80_000),
            placement("B", "2016-01-01", weekly=90_001),
            placement("C", "2016-01-01", "2019-07-31", weekly=500_000),  # left the day before: not active
        ]
    )
    # (£800.00 + £900.01) / 2 = £850.005 → £850.01 (half up)
    assert default_unit_cost_new(reg, types, placement_type="fostering_ifa", as_at=date(2019, 7, 31)) == 85_001
    assert default_unit_cost_new(reg, types, placement_type="secure", as_at=date(2019, 7, 31)) == 0


# ----------------------------------------------------------------------------------------------
# The projection: N̂ − C, methods, uplift
# ----------------------------------------------------------------------------------------------


def _march_replacement_register() -> pd.DataFrame:
    return register(
        [
            placement("A", "2019-06-01", weekly=70_000),  # open
            placement("B", "2019-06-01", "2020-03-16", weekly=70_000),  # leaves 16 March: 15 days
        ]
    )


def test_the_projected_change_is_n_hat_minus_c_times_the_unit_cost(types: pd.DataFrame) -> None:
    # As at P11 (29 Feb 2020): M_p = 2. net_change Δ = 0 → M_12 = 2, N̂(Mar) = (2 + 2)/2 = 2.
    # C(Mar) = (31 + 15)/31 = 46/31. Unit cost = mean of the two rows started June 2019 = £700.
    # Projected change = (2 − 46/31) × £700 × 31/7 = 16/31 × £3,100 = £1,600.00
    projection = project_placements(
        _march_replacement_register(),
        types,
        FY,
        11,
        {"fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=0)},
    )
    march = month_row(projection.by_type_month, "fostering_ifa", 12)
    assert march["committed_average_number"] == pytest.approx(46 / 31)
    assert march["projected_average_number"] == pytest.approx(2.0)
    assert march["unit_cost_new"] == 70_000
    assert march["projected_change"] == 160_000
    # committed: £700 × 31/7 = £3,100 + £700 × 15/7 = £1,500 → £4,600
    assert march["committed_net_cost"] == 460_000
    # the leaver is replaced at the new-placement cost: two children all month = £6,200
    assert march["net_cost"] == 620_000
    change = projection.projected_change_by_type.set_index("placement_type")
    assert change.loc["fostering_ifa", "projected_change"] == 160_000


def test_a_scenario_unit_cost_overrides_the_default(types: pd.DataFrame) -> None:
    # (2 − 46/31) × £1,000 × 31/7 = 16/7 × £1,000 = £2,285.714 → £2,285.71
    projection = project_placements(
        _march_replacement_register(),
        types,
        FY,
        11,
        {"fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=0, new_unit_cost=100_000)},
    )
    march = month_row(projection.by_type_month, "fostering_ifa", 12)
    assert march["unit_cost_new"] == 100_000
    assert march["projected_change"] == 228_571
    assert projection.models_used.set_index("placement_type").loc["fostering_ifa", "unit_cost_source"] == "scenario"


def test_commitments_gives_exactly_the_committed_cost_including_known_future_starts(
    types: pd.DataFrame,
) -> None:
    reg = register(
        [
            placement("A", "2019-04-01", "2019-09-01", weekly=70_000),
            placement("B", "2019-10-01", weekly=140_000),  # starts after the as-at date: committed
        ]
    )
    projection = project_placements(
        reg, types, FY, 4, {"fostering_ifa": PlacementAssumption(demand_method="commitments")}
    )
    ifa = projection.by_type_month[projection.by_type_month["placement_type"] == "fostering_ifa"].set_index("period")
    assert (ifa["projected_change"] == 0).all()
    assert (ifa["projected_average_number"] == ifa["committed_average_number"]).all()
    assert (ifa["net_cost"] == ifa["committed_net_cost"]).all()
    # August (P5): A all 31 days £700 × 31/7 = £3,100; October (P7): B £1,400 × 31/7 = £6,200
    assert ifa.loc[5, "net_cost"] == 310_000
    assert ifa.loc[7, "net_cost"] == 620_000
    # projected month-end numbers = rows active on the last day: 31 Aug 1 (A), 30 Sep 0, 31 Oct 1 (B)
    assert ifa.loc[[5, 6, 7], "month_end_number"].tolist() == [1, 0, 1]
    line = projection.by_line.set_index("line_code").loc["L-fostering_ifa"]
    # to date (Apr–Jul, 122 days of A): £700 × 122/7 = 30+31+30+31 days: £3,000+£3,100+£3,000+£3,100
    assert line["register_net_cost_to_date"] == 1_220_000
    # remaining: A in August £3,100; B Oct..Mar 183 days (29 in Feb 2020):
    # £6,200 + £6,000 + £6,200 + £6,200 + £5,800 + £6,200
    assert line["committed_remaining"] == 310_000 + 620_000 + 600_000 + 620_000 + 620_000 + 580_000 + 620_000
    assert line["forecast_net_cost_year"] == line["register_net_cost_to_date"] + line["committed_remaining"]
    # FYE = (153 + 183) child-days / 7 / 52
    assert line["fye_number"] == pytest.approx((153 + 183) / 7 / 52)


def _nottinghamshire_register() -> pd.DataFrame:
    # 411 children in IFA placements on 31 July 2019, all open-ended
    return register([placement(str(i), "2018-04-01", weekly=100_000) for i in range(411)])


def test_net_change_moves_month_end_numbers_in_a_straight_line_to_march(types: pd.DataFrame) -> None:
    # Nottinghamshire P4 2019/20: 411 on 31 July, net growth 25 → 436 at March.
    # M_t = 411 + 25·(t−4)/8: Aug 414.125, Sep 417.25, Oct 420.375, Nov 423.5, Dec 426.625,
    # Jan 429.75, Feb 432.875, Mar 436.
    # N̂(t) = (M_{t−1} + M_t)/2: Aug (411 + 414.125)/2 = 412.5625, Sep 415.6875, Oct 418.8125,
    # Nov 421.9375, Dec 425.0625, Jan 428.1875, Feb 431.3125, Mar 434.4375.
    projection = project_placements(
        _nottinghamshire_register(),
        types,
        FY,
        4,
        {"fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=25, new_unit_cost=100_000)},
    )
    ifa = projection.by_type_month[projection.by_type_month["placement_type"] == "fostering_ifa"].set_index("period")
    assert ifa.loc[4, "month_end_number"] == 411
    assert ifa.loc[5:12, "month_end_number"].tolist() == pytest.approx(
        [414.125, 417.25, 420.375, 423.5, 426.625, 429.75, 432.875, 436.0]
    )
    assert ifa.loc[5:12, "average_number"].tolist() == pytest.approx(
        [412.5625, 415.6875, 418.8125, 421.9375, 425.0625, 428.1875, 431.3125, 434.4375]
    )
    # August: (412.5625 − 411) × £1,000 × 31/7 = £6,919.642857 → £6,919.64
    assert ifa.loc[5, "projected_change"] == 691_964
    # March: (434.4375 − 411) × £1,000 × 31/7 = £103,794.6428 → £103,794.64
    assert ifa.loc[12, "projected_change"] == 10_379_464
    assert ifa.loc[1:4, "projected_change"].tolist() == [0, 0, 0, 0]


def test_projected_numbers_never_go_below_zero(types: pd.DataFrame) -> None:
    reg = register([placement(str(i), "2019-01-01") for i in range(10)])
    # 10 on 31 July, Δ = −50: the straight line would cross zero; it is floored at zero
    projection = project_placements(
        reg, types, FY, 4, {"fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=-50)}
    )
    ifa = projection.by_type_month[projection.by_type_month["placement_type"] == "fostering_ifa"]
    assert (ifa["month_end_number"] >= 0).all()
    assert (ifa["average_number"] >= 0).all()
    # M_5 = 10 − 50/8 = 3.75, M_6 = 10 − 100/8 < 0 → 0
    assert ifa[ifa["period"] == 6]["month_end_number"].iloc[0] == 0


def test_a_fee_uplift_from_mid_month_splits_the_months_days(types: pd.DataFrame) -> None:
    # 10% uplift from 16 November 2019 on gross; health £70/wk is not uplifted.
    reg = register([placement("A", "2019-04-01", weekly=70_000, health=7_000)])
    uplift = PlacementAssumption(demand_method="commitments", fee_uplift_pct=10.0, fee_uplift_from=date(2019, 11, 16))
    projection = project_placements(reg, types, FY, 4, {"fostering_ifa": uplift})
    ifa = projection.by_type_month[projection.by_type_month["placement_type"] == "fostering_ifa"].set_index("period")
    # November (P8): 15 days at £700 + 15 days at £770 → gross £700 × (15 + 15 × 1.1)/7 = £3,150.00
    assert ifa.loc[8, "gross_cost"] == 315_000
    # contributions £70 × 30/7 = £300.00; net (£700 × 31.5 − £70 × 30)/7 = £2,850.00
    assert ifa.loc[8, "contributions"] == 30_000
    assert ifa.loc[8, "net_cost"] == 285_000
    # December: gross £770 × 31/7 = £3,410.00; net (£770 − £70) × 31/7 = £3,100.00
    assert ifa.loc[9, "gross_cost"] == 341_000
    assert ifa.loc[9, "net_cost"] == 310_000
    # October, before the uplift: (£700 − £70) × 31/7 = £2,790.00
    assert ifa.loc[7, "net_cost"] == 279_000


def test_a_fee_uplift_applies_to_new_placements_but_not_to_actual_months(types: pd.DataFrame) -> None:
    # one child left on 1 August; net_change Δ = 0 keeps 1 child: N̂ − C = 1 − 0 = 1 each month
    reg = register([placement("A", "2019-01-01", "2019-08-01", weekly=70_000)])
    uplift = PlacementAssumption(
        demand_method="net_change",
        net_change=0,
        new_unit_cost=70_000,
        fee_uplift_pct=10.0,
        fee_uplift_from=date(2019, 4, 16),
    )
    projection = project_placements(reg, types, FY, 4, {"fostering_ifa": uplift})
    ifa = projection.by_type_month[projection.by_type_month["placement_type"] == "fostering_ifa"].set_index("period")
    # April is an actual month: the register's £700 × 30/7 = £3,000, no uplift
    assert ifa.loc[1, "net_cost"] == 300_000
    # August: 1 × £770 × 31/7 = £3,410.00 projected change
    assert ifa.loc[5, "projected_change"] == 341_000


def test_a_fee_uplift_on_new_placements_splits_a_month_at_the_uplift_date(types: pd.DataFrame) -> None:
    reg = register([placement("A", "2019-01-01", "2019-08-01", weekly=70_000)])
    uplift = PlacementAssumption(
        demand_method="net_change",
        net_change=0,
        new_unit_cost=70_000,
        fee_uplift_pct=10.0,
        fee_uplift_from=date(2019, 11, 16),
    )
    projection = project_placements(reg, types, FY, 4, {"fostering_ifa": uplift})
    ifa = projection.by_type_month[projection.by_type_month["placement_type"] == "fostering_ifa"].set_index("period")
    # November: 1 × £700 × (15 + 15 × 1.1)/7 = £3,150.00; August before the uplift £3,100.00
    assert ifa.loc[8, "projected_change"] == 315_000
    assert ifa.loc[5, "projected_change"] == 310_000


def test_at_period_12_there_is_nothing_to_project(types: pd.DataFrame) -> None:
    reg = register([placement("A", "2019-04-01", "2019-06-01")])
    projection = project_placements(
        reg, types, FY, 12, {"fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=10)}
    )
    assert projection.by_type_month["is_actual"].all()
    assert (projection.by_type_month["projected_change"] == 0).all()
    line = projection.by_line.set_index("line_code").loc["L-fostering_ifa"]
    assert line["committed_remaining"] == 0
    # April £3,000 + May £3,100
    assert line["register_net_cost_to_date"] == 610_000


def test_at_period_0_the_starting_number_is_the_number_on_31_march(types: pd.DataFrame) -> None:
    reg = register([placement(str(i), "2018-06-01") for i in range(12)])
    # M_0 = 12 on 31 March 2019; Δ = 12 → M_t = 12 + t; N̂(April) = (12 + 13)/2 = 12.5
    projection = project_placements(
        reg,
        types,
        FY,
        0,
        {"fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=12, new_unit_cost=70_000)},
    )
    april = month_row(projection.by_type_month, "fostering_ifa", 1)
    assert not april["is_actual"]
    assert april["average_number"] == pytest.approx(12.5)
    # (12.5 − 12) × £700 × 30/7 = £1,500.00
    assert april["projected_change"] == 150_000


def test_trend_and_flow_drive_n_hat_from_projected_month_ends(types: pd.DataFrame) -> None:
    # one new open placement on the 1st of every month from April 2018: month ends 1, 2, ..., 16
    # by 31 July 2019 (16 months). Trend: slope 1 a month → M_5 = 17; N̂(Aug) = (16 + 17)/2 = 16.5.
    # Flow: 1 entry a month, no exits → the same path.
    reg = register([placement(str(i), f"{2018 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}-01") for i in range(16)])
    for method in ("trend", "flow"):
        projection = project_placements(
            reg,
            types,
            FY,
            4,
            {"fostering_ifa": PlacementAssumption(demand_method=method, new_unit_cost=70_000)},
        )
        august = month_row(projection.by_type_month, "fostering_ifa", 5)
        assert august["month_end_number"] == pytest.approx(17.0), method
        assert august["average_number"] == pytest.approx(16.5), method
        # (16.5 − 16) × £700 × 31/7 = £1,550.00
        assert august["projected_change"] == 155_000, method


def test_the_statistical_method_reports_its_model_and_percentiles_drive_best_and_worst(
    types: pd.DataFrame,
) -> None:
    path = [40 + int(round(6 * np.sin(2 * np.pi * i / 12))) + (i % 5) // 2 for i in range(52)]
    from tests.forecasting.engine.conftest import register_from_path

    reg = register_from_path(path, date(2015, 4, 1))  # 52 months: April 2015 .. July 2019
    assumptions = {"fostering_ifa": PlacementAssumption(demand_method="statistical", new_unit_cost=70_000)}
    middle = project_placements(reg, types, FY, 4, assumptions)
    best = project_placements(reg, types, FY, 4, assumptions, interval="p10")
    worst = project_placements(reg, types, FY, 4, assumptions, interval="p90")
    used = middle.models_used.set_index("placement_type").loc["fostering_ifa"]
    assert used["model"] == "AutoETS"
    assert used["history_months"] == 52

    def future(p: object) -> pd.DataFrame:
        frame = p.by_type_month  # type: ignore[attr-defined]
        return frame[(frame["placement_type"] == "fostering_ifa") & (frame["period"] > 4)]

    mid, low, high = future(middle), future(best), future(worst)
    assert (mid["number_p10"] <= mid["month_end_number"]).all()
    assert (mid["month_end_number"] <= mid["number_p90"]).all()
    assert (low["average_number"].to_numpy() <= mid["average_number"].to_numpy() + 1e-9).all()
    assert (mid["average_number"].to_numpy() <= high["average_number"].to_numpy() + 1e-9).all()
    assert low["projected_change"].sum() < high["projected_change"].sum()
    # the back-test's calibrated ratios replace the model's own band: 0.5 and 2 times the middle
    ratios = {h: (0.5, 2.0) for h in range(1, 13)}
    chosen = ChosenDemand(method_intervals={"fostering_ifa": {"statistical": ratios}})
    calibrated = future(project_placements(reg, types, FY, 4, assumptions, chosen=chosen))
    assert calibrated["month_end_number"].tolist() == pytest.approx(mid["month_end_number"].tolist())
    assert calibrated["number_p10"].tolist() == pytest.approx((0.5 * mid["month_end_number"]).tolist())
    assert calibrated["number_p90"].tolist() == pytest.approx((2 * mid["month_end_number"]).tolist())


def test_the_projected_change_goes_to_the_types_main_line_unless_mapped(types: pd.DataFrame) -> None:
    reg = _march_replacement_register()
    assumptions = {"fostering_ifa": PlacementAssumption(demand_method="net_change", net_change=0)}
    default = project_placements(reg, types, FY, 11, assumptions)
    line = default.by_line.set_index("line_code").loc["L-fostering_ifa"]
    assert line["projected_change"] == 160_000
    assert line["forecast_net_cost_year"] == (
        line["register_net_cost_to_date"] + line["committed_remaining"] + line["projected_change"]
    )
    mapped = project_placements(reg, types, FY, 11, assumptions, type_lines={"fostering_ifa": "CIC-IFA"})
    lines = mapped.by_line.set_index("line_code")
    assert lines.loc["CIC-IFA", "projected_change"] == 160_000
    assert lines.loc["L-fostering_ifa", "projected_change"] == 0
    # FYE of the mapped line = the extra (N̂ − C) child-days: 16/31 × 31 days / 7 / 52
    assert lines.loc["CIC-IFA", "fye_number"] == pytest.approx(16 / 7 / 52)


def test_it_refuses_an_unknown_interval(types: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="interval"):
        project_placements(register([placement("A", "2019-04-01")]), types, FY, 4, {}, interval="p50")
