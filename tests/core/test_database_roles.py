"""The deployment's app role owns nothing, so it cannot switch off the triggers that keep published
periods, locked actuals, period statuses and the audit log as they are (issue 13, point 6).

A throwaway login role is given exactly what docs/deployment.md gives the app (data rights on the
tables, use of the sequences), and connects on its own."""

from __future__ import annotations

import os

import psycopg2
import pytest
from django.db import connection
from psycopg2 import errors

from forecasting.models import FinancialYear

pytestmark = pytest.mark.django_db(transaction=True)

PROTECTED = (
    ("dashboards_snapshotpdf", "dashboards_pdf_frozen"),
    ("dashboards_publishedperiod", "dashboards_published_frozen"),
    ("forecasting_period", "forecasting_period_status_update"),
    ("forecasting_actual", "forecasting_actual_locked"),
    ("accounts_auditevent", "accounts_audit_append_only"),
)


@pytest.fixture
def app_role():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("database roles are PostgreSQL's")
    name = f"outturn_test_app_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {name}")
        cursor.execute(f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {name}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
    settings = connection.settings_dict
    app = psycopg2.connect(
        dbname=settings["NAME"],
        user=name,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
    )
    app.autocommit = True
    try:
        yield app
    finally:
        app.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {name}")
            cursor.execute(f"DROP ROLE {name}")


def attempt(app, sql: str, params: list[object] | None = None) -> None:  # type: ignore[no-untyped-def]
    with app.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_the_app_role_cannot_switch_triggers_off_but_can_write_rows(app_role, authority) -> None:  # type: ignore[no-untyped-def]
    for table, trigger in PROTECTED:
        for what in ("ALL", "USER", trigger):
            with pytest.raises(errors.InsufficientPrivilege, match="must be owner"):
                attempt(app_role, f"ALTER TABLE {table} DISABLE TRIGGER {what}")
        with pytest.raises(errors.InsufficientPrivilege):
            attempt(app_role, f"TRUNCATE {table} CASCADE")
        with pytest.raises(errors.InsufficientPrivilege):
            attempt(app_role, f"DROP TRIGGER {trigger} ON {table}")
    # Nor can it switch every trigger off for its session.
    with pytest.raises(errors.InsufficientPrivilege):
        attempt(app_role, "SET session_replication_role = replica")
    # The triggers are all still on.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s) AND tgenabled = 'O'", [[t for _, t in PROTECTED]]
        )
        assert cursor.fetchone()[0] == len(PROTECTED)
    # An ordinary write of a protected table works: a new year's open period.
    year = FinancialYear.objects.create(authority=authority, label="2031/32", start_year=2031)
    attempt(app_role, "INSERT INTO forecasting_period (year_id, number, status) VALUES (%s, 1, 'open')", [year.pk])
    assert year.periods.get().status == "open"
    # And the triggers hold for it as for anyone: a status change outside the service is refused.
    with pytest.raises(errors.CheckViolation, match="status changes only through"):
        attempt(app_role, "UPDATE forecasting_period SET status = 'locked' WHERE year_id = %s", [year.pk])
