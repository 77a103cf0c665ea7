"""Worker-kill trials with the production recovery settings (docs/benchmarks.md, Recovery): a real
Celery worker is SIGKILLed at a random moment of a forecast run, ten times, and of a back-test,
ten times, with beat and the workers running as deployed; each trial prints the time from the
kill to another worker taking the task up. Target: 10 of 10 of each finished, each resumed
within 60 s.

    .venv/bin/python scripts/worker_kill_trials.py [--trials 10] [--seed N] [--cold]

`--cold` starts the second worker only after the kill (its start-up then counts); by default a
second worker is already on the queue, as in a deployment with two workers or concurrency 2.
Needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL); it creates and drops its own
database, `<name>_killtrials`. The tests' short-settings version is
tests/integration/test_worker_kill_trials.py."""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
TRIALS_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_killtrials"
os.environ["DATABASE_URL"] = TRIALS_URL
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def _database(action: str) -> None:
    import psycopg2

    connection = psycopg2.connect(TRIALS_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    name = TRIALS_URL.rsplit("/", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--cold", action="store_true", help="start the second worker only after each kill")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for a task to finish")
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(10**6)
    _database("create")
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from accounts.models import Role
        from accounts.services import authority_create, user_create

        # The tests' county and trial driver, shared with the tests (imported by name: the type
        # checker leaves the tests out).
        county = importlib.import_module("tests.dashboards.county")
        driver = importlib.import_module("tests.integration.kill_trials")

        authority = authority_create(code="KILL", name="Trial County Council")
        officer = user_create(
            username="trials", authority=authority, role=Role.FINANCE_OFFICER, password=os.urandom(16).hex()
        )
        year, _ = county.build_county(authority=authority, user=officer)
        county.set_assumptions(authority=authority)
        production = {
            "OUTTURN_HEARTBEAT_SECONDS": str(settings.OUTTURN_HEARTBEAT_SECONDS),
            "OUTTURN_FORECAST_STALE_SECONDS": str(settings.OUTTURN_FORECAST_STALE_SECONDS),
            "OUTTURN_RECOVERY_SWEEP_SECONDS": str(settings.OUTTURN_RECOVERY_SWEEP_SECONDS),
        }
        started = time.perf_counter()
        trials = driver.kill_trials(
            year=year,
            period=county.AS_AT,
            trials=options.trials,
            seed=seed,
            recovery=production,
            spares=0 if options.cold else 2,
            timeout=options.timeout,
            log=lambda line: print(line, flush=True),
        )
        print(driver.summary(trials))
        print(f"({time.perf_counter() - started:.0f} s in all; target: every task finished, each within 60 s)")
        return 0 if all(t.finished and t.resume < 60 for t in trials) else 1
    finally:
        from django.db import connections

        connections.close_all()
        _database("drop")


if __name__ == "__main__":
    raise SystemExit(main())
