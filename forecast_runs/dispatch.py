"""Asking for forecast runs and sending them to a worker (ARCHITECTURE.md, The monthly run, end
to end).

Every trigger (the Run forecast button, submitting a period, the monthly schedule, the
run_forecast command) calls `forecast_run_request`. It records a ForecastRun and dispatches the
Celery task only after the transaction commits; the worker side is `forecast_runs.execute`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, PositiveSmallIntegerField, Q, Value, When
from django.utils import timezone

from accounts.models import Authority, User
from forecast_runs.backtests import (
    backtest_fits_ahead_origins,
    backtest_in_progress,
    backtest_request,
    backtest_wanted,
)
from forecast_runs.execute import RESTARTING, WAITING_FOR_BACKTEST, forecast_run_wait_for_backtest
from forecast_runs.heartbeat import stale_before
from forecast_runs.inputs import engine_inputs_build, inputs_digest, inputs_summary
from forecast_runs.tasks import backtest_execute_task, backtest_fit_ahead_task, forecast_run_execute_task
from forecasting.engine import ENGINE_VERSION
from forecasting.models import BacktestReport, FinancialYear, ForecastRun
from forecasting.period_rules import actuals_required
from forecasting.scenarios import scenario_rows

ACTIVE = (ForecastRun.Status.PENDING, ForecastRun.Status.RUNNING)
# A fair queue (docs/scaling.md): the broker hands out its messages by priority, 0 first, and in
# order within one. An authority's run goes first (it is quick, and it is what a user waits for);
# back-tests, long and once a month, come after every authority's run; a further run of an
# authority that already has one in the queue or on a worker comes last. So when the whole
# region asks at once, each authority's month ends soon after its own back-test, and one
# authority asking many times cannot hold the others back.
# Fits made ahead for later months' back-tests (``backtest_fits_ahead_send``) go last of all:
# they are taken only when nothing anybody waits for is queued.
RUN_PRIORITY = 0
BACKTEST_PRIORITY = 3
FURTHER_RUN_PRIORITY = 6
FIT_AHEAD_PRIORITY = 9


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
    """Send the run to a worker. A run never uses a calibration older than the latest back-test
    of its as-at date: when a scenario forecasts new children and that date has not been
    back-tested, the back-test is asked for and the run waits for it (pending, "Waiting for
    this month's back-test"), as it does while one is already being computed; the back-test's
    end sends the waiting runs (``forecast_runs_waiting_send``)."""
    run = ForecastRun.objects.select_related("authority", "year").get(pk=run_id)
    as_at = run.year.calendar.as_at_date(run.period)
    if backtest_wanted(authority=run.authority) and not (
        BacktestReport.objects.filter(authority=run.authority, as_at=as_at)
        .exclude(status=BacktestReport.Status.FAILED)
        .exists()
    ):
        report = backtest_request(authority=run.authority, as_at=as_at, user=run.requested_by)
        forecast_run_wait_for_backtest(run_id=run_id)
        backtest_dispatch(report_id=report.pk)
        return
    if backtest_in_progress(authority=run.authority, as_at=as_at):
        forecast_run_wait_for_backtest(run_id=run_id)
        return
    result = forecast_run_execute_task.apply_async(
        args=(run_id,),
        queue=settings.OUTTURN_FORECAST_QUEUE,  # type: ignore[arg-type]
        priority=RUN_PRIORITY if not _another_run_sent(run) else FURTHER_RUN_PRIORITY,
    )
    ForecastRun.objects.filter(pk=run_id).update(task_id=result.id or "")


def _another_run_sent(run: ForecastRun) -> bool:
    """Whether another run of the authority is already with a worker or in the queue (sent, not
    waiting for a back-test, not finished)."""
    return (
        ForecastRun.objects.filter(authority_id=run.authority_id, status__in=ACTIVE)
        .exclude(pk=run.pk)
        .exclude(task_id="")
        .exclude(stage=WAITING_FOR_BACKTEST)
        .exists()
    )


def forecast_runs_waiting_send(*, authority_id: int) -> list[int]:
    """Called when a back-test of the authority ends (finished or failed): send the runs that were
    waiting for it."""
    ids = list(
        ForecastRun.objects.filter(
            authority_id=authority_id, status=ForecastRun.Status.PENDING, stage=WAITING_FOR_BACKTEST
        ).values_list("pk", flat=True)
    )
    for run_id in ids:
        forecast_run_dispatch(run_id=run_id)
    return ids


def _silent(model: type[ForecastRun] | type[BacktestReport], stale: datetime) -> Q:
    """Rows whose worker died (running, last beat before ``stale``) or that nobody has looked at
    since ``stale`` (pending: asked for, or re-queued, and not taken)."""
    running, pending = model.Status.RUNNING, model.Status.PENDING
    return (
        Q(status=running, heartbeat_at__lt=stale)
        | Q(status=running, heartbeat_at__isnull=True, created_at__lt=stale)
        | Q(status=pending, heartbeat_at__lt=stale)
        | Q(status=pending, heartbeat_at__isnull=True, created_at__lt=stale)
    )


def _requeue(model: type[ForecastRun] | type[BacktestReport], pk: int, stale: datetime, now: datetime) -> bool:
    """Compare-and-swap a silent row back to pending, beating on it now: of two sweeps that see
    the same row only one sends it again, and a row is sent again at most once per stale limit."""
    restarting: dict[str, object] = {}
    if model is ForecastRun:  # the run page says why a run that was running waits again
        running = Q(status=ForecastRun.Status.RUNNING)
        restarting = {
            "stage": Case(When(running, then=Value(RESTARTING)), default=F("stage"), output_field=CharField()),
            "progress": Case(
                When(running, then=Value(0)), default=F("progress"), output_field=PositiveSmallIntegerField()
            ),
        }
    rows = model._default_manager.filter(_silent(model, stale), pk=pk)
    return rows.update(status=model.Status.PENDING, heartbeat_at=now, **restarting) == 1


def forecast_runs_recover() -> list[int]:
    """Send again the runs whose worker died (running with a silent heartbeat) or that were never
    picked up; the claim in ``forecast_run_execute`` makes any duplicate message harmless. Run by
    beat every OUTTURN_RECOVERY_SWEEP_SECONDS and by each worker as it starts."""
    return _recover(ForecastRun, lambda pk: forecast_run_dispatch(run_id=pk))


def backtests_recover() -> list[int]:
    """Send again the back-tests whose worker died (running with a silent heartbeat) or that
    were never picked up; ``backtest_claim`` takes them over."""
    return _recover(BacktestReport, lambda pk: backtest_dispatch(report_id=pk))


def _recover(model: type[ForecastRun] | type[BacktestReport], send: Callable[[int], object]) -> list[int]:
    """Take back each silent row with a compare-and-swap (so two sweeps never both send one) and
    send it to a worker; the ids sent."""
    now = timezone.now()
    stale = stale_before(now)
    ids = list(model._default_manager.filter(_silent(model, stale)).values_list("pk", flat=True))
    sent = []
    for pk in ids:
        if _requeue(model, pk, stale, now):
            send(pk)
            sent.append(pk)
    return sent


def backtest_dispatch(*, report_id: int) -> None:
    """Send the back-test. Runs waiting for it are sent when it ends (``forecast_runs_waiting_send``)."""
    backtest_execute_task.apply_async(
        args=(report_id,), queue=settings.OUTTURN_FORECAST_QUEUE or "celery", priority=BACKTEST_PRIORITY
    )


def backtest_fits_ahead_send(*, report_id: int) -> int:
    """Send the fitting of the next two months' back-tests' past dates, one task a date (about a
    second each for a large county, so a run sent meanwhile waits at most that long for a
    worker). Returns the number of dates sent."""
    origins = backtest_fits_ahead_origins(report_id=report_id)
    for origin in origins:
        backtest_fit_ahead_task.apply_async(
            args=(report_id, origin.isoformat()),
            queue=settings.OUTTURN_FORECAST_QUEUE or "celery",
            priority=FIT_AHEAD_PRIORITY,
        )
    return len(origins)
