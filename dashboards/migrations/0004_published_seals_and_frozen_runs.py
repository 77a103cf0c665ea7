"""Published means unchangeable.

- Each published version gets its seal: the SHA-256 of what it shows (dashboards.seals), taken
  now for the versions already published. Downloads check it before serving.
- A finished PDF (ready, with its hash) cannot be changed or deleted, and a PDF is stored as
  ready only with the SHA-256 of its own bytes.
- The rows of a published run (the run, its line results and its tables) cannot be changed,
  deleted or added to.
- TRUNCATE of any of these tables is refused while it holds a protected row. The test suite's
  own emptying of the database between tests says so with the transaction-local setting
  `outturn.truncate = 'allowed'` (tests/conftest.py); the deployment's app role has no TRUNCATE
  privilege at all (docs/deployment.md).

The models and their querysets refuse first; these triggers refuse below the ORM (raw SQL, a
script, a future bulk path). PostgreSQL gets every trigger. SQLite (`make run`) has no TRUNCATE
and no delete triggers, for the reason migration 0002 gives; the models refuse deletes there.
"""

import django.db.models.deletion
from django.db import migrations, models

PUBLISHED_SEALED = "A published period cannot be changed or deleted"
SEAL_FROZEN = "The seal of a published period cannot be changed or deleted"
PDF_FROZEN = "A finished PDF of a published period cannot be changed or deleted"
PDF_HASH = "A PDF is stored as ready only with the SHA-256 of its own bytes"
RUN_FROZEN = "The results of a published forecast run cannot be changed or deleted"
TRUNCATE_REFUSED = "Published periods, their PDFs and the results of published runs cannot be emptied"

PUBLISHED_RUN = "EXISTS (SELECT 1 FROM dashboards_publishedperiod p WHERE p.run_id = {run})"

# TRUNCATE: per table, the rows whose presence refuses it.
TRUNCATE_GUARDS = {
    "dashboards_publishedperiod": "SELECT 1 FROM dashboards_publishedperiod",
    "dashboards_publishedseal": "SELECT 1 FROM dashboards_publishedseal",
    "dashboards_snapshotpdf": "SELECT 1 FROM dashboards_snapshotpdf WHERE status = 'ready' AND sha256 <> ''",
    "forecasting_forecastrun": (
        "SELECT 1 FROM forecasting_forecastrun r JOIN dashboards_publishedperiod p ON p.run_id = r.id"
    ),
    "forecasting_forecastlineresult": (
        "SELECT 1 FROM forecasting_forecastlineresult r JOIN dashboards_publishedperiod p ON p.run_id = r.run_id"
    ),
    "forecasting_forecasttable": (
        "SELECT 1 FROM forecasting_forecasttable r JOIN dashboards_publishedperiod p ON p.run_id = r.run_id"
    ),
}

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION dashboards_refuse_truncate() RETURNS trigger AS $$
DECLARE
    protected boolean;
BEGIN
    IF coalesce(current_setting('outturn.truncate', true), '') = 'allowed' THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT EXISTS (' || TG_ARGV[0] || ')' INTO protected;
    IF protected THEN
        RAISE EXCEPTION '{TRUNCATE_REFUSED} (%%)', TG_TABLE_NAME USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION dashboards_seal_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{SEAL_FROZEN}' USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dashboards_seal_frozen
    BEFORE UPDATE OR DELETE ON dashboards_publishedseal
    FOR EACH ROW EXECUTE FUNCTION dashboards_seal_refuse_change();

CREATE OR REPLACE FUNCTION dashboards_pdf_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'ready' AND OLD.sha256 <> '' THEN
        RAISE EXCEPTION '{PDF_FROZEN}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.status = 'ready' AND NEW.sha256 <> ''
       AND (NEW.content IS NULL OR encode(sha256(NEW.content), 'hex') <> NEW.sha256) THEN
        RAISE EXCEPTION '{PDF_HASH}' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dashboards_pdf_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON dashboards_snapshotpdf
    FOR EACH ROW EXECUTE FUNCTION dashboards_pdf_refuse_change();

CREATE OR REPLACE FUNCTION dashboards_run_refuse_change() RETURNS trigger AS $$
DECLARE
    probe forecasting_forecastrun;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        -- The broker's task id is bookkeeping that nothing published shows; it may be written
        -- after sign-off when the run was made and published in one transaction (seed_demo).
        probe := NEW;
        probe.task_id := OLD.task_id;
        IF probe IS NOT DISTINCT FROM OLD THEN
            RETURN NEW;
        END IF;
    END IF;
    IF {PUBLISHED_RUN.format(run="OLD.id")} THEN
        RAISE EXCEPTION '{RUN_FROZEN}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dashboards_published_run_frozen
    BEFORE UPDATE OR DELETE ON forecasting_forecastrun
    FOR EACH ROW EXECUTE FUNCTION dashboards_run_refuse_change();

CREATE OR REPLACE FUNCTION dashboards_result_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND {PUBLISHED_RUN.format(run="OLD.run_id")} THEN
        RAISE EXCEPTION '{RUN_FROZEN}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {PUBLISHED_RUN.format(run="NEW.run_id")} THEN
        RAISE EXCEPTION '{RUN_FROZEN}' USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dashboards_published_lines_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON forecasting_forecastlineresult
    FOR EACH ROW EXECUTE FUNCTION dashboards_result_refuse_change();
CREATE TRIGGER dashboards_published_tables_frozen
    BEFORE INSERT OR UPDATE OR DELETE ON forecasting_forecasttable
    FOR EACH ROW EXECUTE FUNCTION dashboards_result_refuse_change();
""" + "".join(
    f"""
CREATE TRIGGER dashboards_no_truncate BEFORE TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION dashboards_refuse_truncate('{guard.replace("'", "''")}');"""
    for table, guard in TRUNCATE_GUARDS.items()
)

POSTGRES_DOWN = (
    "".join(f"DROP TRIGGER IF EXISTS dashboards_no_truncate ON {table};\n" for table in TRUNCATE_GUARDS)
    + """
DROP TRIGGER IF EXISTS dashboards_published_tables_frozen ON forecasting_forecasttable;
DROP TRIGGER IF EXISTS dashboards_published_lines_frozen ON forecasting_forecastlineresult;
DROP TRIGGER IF EXISTS dashboards_published_run_frozen ON forecasting_forecastrun;
DROP TRIGGER IF EXISTS dashboards_pdf_frozen ON dashboards_snapshotpdf;
DROP TRIGGER IF EXISTS dashboards_seal_frozen ON dashboards_publishedseal;
DROP FUNCTION IF EXISTS dashboards_result_refuse_change();
DROP FUNCTION IF EXISTS dashboards_run_refuse_change();
DROP FUNCTION IF EXISTS dashboards_pdf_refuse_change();
DROP FUNCTION IF EXISTS dashboards_seal_refuse_change();
DROP FUNCTION IF EXISTS dashboards_refuse_truncate();
"""
)

RUN_COLUMNS = ", ".join(
    f'"{column}"'
    for column in (
        "id authority_id year_id period requested_by_id trigger status stage progress inputs_hash engine_version "
        "assumptions input_summary timings error attempts created_at started_at heartbeat_at finished_at"
    ).split()
)
SQLITE_PUBLISHED_RUN = "EXISTS (SELECT 1 FROM dashboards_publishedperiod p WHERE p.run_id = {run})"
SQLITE_UP = [
    f"""CREATE TRIGGER dashboards_seal_frozen_update BEFORE UPDATE ON dashboards_publishedseal
    BEGIN SELECT RAISE(ABORT, '{SEAL_FROZEN}'); END;""",
    f"""CREATE TRIGGER dashboards_pdf_frozen_update BEFORE UPDATE ON dashboards_snapshotpdf
    WHEN OLD.status = 'ready' AND OLD.sha256 <> ''
    BEGIN SELECT RAISE(ABORT, '{PDF_FROZEN}'); END;""",
    # Every column but the broker's task id (see the PostgreSQL function).
    f"""CREATE TRIGGER dashboards_published_run_frozen_update BEFORE UPDATE OF {RUN_COLUMNS} ON forecasting_forecastrun
    WHEN {SQLITE_PUBLISHED_RUN.format(run="OLD.id")}
    BEGIN SELECT RAISE(ABORT, '{RUN_FROZEN}'); END;""",
] + [
    statement
    for table in ("forecasting_forecastlineresult", "forecasting_forecasttable")
    for statement in (
        f"""CREATE TRIGGER dashboards_published_frozen_insert_{table} BEFORE INSERT ON {table}
        WHEN {SQLITE_PUBLISHED_RUN.format(run="NEW.run_id")}
        BEGIN SELECT RAISE(ABORT, '{RUN_FROZEN}'); END;""",
        f"""CREATE TRIGGER dashboards_published_frozen_update_{table} BEFORE UPDATE ON {table}
        WHEN {SQLITE_PUBLISHED_RUN.format(run="OLD.run_id")} OR {SQLITE_PUBLISHED_RUN.format(run="NEW.run_id")}
        BEGIN SELECT RAISE(ABORT, '{RUN_FROZEN}'); END;""",
    )
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS dashboards_seal_frozen_update;",
    "DROP TRIGGER IF EXISTS dashboards_pdf_frozen_update;",
    "DROP TRIGGER IF EXISTS dashboards_published_run_frozen_update;",
] + [
    f"DROP TRIGGER IF EXISTS dashboards_published_frozen_{what}_{table};"
    for table in ("forecasting_forecastlineresult", "forecasting_forecasttable")
    for what in ("insert", "update")
]


def seal_published(apps, schema_editor):
    """Seal the versions published before seals existed, from their stored rows."""
    from dashboards.seals import SEALED_FIELDS, published_digest

    PublishedPeriod = apps.get_model("dashboards", "PublishedPeriod")
    PublishedSeal = apps.get_model("dashboards", "PublishedSeal")
    for values in PublishedPeriod.objects.filter(seal__isnull=True).values("id", *SEALED_FIELDS).iterator():
        PublishedSeal.objects.create(published_id=values["id"], sha256=published_digest(values))


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
    dependencies = [
        ("dashboards", "0003_published_period_acknowledged"),
        ("forecasting", "0012_period_status_through_service"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublishedSeal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha256", models.CharField(max_length=64)),
                ("sealed_at", models.DateTimeField(auto_now_add=True)),
                (
                    "published",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="seal",
                        to="dashboards.publishedperiod",
                    ),
                ),
            ],
        ),
        # Existing versions are sealed before the seal table's trigger exists, as they stand.
        migrations.RunPython(seal_published, migrations.RunPython.noop),
        migrations.RunPython(up, down),
    ]
