"""Celery entry points of the forecast's computations: take ids, call one service. The
schedule's own tasks (monthly runs, recovery) are in forecast_runs.schedule."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from forecast_runs.backtests import backtest_execute, backtest_fit_ahead
from forecast_runs.execute import forecast_run_execute, forecast_run_fail
from forecast_runs.signals import backtest_ended
from forecasting.models import BacktestReport

log = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,  # a worker killed mid-run leaves the message to be delivered again
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database went away for a moment
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=600,
    time_limit=660,
)
def forecast_run_execute_task(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    try:
        return forecast_run_execute(run_id=run_id)
    except SoftTimeLimitExceeded:
        forecast_run_fail(run_id=run_id, message="The forecast took longer than 10 minutes and was stopped.")
        return "failed"
    except (OperationalError, InterfaceError):
        if self.request.retries >= self.max_retries:
            forecast_run_fail(run_id=run_id, message="The database could not be reached; try again later.")
        raise
    except Exception as error:
        log.exception("forecast run %s failed", run_id)
        forecast_run_fail(run_id=run_id, message=f"The forecast could not be completed: {error}")
        raise


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=900, time_limit=960)
def backtest_execute_task(self, report_id: int) -> str:  # type: ignore[no-untyped-def]
    try:
        outcome = backtest_execute(report_id=report_id)
    except Exception as error:
        log.exception("back-test %s failed", report_id)
        BacktestReport.objects.filter(pk=report_id).update(
            status=BacktestReport.Status.FAILED, finished_at=timezone.now(), error=f"The back-test failed: {error}"
        )
        # The runs that wait for this back-test still run, with the previous calibration.
        outcome = BacktestReport.Status.FAILED
    if outcome in (BacktestReport.Status.SUCCEEDED, BacktestReport.Status.FAILED):
        authority_id = BacktestReport.objects.filter(pk=report_id).values_list("authority_id", flat=True).first()
        if authority_id is not None:
            backtest_ended.send(sender=BacktestReport, authority_id=authority_id, report_id=report_id)
    return str(outcome)


@shared_task(soft_time_limit=300, time_limit=330, ignore_result=True)
def backtest_fit_ahead_task(report_id: int, origin: str) -> int:
    """Work done ahead, never waited for: a fit it does not make is made by the back-test that
    needs it. So it is not retried or sent again, and a failure is only logged."""
    try:
        return backtest_fit_ahead(report_id=report_id, origin=date.fromisoformat(origin))
    except Exception:  # noqa: BLE001 - see above
        log.warning("fitting ahead for back-test %s on %s failed", report_id, origin, exc_info=True)
        return 0
