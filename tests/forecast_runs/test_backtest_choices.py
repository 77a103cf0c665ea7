"""The monthly back-test chooses each type's method and calibrates its range; a run whose
middle scenario says "chosen by our own back-test" uses them; the pages say what was chosen
and why, in words."""

from __future__ import annotations

import pytest
from django.urls import reverse

from forecast_runs.backtests import backtest_execute, backtest_request
from forecast_runs.demand.methods import LABELS as METHOD_WORDS
from forecast_runs.demand.series import TOTAL
from forecasting.models import BacktestReport, ForecastTable, Scenario, ScenarioAssumption
from forecasting.scenarios import scenarios_ensure
from tests.dashboards.county import AS_AT, build_county, run_forecast

pytestmark = pytest.mark.django_db
TYPES = {"residential_external", "fostering_ifa"}


@pytest.fixture
def report(authority, finance_officer):  # type: ignore[no-untyped-def]
    year, _ = build_county(authority=authority, user=finance_officer)
    scenarios_ensure(authority=authority)
    ScenarioAssumption.objects.create(
        scenario=Scenario.objects.get(authority=authority, name="middle"), demand_method="auto"
    )
    asked = backtest_request(authority=authority, as_at=year.calendar.as_at_date(AS_AT), user=finance_officer)
    assert backtest_execute(report_id=asked.pk) == BacktestReport.Status.SUCCEEDED
    asked.refresh_from_db()
    return year, asked


def test_the_back_test_stores_each_types_choice_and_range(report) -> None:  # type: ignore[no-untyped-def]
    _, stored = report
    assert set(stored.choices) == TYPES | {TOTAL}
    for code, choice in stored.choices.items():
        errors = choice["errors"]
        # the sentence opens with the method in words and names no code
        assert choice["reason"].startswith(METHOD_WORDS[choice["method"]]), choice["reason"]
        assert "naive" not in choice["reason"] and "net_change" not in choice["reason"]
        assert {"naive", "flow", "statistical", "combined"} <= set(errors), code
        bands = stored.intervals[code]
        assert sorted(bands, key=int) == [str(h) for h in range(1, 13)]
        assert all(low <= high for low, high in bands.values())
    assert [row["horizon"] for row in stored.interval_coverage] == list(range(1, 13))
    reported = stored.choices[TOTAL]["reported"]
    assert reported["reason"].startswith(("the sum of each type's chosen forecast", "each type's chosen forecast"))
    # scaled to one method (its types named) or not scaled at all
    assert (reported["scaled_to"] is None) == (reported["types"] == [])


def test_a_run_with_auto_uses_the_methods_the_back_test_chose(report, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    year, stored = report
    run = run_forecast(authority=authority, year=year, user=finance_officer)
    table = ForecastTable.objects.get(run=run, name="models_used")
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    engine_name = {"naive": "net_change", "zero": "net_change"}
    for row in rows:
        if row["placement_type"] in TYPES:
            assert row["demand_method"] == "auto"
            expected = stored.choices[row["placement_type"]]["method"]
            assert row["chosen_method"] == engine_name.get(expected, expected)
    assert run.input_summary["calibration"]["report"] == stored.pk


def test_the_back_test_page_says_what_was_chosen_and_why_in_words(report, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    _, stored = report
    page = client_for(finance_officer).get(reverse("forecast_runs:backtest")).content.decode()
    assert "Method chosen and its range" in page
    assert "All children in placements" in page
    assert stored.choices[TOTAL]["reason"] in page.replace("&#x27;", "'")
    assert f"The number of children a run shows is {stored.choices[TOTAL]['reported']['reason']}." in page.replace(
        "&#x27;", "'"
    )
    assert "Share of outcomes inside the chosen methods" in page
    assert "entries and exits" in page  # a method in the error table, in words
    for code in ("net_change", "naive", "combined", ">flow<"):
        assert code not in page


def test_the_run_page_names_the_method_auto_chose(report, authority, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    year, _ = report
    run = run_forecast(authority=authority, year=year, user=finance_officer)
    page = client_for(finance_officer).get(reverse("forecast_runs:run", args=[run.pk])).content.decode()
    assert "chosen by our own back-test: " in page
