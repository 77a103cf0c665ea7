"""The audit log is append-only in the database, not only in `save()`."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from accounts.audit import audit_record
from accounts.models import AuditEvent, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(authority, finance_officer):  # type: ignore[no-untyped-def]
    audit_record(
        authority=authority, user=finance_officer, action="period.submit", object_type="period", object_repr="Period 4"
    )
    return AuditEvent.objects.get(authority=authority, action="period.submit")


def _raw(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_event_cannot_be_rewritten_or_deleted_below_the_orm(event) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="never edited"):
        event.save()
    with pytest.raises(Exception, match="append-only"):
        _raw("UPDATE accounts_auditevent SET action = 'nothing' WHERE id = %s", [event.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="tidied")
    if connection.vendor == "postgresql":  # SQLite keeps no delete trigger (see the migration)
        with pytest.raises(Exception, match="append-only"):
            _raw("DELETE FROM accounts_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "period.submit"


def test_deleting_a_user_keeps_their_events_with_their_name(event, finance_officer) -> None:  # type: ignore[no-untyped-def]
    actor = event.actor
    User.objects.filter(pk=finance_officer.pk).delete()
    kept = AuditEvent.objects.get(pk=event.pk)
    assert kept.user_id is None and kept.actor == actor and kept.action == "period.submit"
