"""The database itself refuses changes to the actuals of a locked period.

The model and its queryset already refuse, but a raw SQL update, a future bulk path or a script
would not pass through them; the trigger is the last line of defence (issue: "enforce it below
the views"). PostgreSQL and SQLite each get their own trigger.
"""

from django.db import migrations

MESSAGE = "Actuals for a locked period cannot be changed"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION forecasting_actual_refuse_locked() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
        SELECT 1 FROM forecasting_period WHERE id = OLD.period_id AND status = 'locked'
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
        SELECT 1 FROM forecasting_period WHERE id = NEW.period_id AND status = 'locked'
    ) THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER forecasting_actual_locked
    BEFORE INSERT OR UPDATE OR DELETE ON forecasting_actual
    FOR EACH ROW EXECUTE FUNCTION forecasting_actual_refuse_locked();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS forecasting_actual_locked ON forecasting_actual;
DROP FUNCTION IF EXISTS forecasting_actual_refuse_locked();
"""

SQLITE_UP = [
    f"""CREATE TRIGGER forecasting_actual_locked_insert BEFORE INSERT ON forecasting_actual
    WHEN (SELECT status FROM forecasting_period WHERE id = NEW.period_id) = 'locked'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER forecasting_actual_locked_update BEFORE UPDATE ON forecasting_actual
    WHEN (SELECT status FROM forecasting_period WHERE id = OLD.period_id) = 'locked'
      OR (SELECT status FROM forecasting_period WHERE id = NEW.period_id) = 'locked'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    f"""CREATE TRIGGER forecasting_actual_locked_delete BEFORE DELETE ON forecasting_actual
    WHEN (SELECT status FROM forecasting_period WHERE id = OLD.period_id) = 'locked'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS forecasting_actual_locked_insert;",
    "DROP TRIGGER IF EXISTS forecasting_actual_locked_update;",
    "DROP TRIGGER IF EXISTS forecasting_actual_locked_delete;",
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
    dependencies = [("forecasting", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
