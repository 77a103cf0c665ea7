"""Every exported table of the demo and large counties, written to a folder, so that a refactor or
an optimisation can be checked to the penny: run it before and after, then `diff -r BEFORE AFTER`.

    .venv/bin/python scripts/forecast_fingerprint.py OUTPUT_FOLDER

Needs PostgreSQL (DATABASE_URL; default the local one). It creates and drops its own database,
`<name>_fingerprint`. The demo county is loaded as at 2019/20 period 7 (the date is fixed, so the
output does not depend on today); the large county through the real importers, as `make bench`
loads it. For each finished run it writes the four export_forecast tables as CSV, and each
back-test's stored report (summary, choices with their errors by method, type and horizon,
calibrated intervals of the chosen and of every method, interval coverage, origins and what was
replayed) as JSON, and every table the run stores (``ForecastTable``) as JSON."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
NAME = BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_fingerprint"
os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + NAME
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
TABLES = ("lines", "placements", "workforce", "savings")


def recreate_database() -> None:
    import psycopg2

    connection = psycopg2.connect(BASE_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{NAME}"')
        cursor.execute(f'CREATE DATABASE "{NAME}"')
    connection.close()


def write_outputs(authority, folder: Path) -> None:  # type: ignore[no-untyped-def]
    from core.exports import csv_bytes
    from forecast_runs.exports import export_frame
    from forecasting.models import BacktestReport, ForecastRun, ForecastTable

    folder.mkdir(parents=True, exist_ok=True)
    runs = ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED).order_by("pk")
    for index, run in enumerate(runs):
        for table in TABLES:
            name = f"run{index}-{run.year.label.replace('/', '-')}-p{run.period}-{table}.csv"
            (folder / name).write_bytes(csv_bytes(export_frame(run, table), bom=False))
        stored: dict[str, object] = {
            t.name: {"columns": t.columns, "rows": t.rows} for t in ForecastTable.objects.filter(run=run)
        }
        stored["calibration"] = (run.input_summary or {}).get("calibration")
        (folder / f"run{index}-stored.json").write_text(json.dumps(stored, indent=1, sort_keys=True, default=str))
    for index, report in enumerate(BacktestReport.objects.filter(authority=authority).order_by("pk")):
        body = {"as_at": str(report.as_at), "status": report.status, "origins": report.origins}
        body |= {"summary": report.summary, "choices": report.choices, "method_intervals": report.method_intervals}
        body |= {
            "intervals": report.intervals,
            "interval_coverage": report.interval_coverage,
            "replay": _replayed(report.replay),
        }
        (folder / f"backtest{index}.json").write_text(json.dumps(body, indent=1, sort_keys=True, default=str))


def _replayed(replay: dict) -> dict:  # type: ignore[type-arg]
    """What a report replayed, without when the returns were imported (a clock time)."""
    return {k: v for k, v in (replay or {}).items() if k != "imported_at"}


def main() -> None:
    output = Path(sys.argv[1])
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import Authority

    call_command("seed_demo", year="2019/20", period=7, verbosity=0)
    write_outputs(Authority.objects.get(code="DEMO"), output / "demo")
    print("demo county written")

    from bench_county import county_files, timed_import

    from accounts.services import authority_create
    from forecast_runs.backtests import backtest_execute, backtest_request
    from forecast_runs.dispatch import forecast_run_request
    from forecast_runs.execute import forecast_run_execute
    from forecasting.engine.synthetic import large_county_inputs
    from forecasting.models import FinancialYear

    inputs = large_county_inputs(seed=1)
    authority = authority_create(code="BIG", name="Large County Council")
    label = inputs.year.label
    as_at = inputs.year.as_at_date(inputs.as_at_period)
    with tempfile.TemporaryDirectory() as tmp:
        files = county_files(inputs, Path(tmp))
        for kind, options in (
            ("budget", {"year": label}),
            ("actuals", {"year": label}),
            ("placements", {}),
            ("workforce", {"as_at": as_at.isoformat()}),
            ("savings", {"year": label}),
            ("scenarios", {}),
        ):
            timed_import(authority, kind, files[kind], **options)
    year = FinancialYear.objects.get(authority=authority, label=label)
    report = backtest_request(authority=authority, as_at=as_at, user=None)
    backtest_execute(report_id=report.pk)
    run = forecast_run_request(authority=authority, year=year, period=inputs.as_at_period, user=None)
    forecast_run_execute(run_id=run.pk)
    write_outputs(authority, output / "large")
    print("large county written")


if __name__ == "__main__":
    main()
