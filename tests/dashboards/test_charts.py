"""Figures are drawn from the same frames as their tables (issue 7: charts)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboards import charts
from dashboards.document import run_document
from dashboards.document.downloads import find_chart

SVG_TRACES = {"scatter", "bar", "waterfall"}


def _trace(figure_json: dict, name: str) -> dict:
    return next(t for t in figure_json["data"] if t.get("name") == name)


def _column(chart: dict, key: str) -> list:
    return [row[key] for row in chart["table"]["rows"]]


def test_money_labels_read_as_councils_write_them() -> None:
    assert charts.money_label(1_500_000) == "£1.5m"
    assert charts.money_label(2_000_000) == "£2m"
    assert charts.money_label(950_000) == "£950k"
    assert charts.money_label(-271_403) == "(£271k)"  # never "-£"
    assert charts.money_label(0) == "£0"


def test_a_money_axis_starts_at_zero_and_covers_every_value() -> None:
    axis = charts.money_axis([3_866_000.0, 4_316_710.0])
    assert axis["range"][0] == 0 and axis["range"][1] >= 4_316_710
    assert axis["ticktext"][0] == "£0" and axis["ticktext"][1] == "£1m"
    negative = charts.money_axis([-250_000.0, 100_000.0])
    assert negative["range"][0] <= -250_000 and 0 in negative["tickvals"]


def test_money_bars_draw_the_table_pence_as_pounds() -> None:
    frame = pd.DataFrame(
        {"label": ["Red", "Green"], "planned": [20_000_000, 105_100_000], "forecast_delivery": [0, 105_100_000]}
    )
    spec = charts.figure_json(
        charts.money_bars_figure(
            frame, category="label", series=(("planned", "Planned"), ("forecast_delivery", "Forecast delivery"))
        )
    )
    assert _trace(spec, "Planned")["y"] == [200_000.0, 1_051_000.0]
    assert _trace(spec, "Forecast delivery")["y"] == [0.0, 1_051_000.0]
    # A pattern as well as a colour tells the two series apart.
    shapes = {t["marker"]["pattern"]["shape"] for t in spec["data"]}
    assert len(shapes) == 2


@pytest.mark.django_db
def test_every_figure_of_a_run_uses_the_house_palette_svg_traces_and_at_most_five_series(run) -> None:  # type: ignore[no-untyped-def]
    document = run_document(run, cached=False)
    drawn = [c for c in document["charts"] if c["figure"]]
    assert len(drawn) >= 10
    for chart in drawn:
        traces = chart["figure"]["data"]
        assert {t["type"] for t in traces} <= SVG_TRACES, chart["key"]
        assert len([t for t in traces if t.get("showlegend", True)]) <= 5, chart["key"]
        assert chart["figure"]["layout"]["template"]["layout"]["colorway"][:6] == list(charts.PALETTE)
        assert chart["summary"] and chart["table"]["rows"], chart["key"]


@pytest.mark.django_db
def test_the_children_in_care_figure_plots_the_table_numbers(run) -> None:  # type: ignore[no-untyped-def]
    chart = find_chart(run_document(run, cached=False), "children")
    assert chart is not None
    for name, key in (
        ("Actual", "actual"),
        ("Forecast", "forecast"),
        ("Budgeted", "budgeted"),
        ("2018/19", "past:2018/19"),
        ("2017/18", "past:2017/18"),
    ):
        assert _trace(chart["figure"], name)["y"] == _column(chart, key), name
    # 31 July 2019: 9 external residential + 17 IFA children (the county's register).
    assert _column(chart, "actual")[3] == 26.0
    assert chart["summary"].startswith("Children in care: 26 at 31 July 2019")
    # Budgeted: 8 external residential + 20 IFA.
    assert set(_column(chart, "budgeted")) == {28.0}


@pytest.mark.django_db
def test_the_fan_shows_the_statistical_range_to_march_and_the_summary_says_it(run) -> None:  # type: ignore[no-untyped-def]
    chart = find_chart(run_document(run, cached=False), "fan-residential_external")
    assert chart is not None
    assert _trace(chart["figure"], "10–90% range")["y"] == _column(chart, "p90")
    assert _trace(chart["figure"], "Low end of the likely range")["y"] == _column(chart, "p10")
    p10, forecast, p90 = _column(chart, "p10")[11], _column(chart, "forecast")[11], _column(chart, "p90")[11]
    assert p10 <= forecast <= p90
    # The fan opens from the last actual month (July = period 4) and is empty before it.
    assert _column(chart, "p10")[:3] == [None, None, None] and _column(chart, "p10")[3] == _column(chart, "actual")[3]
    assert f"(range {p10:,.0f}–{p90:,.0f}) at March" in chart["summary"]


@pytest.mark.django_db
def test_spend_bars_and_the_bridge_match_the_lines_to_the_penny(run) -> None:  # type: ignore[no-untyped-def]
    document = run_document(run, cached=False)
    spend = find_chart(document, "spend")
    assert spend is not None
    assert _trace(spend["figure"], "Forecast outturn")["x"] == [v / 100 for v in _column(spend, "forecast_outturn")]
    assert _trace(spend["figure"], "Budget")["x"] == [200_000_000 / 100, 90_000_000 / 100]
    bridge = find_chart(document, "bridge")
    assert bridge is not None
    amounts = _column(bridge, "amount")
    budget, volume, price, other, outturn = amounts
    # The steps add up from the budget to the forecast outturn, which is the headline.
    assert budget + volume + price + other == outturn == document["department"]["outturn"]
    assert bridge["figure"]["data"][0]["y"] == [a / 100 for a in amounts]


@pytest.mark.django_db
def test_the_scenarios_figure_shows_best_middle_and_worst_against_the_budget(run) -> None:  # type: ignore[no-untyped-def]
    document = run_document(run, cached=False)
    chart = find_chart(document, "scenarios")
    assert chart is not None
    heads = {h["scenario"]: h for h in document["headlines"]}
    order = ("best", "middle", "worst")
    bars = _trace(chart["figure"], "Variance against budget")
    # Each bar is the scenario's variance (outturn − budget), its outturn carried for the hover.
    assert bars["y"] == [(heads[s]["outturn"] - heads[s]["budget"]) / 100 for s in order]
    assert bars["customdata"] == [heads[s]["outturn"] / 100 for s in order]
    assert heads["best"]["outturn"] <= heads["middle"]["outturn"] <= heads["worst"]["outturn"]


@pytest.mark.django_db
def test_workforce_figures_come_from_the_run_and_the_team_lists(run) -> None:  # type: ignore[no-untyped-def]
    document = run_document(run, cached=False)
    agency = find_chart(document, "agency")
    assert agency is not None
    assert _trace(agency["figure"], "Agency FTE (actual)")["y"][:4] == [3.0, 3.0, 3.0, 3.0]
    # The middle scenario's trajectory: 3 agency FTE at July down to 2 by March.
    assert _column(agency, "trajectory")[11] == pytest.approx(2.0)
    rates = find_chart(document, "rates")
    assert rates is not None
    row = rates["table"]["rows"][0]
    # 10 budgeted posts, 8 permanent in post: vacancy rate 2 / 10 = 20%; agency 3 / (8 + 3) = 27.27%.
    assert (row["vacancy_rate"], row["agency_rate"]) == (20.0, 27.27)
    reasons = find_chart(document, "agency-reason")
    assert reasons is not None
    assert dict(zip(_column(reasons, "reason"), _column(reasons, "fte"), strict=True)) == {
        "Vacancy": 2.0,
        "Maternity": 1.0,
    }
