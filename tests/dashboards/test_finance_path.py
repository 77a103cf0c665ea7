"""The finance officer finds the forecast: the menu links to it, and a finished run links to its
dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dashboards.county import build_county, run_forecast

pytestmark = pytest.mark.django_db


def test_every_role_has_the_forecast_in_the_menu(finance_officer, director, client_for) -> None:  # type: ignore[no-untyped-def]
    for user in (finance_officer, director):
        home = client_for(user).get(reverse("home")).content.decode()
        assert f'href="{reverse("dashboards:period")}"' in home, user.role


def test_a_finished_run_links_to_its_dashboard(authority, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    year, _ = build_county(authority=authority, user=finance_officer)
    run = run_forecast(authority=authority, year=year, user=finance_officer)
    client = client_for(finance_officer)
    page = client.get(reverse("forecast_runs:run", args=[run.pk])).content.decode()
    link = f"{reverse('dashboards:period')}?year={year.label}&amp;period={run.period}&amp;run={run.pk}"
    assert link in page and "Read this forecast on the dashboard" in page
    dashboard = client.get(link.replace("&amp;", "&"))
    assert dashboard.status_code == 200 and f"Forecast run {run.pk}" in dashboard.content.decode()
