"""Asking for forecast runs and sending them to a worker (ARCHITECTURE.md, The monthly run, end
to end).

Every trigger (the Run forecast button, submitting a period, the monthly schedule, the
run_forecast command) calls `forecast_run_request`. It records a ForecastRun and dispatches the
Celery task only after the transaction commits; the worker side is `forecast_runs.execute`.
"""

from __future__ import annotations

from datetime import timedelta

from celery import chain
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Authority, User
from forecast_runs.backtests import backtest_request, backtest_wanted
from forecast_runs.inputs import engine_inputs_build, inputs_digest, inputs_summary
from forecast_runs.tasks import backtest_execute_task, forecast_run_execute_task
from forecasting.engine import ENGINE_VERSION
from forecasting.models import BacktestReport, FinancialYear, ForecastRun
from forecasting.period_rules import actuals_required
from forecasting.scenarios import scenario_rows

ACTIVE = (ForecastRun.Status.PENDING, ForecastRun.Status.RUNNING)


def forecast_run_request(
    *,
    authority: Authority,
    year: FinancialYear,
    period: int,
    user: User | None,
    trigger: str = ForecastRun.Trigger.BUTTON,
) -> ForecastRun:
    """Ask for a forecast of `year` as at `period`. The same inputs already queued or running
    give back that run instead of a second one. Refused (PeriodNotReadyError, saying which lines
    and periods) while a budget line has no actual for a period up to `period`."""
    if year.authority_id != authority.pk:
        raise ValueError("The year belongs to another authority")
    if not 0 <= period <= 12:
        raise ValueError(f"Period {period} does not exist; periods run from 0 to 12")
    actuals_required(year=year, number=period, intro="A forecast as at {period} cannot be run yet.")
    inputs = engine_inputs_build(authority=authority, year=year, period=period)
    digest = inputs_digest(inputs)
    active = ForecastRun.objects.filter(
        authority=authority, year=year, period=period, inputs_hash=digest, status__in=ACTIVE
    )
    existing = active.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            run = ForecastRun.objects.create(
                authority=authority,
                year=year,
                period=period,
                requested_by=user,
                trigger=trigger,
                inputs_hash=digest,
                engine_version=ENGINE_VERSION,
                assumptions={"rows": scenario_rows(authority=authority)},
                input_summary=inputs_summary(inputs),
            )
            transaction.on_commit(lambda: forecast_run_dispatch(run_id=run.pk))
    except IntegrityError:
        # Another request for the same inputs won the race; join it.
        joined = active.first()
        if joined is None:
            raise
        return joined
    return run


def forecast_run_dispatch(*, run_id: int) -> None:
    """Send the run to a worker. When a scenario forecasts new children and the authority's
    history has not been back-tested for this as-at date, the back-test goes first (a chain), so
    that methods are chosen and intervals calibrated before they are shown."""
    run = ForecastRun.objects.select_related("authority", "year").get(pk=run_id)
    as_at = run.year.calendar.as_at_date(run.period)
    if (
        backtest_wanted(authority=run.authority)
        and not BacktestReport.objects.filter(authority=run.authority, as_at=as_at)
        .exclude(status=BacktestReport.Status.FAILED)
        .exists()
    ):
        report = backtest_request(authority=run.authority, as_at=as_at, user=run.requested_by)
        backtest_dispatch(report_id=report.pk, then_run_id=run_id)
        return
    result = forecast_run_execute_task.apply_async(args=(run_id,), queue=settings.OUTTURN_FORECAST_QUEUE)  # type: ignore[arg-type]
    ForecastRun.objects.filter(pk=run_id).update(task_id=result.id or "")


def forecast_runs_recover() -> list[int]:
    """Send again the runs whose worker died: running with a silent heartbeat, or still pending
    long after they were asked for. The compare-and-swap claim makes a duplicate harmless; with
    Redis, acks_late usually redelivers first, and this covers brokers that cannot."""
    stale = timezone.now() - timedelta(seconds=settings.OUTTURN_FORECAST_STALE_SECONDS)
    ids = list(
        ForecastRun.objects.filter(
            Q(status=ForecastRun.Status.RUNNING, heartbeat_at__lt=stale)
            | Q(status=ForecastRun.Status.PENDING, created_at__lt=stale)
        ).values_list("pk", flat=True)
    )
    for run_id in ids:
        forecast_run_dispatch(run_id=run_id)
    return ids


def backtests_recover() -> list[int]:
    """Send again the back-tests whose worker died (running with a silent heartbeat) or that
    were never picked up; ``backtest_claim`` takes them over."""
    stale = timezone.now() - timedelta(seconds=settings.OUTTURN_FORECAST_STALE_SECONDS)
    ids = list(
        BacktestReport.objects.filter(
            Q(status=BacktestReport.Status.RUNNING, heartbeat_at__lt=stale)
            | Q(status=BacktestReport.Status.RUNNING, heartbeat_at__isnull=True, created_at__lt=stale)
            | Q(status=BacktestReport.Status.PENDING, created_at__lt=stale)
        ).values_list("pk", flat=True)
    )
    for report_id in ids:
        backtest_dispatch(report_id=report_id)
    return ids


def backtest_dispatch(*, report_id: int, then_run_id: int | None = None) -> None:
    """Send the back-test; with `then_run_id`, the forecast run waits for it (a Celery chain)."""
    queue = settings.OUTTURN_FORECAST_QUEUE or "celery"
    if then_run_id is None:
        backtest_execute_task.apply_async(args=(report_id,), queue=queue)
    else:
        chain(
            backtest_execute_task.si(report_id).set(queue=queue),
            forecast_run_execute_task.si(then_run_id).set(queue=queue),
        ).apply_async()
