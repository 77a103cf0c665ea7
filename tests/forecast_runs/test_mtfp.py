"""The medium-term forecast's rules, each against numbers worked out by hand (docs/mtfp.md)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecast_runs.demand.drift_setting import (
    DriftSetting,
    choose_setting,
    drift_setting,
    errors,
    fixed_setting,
    last_known_year,
)
from forecast_runs.demand.methods import damped_drift
from forecast_runs.demand.mtfp import (
    MtfpSettings,
    NumberPath,
    OtherLine,
    PlacementsLine,
    blend_backtest,
    budget_rows,
    choose_blend,
    forecast_numbers,
    months_to_plan_end,
    mtfp_table,
    plan_years,
    published_factors,
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


def test_savings_on_a_line_that_is_not_placements_come_off_the_total() -> None:
    path = flat_path(date(2025, 3, 31), 36, 10, 10, 10)
    legal = OtherLine("LEG-EXT", "External legal costs")
    savings = {"2025/26": {"CIC-IFA": 1_000_000, "LEG-EXT": 200_000}, "2026/27": {"LEG-EXT": 0}}
    table = mtfp_table({IFA: path}, settings(savings=savings, other_lines=[legal]))
    year = table[(table["year"] == "2025/26") & (table["scenario"] == "middle")].set_index("line_code")
    # The legal line costs nothing here; its £2,000 saving is a requirement of -£2,000, so the
    # year's total is £379,600 - £10,000 - £2,000 = £367,600.
    assert year.loc["LEG-EXT", "cost"] == 0 and year.loc["LEG-EXT", "savings"] == 200_000
    assert year.loc["LEG-EXT", "requirement"] == -200_000
    assert int(year["requirement"].sum()) == 37_960_000 - 1_000_000 - 200_000 == 36_760_000
    # Every scenario carries it; a year with no saving on the line has no row for it.
    assert len(table[(table["year"] == "2025/26") & (table["line_code"] == "LEG-EXT")]) == 3
    assert table[(table["year"] == "2026/27") & (table["line_code"] == "LEG-EXT")].empty


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


def test_damped_drift_adds_a_share_of_the_last_years_change_a_year() -> None:
    path = damped_drift(np.array([300.0, 400, 420, 440, 460, 480, 500]), 3, share=0.25, span=5)
    # (500 - 400) / 5 = 20 a year; a quarter is 5.
    assert path.mid.tolist() == [505.0, 510.0, 515.0]
    # Half of the last two years' change: (500 - 460) / 2 = 20, half is 10.
    assert damped_drift(np.array([440.0, 460, 480, 500]), 2, share=0.5, span=2).mid.tolist() == [510.0, 520.0]
    assert damped_drift(np.array([10.0]), 2, share=0.25, span=5).mid.tolist() == [10.0, 10.0]


def test_the_drift_is_chosen_on_the_published_numbers_known_by_the_forecast_date() -> None:
    years = [2010, 2011, 2012, 2013, 2014]
    # LA A rose 10 a year to 2012 and then fell away; LA B stayed at 100.
    panel = np.array([[100.0, 110, 120, 40, 30], [100.0, 100, 100, 100, 100]])
    # Known by 2012: one forecast can be scored, from 2011 one year on (2012). A: 110 + s x 10
    # against 120, error (10 - 10 s) / 120; B: no error whatever s. Adding all of the change
    # (s = 1) is exact; with one year before 2011 every span is one year, and the tie goes to
    # the first of the grid. The fall after 2012 is not known and plays no part.
    chosen = choose_setting(years, panel, 2012)
    assert (chosen.share, chosen.span, chosen.evidence_to) == (1.0, 1, 2012)
    errors_2012 = errors(years, panel, 2012)
    assert errors_2012[(0.0, 1)] == {1: pytest.approx(10 / 120 * 100 / 2)}
    assert errors_2012[(0.5, 1)] == {1: pytest.approx(5 / 120 * 100 / 2)}
    # Nothing can be scored by 2010: no change.
    assert choose_setting(years, panel, 2010) == DriftSetting(0.0, 1, None)
    # A series that goes up and down: from 2011 (120 after 100) any share of +20 is further
    # from 2012's 100 than no change (20%): no change is chosen.
    zigzag = np.array([[100.0, 120, 100, 120, 100]])
    assert choose_setting(years, zigzag, 2012).share == 0.0


def test_the_drift_setting_of_a_date_uses_the_last_31_march_on_or_before_it() -> None:
    assert last_known_year(date(2024, 3, 30)) == 2023
    assert last_known_year(date(2024, 3, 31)) == 2024
    with fixed_setting(0.5, 2):
        assert drift_setting(date(2019, 3, 31)) == DriftSetting(0.5, 2)


def test_without_the_published_numbers_the_drift_is_no_change(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from forecast_runs.demand import drift_setting as module

    monkeypatch.setattr(module, "PANEL", tmp_path / "missing.csv")
    assert drift_setting(date(2024, 3, 31)) == DriftSetting(0.0, 1, None)
    path = tmp_path / "panel.csv"
    path.write_text("old_la_code,la_name,2010,2011,2012\n1,A,100,110,120\n2,B,100,x,100\n", encoding="utf-8")
    years, panel = module.read_panel(path)
    # "x" (suppressed) is missing, never zero; B has no complete pair, so only A is scored: from
    # 2011, 110 + s x 10 against 120 in 2012, exact with all of the change (s = 1).
    assert years == [2010, 2011, 2012] and np.isnan(panel[1, 1])
    monkeypatch.setattr(module, "PANEL", path)
    assert drift_setting(date(2012, 3, 31)).share == 1.0


def flat_numbers() -> dict[str, SeriesInputs]:
    months = future_dates(date(2022, 3, 31), "month", 36)
    return {
        IFA: SeriesInputs(IFA, tuple(months), np.full(36, 10.0)),
        "staying_put": SeriesInputs("staying_put", tuple(months), np.full(36, 4.0)),
    }


def test_numbers_follow_the_register_alone_when_the_blend_cannot_be_back_tested() -> None:
    numbers = flat_numbers()
    assert numbers[IFA].as_at == date(2025, 3, 31)
    alone = forecast_numbers(numbers, first_year=2024)
    assert alone.blend is None
    assert len(alone.paths[IFA].dates) == 36 and alone.paths[IFA].dates[-1] == date(2028, 3, 31)
    assert alone.paths[IFA].mid.tolist() == [10.0] * 36  # a flat series: no change, nothing moves
    # Month-ends April 2022 to March 2025: 31 March 2023 is the 12th (13 are needed to forecast
    # from it), so only 31 March 2024 could be checked, against March 2025: one date, two needed.
    published = {2015 + k: 100 + 10 * k for k in range(10)}
    moved = forecast_numbers(numbers, first_year=2024, published=published)
    assert moved.blend is not None and moved.blend.weight == 0.0 and moved.blend.origins == 1
    assert moved.blend.reason.startswith("not used: the register's history has 1 earlier 31 March that could be")
    assert moved.paths[IFA].mid.tolist() == [10.0] * 36
    assert moved.blend.published_last == (2024, 190.0)


def test_the_register_is_moved_by_the_chosen_weight_towards_the_published_change() -> None:
    numbers = flat_numbers()
    alone = forecast_numbers(numbers, first_year=2024).paths
    published = {2015 + k: 100 + 10 * k for k in range(10)}
    with fixed_setting(0.25, 5):
        # The published forecast: a quarter of the last five years' 10 a year, 192.5 at 31
        # March 2025 and 195 in 2026. The register is flat (r = 1); three quarters of the way
        # at 31 March 2026: 0.25 x 1 + 0.75 x 195 / 192.5; a month between is interpolated.
        factors = published_factors(alone, numbers, published, date(2025, 3, 31), 0.75)
    march_2026 = alone[IFA].dates.index(date(2026, 3, 31))
    assert factors[march_2026] == pytest.approx(0.25 + 0.75 * 195 / 192.5)
    assert factors[march_2026 - 6] == pytest.approx(1 + (0.25 + 0.75 * 195 / 192.5 - 1) / 2)


def test_the_blend_back_test_scores_each_weight_against_the_registers_own_later_number() -> None:
    # In care: 100 at each month-end from April 2019 to March 2021, then up to 110 at March 2022.
    months = future_dates(date(2019, 3, 31), "month", 36)
    values = np.array([100.0] * 24 + [100.0 + 10 * k / 12 for k in range(1, 13)])
    total = SeriesInputs("in care", tuple(months), values)
    # Out by 31 March 2021: 2016-2020 (2020's number is out on 30 November 2020; 2021's is not
    # used). Adding all of the last year's change (10) beats no change on the series' own
    # back-test, so the published forecast is 250 in 2021 and 260 in 2022.
    published = {2016: 200, 2017: 210, 2018: 220, 2019: 230, 2020: 240, 2021: 500}
    with fixed_setting(1.0, 1):
        scores = blend_backtest(total, published)
    # Only 31 March 2021 (the 24th month-end) can be scored, one year on. The register was flat
    # (r = 1), the published change 260 / 250; against 110 in March 2022:
    # w = 0: 100, 10 / 110; w = 1: 104, 6 / 110; w = 0.5: 102, 8 / 110.
    assert set(scores["origin"]) == {date(2021, 3, 31)} and set(scores["horizon"]) == {1}
    ape = scores.set_index("weight")["ape"]
    assert ape[0.0] == pytest.approx(10 / 110 * 100)
    assert ape[1.0] == pytest.approx(6 / 110 * 100)
    assert ape[0.5] == pytest.approx(8 / 110 * 100)


def blend_scores(table: dict[float, tuple[float, float]], origins: int = 2) -> pd.DataFrame:
    """Back-test rows giving each weight the errors (1 year, 2 years) on every origin."""
    rows = [
        (date(2020 + k, 3, 31), h, w, 0.0, 0.0, errs[h - 1])
        for k in range(origins)
        for w, errs in table.items()
        for h in (1, 2)
    ]
    return pd.DataFrame(rows, columns=["origin", "horizon", "weight", "forecast", "actual", "ape"])


def test_the_blend_weight_is_the_best_never_worse_than_the_register_alone() -> None:
    known = {2016 + k: 100 for k in range(5)}
    # 0.5 averages (6 + 14) / 2 = 10, 0.25 (8 + 15) / 2 = 11.5, the register alone 15; 0.75 is
    # best at one year but worse than the register alone at two; 1 is worse at both.
    table = {0.0: (10.0, 20.0), 0.25: (8.0, 15.0), 0.5: (6.0, 14.0), 0.75: (2.0, 21.0), 1.0: (12.0, 25.0)}
    chosen = choose_blend(blend_scores(table), known)
    assert chosen.weight == 0.5 and chosen.origins == 2
    assert chosen.reason == (
        "moved half-way towards the published change: on 2 earlier 31 Marches checked against the register's "
        "own later numbers, this was 10.0% out on average, against 15.0% for the register alone"
    )
    # No weight as good as the register alone at both horizons: 0.
    worse = {0.0: (10.0, 20.0), 0.25: (9.0, 20.5), 0.5: (11.0, 19.0), 0.75: (12.0, 22.0), 1.0: (13.0, 25.0)}
    assert choose_blend(blend_scores(worse), known).weight == 0.0
    # A tie with the register alone: 0.
    tie = dict.fromkeys(table, (10.0, 20.0))
    assert choose_blend(blend_scores(tie), known).weight == 0.0
    # One origin, or fewer than four published years: 0, whatever the errors.
    assert choose_blend(blend_scores(table, origins=1), known).weight == 0.0
    few = choose_blend(blend_scores(table), {2018: 100, 2019: 100, 2020: 100})
    assert (few.weight, few.reason) == (
        0.0,
        "not used: 3 published years of children looked after at 31 March, 4 are needed",
    )


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
