"""The placement KPI page shows the average weekly net cost beside the gross one: the figure the
forecast's variance bridge quotes for the children already placed (issue 12, point 5)."""

from __future__ import annotations

from datetime import date

import pytest

from placements import services

pytestmark = pytest.mark.django_db


def test_the_kpi_page_shows_the_weekly_net_cost_the_bridge_quotes(
    client_for, director, authority, finance_officer, placement_types, placement_lines
) -> None:  # type: ignore[no-untyped-def]
    services.placement_add(
        authority=authority,
        user=finance_officer,
        child_ref="C001",
        child_dob=date(2010, 5, 1),
        placement_type=placement_types["residential_external"],
        start_date=date(2019, 4, 1),
        weekly_cost=350_000,
        health_contribution=70_000,
        placement_ref="P1",
        today=date(2024, 6, 1),
    )
    html = client_for(director).get("/placements/kpis/?year=2019/20").content.decode()
    assert ">Average weekly net cost</th>" in html
    # £3,500 a week gross (£500 a day), less £700 health = £2,800 net (£400 a day), every day of
    # the year: the averages are exactly £3,500.00 and £2,800.00 a week, in the type's row and
    # in the total row.
    assert html.count(">£3,500.00</td>") == 2
    assert html.count(">£2,800.00</td>") == 2
    assert 'id="kpi-bridge-note"' in html
