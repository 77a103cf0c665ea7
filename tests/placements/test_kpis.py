"""Placement KPIs: every figure below is worked out by hand (FORECAST.md, Placements).

The year is 2019/20: 1 April 2019 to 31 March 2020, 366 days (February 2020 has 29).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear
from placements.kpis import export_frame, kpi_history, kpi_tables

YEAR = FinancialYear(2019)
TYPES = pd.DataFrame(
    {
        "code": ["fostering_in_house", "fostering_ifa", "residential_external", "secure", "staying_put"],
        "continues_after_18": [False, False, False, False, True],
        "name": ["In-house fostering", "IFA", "External residential", "Secure", "Staying put"],
    }
)


def register(*rows: tuple) -> pd.DataFrame:
    columns = [
        "placement_ref",
        "child_ref",
        "child_dob",
        "placement_type",
        "start_date",
        "end_date",
        "planned_end_date",
        "weekly_cost",
        "health_contribution",
        "education_contribution",
        "uasc",
        "line_code",
    ]
    frame = pd.DataFrame(list(rows), columns=columns)
    for column in ("child_dob", "start_date", "end_date", "planned_end_date"):
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[ns]")
    for column in ("weekly_cost", "health_contribution", "education_contribution"):
        frame[column] = frame[column].astype("int64")
    frame["uasc"] = frame["uasc"].astype(bool)
    return frame


REGISTER = register(
    # P1: IFA, 1 to 8 April (7 days) at £950 a week.
    ("P1", "C1", "2010-05-01", "fostering_ifa", "2019-04-01", "2019-04-08", None, 95_000, 0, 0, False, None),
    # P2: external residential from 15 April, open, £4,500 a week less £500 from health.
    ("P2", "C2", "2005-01-01", "residential_external", "2019-04-15", None, None, 450_000, 50_000, 0, False, None),
    # P3: in-house fostering from January 2019; the child turns 18 on 15 October 2019.
    ("P3", "C3", "2001-10-15", "fostering_in_house", "2019-01-01", None, None, 45_000, 0, 0, False, None),
    # P4: the same young person stays put from their 18th birthday (continues after 18).
    ("P4", "C3", "2001-10-15", "staying_put", "2019-10-15", None, None, 40_000, 0, 0, False, None),
    # P5: secure, £7,000 a week: never high cost (excluded type).
    ("P5", "C5", "2004-06-01", "secure", "2019-04-01", None, None, 700_000, 0, 0, False, None),
    # P6: UASC in external residential at £5,000: never high cost (UASC excluded).
    ("P6", "C6", "2003-06-01", "residential_external", "2019-04-01", None, None, 500_000, 0, 0, True, None),
    # P7: IFA from 1 May at £900, a new rate of £1,000 from 1 June, ends 1 July (exclusive).
    ("P7", "C7", "2012-01-01", "fostering_ifa", "2019-05-01", "2019-06-01", None, 90_000, 0, 0, False, None),
    ("P7", "C7", "2012-01-01", "fostering_ifa", "2019-06-01", "2019-07-01", None, 100_000, 0, 0, False, None),
)


@pytest.fixture(scope="module")
def tables():
    return kpi_tables(REGISTER, TYPES, year=YEAR)


def monthly(tables, type_code: str, month: str) -> dict:
    frame = tables.monthly
    return frame[(frame["placement_type"] == type_code) & (frame["month"] == month)].iloc[0].to_dict()


def summary(tables, type_code: str) -> dict:
    return tables.summary.set_index("placement_type").loc[type_code].to_dict()


def test_month_end_numbers_end_children_s_placements_at_18(tables):
    in_house = tables.month_end.set_index("placement_type").loc["fostering_in_house"]
    # P3 is in placement on 30 September, not on 31 October (effective end 15 October).
    assert [in_house[m] for m in ("2019-04", "2019-09", "2019-10", "2020-03")] == [1, 1, 0, 0]
    staying = tables.month_end.set_index("placement_type").loc["staying_put"]
    assert [staying[m] for m in ("2019-09", "2019-10", "2020-03")] == [0, 1, 1]


def test_a_rate_change_is_neither_a_start_nor_an_end(tables):
    may, june, july = (monthly(tables, "fostering_ifa", m) for m in ("2019-05", "2019-06", "2019-07"))
    assert (may["starts"], june["starts"], june["ends"], july["ends"]) == (1, 0, 0, 1)
    assert (may["month_end_number"], june["month_end_number"], july["month_end_number"]) == (1, 1, 0)
    # June: 30 days at £1,000 = 100,000 × 30 / 7 = 428,571.43 → £4,285.71
    assert june["gross_cost"] == 428_571


def test_april_costs_are_weekly_cost_times_days_over_seven_rounded_once(tables):
    april = monthly(tables, "residential_external", "2019-04")
    # P2: 16 days (15–30 April): gross 450,000 × 16 / 7 = 1,028,571.43 → 1,028,571
    #     health 50,000 × 16 / 7 = 114,285.71 → 114,286; net 400,000 × 16 / 7 = 914,285.71 → 914,286
    # P6: 30 days: 500,000 × 30 / 7 = 2,142,857.14 → 2,142,857 (gross = net)
    assert april["gross_cost"] == 1_028_571 + 2_142_857
    assert april["contributions"] == 114_286 and april["health_contributions"] == 114_286
    assert april["net_cost"] == 914_286 + 2_142_857
    assert april["month_end_number"] == 2 and april["month_end_change"] == 2  # none at 31 March 2019
    # Average number = child-days / days in month = (16 + 30) / 30
    assert april["average_number"] == pytest.approx(46 / 30)
    ifa = monthly(tables, "fostering_ifa", "2019-04")
    assert (ifa["gross_cost"], ifa["month_end_number"], ifa["starts"], ifa["ends"]) == (95_000, 0, 1, 1)


def test_year_figures_fye_and_the_kpi_identity(tables):
    in_house = summary(tables, "fostering_in_house")
    # P3: 1 April to 14 October = 30+31+30+31+31+30 + 14 = 197 days; FYE = 197 / 7 / 52
    assert in_house["fye_number"] == pytest.approx(197 / 7 / 52)
    assert in_house["average_number"] == pytest.approx(197 / 366)
    assert in_house["ends"] == 1 and in_house["month_end_number"] == 0
    staying = summary(tables, "staying_put")
    # P4: 15 October to 31 March = 17+30+31+31+29+31 = 169 days
    assert staying["fye_number"] == pytest.approx(169 / 7 / 52) and staying["starts"] == 1
    for row in tables.summary.itertuples():
        # annual cost = FYE number × average weekly cost × 52, within a penny
        assert abs(row.identity_cost - row.gross_cost) <= 1, row.placement_type
    res = summary(tables, "residential_external")
    # P2 352 days (15 April to 31 March) + P6 366 days
    assert res["fye_number"] == pytest.approx((352 + 366) / 7 / 52)
    assert res["avg_weekly_cost"] == pytest.approx(res["gross_cost"] / ((352 + 366) / 7))


def test_year_on_year_and_mix(tables):
    in_house = summary(tables, "fostering_in_house")
    # 2018/19: P3 from 1 January to 31 March 2019 = 31 + 28 + 31 = 90 days
    assert in_house["previous_fye_number"] == pytest.approx(90 / 364)
    assert in_house["fye_change"] == pytest.approx(197 / 364 - 90 / 364)
    # 2018/19 net cost: Jan 31 days 45,000×31/7 = 199,285.71 → 199,286; Feb 180,000; Mar 199,286
    assert in_house["previous_net_cost"] == 199_286 + 180_000 + 199_286
    assert tables.summary["mix_share"].sum() == pytest.approx(1.0)
    total_days = 197 + 169 + 352 + 366 + 366 + 7 + 61  # P3, P4, P2, P6, P5, P1, P7 (31 + 30)
    assert in_house["mix_share"] == pytest.approx(197 / total_days)


def test_starts_and_ends_add_up_month_by_month(tables):
    flows = tables.flows.set_index("month")
    april = flows.loc["2019-04"]
    # 31 March 2019: only P3. April: P1, P2, P5, P6 start; P1 ends.
    assert (april["opening_number"], april["starts"], april["ends"], april["month_end_number"]) == (1, 4, 1, 4)
    for _month, row in flows.iterrows():
        assert row["opening_number"] + row["starts"] - row["ends"] == row["month_end_number"]


def test_high_cost_excludes_secure_and_uasc(tables):
    high = tables.high_cost.set_index("month")
    assert list(high["number_at_month_end"]) == [1] * 12  # P2 only
    # April: P2 for 16 days: child-weeks 16/7, gross 1,028,571, average about £4,500 a week
    assert high.loc["2019-04", "gross_cost"] == 1_028_571
    assert high.loc["2019-04", "child_weeks"] == pytest.approx(16 / 7)
    assert high.loc["2019-04", "avg_weekly_cost"] == pytest.approx(1_028_571 / (16 / 7))
    assert list(tables.high_cost_rows["placement_ref"]) == ["P2"]


def test_a_lower_threshold_counts_more_placements():
    lower = kpi_tables(REGISTER, TYPES, year=YEAR, threshold=80_000)  # £800 a week
    refs = set(lower.high_cost_rows["placement_ref"])
    # P1 (£950, 1–8 April), P2 (£4,500) and both rows of P7 (£900, £1,000); not P3, P4 (below),
    # P5 (secure) or P6 (UASC).
    assert refs == {"P1", "P2", "P7"}
    assert len(lower.high_cost_rows) == 4


def test_exports_show_pounds_with_pence(tables):
    frame = export_frame(tables.summary)
    row = frame.set_index("placement_type").loc["fostering_ifa"]
    assert row["gross_cost"] == pytest.approx(summary(tables, "fostering_ifa")["gross_cost"] / 100)


def test_kpis_over_ten_years_of_twenty_thousand_rows_give_every_year_and_type():
    rng = np.random.default_rng(3)
    n = 20_000
    start = pd.Timestamp("2014-04-01") + pd.to_timedelta(rng.integers(0, 3650, n), unit="D")
    big = pd.DataFrame(
        {
            "placement_ref": [f"P{i}" for i in range(n)],
            "child_ref": [f"C{i}" for i in range(n)],
            "child_dob": start - pd.to_timedelta(rng.integers(365, 17 * 365, n), unit="D"),
            "placement_type": rng.choice(TYPES["code"].to_numpy(), n),
            "start_date": start,
            "end_date": (start + pd.to_timedelta(rng.integers(7, 900, n), unit="D")).where(rng.random(n) > 0.2),
            "planned_end_date": pd.NaT,
            "weekly_cost": rng.integers(10_000, 800_000, n),
            "health_contribution": 0,
            "education_contribution": 0,
            "uasc": rng.random(n) < 0.05,
            "line_code": None,
        }
    )
    big["planned_end_date"] = big["planned_end_date"].astype("datetime64[ns]")
    history = kpi_history(big, TYPES, first=FinancialYear(2014), last=FinancialYear(2023))
    tables = kpi_tables(big, TYPES, year=FinancialYear(2023))
    # Speed is measured by `make bench` (docs/benchmarks.md), not here: the test machine is shared.
    assert len(history) == 10 * len(TYPES)
    assert len(tables.months) == 12


def test_the_kpi_module_imports_no_database_code_beyond_pandas():
    code = "import sys, placements.kpis; print(any(m.startswith('django.db') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
