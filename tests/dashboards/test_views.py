"""The period dashboard, drill-down and downloads (issue 7: dashboard, exports)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from dashboards import services
from dashboards.document.downloads import find_chart
from forecast_runs.exports import export_frame, run_table_frame
from forecasting.engine.money import millions_text, pounds_text
from tests.dashboards.county import everything_looked_at
from workforce.models import Team

pytestmark = pytest.mark.django_db


def _query(run, **extra) -> str:  # type: ignore[no-untyped-def]
    params = {"year": run.year.label, "period": run.period, "run": run.pk, **extra}
    return "&".join(f"{k}={v}" for k, v in params.items())


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_director_sees_the_headline_and_every_driver_with_its_table(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(director).get(reverse("dashboards:period"))
    assert response.status_code == 200
    html = response.content.decode()
    doc = response.context["doc"]
    # Budget £3,866,000 (see the county); outturn and variance from the run's lines.
    assert doc["department"]["budget"] == 386_600_000
    assert 'id="headline-budget">£3,866,000<' in html
    for chart in doc["charts"]:
        assert f'id="table-{chart["key"]}"' in html
        if chart["figure"]:
            assert f'data-chart="chart-{chart["key"]}-data"' in html and f'id="chart-{chart["key"]}-data"' in html
    assert 'id="sign-off"' in html and "<script>" not in html  # no inline scripts, data only in json_script


def test_the_headline_csv_matches_the_lines_export_to_the_penny(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(director).get(f"{reverse('dashboards:table', args=['headline', 'csv'])}?{_query(run)}")
    rows = {r["Scenario"]: r for r in _csv(response)}
    lines = export_frame(run, "lines")
    middle = lines[lines["scenario"] == "middle"]
    assert rows["middle"]["Forecast outturn"] == str(middle["forecast_outturn"].sum())
    assert rows["middle"]["Budget"] == str(middle["annual_budget"].sum())


def test_every_table_downloads_as_csv_and_xlsx(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    doc = client.get(f"{reverse('dashboards:period')}?{_query(run)}").context["doc"]
    names = ["headline", "services", "savings", *(c["key"] for c in doc["charts"])]
    for name in names:
        for fmt in ("csv", "xlsx"):
            response = client.get(f"{reverse('dashboards:table', args=[name, fmt])}?{_query(run)}")
            assert response.status_code == 200, (name, fmt)
            assert response["Content-Disposition"].endswith(f'.{fmt}"')
    spend = _csv(client.get(f"{reverse('dashboards:table', args=['spend', 'csv'])}?{_query(run)}"))
    chart = find_chart(doc, "spend")
    assert chart is not None
    assert [r["Forecast outturn"] for r in spend] == [
        f"{v / 100:.2f}" for v in (row["forecast_outturn"] for row in chart["table"]["rows"])
    ]


def test_the_scenario_selector_shows_the_worst_case(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    worst = client.get(f"{reverse('dashboards:period')}?{_query(run, scenario='worst')}").context["doc"]
    middle = client.get(f"{reverse('dashboards:period')}?{_query(run)}").context["doc"]
    assert worst["meta"]["scenario"] == "worst"
    assert worst["department"]["outturn"] > middle["department"]["outturn"]
    assert client.get(f"{reverse('dashboards:period')}?{_query(run, scenario='nonsense')}").status_code == 404


def test_the_drill_down_goes_from_service_to_lines_to_the_children_and_teams(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    care = client.get(f"{reverse('dashboards:service')}?{_query(run, service='Children in Care')}")
    assert care.status_code == 200
    # In line order: CIC-FOS-IFA, then CIC-RES-EXT.
    assert [p["code"] for p in care.context["placements"]] == ["fostering_ifa", "residential_external"]
    register = reverse("placements:register")
    assert f"{register}?placement_type=residential_external&amp;open_on=31%2F07%2F2019".encode() in care.content
    july = care.context["placements"][1]["rows"][3]
    assert (july["month"], july["actual"], july["month_end_number"]) == ("Jul 2019", True, 9.0)
    social = client.get(f"{reverse('dashboards:service')}?{_query(run, service='Social Work')}")
    team = Team.objects.get(code="CP")
    assert reverse("workforce:team", args=[team.pk]).encode() in social.content
    assert client.get(f"{reverse('dashboards:service')}?{_query(run, service='Nope')}").status_code == 404


def test_the_dashboard_shows_again_from_the_runs_figures_once_built(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    # How quickly is `make bench`'s business; here, that the second visit shows the same page.
    client = client_for(director)
    first = client.get(reverse("dashboards:period"))  # builds and caches the run's figures
    response = client.get(reverse("dashboards:period"))
    assert response.status_code == 200
    assert response.context["doc"] == first.context["doc"]


def test_the_committee_view_downloads_come_from_the_snapshot(run, director, committee_member, client_for) -> None:  # type: ignore[no-untyped-def]
    published = services.period_sign_off(
        authority=run.authority, user=director, run=run, comment="ok", acknowledged=everything_looked_at(run)
    )
    client = client_for(committee_member)
    for name in ("headline", "services", "savings", "movement", "children", "bridge", "scenarios"):
        response = client.get(reverse("dashboards:published_table", args=[published.pk, name, "csv"]))
        assert response.status_code == (404 if name == "movement" else 200), name
    rows = _csv(client.get(reverse("dashboards:published_table", args=[published.pk, "headline", "csv"])))
    assert rows[1]["Forecast outturn"] == f"{published.document['department']['outturn'] / 100:.2f}"


def test_the_headline_sentence_gives_the_likely_range_of_a_statistical_middle(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    ranges = run_table_frame(run, "outturn_ranges")
    department = ranges[ranges["level"] == "department"].iloc[0]
    low, high = int(department["outturn_p10"]), int(department["outturn_p90"])
    assert low < int(department["outturn"]) < high  # residential by the statistical model has an interval
    response = client_for(director).get(reverse("dashboards:period"))
    sentence = response.content.decode().split('id="headline-sentence">')[1].split("</p>")[0]
    assert f"likely between {millions_text(low)} and {millions_text(high)}" in sentence
    assert response.context["doc"]["department"]["outturn"] == int(department["outturn"])


def test_the_run_page_gives_the_likely_range_of_the_middle_scenario_only(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(director).get(reverse("forecast_runs:run", args=[run.pk]))
    html = response.content.decode()
    table = html.split('id="headline">')[1].split("</table>")[0]
    assert "Likely range" in table
    heads = {h.scenario: h for h in response.context["headlines"]}
    middle = heads["middle"]
    assert middle.has_range and not heads["best"].has_range and not heads["worst"].has_range
    assert f"{pounds_text(middle.likely_low)} to {pounds_text(middle.likely_high)}" in table
