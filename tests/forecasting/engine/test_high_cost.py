"""High-cost placements month by month (FORECAST.md, High-cost placements), against hand-computed
numbers and pence. Money is pence; £4,200.00 a week = 420_000p."""

from __future__ import annotations

import pandas as pd

from forecasting.engine.calendar import FinancialYear
from forecasting.engine.high_cost import (
    DEFAULT_HIGH_COST_THRESHOLD,
    HIGH_COST_EXCLUDED_TYPES,
    high_cost_by_month,
    high_cost_mask,
)
from tests.forecasting.engine.conftest import placement, register

FY = FinancialYear(2019)  # 2019/20: April has 30 days, May 31


def _register() -> pd.DataFrame:
    return register(
        [
            placement("A", "2019-04-01", weekly=420_000),  # £4,200 > £4,100: high-cost all along
            placement("B", "2019-04-01", weekly=500_000, placement_type="secure"),  # secure: never
            placement("C", "2019-04-01", weekly=450_000, uasc=True),  # UASC: never
            placement("D", "2019-04-01", weekly=410_000),  # exactly £4,100: not above
            # 15 April to 9 May (the end date is exclusive)
            placement("E", "2019-04-15", "2019-05-10", weekly=700_000, placement_type="residential_external"),
            placement("F", "2019-05-20", weekly=560_000, placement_type="residential_external"),
        ]
    )


def test_the_threshold_is_four_thousand_one_hundred_pounds_a_week_without_secure() -> None:
    assert DEFAULT_HIGH_COST_THRESHOLD == 410_000
    assert tuple(HIGH_COST_EXCLUDED_TYPES) == ("secure",)


def test_the_mask_leaves_out_secure_uasc_and_rows_at_the_threshold() -> None:
    assert list(high_cost_mask(_register())) == [True, False, False, False, True, True]
    # A lower threshold brings D (£4,100) in; B and C stay out.
    assert list(high_cost_mask(_register(), threshold=400_000)) == [True, False, False, True, True, True]


def test_it_counts_and_costs_high_cost_placements_at_each_month_end(types: pd.DataFrame) -> None:
    series = high_cost_by_month(_register(), types, FY, through_period=2)
    april, may = series.to_dict("records")
    # 30 April: A and E are placed. Average weekly rate (420,000 + 700,000) / 2 = 560,000p.
    # Gross cost in April: A 420,000 × 30 / 7 = 1,800,000p; E 15–30 April is 16 days,
    # 700,000 × 16 / 7 = 1,600,000p; together 3,400,000p.
    assert april == {
        "period": 1,
        "month": "2019-04",
        "number": 2.0,
        "gross_cost": 3_400_000,
        "average_weekly_cost": 560_000,
    }
    # 31 May: A and F (E ended on 10 May). Average (420,000 + 560,000) / 2 = 490,000p.
    # Gross cost in May: A 420,000 × 31 / 7 = 1,860,000p; E 1–9 May, 700,000 × 9 / 7 = 900,000p;
    # F 20–31 May is 12 days, 560,000 × 12 / 7 = 960,000p; together 3,720,000p.
    assert may == {
        "period": 2,
        "month": "2019-05",
        "number": 2.0,
        "gross_cost": 3_720_000,
        "average_weekly_cost": 490_000,
    }


def test_a_child_stops_counting_at_eighteen_in_a_type_that_stops_at_eighteen(types: pd.DataFrame) -> None:
    # Born 15 May 2001: 18 on 15 May 2019, the effective (exclusive) end of the placement.
    frame = register([placement("G", "2019-04-01", weekly=490_000, dob="2001-05-15")])
    series = high_cost_by_month(frame, types, FY, through_period=2)
    assert list(series["number"]) == [1.0, 0.0]
    # May: 1–14 May is 14 days, 490,000 × 14 / 7 = 980,000p; nobody left at the month end.
    assert list(series["gross_cost"]) == [2_100_000, 980_000]  # April: 490,000 × 30 / 7
    rates = series["average_weekly_cost"]
    assert rates[0] == 490_000 and pd.isna(rates[1])  # no rate when nobody is placed


def test_the_average_weekly_rate_is_rounded_to_the_penny(types: pd.DataFrame) -> None:
    # (410,001 + 410,004) / 2 = 410,002.5p, rounded (half to even, Python's round) to 410,002p.
    frame = register([placement("H", "2019-04-01", weekly=410_001), placement("I", "2019-04-01", weekly=410_004)])
    series = high_cost_by_month(frame, types, FY, through_period=1)
    assert list(series["average_weekly_cost"]) == [410_002]


def test_before_april_there_are_no_months_to_show(types: pd.DataFrame) -> None:
    series = high_cost_by_month(_register(), types, FY, through_period=0)
    assert series.empty
    assert list(series.columns) == ["period", "month", "number", "gross_cost", "average_weekly_cost"]
