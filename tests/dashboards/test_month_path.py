"""One path through the month (issue 12, point 3): the finance officer's steps, done or next, from
the data; the officer's menu in the month's order; directors and councillors land on the latest
period they may see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from dashboards import services
from dashboards.month_path import current_period, month_steps
from forecasting.services import period_submit
from placements.models import Placement
from tests.dashboards.county import everything_looked_at, run_forecast

pytestmark = pytest.mark.django_db

ALL_WRITTEN = {"Children in Care": "Residential up by one.", "Social Work": "Agency cover.", "Legal": "Proceedings."}


def _submit_up_to(year, number: int, user) -> None:  # type: ignore[no-untyped-def]
    for period in year.periods.filter(number__lte=number).order_by("number"):
        period_submit(period=period, user=user, forecast=False)


def _states(authority, year) -> dict[str, str]:  # type: ignore[no-untyped-def]
    period = current_period(year)
    return {
        s.key: "next" if s.is_next else "done" if s.done else "not done"
        for s in month_steps(authority=authority, year=year, period=period)
    }


def test_the_steps_move_along_the_month_from_the_data(county, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    _submit_up_to(county, 3, finance_officer)
    assert current_period(county).number == 4
    # Actuals for periods 1–4 are in and the register and team were written today, after July 2019.
    steps = {s.key: s for s in month_steps(authority=authority, year=county, period=current_period(county))}
    assert steps["actuals"].done and steps["actuals"].evidence.startswith(
        "Actuals loaded for all 5 lines up to period 4"
    )
    assert steps["lists"].done
    assert steps["lists"].evidence.startswith("Placement register updated ")
    assert steps["lists"].evidence.endswith("; no savings tracker in use.")
    assert steps["forecast"].is_next and steps["forecast"].evidence == "No forecast as at period 4 yet."
    assert [s.title for s in steps.values()] == [
        "Load the actuals for period 4 (July 2019)",
        "Update the placement register, workforce list and savings tracker",
        "Run the forecast as at period 4",
        "Read the forecast on the dashboard",
        "Write the variance commentary",
        "Submit period 4",
    ]

    run = run_forecast(authority=authority, year=county, user=finance_officer)
    assert _states(authority, county) == {
        "actuals": "done",
        "lists": "done",
        "forecast": "done",
        "dashboard": "next",
        "commentary": "not done",
        "submit": "not done",
    }
    steps = {s.key: s for s in month_steps(authority=authority, year=county, period=current_period(county))}
    assert steps["dashboard"].url == f"{reverse('dashboards:period')}?year=2019/20&period=4&run={run.pk}"
    assert steps["commentary"].evidence == (
        "Written for 0 of 3 services; not yet for Children in Care, Legal, Social Work."
    )

    services.commentary_save(
        authority=authority, user=finance_officer, year=county, period=4, texts={"Legal": "Proceedings."}
    )
    steps = {s.key: s for s in month_steps(authority=authority, year=county, period=current_period(county))}
    assert steps["dashboard"].done and steps["commentary"].is_next
    assert steps["commentary"].evidence == "Written for 1 of 3 services; not yet for Children in Care, Social Work."

    services.commentary_save(authority=authority, user=finance_officer, year=county, period=4, texts=ALL_WRITTEN)
    assert _states(authority, county)["submit"] == "next"
    assert _states(authority, county)["commentary"] == "done"

    # Submitting period 4 moves the month on to period 5, whose actuals are not in yet.
    period_submit(period=county.periods.get(number=4), user=finance_officer, forecast=False)
    period = current_period(county)
    assert period.number == 5
    steps = month_steps(authority=authority, year=county, period=period)
    assert steps[0].is_next and steps[0].evidence == "No line has an actual yet for Period 5 (August 2019)."


def test_a_forecast_older_than_the_actuals_is_not_done(county, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    _submit_up_to(county, 3, finance_officer)
    run = run_forecast(authority=authority, year=county, user=finance_officer)
    from forecasting.services import actuals_save

    legal = authority.budget_lines.get(code="LEG-EXT")
    actuals_save(authority=authority, user=finance_officer, period=county.periods.get(number=4), amounts={legal.pk: 1})
    forecast = next(
        s for s in month_steps(authority=authority, year=county, period=current_period(county)) if s.key == "forecast"
    )
    assert not forecast.done and forecast.is_next
    assert forecast.evidence.startswith(f"Forecast run {run.pk} was made ")
    assert "before the actuals changed (LEG-EXT External legal costs for Period 4, July 2019, " in forecast.evidence


def test_lists_not_changed_since_the_month_ended_are_not_done(county, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    _submit_up_to(county, 3, finance_officer)
    # The register's last change was on 1 July 2019, before July 2019 (period 4) ended.
    Placement.objects.filter(authority=authority).update(updated_at=datetime(2019, 7, 1, 12, tzinfo=UTC))
    lists = next(
        s for s in month_steps(authority=authority, year=county, period=current_period(county)) if s.key == "lists"
    )
    assert not lists.done and lists.is_next  # the actuals are in: this is the next step
    assert lists.evidence.startswith("Placement register not changed since July 2019 ended; workforce list updated ")


def test_the_officers_home_page_shows_the_steps_with_the_first_not_done_marked_next(
    county, finance_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    _submit_up_to(county, 3, finance_officer)
    page = client_for(finance_officer).get(reverse("home")).content.decode()
    assert "Period 4 (July 2019): what is done and what is next" in page
    assert page.index("1. Load the actuals for period 4") < page.index("3. Run the forecast as at period 4")
    assert page.index("3. Run the forecast") < page.index("5. Write the variance commentary") < page.index("6. Submit")
    assert page.count('<strong class="govuk-tag govuk-tag--blue">Next</strong>') == 1
    assert 'id="step-forecast-status"><strong class="govuk-tag govuk-tag--blue">Next</strong>' in page
    assert 'id="step-actuals-status">Done</div>' in page


def test_the_officers_menu_follows_the_month(finance_officer, director, client_for) -> None:  # type: ignore[no-untyped-def]
    def labels(user) -> list[str]:  # type: ignore[no-untyped-def]
        return [label for _, label in client_for(user).get(reverse("home")).context["nav"]]

    officer = labels(finance_officer)
    path = ["Home", "Upload a file", "Placements", "Workforce", "Savings", "Forecast runs", "Forecast", "Periods"]
    assert [label for label in officer if label in path] == path
    assert officer.index("Periods") < officer.index("Budget lines")
    # Other roles' menus are not reordered.
    assert labels(director)[:2] == ["Home", "Forecast"]


def test_a_director_lands_on_the_latest_period_with_a_run(
    county, authority, director, finance_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    empty = client.get(reverse("home")).content.decode()
    assert "No forecast has been run yet." in empty
    run_forecast(authority=authority, year=county, period=3, user=finance_officer)
    run = run_forecast(authority=authority, year=county, user=finance_officer)
    page = client.get(reverse("home")).content.decode()
    assert "Latest forecast: 2019/20 period 4" in page
    assert f"?year=2019/20&amp;period=4&amp;run={run.pk}" in page and "Read the forecast for period 4" in page
    assert "Not yet signed off. 3 things need a look before sign-off." in page
    services.period_sign_off(
        authority=authority, user=director, run=run, comment="Ok.", acknowledged=everything_looked_at(run)
    )
    page = client.get(reverse("home")).content.decode()
    assert "This forecast is published as" in page and 'id="home-sign-off"' not in page


def test_a_councillor_lands_on_the_latest_published_period(
    run, authority, director, committee_member, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(committee_member)
    assert "No period has been published yet." in client.get(reverse("home")).content.decode()
    published = services.period_sign_off(
        authority=authority, user=director, run=run, comment="Ok.", acknowledged=everything_looked_at(run)
    )
    page = client.get(reverse("home")).content.decode()
    assert "Latest published: 2019/20 period 4" in page and "Version 1, signed off " in page
    assert f'href="{reverse("dashboards:published", args=[published.pk])}" id="latest-link"' in page
    # The menu's Forecast link takes a councillor to the same period.
    assert client.get(reverse("dashboards:period")).url == reverse("dashboards:published", args=[published.pk])
    variance = published.document["department"]["variance"]
    assert ("overspend" if variance > 0 else "underspend") in page and "-£" not in page


def test_the_month_is_about_the_first_period_not_yet_submitted(county, finance_officer) -> None:  # type: ignore[no-untyped-def]
    assert current_period(county).number == 1
    _submit_up_to(county, 2, finance_officer)
    assert current_period(county).number == 3
