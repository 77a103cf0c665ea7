"""Charts that show the story and tables that keep their key columns in view (issue 12, point 6),
at a laptop's 1366 px and a phone's 390 px: the drill-down links are in the first column and
inside the table's own box, the variance is on screen on a phone, every chart draws, and axe
finds no WCAG 2.2 AA violation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.dashboards.county import build_county, run_forecast, set_assumptions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Set OUTTURN_SCREENSHOTS to a folder to keep each page's screenshot for a look by eye.
SHOTS = os.environ.get("OUTTURN_SCREENSHOTS")
CHARTS = tuple(
    f"#chart-{key}"
    for key in ("scenarios", "children", "fan-residential_external", "bridge", "rates", "caseloads", "agency-reason")
) + ("#services-table",)


def _shot(person, name: str, parts: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        person.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        for part in parts:
            found = person.page.locator(part)
            if found.count():
                found.first.screenshot(path=str(Path(SHOTS) / f"{name}{part.replace('#', '-')}.png"))


def _box(person, selector: str) -> dict:  # type: ignore[no-untyped-def]
    box = person.page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def _inside(inner: dict, outer: dict) -> bool:
    return inner["x"] >= outer["x"] - 0.5 and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5


def _clean(person, name: str) -> None:  # type: ignore[no-untyped-def]
    assert person.axe_violations() == [], name
    assert person.console_errors == [], name


@pytest.mark.parametrize("width", [1366, 390])
def test_the_dashboard_and_drill_down_at_a_laptop_and_a_phone(visitor, authority, finance_officer, width) -> None:  # type: ignore[no-untyped-def]
    year, _lines = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)
    run_forecast(authority=authority, year=year, user=finance_officer)
    person = visitor()
    person.page.set_viewport_size({"width": width, "height": 900})
    person.sign_in(finance_officer.username)

    person.page.goto(f"/dashboards/?year={year.label}&period=4")
    person.charts_drawn()
    _shot(person, f"dashboard-{width}", CHARTS)
    _clean(person, f"dashboard at {width} px")
    # Every chart drew an SVG no wider than the window.
    assert person.page.locator(".ot-chart .main-svg").count() >= 10
    for index in range(person.page.locator(".ot-chart").count()):
        chart = person.page.locator(".ot-chart").nth(index).bounding_box()
        assert chart is not None and chart["x"] >= 0 and chart["x"] + chart["width"] <= width + 0.5
    # Every legend sits above its plot: it overlaps neither the plot nor the axis labels below.
    legends = person.page.evaluate("""() => Array.from(document.querySelectorAll('.ot-chart')).flatMap(chart => {
        const legend = chart.querySelector('g.legend'), plot = chart.querySelector('.draglayer rect.nsewdrag');
        if (!legend || !plot || legend.getBoundingClientRect().height === 0) return [];
        const l = legend.getBoundingClientRect(), p = plot.getBoundingClientRect();
        return [[chart.getAttribute('data-chart'), l.bottom <= p.top + 1]];
    })""")
    assert len(legends) >= 6, legends
    assert all(above for _name, above in legends), legends
    # The bridge's workings: six sentences for each of the two placement lines.
    assert person.page.locator("#chart-bridge-workings .ot-workings li").count() == 12
    # The services table: the service's name (the drill-down link) and its variance on screen.
    first = "#services-table tbody tr:first-child"
    assert _box(person, f"{first} th a")["x"] + _box(person, f"{first} th a")["width"] <= width
    variance = _box(person, f"{first} .ot-variance-cell")
    assert variance["x"] >= 0 and variance["x"] + variance["width"] <= width, variance

    person.page.click(f"{first} th a")
    person.page.wait_for_selector("#lines")
    _shot(person, f"service-{width}", ("#lines",))
    _clean(person, f"service drill-down at {width} px")
    row = "#lines tbody tr:first-child"
    # The links behind the figure are in the first column, inside the table's scroll box.
    first_cell = person.page.locator(f"{row} > *").first
    assert first_cell.evaluate("e => e.tagName") == "TH"
    assert first_cell.locator("a").count() >= 1
    scroll = _box(person, "#lines")
    box = person.page.locator("#lines").locator("xpath=..").bounding_box()
    assert box is not None
    for index in range(first_cell.locator("a").count()):
        assert _inside(first_cell.locator("a").nth(index).bounding_box(), box)
    assert scroll["width"] > 0
    variance = _box(person, f"{row} .ot-variance-cell")
    assert variance["x"] >= 0 and variance["x"] + variance["width"] <= width, variance
    if width == 1366:
        # A wide table may use more than the 960 px column, never more than the window.
        assert box["width"] > 960 and box["x"] >= 0 and box["x"] + box["width"] <= width

    # The placement KPI page: its wide tables stay inside the window, in their own scroll boxes.
    person.page.goto(f"/placements/kpis/?year={year.label}")
    _shot(person, f"kpis-{width}")
    _clean(person, f"placement KPIs at {width} px")
    for index in range(person.page.locator(".ot-table-scroll").count()):
        box = person.page.locator(".ot-table-scroll").nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, index
