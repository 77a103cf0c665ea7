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
