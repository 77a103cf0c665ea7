"""The database itself keeps the audit log append-only.

`AuditEvent.save()` refuses edits already; the trigger stops a raw SQL update, a script or a
bulk path from rewriting who did what. One change is let through: when a user is deleted, their
events keep everything but the link to the user (SET_NULL), since the actor's name stays on
every row. PostgreSQL and SQLite each get one.
"""

from django.db import migrations

MESSAGE = "The audit log is append-only: an event cannot be changed or deleted"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION accounts_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.user_id IS NULL AND OLD.user_id IS NOT NULL
       AND (NEW.id, NEW.authority_id, NEW.actor, NEW.action, NEW.object_type, NEW.object_id,
            NEW.object_repr, NEW.before::text, NEW.after::text, NEW.reason, NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.authority_id, OLD.actor, OLD.action, OLD.object_type, OLD.object_id,
            OLD.object_repr, OLD.before::text, OLD.after::text, OLD.reason, OLD.created_at)
    THEN
        RETURN NEW;  -- the user was deleted: the event keeps the actor's name
    END IF;
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_audit_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_refuse_change();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS accounts_audit_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_audit_refuse_change();
"""
SQLITE_UP = [
    f"""CREATE TRIGGER accounts_audit_append_only_update BEFORE UPDATE ON accounts_auditevent
    WHEN NOT (NEW.user_id IS NULL AND OLD.user_id IS NOT NULL AND NEW.action = OLD.action
              AND NEW.actor = OLD.actor AND NEW.object_repr = OLD.object_repr)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;""",
    # No delete trigger on SQLite: its test-database flush deletes row by row (PostgreSQL
    # truncates, which row triggers do not see), and the model already refuses edits.
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS accounts_audit_append_only_update;"]


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
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
