"""Every chart on the period dashboard draws with the vendored plotly.js finance bundle
(static/vendor/plotly): each trace of each figure is of a type the bundle holds, and its layer
in the SVG has marks in it, with no console error (a type missing from the bundle would draw
nothing and warn)."""

from __future__ import annotations

import pytest

from tests.dashboards.county import build_county, run_forecast, set_assumptions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What each trace type draws inside its layer of the plot.
LAYER_MARKS = {
    "bar": ".barlayer .point path",
    "waterfall": ".waterfalllayer .point path",
    "scatter": ".scatterlayer .trace path",
}


def test_every_chart_draws_with_the_finance_bundle(visitor, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    year, _lines = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)
    run_forecast(authority=authority, year=year, user=finance_officer)
    person = visitor()
    person.sign_in(finance_officer.username)
    person.page.goto(f"/dashboards/?year={year.label}&period=4")
    person.charts_drawn()
    assert person.page.evaluate("() => document.querySelector('script[src*=\"plotly-finance\"]') !== null")
    charts = person.page.evaluate(
        """(marks) => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => ({
            id: gd.id,
            types: gd.data.map(t => t.type || 'scatter'),
            drawn: Object.fromEntries(
                Object.entries(marks).map(([type, sel]) => [type, gd.querySelectorAll(sel).length])),
        }))""",
        LAYER_MARKS,
    )
    assert len(charts) >= 7, charts
    seen = set()
    for chart in charts:
        for kind in set(chart["types"]):
            assert kind in LAYER_MARKS, f"{chart['id']}: a {kind} trace needs the full plotly.js bundle"
            assert chart["drawn"][kind] > 0, f"{chart['id']}: its {kind} trace drew nothing"
            seen.add(kind)
    assert seen == {"bar", "scatter", "waterfall"}
    assert person.console_errors == []
