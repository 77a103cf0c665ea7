"""The benchmarks page in the system Chromium at a laptop's 1366 px and a phone's 390 px: every
chart draws, no request leaves the site, and axe finds no WCAG 2.2 AA violation."""

from __future__ import annotations

import pytest

from benchmarks.models import AuthorityLink
from core.services import import_run
from tests.benchmarks.files import csv_bytes, neighbour_row, neighbours_xlsx, release_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEN = [887, 936, 938, 801, 802, 803, 805, 806, 807, 808]


def _published(authority) -> None:  # type: ignore[no-untyped-def]
    values = {}
    for year, base in (("2022", 50), ("2023", 53), ("2024", 56)):
        for number, step in ((886, 0), (887, 14), (936, -15), (989, 1), (970, 14)):
            values[("LAC", year, number)] = str(base + step)
        values[("Work_Force_Agecy_Rate", year, 886)] = "14"
        values[("Work_Force_Agecy_Rate", year, 970)] = "15.4"
        values[("FosteringFinance", f"{int(year) - 1}-{year[2:]} (OT)", 886)] = "595"
        values[("FosteringFinance", f"{int(year) - 1}-{year[2:]} (OT)", 887)] = "x"
    for kind, name, data in (
        ("benchmarks", "lait-2025-11-03.csv", csv_bytes(release_rows(values))),
        ("statistical_neighbours", "sn-may-2025.xlsx", neighbours_xlsx([neighbour_row(886, "Kent", TEN)])),
    ):
        plan, _ = import_run(authority=authority, kind=kind, source=name, data=data, options={}, user=None)
        assert plan.ok, [str(p) for p in plan.errors]
    AuthorityLink.objects.create(authority=authority, la_number=886)


@pytest.mark.parametrize("width", [1366, 390])
def test_the_benchmarks_page_draws_and_passes_axe(visitor, authority, director, width) -> None:  # type: ignore[no-untyped-def]
    _published(authority)
    person = visitor()
    person.page.set_viewport_size({"width": width, "height": 900})
    person.sign_in(director.username)
    person.page.goto("/dashboards/benchmarks/")
    person.charts_drawn()
    # One chart per measure loaded (LAC, fostering unit cost, agency rate), each drawn as SVG.
    assert person.page.locator(".ot-chart").count() == 3
    assert person.page.locator(".ot-chart:has(.main-svg)").count() == 3
    assert "Kent has an agency rate of 14.0%" in person.page.content()
    assert person.axe_violations() == []
    assert person.console_errors == []
    assert person.foreign_requests() == []
