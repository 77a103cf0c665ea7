"""The children in care part: numbers against the budget and past years, fans, the mix and
high-cost placements, from small hand-made frames (2019/20 as at period 2, May)."""

from __future__ import annotations

import math

import pandas as pd

from dashboards.document.children import (
    budgeted_numbers,
    children_charts,
    high_cost_chart,
    mix_chart,
    past_year_numbers,
    year_series,
)
from forecasting.engine.calendar import FinancialYear as Calendar
from tests.forecasting.engine.conftest import placement, register

FY = Calendar(2019)
NAMES = {"fostering_ifa": "IFA", "residential_external": "Residential", "staying_put": "Staying put"}
CARE_LEAVERS = {"staying_put"}


def _placements(numbers: dict[str, list[int]], cost: dict[str, int], band: set[str] = frozenset()) -> pd.DataFrame:
    rows = []
    for code, values in numbers.items():
        for period, value in enumerate(values, start=1):
            forecast = period > 2
            rows.append(
                {
                    "placement_type": code,
                    "period": period,
                    "is_actual": not forecast,
                    "month_end_number": float(value),
                    "average_number": float(value),
                    "number_p10": value - 1.0 if code in band and forecast else math.nan,
                    "number_p90": value + 1.0 if code in band and forecast else math.nan,
                    "net_cost": cost[code],
                }
            )
    return pd.DataFrame(rows)


def _year() -> pd.DataFrame:
    return _placements(
        {
            "fostering_ifa": [4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6],
            "residential_external": [2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
            "staying_put": [1] * 12,
        },
        {"fostering_ifa": 100, "residential_external": 300, "staying_put": 50},
        band={"residential_external"},
    )


def _column(chart: dict, key: str) -> list:
    return [row[key] for row in chart["table"]["rows"]]


def test_the_forecast_line_starts_at_the_last_actual() -> None:
    group = pd.DataFrame({"period": [1, 2, 3], "month_end_number": [6.0, 7.0, 8.0]})
    actual, forecast = year_series(group, 2)
    assert actual[:3] == [6.0, 7.0, None]
    assert forecast[:3] == [None, 7.0, 8.0]


def test_budgeted_numbers_add_up_by_placement_type() -> None:
    explained = pd.DataFrame(
        {"line_code": ["RES-A", "RES-B", "IFA", "LEGAL"], "budget_numbers": [1.5, 0.5, math.nan, 3.0]}
    )
    types = {"RES-A": "residential_external", "RES-B": "residential_external", "IFA": "fostering_ifa"}
    # 1.5 + 0.5 = 2 residential; IFA has no number; LEGAL is not a placement line.
    assert budgeted_numbers(explained, types) == {"residential_external": 2.0}


def test_children_in_care_leave_out_care_leavers_and_compare_with_the_budget_and_last_year() -> None:
    in_care, *fans = children_charts(
        _year(),
        calendar=FY,
        period=2,
        care_leaver_types=CARE_LEAVERS,
        type_names=NAMES,
        budgeted={"fostering_ifa": 5.0, "residential_external": 2.0, "staying_put": 1.0},
        past={"2018/19": [5.0] * 12},
    )
    # IFA + residential: April 4 + 2 = 6, May 4 + 3 = 7, March 6 + 3 = 9; budget 5 + 2 = 7.
    assert _column(in_care, "actual")[:3] == [6.0, 7.0, None]
    assert _column(in_care, "forecast")[1:3] == [7.0, 8.0] and _column(in_care, "forecast")[11] == 9.0
    assert set(_column(in_care, "budgeted")) == {7.0}
    assert in_care["summary"] == (
        "Children in care: 7 at 31 May 2019, forecast 9 at March against 7 budgeted; 5 at March in 2018/19."
    )
    assert [c["label"] for c in in_care["table"]["columns"]] == [
        "Month",
        "2019/20 actual",
        "2019/20 forecast",
        "Budgeted",
        "2018/19 actual",
    ]
    # Fans for the costliest types: residential (300 × 12), IFA (100 × 12), staying put (50 × 12).
    assert [c["placement_type"] for c in fans] == ["residential_external", "fostering_ifa", "staying_put"]


def test_a_fan_opens_from_the_last_actual_number() -> None:
    residential, ifa, _ = children_charts(
        _year(),
        calendar=FY,
        period=2,
        care_leaver_types=CARE_LEAVERS,
        type_names=NAMES,
        budgeted={"residential_external": 2.0},
        past={},
    )[1:]
    # April: no band; May: the band starts at May's 3 children; then 3 − 1 and 3 + 1.
    assert _column(residential, "p10")[:4] == [None, 3.0, 2.0, 2.0]
    assert _column(residential, "p90")[:4] == [None, 3.0, 4.0, 4.0]
    assert residential["summary"] == "Residential: 3 at 31 May 2019, forecast 3 (range 2–4) at March; 2 budgeted."
    # IFA's method gives no range: the band is empty and the summary says so.
    assert set(_column(ifa, "p10")) == {None}
    assert ifa["summary"] == "IFA: 4 at 31 May 2019, forecast 6 at March. This scenario's method gives no 10–90% range."


def test_the_mix_names_the_three_largest_types_and_groups_the_rest() -> None:
    frame = _placements(
        {
            "fostering_ifa": [4] * 12,
            "residential_external": [3] * 12,
            "fostering_in_house": [2] * 12,
            "secure": [1] * 12,
            "staying_put": [9] * 12,
        },
        {"fostering_ifa": 1, "residential_external": 1, "fostering_in_house": 1, "secure": 1, "staying_put": 1},
    )
    names = {**NAMES, "fostering_in_house": "In-house"}
    (chart,) = mix_chart(frame, calendar=FY, period=2, care_leaver_types=CARE_LEAVERS, type_names=names)
    assert [c["label"] for c in chart["table"]["columns"]] == [
        "Month",
        "IFA",
        "Residential",
        "In-house",
        "All other types",
    ]
    assert set(_column(chart, "All other types")) == {1.0}  # secure
    # At May: 4 + 3 + 2 + 1 = 10 children in care (staying put is not in care): 40%, 30%, 20%.
    assert chart["summary"] == (
        "Placement mix at May 2019: IFA 40.0%, Residential 30.0%, In-house 20.0% of 10 children in care. "
        "Months after May 2019 are forecast."
    )
    assert mix_chart(pd.DataFrame(), calendar=FY, period=2, care_leaver_types=set(), type_names={}) == []


def test_the_high_cost_chart_says_the_latest_number_rate_and_the_year_so_far() -> None:
    series = pd.DataFrame(
        {
            "period": [1, 2],
            "month": ["2019-04", "2019-05"],
            "number": [2.0, 3.0],
            "gross_cost": [3_400_000, 3_720_000],
            "average_weekly_cost": [560_000, 490_000],
        }
    )
    (chart,) = high_cost_chart(series, calendar=FY, period=2)
    assert _column(chart, "month") == ["Apr 2019", "May 2019"]
    assert _column(chart, "average_weekly_cost") == [560_000, 490_000]
    # So far: 3,400,000 + 3,720,000 = 7,120,000p = £71,200; latest rate 490,000p = £4,900.
    assert chart["summary"] == (
        "High-cost placements (over £4,100 a week, excluding secure and unaccompanied asylum-seeking "
        "children): 3 at 31 May 2019, average weekly rate £4,900; £71,200 spent on them so far this year."
    )
    assert high_cost_chart(series.assign(number=0.0), calendar=FY, period=2) == []
    assert high_cost_chart(series, calendar=FY, period=0) == []


def test_past_years_count_children_in_care_at_each_month_end() -> None:
    types = pd.DataFrame(
        {"code": ["fostering_ifa", "staying_put"], "continues_after_18": [False, True], "name": ["IFA", "SP"]}
    )
    frame = register(
        [
            placement("A", "2017-04-01", dob="2010-01-01"),
            placement("B", "2018-10-01", dob="2010-01-01"),
            placement("C", "2017-04-01", dob="2000-01-01", placement_type="staying_put"),  # a care leaver
        ]
    )
    past = past_year_numbers(frame, types, FY, CARE_LEAVERS)
    # A all along; B from October 2018: 1 a month in 2017/18, then 1 to September and 2 after.
    assert past == {"2017/18": [1.0] * 12, "2018/19": [1.0] * 6 + [2.0] * 6}
    assert past_year_numbers(None, types, FY, CARE_LEAVERS) == {}


def test_children_in_care_carry_the_likely_range_of_the_sum_a_run_reports() -> None:
    in_care = children_charts(
        _year(),
        calendar=FY,
        period=2,
        care_leaver_types=CARE_LEAVERS,
        type_names=NAMES,
        budgeted={},
        past={},
        band={1: (0.9, 1.1), 3: (0.8, 1.25)},
    )[0]
    # May (as at): the range opens at May's 7 children. June is 1 month ahead: 8 × 0.9 and 8 × 1.1;
    # July 2 months ahead takes the 1-month ratios (none for 2); August on, 3 months and more:
    # 8 × 0.8 = 6.4 and 8 × 1.25 = 10; March: 9 × 0.8 = 7.2 and 9 × 1.25 = 11.25.
    low, high = _column(in_care, "p10"), _column(in_care, "p90")
    assert low[:5] == [None, 7.0, 7.2, 7.2, 6.4] and low[11] == 7.2
    assert high[:5] == [None, 7.0, 8.8, 8.8, 10.0] and high[11] == 11.25
    assert in_care["summary"] == "Children in care: 7 at 31 May 2019, forecast 9 at March (likely between 7 and 11)."


def test_the_range_is_only_for_the_reported_scenario_with_every_type_chosen_by_its_back_test() -> None:
    from dashboards.document.children import in_care_band
    from forecast_runs.demand.reported import IN_CARE

    made_from = {"calibration": {"totals": {IN_CARE: {"1": [0.9, 1.1]}}}}
    auto = pd.DataFrame({"demand_method": ["auto", "auto"]})
    assert in_care_band(made_from, auto, "middle") == {1: (0.9, 1.1)}
    assert in_care_band(made_from, auto, "worst") is None
    assert in_care_band(made_from, pd.DataFrame({"demand_method": ["auto", "trend"]}), "middle") is None
    assert in_care_band({"calibration": None}, auto, "middle") is None
