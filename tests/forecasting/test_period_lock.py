"""A locked period's actuals cannot change by any route (issue: enforce it below the views)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import AuditEvent
from forecasting.models import Actual, Period, PeriodLockedError
from forecasting.services import (
    TransitionError,
    actuals_save,
    period_lock,
    period_reopen,
    period_submit,
    period_unlock,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def locked(year, lines, finance_officer, director):  # type: ignore[no-untyped-def]
    # Period 1, so that no earlier period has to be submitted first and its one line is complete.
    period = year.periods.get(number=1)
    actuals_save(authority=year.authority, user=finance_officer, period=period, amounts={lines["LEG-EXT"].pk: 250_000})
    period_submit(period=period, user=finance_officer)
    yield period_lock(period=period, user=director)
    # SQLite empties tables with DELETE after a transactional test, which the trigger would refuse.
    # The status changes only through the service, so the tidy-up unlocks as a director would.
    period.refresh_from_db()
    if period.is_locked:
        period_unlock(period=period, user=director, reason="End of the test")


def test_the_service_refuses_to_save_actuals_of_a_locked_period(locked, lines, finance_officer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PeriodLockedError, match="locked"):
        actuals_save(
            authority=locked.year.authority, user=finance_officer, period=locked, amounts={lines["LEG-EXT"].pk: 1}
        )
    assert Actual.objects.get().amount == 250_000


def test_saving_the_model_directly_is_refused(locked, lines) -> None:  # type: ignore[no-untyped-def]
    actual = Actual.objects.get()
    actual.amount = 1
    with pytest.raises(PeriodLockedError):
        actual.save()
    with pytest.raises(PeriodLockedError):
        Actual(line=lines["INC-UASC"], period=locked, amount=5).save()
    with pytest.raises(PeriodLockedError):
        actual.delete()


def test_queryset_update_delete_and_bulk_writes_are_refused(locked, lines) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PeriodLockedError):
        Actual.objects.filter(period=locked).update(amount=1)
    with pytest.raises(PeriodLockedError):
        Actual.objects.filter(period=locked).delete()
    with pytest.raises(PeriodLockedError):
        Actual.objects.bulk_create([Actual(line=lines["INC-UASC"], period=locked, amount=5)])
    open_period = locked.year.periods.get(number=4)
    moved = Actual.objects.create(line=lines["INC-UASC"], period=open_period, amount=7)
    with pytest.raises(PeriodLockedError):
        Actual.objects.filter(pk=moved.pk).update(period=locked)
    assert Actual.objects.get(period=locked).amount == 250_000


def test_the_database_trigger_refuses_raw_sql_changes(locked, lines) -> None:  # type: ignore[no-untyped-def]
    table = Actual._meta.db_table
    for statement, params in [
        (f"UPDATE {table} SET amount = 1 WHERE period_id = %s", [locked.pk]),
        (f"DELETE FROM {table} WHERE period_id = %s", [locked.pk]),
        (
            f"INSERT INTO {table} (line_id, period_id, amount, updated_at) VALUES (%s, %s, 5, CURRENT_TIMESTAMP)",
            [lines["INC-UASC"].pk, locked.pk],
        ),
    ]:
        with pytest.raises(IntegrityError, match="locked period"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
    assert Actual.objects.get(period=locked).amount == 250_000


def test_the_admin_cannot_change_locked_actuals_either(locked, client) -> None:  # type: ignore[no-untyped-def]
    # The admin saves through Model.save, which refuses; the actual is not registered for editing at all.
    from django.contrib import admin

    assert Actual not in admin.site._registry


def test_unlocking_needs_a_reason_and_is_audited(locked, director) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TransitionError, match="reason"):
        period_unlock(period=locked, user=director, reason="  ")
    period = period_unlock(period=locked, user=director, reason="Late invoice for secure placement")
    assert period.status == Period.Status.OPEN
    event = AuditEvent.objects.filter(action="period.open").get()
    assert event.before == {"status": "locked"} and event.after == {"status": "open"}
    assert event.reason == "Late invoice for secure placement" and event.actor == "dee"


def test_periods_move_open_to_submitted_to_locked_and_not_backwards_without_a_reason(
    year,
    finance_officer,
    director,  # type: ignore[no-untyped-def]
) -> None:
    period = year.periods.get(number=1)
    period = period_submit(period=period, user=finance_officer)
    with pytest.raises(TransitionError):
        period_submit(period=period, user=finance_officer)
    with pytest.raises(TransitionError):
        period_reopen(period=period, user=director, reason="")
    period = period_reopen(period=period, user=director, reason="P1 accruals missing")
    assert period.status == Period.Status.OPEN
    with pytest.raises(TransitionError, match="only a submitted period can be locked"):
        period_lock(period=period, user=director)
    period = period_submit(period=period, user=finance_officer)
    period = period_lock(period=period, user=director)
    with pytest.raises(TransitionError):
        period_lock(period=period, user=director)
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "period.submitted",
        "period.open",
        "period.submitted",
        "period.locked",
    ]


def test_the_actuals_page_refuses_a_post_for_a_locked_period(locked, lines, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    response = client_for(finance_officer).post(
        f"/periods/{locked.pk}/actuals/", {f"line-{lines['LEG-EXT'].pk}": "9"}, follow=True
    )
    assert "locked" in response.content.decode()
    assert Actual.objects.get().amount == 250_000


def test_the_import_command_refuses_actuals_for_a_locked_period(locked, lines, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    path = tmp_path / "actuals.csv"
    path.write_text("line_code,period,amount\nLEG-EXT,1,1.00\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", "actuals", str(path), "--year", "2019/20")
    assert exit_info.value.code == 1
    assert Actual.objects.get().amount == 250_000
