"""Requesting and executing forecast runs (ARCHITECTURE.md, The monthly run, end to end).

Every trigger (the Run forecast button, submitting a period, the monthly schedule, the
run_forecast command) calls `forecast_run_request`. It records a ForecastRun and dispatches the
Celery task only after the transaction commits. The task claims the run with a compare-and-swap,
computes, and writes every result in one transaction, so a worker killed half way leaves no
partial results and the redelivered task starts again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import Authority, User
from forecasting.backtests import backtest_for
from forecasting.engine import ENGINE_VERSION, run_engine
from forecasting.engine.inputs import EngineInputError, EngineInputs, inputs_hash
from forecasting.engine.result import EngineResult
from forecasting.models import BudgetLine, FinancialYear, ForecastLineResult, ForecastRun, ForecastTable
from forecasting.run_inputs import engine_inputs_build
from forecasting.scenarios import scenario_rows

log = logging.getLogger(__name__)
ACTIVE = (ForecastRun.Status.PENDING, ForecastRun.Status.RUNNING)
TABLES = ("placements", "workforce", "savings", "variance_explained", "models_used")


def _summary(inputs: EngineInputs) -> dict[str, Any]:
    return {
        "budget_lines": len(inputs.budget_lines),
        "actuals": len(inputs.actuals),
        "placement_rows": len(inputs.placements),
        "workers": len(inputs.workers),
        "posts": len(inputs.posts),
        "savings": len(inputs.savings),
        "scenarios": [s.name for s in inputs.scenarios],
    }


def _digest(inputs: EngineInputs) -> str:
    try:
        return inputs_hash(inputs)
    except Exception:  # noqa: BLE001 - inputs the engine will reject; the run will say why
        return f"unhashable-{time.time_ns()}"


def forecast_run_request(
    *,
    authority: Authority,
    year: FinancialYear,
    period: int,
    user: User | None,
    trigger: str = ForecastRun.Trigger.BUTTON,
) -> ForecastRun:
    """Ask for a forecast of `year` as at `period`. The same inputs already queued or running
    give back that run instead of a second one."""
    if year.authority_id != authority.pk:
        raise ValueError("The year belongs to another authority")
    if not 0 <= period <= 12:
        raise ValueError(f"Period {period} does not exist; periods run from 0 to 12")
    inputs = engine_inputs_build(authority=authority, year=year, period=period)
    digest = _digest(inputs)
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
                input_summary=_summary(inputs),
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
    """Send the run to a worker. When a scenario uses the statistical method and the authority's
    history has not been back-tested for this as-at date, the back-test goes first (a chain), so
    that intervals are calibrated before they are shown."""
    from forecasting.backtests import backtest_dispatch, backtest_request, statistical_in_use
    from forecasting.models import BacktestReport
    from forecasting.tasks import forecast_run_execute_task

    run = ForecastRun.objects.select_related("authority", "year").get(pk=run_id)
    as_at = run.year.calendar.as_at_date(run.period)
    if (
        statistical_in_use(authority=run.authority)
        and not BacktestReport.objects.filter(authority=run.authority, as_at=as_at)
        .exclude(status=BacktestReport.Status.FAILED)
        .exists()
    ):
        report = backtest_request(authority=run.authority, as_at=as_at, user=run.requested_by)
        backtest_dispatch(report_id=report.pk, then_run_id=run_id)
        return
    result = forecast_run_execute_task.apply_async(args=(run_id,), queue=settings.OUTTURN_FORECAST_QUEUE)  # type: ignore[arg-type]
    ForecastRun.objects.filter(pk=run_id).update(task_id=result.id or "")


def _progress(run_id: int, stage: str, progress: int) -> None:
    ForecastRun.objects.filter(pk=run_id, status=ForecastRun.Status.RUNNING).update(
        stage=stage, progress=progress, heartbeat_at=timezone.now()
    )


def forecast_run_claim(*, run_id: int) -> bool:
    """Compare-and-swap: pending -> running, or take over a run whose worker has gone silent."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTTURN_FORECAST_STALE_SECONDS)
    claimed = (
        ForecastRun.objects.filter(pk=run_id)
        .filter(Q(status=ForecastRun.Status.PENDING) | Q(status=ForecastRun.Status.RUNNING, heartbeat_at__lt=stale))
        .update(
            status=ForecastRun.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
            stage="Reading the inputs",
            progress=5,
            error="",
        )
    )
    return claimed == 1


def forecast_run_fail(*, run_id: int, message: str) -> None:
    ForecastRun.objects.filter(pk=run_id).exclude(status=ForecastRun.Status.SUCCEEDED).update(
        status=ForecastRun.Status.FAILED, error=message, finished_at=timezone.now(), stage="Failed"
    )


def forecast_run_execute(*, run_id: int) -> str:
    """Run the engine for a claimed run and store its results. Returns the final status."""
    if not forecast_run_claim(run_id=run_id):
        return "not claimed"
    run = ForecastRun.objects.select_related("authority", "year").get(pk=run_id)
    started = time.perf_counter()
    inputs = engine_inputs_build(authority=run.authority, year=run.year, period=run.period)
    report = backtest_for(authority=run.authority, as_at=run.year.calendar.as_at_date(run.period))
    if report is not None:
        inputs = replace(inputs, calibration=report.factors)
    calibration = (
        {"report": report.pk, "as_at": report.as_at.isoformat(), "factors": report.factors} if report else None
    )
    read_seconds = time.perf_counter() - started
    _progress(run_id, "Forecasting every scenario", 30)
    try:
        result = run_engine(inputs)
    except EngineInputError as error:
        forecast_run_fail(run_id=run_id, message=str(error))
        return ForecastRun.Status.FAILED
    _progress(run_id, "Saving the results", 80)
    delay = settings.OUTTURN_FORECAST_TEST_DELAY
    if delay:  # fault-injection for the worker-killed test only; 0 in every real deployment
        time.sleep(delay)
    write_started = time.perf_counter()
    with transaction.atomic():
        locked = ForecastRun.objects.select_for_update().get(pk=run_id)
        if locked.status != ForecastRun.Status.RUNNING:
            return locked.status
        forecast_results_replace(run=locked, result=result)
        timings = {**{k: round(v, 4) for k, v in result.timings.items()}, "read_inputs": round(read_seconds, 4)}
        timings["write_results"] = round(time.perf_counter() - write_started, 4)
        timings["whole_run"] = round(time.perf_counter() - started, 4)
        ForecastRun.objects.filter(pk=run_id).update(
            status=ForecastRun.Status.SUCCEEDED,
            progress=100,
            stage="Finished",
            finished_at=timezone.now(),
            engine_version=result.engine_version,
            inputs_hash=_digest(inputs),
            timings=timings,
            input_summary={**_summary(inputs), "calibration": calibration},
        )
        transaction.on_commit(lambda: _warm_dashboard(run_id))
    return ForecastRun.Status.SUCCEEDED


def _warm_dashboard(run_id: int) -> None:
    """Build the director's dashboard for the new run now, so the first reader does not wait."""
    from dashboards.selectors import dashboard_document

    try:
        dashboard_document(ForecastRun.objects.get(pk=run_id))
    except Exception:  # noqa: BLE001 - a cold cache is slower, never wrong; the run has succeeded
        log.exception("could not prepare the dashboard of run %s", run_id)


def _records(frame: pd.DataFrame) -> tuple[list[str], list[list[Any]]]:
    """A frame as JSON-safe columns and rows (dates as ISO text, NaN as None, numpy as Python)."""
    clean = frame.copy()
    for column in clean.columns:
        series = clean[column]
        if pd.api.types.is_datetime64_any_dtype(series):
            clean[column] = series.dt.strftime("%Y-%m-%d")
    clean = clean.astype(object).where(pd.notna(clean), None)
    rows = [
        [value.item() if hasattr(value, "item") else value for value in row] for row in clean.itertuples(index=False)
    ]
    return [str(c) for c in clean.columns], rows


def forecast_results_replace(*, run: ForecastRun, result: EngineResult) -> None:
    """Delete any earlier results of this run and insert the new ones (inside the caller's transaction)."""
    ForecastLineResult.objects.filter(run=run).delete()
    ForecastTable.objects.filter(run=run).delete()
    line_ids = dict(BudgetLine.objects.filter(authority=run.authority).values_list("code", "pk"))
    lines = result.lines
    ForecastLineResult.objects.bulk_create(
        [
            ForecastLineResult(
                run=run,
                scenario=row.scenario,
                line_id=line_ids[row.line_code],
                line_code=row.line_code,
                line_name=row.line_name,
                service_area=row.service_area,
                category=row.category,
                annual_budget=int(row.annual_budget),
                actual_ytd=int(row.actual_ytd),
                committed_remaining=int(row.committed_remaining),
                projected_change=int(row.projected_change),
                savings_adjustment=int(row.savings_adjustment),
                forecast_outturn=int(row.forecast_outturn),
                variance=int(row.variance),
                variance_pct=None if pd.isna(row.variance_pct) else round(float(row.variance_pct), 2),
            )
            for row in lines.itertuples(index=False)
        ],
        batch_size=1000,
    )
    for name in TABLES:
        columns, rows = _records(getattr(result, name))
        ForecastTable.objects.create(run=run, name=name, columns=columns, rows=rows)


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
