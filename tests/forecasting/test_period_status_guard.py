"""A period's status changes only through the period services, which audit it (issue 13, point 6):
the model, its queryset and a database trigger refuse every other route."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import AuditEvent
from forecasting.models import Period, PeriodStatusError, period_status_change
from forecasting.services import actuals_save, period_lock, period_submit

pytestmark = pytest.mark.django_db

REFUSED = "status changes only through"


@pytest.fixture
def submitted(year, lines, finance_officer):  # type: ignore[no-untyped-def]
    period = year.periods.get(number=1)
    actuals_save(
        authority=year.authority,
        user=finance_officer,
        period=period,
        amounts={line.pk: 100 for line in lines.values()},
    )
    return period_submit(period=period, user=finance_officer, forecast=False)


def raw_sql_refused(sql: str, params: list[object]) -> None:
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_model_refuses_a_status_change_outside_the_service(submitted) -> None:  # type: ignore[no-untyped-def]
    period = Period.objects.get(pk=submitted.pk)
    period.status = Period.Status.OPEN
    with pytest.raises(PeriodStatusError, match=REFUSED):
        period.save()
    with pytest.raises(PeriodStatusError):
        Period(year=submitted.year, number=1, status=Period.Status.LOCKED).save()
    # Other columns still save.
    period.status = Period.Status.SUBMITTED
    period.save()
    assert Period.objects.get(pk=submitted.pk).status == Period.Status.SUBMITTED


def test_a_period_read_before_the_service_changed_it_saves_after_a_refresh(submitted, director) -> None:  # type: ignore[no-untyped-def]
    held = Period.objects.get(pk=submitted.pk)
    period_lock(period=submitted, user=director)
    held.refresh_from_db()
    assert held.status == Period.Status.LOCKED
    held.save()  # the status it was read with is the one it has: not a change
    held.refresh_from_db(fields=["submitted_at"])
    held.status = Period.Status.OPEN
    with pytest.raises(PeriodStatusError):
        held.save()


def test_the_queryset_refuses_a_status_change(submitted) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PeriodStatusError, match=REFUSED):
        Period.objects.update(status=Period.Status.OPEN)
    with pytest.raises(PeriodStatusError):
        Period.objects.filter(pk=submitted.pk).update(status=Period.Status.LOCKED)
    submitted.status = Period.Status.LOCKED
    with pytest.raises(PeriodStatusError):
        Period.objects.bulk_update([submitted], ["status"])
    assert Period.objects.get(pk=submitted.pk).status == Period.Status.SUBMITTED


def test_the_database_refuses_a_status_change_in_sql(submitted) -> None:  # type: ignore[no-untyped-def]
    raw_sql_refused("UPDATE forecasting_period SET status = 'open' WHERE id = %s", [submitted.pk])
    raw_sql_refused("UPDATE forecasting_period SET status = 'locked'", [])
    raw_sql_refused(
        "INSERT INTO forecasting_period (year_id, number, status) VALUES (%s, 13, 'locked')", [submitted.year_id]
    )
    # The marker is the service's own and transaction-local: set in another transaction it is gone.
    with transaction.atomic():
        with period_status_change():
            pass
        raw_sql_refused("UPDATE forecasting_period SET status = 'open' WHERE id = %s", [submitted.pk])
    # A write that leaves the status alone is not a status change.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE forecasting_period SET submitted_at = submitted_at WHERE id = %s", [submitted.pk])
    assert Period.objects.get(pk=submitted.pk).status == Period.Status.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_the_permission_is_given_only_inside_a_transaction(year) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="inside the service's transaction"), period_status_change():
        pass
    with transaction.atomic(), period_status_change():
        assert Period.objects.filter(year=year, number=1).update(status=Period.Status.SUBMITTED) == 1
    assert Period.objects.get(year=year, number=1).status == Period.Status.SUBMITTED
    # Committed and gone: the next transaction is refused again.
    raw_sql_refused("UPDATE forecasting_period SET status = 'open' WHERE year_id = %s", [year.pk])
    with pytest.raises(PeriodStatusError):
        Period.objects.filter(year=year).update(status=Period.Status.OPEN)


def test_a_change_through_the_service_is_made_and_audited(submitted, director) -> None:  # type: ignore[no-untyped-def]
    with transaction.atomic():
        locked = period_lock(period=submitted, user=director)
        # The service's permission ended with its change, though the transaction goes on.
        raw_sql_refused("UPDATE forecasting_period SET status = 'open' WHERE id = %s", [locked.pk])
    assert Period.objects.get(pk=locked.pk).status == Period.Status.LOCKED
    events = list(AuditEvent.objects.filter(object_type="forecasting.Period").order_by("id"))
    assert [(e.action, e.before, e.after, e.actor) for e in events] == [
        ("period.submitted", {"status": "open"}, {"status": "submitted"}, "fran"),
        ("period.locked", {"status": "submitted"}, {"status": "locked"}, "dee"),
    ]
