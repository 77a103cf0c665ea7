"""The demo county's register: deterministic, linked to its budget lines, near the budgeted numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from accounts.models import Role
from forecasting.demo import DEMO_LINES, seed_budget_and_actuals
from forecasting.engine.calendar import FinancialYear
from placements import selectors
from placements.demo import demo_register, seed_demo_data
from placements.kpis import kpi_tables
from placements.models import Child, Placement, UnitCost

pytestmark = pytest.mark.django_db


def test_the_demo_register_is_the_same_every_time():
    first = demo_register(year_label="2019/20", period=4)
    second = demo_register(year_label="2019/20", period=4)
    pd.testing.assert_frame_equal(first, second)


def test_the_demo_register_is_realistic_and_linked_to_the_budget_lines(authority, finance_officer, placement_types):
    seed_budget_and_actuals(authority=authority, year_label="2019/20", as_at_period=4, user=finance_officer)
    seed_demo_data(authority=authority, year_label="2019/20", period=4, users={Role.FINANCE_OFFICER: finance_officer})
    register = selectors.placement_register_frame(authority=authority)
    assert register["line_code"].notna().all()
    line_of_type = {line.placement_type: line.code for line in DEMO_LINES if line.placement_type}
    assert (register["line_code"] == register["placement_type"].map(line_of_type)).all()
    # Five years of history up to 31 July 2019.
    assert register["start_date"].min() < pd.Timestamp("2015-04-01")
    assert register["start_date"].max() <= pd.Timestamp("2019-07-31")
    tables = kpi_tables(register, selectors.placement_types_frame(), year=FinancialYear(2019))
    july = tables.month_end.set_index("placement_type")["2019-07"]
    budgeted = {line.placement_type: line.numbers for line in DEMO_LINES if line.numbers}
    for code in ("fostering_in_house", "fostering_ifa", "fostering_kinship", "residential_external", "leaving_care"):
        assert abs(july[code] - budgeted[code]) / budgeted[code] < 0.2, (code, july[code], budgeted[code])
    children_in_care = july.drop(["staying_put", "leaving_care", "total"]).sum()
    assert 850 <= children_in_care <= 1_100
    external = july[
        [
            "fostering_ifa",
            "residential_external",
            "supported_accommodation",
            "secure",
            "residential_school",
            "parent_and_child",
        ]
    ].sum()
    assert 330 <= external <= 460
    weekly = tables.summary.set_index("placement_type")["avg_weekly_cost"] / 100
    assert 400 < weekly["fostering_in_house"] < 500 and 880 < weekly["fostering_ifa"] < 980
    assert 4_400 < weekly["residential_external"] < 5_400 and 1_250 < weekly["supported_accommodation"] < 1_550
    # Secure welfare: about six placements in the four months, each drawn around £7,000 a week
    # (sd £350), so their average can sit a few hundred pounds either side.
    assert 6_500 < weekly["secure"] < 8_000
    assert tables.high_cost["number_at_month_end"].min() > 0
    assert Child.objects.filter(authority=authority, uasc=True).exists()
    open_rows = register[register["end_date"].isna()]
    turning_18 = open_rows[(open_rows["child_dob"] + pd.DateOffset(years=18)).between("2019-04-01", "2020-03-31")]
    assert len(turning_18) > 10
    # In-house allowances rise each April: rate changes are contiguous rows of one placement.
    assert (register.groupby("placement_ref").size() > 1).any()
    assert UnitCost.objects.filter(authority=authority).count() == 14 * 5
    assert Placement.objects.filter(authority=authority).count() == len(register)


def test_the_demo_history_opens_with_the_county_usual_number_of_children_and_says_so(
    authority, finance_officer, placement_types
):  # type: ignore[no-untyped-def]
    """Forecasts learn from the demo's numbers from 1 April 2015 (the setting seed_demo makes),
    and from that day the number of children is steady, not a climb from a handful: on the first
    month-end it is within 10% of the as-at number (about 1,200 both)."""
    from datetime import date

    seed_budget_and_actuals(authority=authority, year_label="2019/20", as_at_period=4, user=finance_officer)
    seed_demo_data(authority=authority, year_label="2019/20", period=4, users={Role.FINANCE_OFFICER: finance_officer})
    start = selectors.history_start(authority=authority, as_at=date(2019, 7, 31))
    assert start.day == date(2015, 4, 1) and "set by an administrator" in start.why
    register = selectors.placement_register_frame(authority=authority)

    def open_on(day: str) -> int:
        d = pd.Timestamp(day)
        open_rows = (register["start_date"] <= d) & (register["end_date"].isna() | (register["end_date"] > d))
        return int(register.loc[open_rows, "placement_ref"].nunique())

    first, last = open_on("2015-04-30"), open_on("2019-07-31")
    assert abs(first - last) / last < 0.1, (first, last)
