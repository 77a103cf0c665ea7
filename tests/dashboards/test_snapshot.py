"""A published period is frozen (issue 7: immutable snapshots)."""

from __future__ import annotations

import copy
import re

import pytest
from django.db import connection, transaction
from django.urls import reverse

from dashboards import services
from dashboards.models import PublishedPeriod, SnapshotFrozenError
from forecasting.services import actuals_save
from tests.dashboards.county import everything_looked_at, run_forecast

pytestmark = pytest.mark.django_db


def _main(html: bytes) -> str:
    """The page's main content without the per-request CSRF tokens."""
    text = html.decode()
    text = text[text.index("<main") : text.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


@pytest.fixture
def published(run, director, finance_officer):  # type: ignore[no-untyped-def]
    services.commentary_save(
        authority=run.authority,
        user=finance_officer,
        year=run.year,
        period=run.period,
        texts={"Children in Care": "Two more children in external residential care."},
    )
    return services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
    )


def test_the_snapshot_holds_everything_the_committee_view_needs(published) -> None:  # type: ignore[no-untyped-def]
    document = published.document
    assert {
        "meta",
        "headlines",
        "department",
        "services",
        "charts",
        "savings",
        "assumptions",
        "commentary",
        "movement",
        "publication",
    } <= set(document)
    assert document["commentary"][0]["text"] == "Two more children in external residential care."
    keys = {c["key"] for c in document["charts"]}
    assert {
        "children",
        "fan-residential_external",
        "mix",
        "high-cost",
        "spend",
        "bridge",
        "agency",
        "rates",
        "caseloads",
        "scenarios",
    } <= keys
    assert all(c["figure"]["data"] for c in document["charts"] if c["figure"] is not None)


def test_a_published_period_cannot_be_changed_or_deleted(published) -> None:  # type: ignore[no-untyped-def]
    published.comment = "edited"
    with pytest.raises(SnapshotFrozenError):
        published.save()
    with pytest.raises(SnapshotFrozenError):
        PublishedPeriod.objects.filter(pk=published.pk).update(comment="edited")
    with pytest.raises(SnapshotFrozenError):
        published.delete()
    with pytest.raises(SnapshotFrozenError):
        PublishedPeriod.objects.filter(pk=published.pk).delete()
    # Below the ORM too: the database refuses a raw update.
    with (
        pytest.raises(Exception, match="published period cannot be changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE dashboards_publishedperiod SET comment = 'edited' WHERE id = %s", [published.pk])
    assert PublishedPeriod.objects.get(pk=published.pk).comment == "For committee."


def test_a_published_period_is_unchanged_after_new_actuals_arrive(
    published, run, county, authority, director, finance_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    frozen = copy.deepcopy(PublishedPeriod.objects.get(pk=published.pk).document)
    client = client_for(director)
    before = _main(client.get(reverse("dashboards:published", args=[published.pk])).content)
    # A correction: period 4's legal spend was £24,000 too low, and the commentary is rewritten.
    legal = authority.budget_lines.get(code="LEG-EXT")
    actuals_save(
        authority=authority,
        user=finance_officer,
        period=county.periods.get(number=4),
        amounts={legal.pk: 2_400_000 + 2_400_000},
    )
    services.commentary_save(
        authority=authority,
        user=finance_officer,
        year=county,
        period=4,
        texts={"Children in Care": "Rewritten after publication."},
    )
    newer = run_forecast(authority=authority, year=county, user=finance_officer)
    assert newer.pk != run.pk
    live = client.get(f"{reverse('dashboards:period')}?year={county.label}&period=4").context["doc"]
    assert live["department"]["outturn"] != frozen["department"]["outturn"]
    assert PublishedPeriod.objects.get(pk=published.pk).document == frozen
    assert _main(client.get(reverse("dashboards:published", args=[published.pk])).content) == before
    csv = client.get(reverse("dashboards:published_table", args=[published.pk, "headline", "csv"])).content.decode()
    assert f"{frozen['department']['outturn'] / 100:.2f}" in csv


def test_the_snapshot_records_movement_since_the_previous_published_period(
    county, authority, director, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    period3 = run_forecast(authority=authority, year=county, period=3, user=finance_officer)
    first = services.period_sign_off(
        authority=authority, user=director, run=period3, comment="P3.", acknowledged=everything_looked_at(period3)
    )
    period4 = run_forecast(authority=authority, year=county, period=4, user=finance_officer)
    second = services.period_sign_off(
        authority=authority, user=director, run=period4, comment="P4.", acknowledged=everything_looked_at(period4)
    )
    movement = second.document["movement"]
    assert movement["previous_id"] == first.pk and movement["previous_period"] == 3
    then, now = first.document["department"]["outturn"], second.document["department"]["outturn"]
    assert movement["department"] == {"previous": then, "outturn": now, "movement": now - then}
    accuracy = next(c for c in second.document["charts"] if c["key"] == "accuracy")
    rows = {(r["year"], r["period"]): r for r in accuracy["table"]["rows"]}
    # Period 3's published forecast against the latest forecast (period 4) of the open year.
    assert rows[("2019/20", 3)]["forecast"] == then and rows[("2019/20", 3)]["reference"] == now
