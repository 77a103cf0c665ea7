"""The monthly run through the real broker and real worker processes (issue: Reliability)."""

from __future__ import annotations

import os
import signal

import pytest
from django.core.management import call_command

from forecast_runs.dispatch import forecast_run_request
from forecasting.models import ForecastLineResult, ForecastRun
from forecasting.services import actuals_save, budget_set
from tests.support import celery_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_ledger(year, lines, finance_officer):  # type: ignore[no-untyped-def]
    authority = year.authority
    budget_set(
        authority=authority, user=finance_officer, line=lines["LEG-EXT"], year=year, amount=260_000_000, reason=""
    )
    actuals_save(
        authority=authority,
        user=finance_officer,
        period=year.periods.get(number=1),
        amounts={lines["LEG-EXT"].pk: 21_600_000},
    )
    return year


def test_run_forecast_wait_prints_the_run_and_the_headline_per_scenario(small_ledger, settings, capsys) -> None:  # type: ignore[no-untyped-def]
    with celery_worker() as (queue, _worker):
        settings.OUTTURN_FORECAST_QUEUE = queue
        call_command("run_forecast", "--year", "2019/20", "--period", "1", "--wait", "--timeout", "120")
    out = capsys.readouterr().out
    run = ForecastRun.objects.get()
    assert run.status == ForecastRun.Status.SUCCEEDED
    assert f"Run {run.pk} finished" in out
    # LEG-EXT run rate (FORECAST.md, Other lines): £216,000 + £216,000 / 1 × 11 = £2,592,000,
    # £8,000 under the £2,600,000 budget, in every scenario.
    for scenario in ("best", "middle", "worst"):
        assert any(
            line.startswith(scenario) and "£2,592,000.00" in line and "(£8,000.00)" in line for line in out.splitlines()
        ), out


@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
    reason="redelivery after a killed worker needs the Redis broker (make test and CI use it)",
)
def test_a_worker_killed_mid_run_leaves_no_partial_results_and_the_run_completes_later(small_ledger, settings) -> None:  # type: ignore[no-untyped-def]
    slow = {
        "DJANGO_SETTINGS_MODULE": "tests.integration.slow_write_settings",
        "OUTTURN_FORECAST_STALE_SECONDS": "3",
        "CELERY_VISIBILITY_TIMEOUT": "6",
    }
    with celery_worker(extra_env=slow) as (queue, first):
        settings.OUTTURN_FORECAST_QUEUE = queue
        run = forecast_run_request(authority=small_ledger.authority, year=small_ledger, period=1, user=None)
        assert wait_until(lambda: ForecastRun.objects.get(pk=run.pk).stage == "Saving the results", timeout=90)
        os.kill(first.pid, signal.SIGKILL)  # the worker dies between computing and writing
        first.wait(timeout=10)
    run.refresh_from_db()
    assert run.status == ForecastRun.Status.RUNNING
    assert not ForecastLineResult.objects.filter(run=run).exists()
    quick = {"OUTTURN_FORECAST_STALE_SECONDS": "3", "CELERY_VISIBILITY_TIMEOUT": "6"}
    with celery_worker(queue=queue, extra_env=quick):
        assert wait_until(
            lambda: ForecastRun.objects.get(pk=run.pk).status == ForecastRun.Status.SUCCEEDED, timeout=120
        ), ForecastRun.objects.get(pk=run.pk).__dict__
    run.refresh_from_db()
    assert run.attempts == 2
    assert ForecastLineResult.objects.filter(run=run).count() == 3  # one line × best, middle, worst
    assert settings.CELERY_TASK_ACKS_LATE
