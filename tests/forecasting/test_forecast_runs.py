"""Requesting, executing and exporting forecast runs (issue: The forecast engine and the monthly
Celery run). Expected outturns are worked out by hand from FORECAST.md (Other lines)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forecast_runs.dispatch import forecast_run_request
from forecast_runs.execute import forecast_run_execute
from forecasting.models import ForecastLineResult, ForecastRun, ForecastTable, Scenario, ScenarioAssumption
from forecasting.services import period_submit

pytestmark = pytest.mark.django_db


def run_now(authority, year, period, user=None):  # type: ignore[no-untyped-def]
    run = forecast_run_request(authority=authority, year=year, period=period, user=user)
    assert forecast_run_execute(run_id=run.pk) == ForecastRun.Status.SUCCEEDED
    run.refresh_from_db()
    return run


def test_a_run_forecasts_every_scenario_and_line_to_the_penny(
    ledger,
    authority,
    finance_officer,
    dispatched_runs,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        run = forecast_run_request(authority=authority, year=ledger, period=2, user=finance_officer)
    assert run.status == ForecastRun.Status.PENDING and dispatched_runs == [run.pk]
    forecast_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ForecastRun.Status.SUCCEEDED and run.progress == 100
    assert {"whole_run", "read_inputs", "write_results"} <= set(run.timings)
    outturn = {(r.scenario, r.line_code): r.forecast_outturn for r in ForecastLineResult.objects.filter(run=run)}
    # LEG-EXT run rate (FORECAST.md, Other lines): actuals £456,000 + £456,000 / 2 × 10 = £2,736,000.
    assert outturn[("middle", "LEG-EXT")] == 273_600_000
    # INC-UASC profile: actuals −£490,000 + −£2,940,000 × 10/12 = −£490,000 − £2,450,000 = −£2,940,000.
    assert outturn[("middle", "INC-UASC")] == -294_000_000
    assert ("middle", "CIC-RES-EXT") not in outturn
    assert {s for s, _ in outturn} == {"best", "middle", "worst"}
    legal = ForecastLineResult.objects.get(run=run, scenario="middle", line_code="LEG-EXT")
    # Variance = outturn − budget = £2,736,000 − £2,600,000 = £136,000 overspend; 136,000 / 2,600,000 = 5.23%.
    assert legal.variance == 13_600_000 and str(legal.variance_pct) == "5.23"
    assert set(ForecastTable.objects.filter(run=run).values_list("name", flat=True)) == {
        "placements",
        "workforce",
        "savings",
        "variance_explained",
        "models_used",
        "outturn_ranges",  # the reported scenario's likely range, by placements line and department
    }


def test_two_requests_for_the_same_inputs_share_one_run(
    ledger,
    authority,
    finance_officer,
    dispatched_runs,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = forecast_run_request(authority=authority, year=ledger, period=2, user=finance_officer)
        second = forecast_run_request(authority=authority, year=ledger, period=2, user=finance_officer)
    assert first.pk == second.pk and dispatched_runs == [first.pk]
    assert ForecastRun.objects.count() == 1


def test_a_run_claimed_once_is_not_computed_again_and_rerunning_gives_the_same_rows(ledger, authority) -> None:  # type: ignore[no-untyped-def]
    run = run_now(authority, ledger, 2)
    before = sorted(ForecastLineResult.objects.filter(run=run).values_list("scenario", "line_code", "forecast_outturn"))
    assert forecast_run_execute(run_id=run.pk) == "not claimed"
    # An operator re-queues the same run (e.g. after a crash): the results are replaced, not added to.
    ForecastRun.objects.filter(pk=run.pk).update(status=ForecastRun.Status.PENDING)
    assert forecast_run_execute(run_id=run.pk) == ForecastRun.Status.SUCCEEDED
    after = sorted(ForecastLineResult.objects.filter(run=run).values_list("scenario", "line_code", "forecast_outturn"))
    assert before == after


def test_a_run_with_no_budget_lines_fails_with_a_message_that_says_what_to_fix(year, authority) -> None:  # type: ignore[no-untyped-def]
    run = forecast_run_request(authority=authority, year=year, period=2, user=None)
    assert forecast_run_execute(run_id=run.pk) == ForecastRun.Status.FAILED
    run.refresh_from_db()
    assert "budget" in run.error.lower() and "Traceback" not in run.error
    assert not ForecastLineResult.objects.filter(run=run).exists()


def test_a_scenario_with_a_negative_unit_cost_fails_the_run_naming_the_scenario(ledger, authority) -> None:  # type: ignore[no-untyped-def]
    from forecasting.scenarios import scenarios_ensure

    scenarios_ensure(authority=authority)
    worst = Scenario.objects.get(authority=authority, name="worst")
    ScenarioAssumption.objects.create(scenario=worst, placement_type="residential_external", new_unit_cost=-100)
    run = forecast_run_request(authority=authority, year=ledger, period=2, user=None)
    forecast_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ForecastRun.Status.FAILED
    assert "worst" in run.error and "negative" in run.error.lower()


def test_submitting_a_period_requests_a_forecast_as_at_that_period(
    ledger,
    finance_officer,
    dispatched_runs,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    period_submit(period=ledger.periods.get(number=1), user=finance_officer, forecast=False)
    with django_capture_on_commit_callbacks(execute=True):
        period_submit(period=ledger.periods.get(number=2), user=finance_officer)
    run = ForecastRun.objects.get()
    assert (run.period, run.trigger, dispatched_runs) == (2, ForecastRun.Trigger.SUBMIT, [run.pk])


def test_the_monthly_schedule_forecasts_the_latest_submitted_period(ledger, finance_officer, dispatched_runs) -> None:  # type: ignore[no-untyped-def]
    from forecast_runs.schedule import forecast_monthly_requests

    period_submit(period=ledger.periods.get(number=1), user=finance_officer, forecast=False)
    assert len(forecast_monthly_requests()) == 1
    run = ForecastRun.objects.get()
    assert (run.period, run.trigger) == (1, ForecastRun.Trigger.SCHEDULE)


def test_export_forecast_writes_exactly_the_contract_columns(ledger, authority, tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = run_now(authority, ledger, 2)
    expected = {
        "lines": "scenario,line_code,line_name,service_area,category,annual_budget,actual_ytd,committed_remaining,"
        "projected_change,savings_adjustment,forecast_outturn,variance,variance_pct",
        "placements": "scenario,placement_type,month,month_end_number,average_number,number_p10,number_p90,"
        "gross_cost,contributions,net_cost",
        "workforce": "scenario,team,month,permanent_fte,agency_fte,vacancies,permanent_cost,agency_cost,total_cost",
        "savings": "scenario,ref,title,line_code,status,planned,forecast_delivery,shortfall,added_to_outturn",
    }
    for table, header in expected.items():
        out = tmp_path / f"{table}.csv"
        call_command("export_forecast", str(run.pk), "--table", table, "--output", str(out))
        assert out.read_text(encoding="utf-8").splitlines()[0] == header
    out = tmp_path / "lines.csv"
    call_command("export_forecast", "latest", "--table", "lines", "--output", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    legal = next(r for r in rows if r["scenario"] == "middle" and r["line_code"] == "LEG-EXT")
    assert (
        legal["annual_budget"],
        legal["actual_ytd"],
        legal["forecast_outturn"],
        legal["variance"],
        legal["variance_pct"],
    ) == (
        "2600000.00",
        "456000.00",
        "2736000.00",
        "136000.00",
        "5.23",
    )
    assert [r["scenario"] for r in rows][:1] == ["best"]
    json_out = tmp_path / "lines.json"
    call_command("export_forecast", str(run.pk), "--format", "json", "--output", str(json_out))
    records = json.loads(json_out.read_text(encoding="utf-8"))
    assert (
        next(r for r in records if r["scenario"] == "middle" and r["line_code"] == "LEG-EXT")["forecast_outturn"]
        == "2736000.00"
    )


def test_export_forecast_refuses_an_unknown_or_unfinished_run(ledger, authority) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="No forecast run 999"):
        call_command("export_forecast", "999")
    run = forecast_run_request(authority=authority, year=ledger, period=2, user=None)
    with pytest.raises(CommandError, match="only a finished run has outputs"):
        call_command("export_forecast", str(run.pk))


def test_run_forecast_without_wait_requests_a_run(
    ledger,
    capsys,
    dispatched_runs,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_forecast", "--year", "2019/20", "--period", "2")
    assert "requested for 2019/20 period 2" in capsys.readouterr().out
    assert len(dispatched_runs) == 1
    with pytest.raises(CommandError, match="no financial year 2031/32"):
        call_command("run_forecast", "--year", "2031/32", "--period", "2")
