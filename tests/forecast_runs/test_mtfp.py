"""The medium-term forecast's rules, each against numbers worked out by hand (docs/mtfp.md)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.methods import damped_drift
from forecast_runs.demand.mtfp import (
    MtfpSettings,
    NumberPath,
    PlacementsLine,
    budget_rows,
    months_to_plan_end,
    mtfp_table,
    number_paths,
    plan_years,
    split_pence,
)
from forecast_runs.demand.series import SeriesInputs, future_dates

IFA = "fostering_ifa"
LINE = PlacementsLine("CIC-IFA", "Independent fostering", IFA)


def flat_path(first: date, months: int, low: float, mid: float, high: float) -> NumberPath:
    dates = future_dates(first, "month", months)
    return NumberPath(dates, np.full(months, low), np.full(months, mid), np.full(months, high))


def settings(**kwargs: object) -> MtfpSettings:
    values: dict[str, object] = {"first_year": 2024, "weekly_costs": {IFA: 70_000}, "lines": [LINE]}
    values.update(kwargs)
    return MtfpSettings(**values)  # type: ignore[arg-type]


def test_the_plan_is_the_three_years_after_the_current_one() -> None:
    assert [p[0] for p in plan_years(2024)] == ["2025/26", "2026/27", "2027/28"]
    assert plan_years(2024)[-1][2] == date(2028, 3, 31)
    # From 30 September 2024: October 2024 to March 2028 is 42 month-ends.
    assert months_to_plan_end(date(2024, 9, 30), 2024) == 42


def test_a_year_costs_its_months_at_the_inflated_weekly_cost_rounded_once_a_month() -> None:
    # 10 children at £700 a week; independent fostering's middle price rise is 4% a year.
    path = flat_path(date(2025, 3, 31), 36, 8, 10, 12)
    table = mtfp_table({IFA: path}, settings(savings={"2025/26": {"CIC-IFA": 1_000_000}}))
    middle = table[table["scenario"] == "middle"].set_index("year")
    # 2025/26: £728 a week; 10 x 72,800 / 7 = 104,000p a day, exact, x 365 days.
    assert middle.loc["2025/26", "cost"] == 104_000 * 365 == 37_960_000
    assert middle.loc["2025/26", "savings"] == 1_000_000
    assert middle.loc["2025/26", "requirement"] == 36_960_000
    # 2026/27: 70,000 x 1.04^2 = 75,712; 108,160p a day x 365.
    assert middle.loc["2026/27", "cost"] == 108_160 * 365
    # 2027/28 (a leap year): 78,740.48 a week, 112,486.4p a day; a 30-day month 3,374,592, a
    # 31-day month 3,487,078.4 -> 3,487,078, February's 29 days 3,262,105.6 -> 3,262,106.
    assert middle.loc["2027/28", "cost"] == 4 * 3_374_592 + 7 * 3_487_078 + 3_262_106 == 41_170_020
    assert middle.loc["2027/28", "average_number"] == 10
    assert middle.loc["2027/28", "march_number"] == 10


def test_best_takes_the_low_numbers_and_price_rise_and_worst_the_high_ones() -> None:
    path = flat_path(date(2025, 3, 31), 36, 8, 10, 12)
    table = mtfp_table({IFA: path}, settings()).set_index(["year", "scenario"])
    # Best: 8 children at 70,000 x 1.025 = 71,750 a week: 82,000p a day.
    assert table.loc[("2025/26", "best"), "cost"] == 82_000 * 365
    # Worst: 12 children at 70,000 x 1.06 = 74,200 a week: 127,200p a day.
    assert table.loc[("2025/26", "worst"), "cost"] == 127_200 * 365


def test_a_scenario_setting_replaces_the_default_price_rise() -> None:
    path = flat_path(date(2025, 3, 31), 36, 10, 10, 10)
    table = mtfp_table({IFA: path}, settings(inflation={"middle": {IFA: 10.0}})).set_index(["year", "scenario"])
    # 70,000 x 1.10 = 77,000 a week; 10 children: 110,000p a day.
    assert table.loc[("2025/26", "middle"), "cost"] == 110_000 * 365


def test_a_type_on_two_lines_is_split_by_todays_cost_on_each_and_the_pence_add_up() -> None:
    assert split_pence(100, [1, 2]) == [33, 67]
    assert split_pence(10, [1, 1, 1]) == [4, 3, 3]
    lines = [PlacementsLine("A", "Line A", IFA), PlacementsLine("B", "Line B", IFA)]
    path = flat_path(date(2025, 3, 31), 36, 10, 10, 10)
    table = mtfp_table({IFA: path}, settings(lines=lines, line_shares={IFA: {"A": 100, "B": 300}}))
    year = table[(table["year"] == "2025/26") & (table["scenario"] == "middle")].set_index("line_code")
    assert year.loc["A", "cost"] + year.loc["B", "cost"] == 37_960_000
    assert year.loc["A", "cost"] == 9_490_000
    assert year.loc["A", "average_number"] == pytest.approx(2.5)


def test_next_years_budget_file_is_the_middle_requirement_in_the_budget_columns() -> None:
    path = flat_path(date(2025, 3, 31), 36, 8, 10, 12)
    table = mtfp_table({IFA: path}, settings(savings={"2025/26": {"CIC-IFA": 1_000_000}}))
    rows = budget_rows(table, [LINE], {"CIC-IFA": "Children in care"})
    assert list(rows.columns) == [
        "line_code",
        "line_name",
        "service_area",
        "category",
        "placement_type",
        "annual_budget",
        "budget_numbers",
    ]
    assert rows.iloc[0].tolist() == [
        "CIC-IFA",
        "Independent fostering",
        "Children in care",
        "placements",
        IFA,
        "369600.00",
        "10.0",
    ]


def test_damped_drift_adds_a_quarter_of_the_last_five_years_change_a_year() -> None:
    path = damped_drift(np.array([300.0, 400, 420, 440, 460, 480, 500]), 3)
    # (500 - 400) / 5 = 20 a year; a quarter is 5.
    assert path.mid.tolist() == [505.0, 510.0, 515.0]
    assert damped_drift(np.array([10.0]), 2).mid.tolist() == [10.0, 10.0]


def test_numbers_follow_the_register_and_move_half_way_to_the_published_change() -> None:
    end = date(2025, 3, 31)
    months = future_dates(date(2022, 3, 31), "month", 36)
    numbers = {
        IFA: SeriesInputs(IFA, tuple(months), np.full(36, 10.0)),
        "staying_put": SeriesInputs("staying_put", tuple(months), np.full(36, 4.0)),
    }
    assert months[-1] == end
    alone = number_paths(numbers, first_year=2024)
    assert len(alone[IFA].dates) == 36 and alone[IFA].dates[-1] == date(2028, 3, 31)
    assert alone[IFA].mid.tolist() == [10.0] * 36  # a flat series: no change, nothing moves
    # Published: 100 in 2015 rising 10 a year to 190 in 2024; its forecast is a quarter of that
    # rise a year (192.5 at 31 March 2025, 195 in 2026). The register (flat) moves half-way:
    # 10 x (1 + 195 / 192.5) / 2 at 31 March 2026; care leavers are not children in care.
    published = {2015 + k: 100 + 10 * k for k in range(10)}
    moved = number_paths(numbers, first_year=2024, published=published)
    march_2026 = moved[IFA].dates.index(date(2026, 3, 31))
    assert moved[IFA].mid[march_2026] == pytest.approx(10 * (1 + 195 / 192.5) / 2)
    assert moved["staying_put"].mid.tolist() == [4.0] * 36


def test_todays_weekly_cost_is_the_average_net_cost_of_open_placements_rounded_half_up() -> None:
    from forecast_runs.mtfp_inputs import current_costs

    nat = pd.NaT
    register = pd.DataFrame(
        {
            "placement_type": [IFA, IFA, IFA, "secure"],
            "start_date": pd.to_datetime(["2024-01-01", "2024-02-01", "2023-01-01", "2024-03-01"]),
            # the third ended before the as-at date: not counted
            "end_date": pd.to_datetime([nat, nat, "2024-03-01", nat]),
            "weekly_cost": [70_000, 71_001, 99_999, 500_000],
            "health_contribution": [0, 1_000, 0, 100_000],
            "education_contribution": [0, 0, 0, 0],
            "line_code": ["A", "B", "A", None],
        }
    )
    weekly, shares = current_costs(register, date(2024, 3, 31))
    # (70,000 + 70,001) / 2 = 70,000.5 -> 70,001; secure 500,000 - 100,000.
    assert weekly == {IFA: 70_001, "secure": 400_000}
    assert shares == {IFA: {"A": 70_000, "B": 70_001}}
