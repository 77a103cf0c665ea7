"""The database refuses a period status change that did not come through the period services.

The services (submit, lock, unlock, send back) audit every change and, inside their
transaction, say so: on PostgreSQL with the transaction-local setting `outturn.period_change`,
on SQLite through the function `outturn_period_change()` that the app registers on each of its
connections (forecasting.models). Any other write of `status` (an ORM update, raw SQL, a
script) is refused, and so is a period inserted as anything but open.
"""

from django.db import migrations

MESSAGE = (
    "A period's status changes only through submitting, locking, unlocking or sending it back, "
    "which record who did it and when"
).replace("'", "''")  # quoted for SQL

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION forecasting_period_refuse_status() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('outturn.period_change', true), '') <> 'service' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER forecasting_period_status_update
    BEFORE UPDATE ON forecasting_period
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION forecasting_period_refuse_status();
CREATE TRIGGER forecasting_period_status_insert
    BEFORE INSERT ON forecasting_period
    FOR EACH ROW WHEN (NEW.status <> 'open')
    EXECUTE FUNCTION forecasting_period_refuse_status();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS forecasting_period_status_update ON forecasting_period;
DROP TRIGGER IF EXISTS forecasting_period_status_insert ON forecasting_period;
DROP FUNCTION IF EXISTS forecasting_period_refuse_status();
"""
SQLITE_UP = [
    f"""CREATE TRIGGER forecasting_period_status_update BEFORE UPDATE OF status ON forecasting_period
    WHEN OLD.status IS NOT NEW.status AND outturn_period_change() IS NOT 1
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER forecasting_period_status_insert BEFORE INSERT ON forecasting_period
    WHEN NEW.status <> 'open' AND outturn_period_change() IS NOT 1
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS forecasting_period_status_update;",
    "DROP TRIGGER IF EXISTS forecasting_period_status_insert;",
]


def up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("forecasting", "0011_backtest_heartbeat")]
    operations = [migrations.RunPython(up, down)]
