"""The council's own current figures set beside DfE's, worked out by hand from the test county's
register (tests/dashboards/county.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from dashboards import benchmark_own

pytestmark = pytest.mark.django_db


def test_children_their_mix_rate_and_the_fostering_cost_from_the_register(county, authority, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(benchmark_own, "as_at_of", lambda authority: date(2019, 8, 31))
    own = benchmark_own.own_figures(authority, published_rate=(Decimal(1000), Decimal(50)))
    # On 31 August 2019: residential R001-R009 (R000 ended on 1 June) = 9; fostering: 22 less
    # F001 and F002 (ended 1 May) less F016, F019 and F021 (start in September, December and
    # October) = 17. 9 + 17 = 26 children.
    assert own.values["LACnum"] == 26
    assert own.values["LAC_Foster_Placements"] == Decimal(1700) / 26  # 65.38%
    assert own.values["LAC_SecHome_And_ChildHome"] == Decimal(900) / 26  # 34.62%
    # DfE: 1,000 children at 50 per 10,000 -> 200,000 children; 26 / 200,000 × 10,000 = 1.3.
    assert own.population == 200_000
    assert own.values["LAC"] == Decimal("1.3")
    # Every IFA placement costs £900 a week.
    assert own.values["FosteringFinance"] == Decimal("900.00")
    # The county has no workforce snapshot: no workforce figures rather than made-up ones.
    assert "Work_Force_Agecy_Rate" not in own.values
    # From 1 April to 31 August 2019, one placement per child: started R009 (April), F020 (May)
    # and F018 (July); ceased R000 (1 June), F001 and F002 (1 May).
    assert own.year_from == date(2019, 4, 1)
    assert (own.values["LACnum_Start"], own.values["LACceased"]) == (3, 3)
    # No run yet: no spend rather than a made-up one.
    assert "TotalLACFinance" not in own.values


def test_the_spend_is_the_latest_run_s_forecast_outturn_of_the_looked_after_placements_lines(run, authority) -> None:  # type: ignore[no-untyped-def]
    from forecasting.models import ForecastLineResult

    own = benchmark_own.own_figures(authority, published_rate=None)
    # The county's two placements lines (external residential and IFA), middle scenario, in pounds.
    lines = ForecastLineResult.objects.filter(run=run, scenario="middle", line_code__in=["CIC-RES-EXT", "CIC-FOS-IFA"])
    assert lines.count() == 2
    assert own.values["TotalLACFinance"] == Decimal(sum(line.forecast_outturn for line in lines)) / 100
    assert own.spend_of == f"{run.year.label} period {run.period}"


def test_a_move_is_not_a_start_and_a_return_after_a_gap_is() -> None:
    import pandas as pd

    day = pd.Timestamp
    register = pd.DataFrame(
        {
            # A: moved on 1 May (one period, started before the window, still open).
            # B: 10 April to 1 June, then again from 1 July (two periods: two starts, one end).
            # C: starts after the window.
            "child_ref": ["A", "A", "B", "B", "C"],
            "start_date": [
                day("2019-03-01"),
                day("2019-05-01"),
                day("2019-04-10"),
                day("2019-07-01"),
                day("2019-09-15"),
            ],
            "end_date": [day("2019-05-01"), pd.NaT, day("2019-06-01"), pd.NaT, pd.NaT],
        }
    )
    assert benchmark_own.care_starts_and_ends(register, first=date(2019, 4, 1), last=date(2019, 8, 31)) == (2, 1)
    # The whole of 2019: A's start in March and C's in September count too.
    assert benchmark_own.care_starts_and_ends(register, first=date(2019, 1, 1), last=date(2019, 12, 31)) == (4, 1)
