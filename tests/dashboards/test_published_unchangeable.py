"""Published means unchangeable (issue 13, point 6): the stored PDF, the seal and every table a
published period is served from refuse changes through the ORM and through SQL, and a download
whose stored SHA-256 no longer matches is refused, logged, audited and sent to the administrators."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from accounts.models import AuditEvent, Role
from dashboards import printing, services
from dashboards.models import PublishedPeriod, PublishedSeal, SnapshotFrozenError, SnapshotPdf
from dashboards.seals import SEALED_FIELDS, published_digest
from forecasting.models import ForecastLineResult, ForecastRun, ForecastTable
from tests.dashboards.county import everything_looked_at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.7 the committee pack as printed"
CONTENT_SHA = hashlib.sha256(CONTENT).hexdigest()
REFUSAL = "This published report no longer matches what was signed off"


@pytest.fixture
def published(run, director):  # type: ignore[no-untyped-def]
    return services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
    )


@pytest.fixture
def ready_pdf(published):  # type: ignore[no-untyped-def]
    return SnapshotPdf.objects.create(
        published=published, status=SnapshotPdf.Status.READY, content=CONTENT, sha256=CONTENT_SHA, pages=1
    )


def refused(sql: str, params: list[object] | None = None, match: str = "cannot be") -> None:
    """The statement fails in the database (a trigger), and nothing it did stays."""
    with pytest.raises(IntegrityError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def truncate_refused(table: str) -> None:
    # The rows this test just wrote still have deferred foreign-key checks pending, which would
    # stop any TRUNCATE; running them now leaves only the trigger to answer.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    refused(f"TRUNCATE {table} CASCADE", match="cannot be emptied")


def as_owner_without_triggers(table: str, sql: str, params: list[object]) -> None:
    """What someone with the table owner's rights could do: switch the triggers off, write, and
    switch them on again. The deployment's app role cannot (tests/core/test_database_roles.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as truncate_refused says
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


# --------------------------------------------------------------------------------------------
# The PDF
# --------------------------------------------------------------------------------------------


def test_a_finished_pdf_cannot_be_changed_or_deleted_through_the_orm(ready_pdf) -> None:  # type: ignore[no-untyped-def]
    ready_pdf.content = b"%PDF another file"
    with pytest.raises(SnapshotFrozenError):
        ready_pdf.save()
    with pytest.raises(SnapshotFrozenError):
        ready_pdf.delete()
    rows = SnapshotPdf.objects.filter(pk=ready_pdf.pk)
    with pytest.raises(SnapshotFrozenError):
        rows.update(content=b"%PDF another file", sha256="0" * 64)
    with pytest.raises(SnapshotFrozenError):
        rows.update(status=SnapshotPdf.Status.FAILED)
    with pytest.raises(SnapshotFrozenError):
        rows.delete()
    with pytest.raises(SnapshotFrozenError):
        SnapshotPdf.objects.bulk_update([ready_pdf], ["content"])
    stored = SnapshotPdf.objects.get(pk=ready_pdf.pk)
    assert bytes(stored.content) == CONTENT and stored.sha256 == CONTENT_SHA


def test_the_database_refuses_sql_that_changes_or_empties_a_finished_pdf(ready_pdf) -> None:  # type: ignore[no-untyped-def]
    table = SnapshotPdf._meta.db_table
    refused(f"UPDATE {table} SET content = %s WHERE id = %s", [b"%PDF another file", ready_pdf.pk])
    refused(f"UPDATE {table} SET sha256 = %s WHERE id = %s", ["0" * 64, ready_pdf.pk])
    refused(f"UPDATE {table} SET status = 'pending', sha256 = '' WHERE id = %s", [ready_pdf.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [ready_pdf.pk])
    truncate_refused(table)
    stored = SnapshotPdf.objects.get(pk=ready_pdf.pk)
    assert bytes(stored.content) == CONTENT and stored.sha256 == CONTENT_SHA


def test_a_pdf_becomes_ready_once_and_only_with_the_hash_of_its_own_bytes(published) -> None:  # type: ignore[no-untyped-def]
    pdf = SnapshotPdf.objects.create(published=published)
    table = SnapshotPdf._meta.db_table
    # Ready with a hash that is not of its bytes: refused by the database.
    refused(
        f"UPDATE {table} SET status = 'ready', content = %s, sha256 = %s WHERE id = %s",
        [CONTENT, "0" * 64, pdf.pk],
        match="SHA-256 of its own bytes",
    )
    # The worker's one transition, pending -> running -> ready, goes through.
    SnapshotPdf.objects.filter(pk=pdf.pk).update(status=SnapshotPdf.Status.RUNNING)
    SnapshotPdf.objects.filter(pk=pdf.pk, content__isnull=True).update(
        status=SnapshotPdf.Status.READY, content=CONTENT, sha256=CONTENT_SHA
    )
    pdf.refresh_from_db()
    assert pdf.is_sealed
    with pytest.raises(SnapshotFrozenError):
        SnapshotPdf.objects.filter(pk=pdf.pk).update(stage="Ready again")


# --------------------------------------------------------------------------------------------
# The published version, its seal and the rows of its run
# --------------------------------------------------------------------------------------------


def test_sign_off_seals_the_version_as_stored(published) -> None:  # type: ignore[no-untyped-def]
    seal = PublishedSeal.objects.get(published=published)
    stored = PublishedPeriod.objects.values(*SEALED_FIELDS).get(pk=published.pk)
    assert seal.sha256 == published_digest(stored)
    assert len(seal.sha256) == 64


def test_the_seal_and_the_version_refuse_every_change(published) -> None:  # type: ignore[no-untyped-def]
    seal = PublishedSeal.objects.get(published=published)
    seal.sha256 = "0" * 64
    with pytest.raises(SnapshotFrozenError):
        seal.save()
    with pytest.raises(SnapshotFrozenError):
        seal.delete()
    with pytest.raises(SnapshotFrozenError):
        PublishedSeal.objects.filter(pk=seal.pk).update(sha256="0" * 64)
    with pytest.raises(SnapshotFrozenError):
        PublishedSeal.objects.filter(pk=seal.pk).delete()
    with pytest.raises(SnapshotFrozenError):
        PublishedPeriod.objects.bulk_update([published], ["comment"])
    with pytest.raises(SnapshotFrozenError):
        PublishedPeriod.objects.bulk_create([PublishedPeriod(run=published.run)])
    refused("UPDATE dashboards_publishedseal SET sha256 = %s WHERE id = %s", ["0" * 64, seal.pk])
    refused("DELETE FROM dashboards_publishedseal WHERE id = %s", [seal.pk])
    refused("DELETE FROM dashboards_publishedperiod WHERE id = %s", [published.pk])
    refused("UPDATE dashboards_publishedperiod SET document = '{}' WHERE id = %s", [published.pk])
    for table in ("dashboards_publishedseal", "dashboards_publishedperiod"):
        truncate_refused(table)
    assert PublishedSeal.objects.get(pk=seal.pk).sha256 == published_digest(
        PublishedPeriod.objects.values(*SEALED_FIELDS).get(pk=published.pk)
    )


def test_the_rows_of_a_published_run_cannot_be_changed_deleted_or_added_to(published) -> None:  # type: ignore[no-untyped-def]
    run = ForecastRun.objects.get(pk=published.run_id)
    line = ForecastLineResult.objects.filter(run=run).first()
    table = ForecastTable.objects.filter(run=run).first()
    assert line is not None and table is not None
    outturn, rows = line.forecast_outturn, table.rows
    # The model refuses.
    run.stage = "edited"
    with pytest.raises(SnapshotFrozenError):
        run.save()
    line.forecast_outturn = 1
    with pytest.raises(SnapshotFrozenError):
        line.save()
    # Django deletes inside a transaction of its own, which the refusal rolls back.
    with pytest.raises(SnapshotFrozenError), transaction.atomic():
        line.delete()
    with pytest.raises(SnapshotFrozenError), transaction.atomic():
        ForecastTable.objects.filter(run=run).delete()
    with pytest.raises(SnapshotFrozenError):
        ForecastTable.objects.create(run=run, name="extra", columns=[], rows=[])
    # The database refuses what passes the model by: queryset updates and bulk inserts.
    for attempt in (
        lambda: ForecastRun.objects.filter(pk=run.pk).update(status=ForecastRun.Status.FAILED),
        lambda: ForecastLineResult.objects.filter(run=run).update(forecast_outturn=1),
        lambda: ForecastTable.objects.filter(run=run).update(rows=[]),
        lambda: ForecastLineResult.objects.bulk_create([ForecastLineResult(**{**_fields(line), "scenario": "extra"})]),
    ):
        with pytest.raises(IntegrityError, match="published forecast run"), transaction.atomic():
            attempt()
    # And raw SQL, row by row and by TRUNCATE.
    refused("UPDATE forecasting_forecastrun SET finished_at = NULL WHERE id = %s", [run.pk])
    refused("DELETE FROM forecasting_forecastlineresult WHERE run_id = %s", [run.pk])
    refused("UPDATE forecasting_forecastlineresult SET variance = 0 WHERE id = %s", [line.pk])
    refused("UPDATE forecasting_forecasttable SET rows = '[]' WHERE id = %s", [table.pk])
    refused("DELETE FROM forecasting_forecasttable WHERE run_id = %s", [run.pk])
    for name in ("forecasting_forecastlineresult", "forecasting_forecasttable", "forecasting_forecastrun"):
        truncate_refused(name)
    line.refresh_from_db()
    table.refresh_from_db()
    assert (line.forecast_outturn, table.rows) == (outturn, rows)
    assert ForecastRun.objects.get(pk=run.pk).status == ForecastRun.Status.SUCCEEDED
    # Only the broker's task id, which nothing published shows, may still be written.
    assert ForecastRun.objects.filter(pk=run.pk).update(task_id="sent-after-sign-off") == 1


def _fields(line: ForecastLineResult) -> dict[str, object]:
    return {f.attname: getattr(line, f.attname) for f in ForecastLineResult._meta.concrete_fields if f.attname != "id"}


def test_an_unpublished_run_can_still_have_its_results_replaced(run, published, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    from tests.dashboards.county import run_forecast

    newer = run_forecast(authority=authority, year=run.year, user=finance_officer)
    assert newer.pk != published.run_id
    assert ForecastLineResult.objects.filter(run=newer).update(variance=0) > 0
    assert ForecastTable.objects.filter(run=newer).delete()[0] > 0


# --------------------------------------------------------------------------------------------
# Downloads check the stored SHA-256
# --------------------------------------------------------------------------------------------


@pytest.fixture
def alerted(settings, authority):  # type: ignore[no-untyped-def]
    settings.ADMINS = [("Service desk", "desk@example.gov.uk")]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    UserFactory(username="ada", authority=authority, role=Role.ADMINISTRATOR, email="ada@example.gov.uk")
    return settings


def test_an_untouched_pdf_and_table_are_served(ready_pdf, published, committee_member, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(committee_member)
    response = client.get(reverse("dashboards:published_pdf_download", args=[published.pk]))
    assert response.status_code == 200 and response.content == CONTENT
    assert client.get(reverse("dashboards:published_table", args=[published.pk, "headline", "csv"])).status_code == 200
    assert not AuditEvent.objects.filter(action="dashboards.tampering_refused").exists()


def test_a_pdf_replaced_below_the_application_is_refused_logged_audited_and_alerted(
    ready_pdf, published, committee_member, client_for, alerted, caplog
) -> None:  # type: ignore[no-untyped-def]
    as_owner_without_triggers(
        "dashboards_snapshotpdf",
        "UPDATE dashboards_snapshotpdf SET content = %s WHERE id = %s",
        [b"%PDF-1.7 a different story", ready_pdf.pk],
    )
    with caplog.at_level(logging.ERROR, logger="dashboards.integrity"):
        response = client_for(committee_member).get(reverse("dashboards:published_pdf_download", args=[published.pk]))
    assert response.status_code == 409
    page = response.content.decode()
    assert REFUSAL in page and "The administrators have been told" in page
    assert response["Content-Type"].startswith("text/html") and b"a different story" not in response.content
    event = AuditEvent.objects.get(action="dashboards.tampering_refused")
    assert event.user == committee_member and event.object_id == str(published.pk)
    assert event.before == {"sha256": CONTENT_SHA}
    assert event.after == {"sha256": hashlib.sha256(b"%PDF-1.7 a different story").hexdigest()}
    assert [r.levelname for r in caplog.records if r.name == "dashboards.integrity"] == ["ERROR"]
    assert sorted(to for message in mail.outbox for to in message.to) == ["ada@example.gov.uk", "desk@example.gov.uk"]
    assert all("no longer matches what was signed off" in message.body for message in mail.outbox)


def test_a_published_table_changed_below_the_application_is_refused(
    ready_pdf, published, director, client_for, alerted
) -> None:  # type: ignore[no-untyped-def]
    # The headline outturn is rewritten in the stored document, as an owner with the triggers off could.
    as_owner_without_triggers(
        "dashboards_publishedperiod",
        "UPDATE dashboards_publishedperiod SET document = jsonb_set(document, '{department,outturn}', '1') "
        "WHERE id = %s",
        [published.pk],
    )
    client = client_for(director)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("dashboards:published_table", args=[published.pk, "headline", fmt]))
        assert response.status_code == 409 and REFUSAL in response.content.decode()
    # The PDF was made from the signed-off version; with that version changed it is not served either.
    assert client.get(reverse("dashboards:published_pdf_download", args=[published.pk])).status_code == 409
    assert AuditEvent.objects.filter(action="dashboards.tampering_refused", object_id=str(published.pk)).count() == 3
    seal = PublishedSeal.objects.get(published=published).sha256
    assert AuditEvent.objects.filter(action="dashboards.tampering_refused").first().before == {"sha256": seal}


def test_a_changed_version_is_not_printed(published, director, alerted) -> None:  # type: ignore[no-untyped-def]
    pdf = SnapshotPdf.objects.create(published=published, requested_by=director)
    as_owner_without_triggers(
        "dashboards_publishedperiod",
        "UPDATE dashboards_publishedperiod SET comment = 'Not what was said' WHERE id = %s",
        [published.pk],
    )
    assert printing.snapshot_pdf_generate(pdf_id=pdf.pk) == SnapshotPdf.Status.FAILED
    pdf.refresh_from_db()
    assert pdf.content is None and "no longer matches what was signed off" in pdf.error
    assert AuditEvent.objects.filter(action="dashboards.tampering_refused", user=None).count() == 1
