"""The medium-term forecast, reached from Forecast runs by a director, at a laptop's 1366 px and a
phone's 390 px: every table inside the window (its scroll box), and no WCAG 2.2 AA violation."""

from __future__ import annotations

import pytest

from tests.dashboards.county import build_county

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_a_director_reads_the_medium_term_forecast(visitor, authority, finance_officer, director, width) -> None:  # type: ignore[no-untyped-def]
    year, _lines = build_county(authority=authority, user=finance_officer)
    person = visitor()
    person.page.set_viewport_size({"width": width, "height": 900})
    person.sign_in(director.username)
    person.page.goto(f"/forecasts/?year={year.label}")
    person.page.click("text=Medium-term forecast (next three years)")
    main = person.page.inner_text("main")
    assert "Medium-term forecast of placements" in main
    first = int(year.label[:4]) + 1
    assert f"Budget requirement, {first}/{(first + 1) % 100:02d}" in main
    assert person.page.locator("#budget-file").count() == 1
    for index in range(person.page.locator(".ot-table-scroll").count()):
        box = person.page.locator(".ot-table-scroll").nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
    assert person.axe_violations() == []
    assert person.console_errors == []
