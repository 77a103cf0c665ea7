"""The beat schedule's tasks: each month, forecast each authority's latest year as at its latest
period that finance has submitted or a director has locked; every few seconds
(OUTTURN_RECOVERY_SWEEP_SECONDS), and once as each worker starts, send again the runs and
back-tests whose worker died. Their task names are set in config.settings.CELERY_BEAT_SCHEDULE.
A period whose actuals are incomplete is skipped with a warning in the log, not an error."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.models import Authority
from forecast_runs.dispatch import backtests_recover, forecast_run_request, forecast_runs_recover
from forecasting.models import ForecastRun, Period
from forecasting.period_rules import PeriodNotReadyError

log = logging.getLogger(__name__)


def forecast_monthly_requests() -> list[int]:
    run_ids = []
    for authority in Authority.objects.all():
        period = (
            Period.objects.filter(year__authority=authority, status__in=[Period.Status.SUBMITTED, Period.Status.LOCKED])
            .select_related("year")
            .order_by("-year__start_year", "-number")
            .first()
        )
        if period is None:
            continue
        try:
            run = forecast_run_request(
                authority=authority,
                year=period.year,
                period=period.number,
                user=None,
                trigger=ForecastRun.Trigger.SCHEDULE,
            )
        except PeriodNotReadyError as refused:
            log.warning("Monthly forecast for %s skipped: %s", authority.code, refused)
            continue
        run_ids.append(run.pk)
    return run_ids


@shared_task(acks_late=True)
def forecast_monthly_task() -> list[int]:
    return forecast_monthly_requests()


@shared_task(acks_late=True)
def forecast_runs_recover_task() -> dict[str, list[int]]:
    """Every few seconds: re-send runs and back-tests whose worker died (forecast_runs_recover,
    backtests_recover)."""
    return {"runs": forecast_runs_recover(), "backtests": backtests_recover()}


def recovery_sweep_send() -> None:
    """Ask a worker for a sweep now (each worker does as it starts, so work left by a worker that
    died while beat was down is taken up at once)."""
    from django.conf import settings

    forecast_runs_recover_task.apply_async(queue=settings.OUTTURN_FORECAST_QUEUE, expires=60)  # type: ignore[arg-type]
