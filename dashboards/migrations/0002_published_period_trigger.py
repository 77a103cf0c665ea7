"""The database itself refuses to change or delete a published period.

The model and its queryset refuse already; the trigger stops a raw SQL update, a script or a
future bulk path from editing what a committee was shown. PostgreSQL and SQLite each get one.
"""

from django.db import migrations

MESSAGE = "A published period cannot be changed or deleted"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION dashboards_published_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dashboards_published_frozen
    BEFORE UPDATE OR DELETE ON dashboards_publishedperiod
    FOR EACH ROW EXECUTE FUNCTION dashboards_published_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS dashboards_published_frozen ON dashboards_publishedperiod;
DROP FUNCTION IF EXISTS dashboards_published_refuse_change();
"""
SQLITE_UP = [
    f"""CREATE TRIGGER dashboards_published_frozen_update BEFORE UPDATE ON dashboards_publishedperiod
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    # No delete trigger on SQLite: its test-database flush deletes row by row (PostgreSQL
    # truncates, which row triggers do not see), and the model already refuses deletes.
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS dashboards_published_frozen_update;",
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
    dependencies = [("dashboards", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
