"""Executing a forecast run on a worker. The task claims the run with a compare-and-swap,
computes while a thread beats on the run, and writes every result in one transaction, so a
worker killed half way leaves no partial results and the recovery sweep sends the run to
another worker (docs/forecast-runs.md, Recovery)."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from forecast_runs.backtests import backtest_for, backtest_in_progress, chosen_demand, reported_bands
from forecast_runs.fit_store import CacheFitStore
from forecast_runs.heartbeat import beating, stale_before
from forecast_runs.inputs import engine_inputs_build, inputs_digest, inputs_summary
from forecast_runs.signals import forecast_run_results_ready, forecast_run_succeeded
from forecasting.engine import run_engine
from forecasting.engine.demand import fits_kept_in
from forecasting.engine.inputs import EngineInputError
from forecasting.engine.result import EngineResult
from forecasting.models import BudgetLine, ForecastLineResult, ForecastRun, ForecastTable

log = logging.getLogger(__name__)
# Stages of a waiting run, shown after its status ("Waiting for a worker – ...").
WAITING_FOR_BACKTEST = "this month's back-test comes first"
RESTARTING = "starting again: the worker computing it stopped"
TABLES = ("placements", "workforce", "savings", "variance_explained", "models_used", "outturn_ranges")


def _progress(run_id: int, stage: str, progress: int) -> None:
    ForecastRun.objects.filter(pk=run_id, status=ForecastRun.Status.RUNNING).update(
        stage=stage, progress=progress, heartbeat_at=timezone.now()
    )


def forecast_run_claim(*, run_id: int) -> int | None:
    """Compare-and-swap: pending -> running, or take over a run whose worker has gone silent.
    Returns the attempt number this worker now holds, or None when another worker has the run
    (or it has finished): a second delivery of the same message then does nothing."""
    now = timezone.now()
    claimed = (
        ForecastRun.objects.filter(pk=run_id)
        .filter(
            Q(status=ForecastRun.Status.PENDING)
            | Q(status=ForecastRun.Status.RUNNING, heartbeat_at__lt=stale_before(now))
        )
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
    if claimed != 1:
        return None
    return int(ForecastRun.objects.filter(pk=run_id).values_list("attempts", flat=True).get())


def forecast_run_wait_for_backtest(*, run_id: int) -> bool:
    """Leave the run waiting (pending) while this as-at date's back-test is computed, so it never
    uses an older calibration; the back-test's end sends it again (``forecast_runs_waiting_send``)
    and the recovery sweep looks at it again if that message is lost. A run another worker is
    computing is left alone."""
    now = timezone.now()
    return (
        ForecastRun.objects.filter(pk=run_id)
        .filter(
            Q(status=ForecastRun.Status.PENDING)
            | Q(status=ForecastRun.Status.RUNNING, heartbeat_at__lt=stale_before(now))
        )
        .update(status=ForecastRun.Status.PENDING, stage=WAITING_FOR_BACKTEST, heartbeat_at=now)
        == 1
    )


def forecast_run_fail(*, run_id: int, message: str) -> None:
    ForecastRun.objects.filter(pk=run_id).exclude(status=ForecastRun.Status.SUCCEEDED).update(
        status=ForecastRun.Status.FAILED, error=message, finished_at=timezone.now(), stage="Failed"
    )


def forecast_run_execute(*, run_id: int) -> str:
    """Claim the run, run the engine and store its results, beating on the run meanwhile.
    Returns the final status, "not claimed" when another worker has it, or "waiting for the
    back-test" while its as-at date's back-test is being computed."""
    run = ForecastRun.objects.select_related("authority", "year").filter(pk=run_id).first()
    if run is None:
        return "not claimed"
    as_at = run.year.calendar.as_at_date(run.period)
    if backtest_in_progress(authority=run.authority, as_at=as_at):
        forecast_run_wait_for_backtest(run_id=run_id)
        return "waiting for the back-test"
    attempt = forecast_run_claim(run_id=run_id)
    if attempt is None:
        return "not claimed"
    with beating(ForecastRun, run_id):
        return _compute_and_store(run, as_at=as_at, attempt=attempt)


def _compute_and_store(run: ForecastRun, *, as_at: date, attempt: int) -> str:
    run_id = run.pk
    started = time.perf_counter()
    inputs = engine_inputs_build(authority=run.authority, year=run.year, period=run.period)
    report = backtest_for(authority=run.authority, as_at=as_at)
    if report is not None:
        inputs = replace(inputs, chosen_demand=chosen_demand(report))
    calibration = (
        {
            "report": report.pk,
            "as_at": report.as_at.isoformat(),
            "chosen": {code: c.get("method") for code, c in (report.choices or {}).items()},
            # the likely range of the number of children the run reports (FORECAST.md, Accuracy)
            "totals": reported_bands(report),
        }
        if report
        else None
    )
    read_seconds = time.perf_counter() - started
    _progress(run_id, "Forecasting every scenario", 30)
    try:
        with fits_kept_in(CacheFitStore()):  # next month's back-test reuses this date's fits
            result = run_engine(inputs)
    except EngineInputError as error:
        forecast_run_fail(run_id=run_id, message=str(error))
        return ForecastRun.Status.FAILED
    _progress(run_id, "Saving the results", 80)
    forecast_run_results_ready.send(sender=ForecastRun, run_id=run_id)
    write_started = time.perf_counter()
    with transaction.atomic():
        locked = ForecastRun.objects.select_for_update().get(pk=run_id)
        if locked.status != ForecastRun.Status.RUNNING or locked.attempts != attempt:
            # Taken back while this worker was silent: the attempt that holds it now writes.
            return locked.status if locked.status != ForecastRun.Status.RUNNING else "not claimed"
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
            inputs_hash=inputs_digest(inputs),
            timings=timings,
            input_summary={**inputs_summary(inputs), "calibration": calibration},
        )
        # The dashboards prepare the new run's document now, so the first reader does not wait.
        transaction.on_commit(lambda: forecast_run_succeeded.send(sender=ForecastRun, run_id=run_id))
    return ForecastRun.Status.SUCCEEDED


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
