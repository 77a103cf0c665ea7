"""seed_demo's savings: deterministic, linked to the demo county's lines, a range of statuses."""

from __future__ import annotations

import pytest

from accounts.models import Role
from forecasting.demo import seed_budget_and_actuals
from forecasting.engine.savings import savings_delivery
from savings import selectors
from savings.demo import seed_demo_data
from savings.models import Programme, Saving
from tests.factories import AuthorityFactory, UserFactory

pytestmark = pytest.mark.django_db


def seeded(code: str):  # type: ignore[no-untyped-def]
    authority = AuthorityFactory(code=code)
    user = UserFactory(authority=authority, role=Role.FINANCE_OFFICER, username=f"fo-{code}")
    seed_budget_and_actuals(authority=authority, year_label="2024/25", as_at_period=6, user=user)
    seed_demo_data(authority=authority, year_label="2024/25", period=6, users={Role.FINANCE_OFFICER: user})
    return authority


def test_the_demo_tracker_is_deterministic_and_varied(placement_types) -> None:  # type: ignore[no-untyped-def]
    first, second = seeded("DEMO1"), seeded("DEMO2")
    a = selectors.delivery_frame(authority=first, year_label="2024/25").drop(columns="id")
    b = selectors.delivery_frame(authority=second, year_label="2024/25").drop(columns="id")
    assert a.equals(b)
    assert set(a["status"]) == {"achieved", "on_track", "at_risk", "undeliverable", "absorbed"}
    # Some shortfalls reach the outturn (profile or budget lines), some are reported only.
    assert set(a.loc[a["shortfall"] > 0, "added_to_outturn"]) == {True, False}
    absorbed = Saving.objects.get(authority=first, status="absorbed")
    assert absorbed.programme.code == "CFP"
    programme = Programme.objects.get(authority=first)
    assert programme.delay_months == 6 and set(programme.benefits.values_list("profile", flat=True)) == {
        "target",
        "stretch",
    }
    keys = selectors.key_decision_frame(authority=first)
    assert keys["key_decision"].any()
    assert Saving.objects.filter(authority=first, versions__version="reprofiled").exists()
    total = selectors.delivery_by(a, by=None).iloc[0]
    assert total["mitigated"] > 0 and total["net_shortfall"] < total["shortfall"]


def test_every_demo_saving_is_on_a_line_the_engine_knows(placement_types) -> None:  # type: ignore[no-untyped-def]
    authority = seeded("DEMO3")
    frame = selectors.savings_frame(authority=authority, year_label="2024/25")
    methods = selectors.line_methods(authority=authority)
    delivery = savings_delivery(frame, year_label="2024/25", delivery_rates={}, line_methods=methods)
    kinds = {methods[c] for c in delivery["line_code"].dropna()}
    assert {"placements", "workforce", "profile", "budget"} <= kinds
