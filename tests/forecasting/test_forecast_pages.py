"""The Run forecast button, the progress and results pages, downloads and scenario assumptions."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from forecast_runs.execute import forecast_run_execute
from forecasting.models import ForecastRun, ScenarioAssumption

pytestmark = pytest.mark.django_db


def test_a_finance_officer_runs_a_forecast_and_sees_its_results(
    client_for,
    finance_officer,
    ledger,
    dispatched_runs,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    client = client_for(finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/forecasts/request/", {"year": "2019/20", "period": "2"})
    run = ForecastRun.objects.get()
    assert response["Location"] == f"/forecasts/{run.pk}/" and dispatched_runs == [run.pk]
    waiting = client.get(f"/forecasts/{run.pk}/").content.decode()
    assert "Waiting for a worker" in waiting and "run-progress.js" in waiting
    assert client.get(f"/forecasts/{run.pk}/status/").json()["finished"] is False
    forecast_run_execute(run_id=run.pk)
    assert client.get(f"/forecasts/{run.pk}/status/").json()["status"] == "succeeded"
    page = client.get(f"/forecasts/{run.pk}/").content.decode()
    assert "Forecast outturn by scenario" in page and "£2,736,000" in page
    csv_text = client.get(f"/forecasts/{run.pk}/lines.csv").content.decode("utf-8-sig")
    assert csv_text.startswith("scenario,line_code,line_name")
    assert client.get(f"/forecasts/{run.pk}/movement.xlsx").status_code == 200


def test_a_director_reads_runs_but_cannot_start_one_and_other_authorities_get_404(
    client_for,
    director,
    other_finance_officer,
    finance_officer,
    ledger,  # type: ignore[no-untyped-def]
) -> None:
    assert client_for(director).post("/forecasts/request/", {"year": "2019/20", "period": "2"}).status_code == 403
    client_for(finance_officer).post("/forecasts/request/", {"year": "2019/20", "period": "2"})
    run = ForecastRun.objects.get()
    assert client_for(director).get(f"/forecasts/{run.pk}/").status_code == 200
    outsider = client_for(other_finance_officer)
    assert outsider.get(f"/forecasts/{run.pk}/").status_code == 404
    assert outsider.get(f"/forecasts/{run.pk}/status/").status_code == 404
    assert outsider.get(f"/forecasts/{run.pk}/lines.csv").status_code == 404


def test_a_failed_run_shows_its_error_not_a_traceback(client_for, finance_officer, year) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    client.post("/forecasts/request/", {"year": "2019/20", "period": "1"})
    run = ForecastRun.objects.get()
    forecast_run_execute(run_id=run.pk)
    page = client.get(f"/forecasts/{run.pk}/").content.decode()
    assert "The forecast could not be made" in page and "Traceback" not in page


def test_scenario_assumptions_are_added_removed_and_audited_in_the_browser(
    client_for, finance_officer, placement_types
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    page = client.post("/scenarios/", {"scenario": "worst", "demand_method": "net_change"}).content.decode()
    assert "Enter the change by March" in page
    client.post(
        "/scenarios/",
        {
            "scenario": "worst",
            "placement_type": "residential_external",
            "demand_method": "net_change",
            "net_change": "25",
            "new_unit_cost": "£5,250",
        },
    )
    row = ScenarioAssumption.objects.get()
    assert (row.scenario.name, row.net_change, row.new_unit_cost) == ("worst", 25, 525_000)
    assert "net change 25" in client.get("/scenarios/").content.decode()
    assert (
        client.get("/scenarios/?format=csv")
        .content.decode("utf-8-sig")
        .splitlines()[1]
        .startswith("worst,residential_external,net_change,25,5250.00")
    )
    client.post(f"/scenarios/{row.pk}/delete/")
    assert not ScenarioAssumption.objects.exists()
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "scenario.assumption_add",
        "scenario.assumption_delete",
    ]


def test_the_scenarios_file_replaces_the_scenarios_it_names_and_refuses_bad_rows(authority, placement_types) -> None:  # type: ignore[no-untyped-def]
    from core.services import import_run

    good = (
        "scenario,placement_type,demand_method,net_change,new_unit_cost,agency_target_fte,team,billable_factor,"
        'delivery_at_risk_pct\nmiddle,residential_external,net_change,25,"£5,000",,,,\n'
        "middle,,,,,66,,0.88,\nbest,,,,,,,,75\n"
    )
    plan, result = import_run(
        authority=authority, kind="scenarios", source="s.csv", data=good.encode(), options={}, user=None
    )
    assert plan.ok and result is not None
    assert ScenarioAssumption.objects.filter(scenario__name="middle").count() == 2
    plan, _ = import_run(
        authority=authority, kind="scenarios", source="s.csv", data=good.encode(), options={}, user=None
    )
    assert ScenarioAssumption.objects.count() == 3  # replaced, not added to
    bad = (
        "scenario,placement_type,demand_method,net_change,new_unit_cost\nmiddle,castle,net_change,,-5\nworst,,guess,,\n"
    )
    plan, result = import_run(
        authority=authority, kind="scenarios", source="bad.csv", data=bad.encode(), options={}, user=None
    )
    messages = [str(p) for p in plan.errors]
    assert result is None
    assert any("row 2, column placement_type: is not a finance placement type" in m for m in messages)
    assert any("row 2, column net_change: is blank; the net_change method needs" in m for m in messages)
    assert any("row 2, column new_unit_cost" in m and "negative" in m for m in messages)
    assert any("row 3, column demand_method: 'guess' is not one of" in m for m in messages)
    assert ScenarioAssumption.objects.count() == 3
