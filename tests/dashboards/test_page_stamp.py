"""The dashboard's stamp changes with everything the page reads from the database, and only with
the reader's own authority's rows; the page kept under it follows each change at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from benchmarks.models import AuthorityLink, Release
from dashboards.models import ServiceCommentary
from dashboards.page_stamp import dashboard_stamp
from forecasting.models import ForecastRun
from forecasting.services import financial_year_get_or_create
from tests.dashboards.county import run_forecast
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db


def test_each_thing_the_page_reads_moves_the_stamp(run, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    last = [dashboard_stamp(authority=authority)]

    def moved() -> bool:
        stamp = dashboard_stamp(authority=authority)
        changed = stamp != last[-1]
        last.append(stamp)
        return changed

    ForecastRun.objects.create(authority=authority, year=run.year, period=run.period, status=ForecastRun.Status.PENDING)
    assert not moved()  # a run not finished is not shown
    run_forecast(authority=authority, year=run.year, period=run.period, user=finance_officer)
    assert moved()
    note = ServiceCommentary.objects.create(
        authority=authority, year=run.year, period=run.period, service_area="Legal", text="First words."
    )
    assert moved()
    note.text = "Second words."
    note.save()
    assert moved()
    note.delete()
    assert moved()  # back to the stamp of no commentary, whose page showed none
    assert last[-1] == last[2]
    financial_year_get_or_create(authority=authority, label="2020/21")
    assert moved()
    AuthorityLink.objects.create(authority=authority, la_number=891)
    assert moved()
    Release.objects.create(kind=Release.Kind.NEIGHBOURS, published_on=date(2024, 5, 1))
    assert moved()
    other = AuthorityFactory()
    financial_year_get_or_create(authority=other, label="2019/20")
    assert not moved()  # another authority's year


def test_a_new_run_shows_on_the_kept_page_at_once(run, authority, director, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    url = reverse("dashboards:period")
    first = client.get(url).content.decode()
    assert f"forecast run {run.pk}</a>" in first
    newer = run_forecast(authority=authority, year=run.year, period=run.period, user=finance_officer)
    second = client.get(url).content.decode()
    assert f"forecast run {newer.pk}</a>" in second
