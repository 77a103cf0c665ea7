"""Recovery of forecast runs whose worker died (issue 13, point 5), and the rule that a run never
uses a calibration older than the latest back-test of its as-at date. The worker-kill trials
through real processes are in tests/integration/test_worker_kill_trials.py."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from forecast_runs import dispatch
from forecast_runs.backtests import backtest_request
from forecast_runs.dispatch import forecast_run_dispatch as real_dispatch
from forecast_runs.execute import (
    RESTARTING,
    WAITING_FOR_BACKTEST,
    _compute_and_store,
    forecast_run_claim,
    forecast_run_execute,
)
from forecast_runs.heartbeat import beat_seconds, beating
from forecast_runs.tasks import backtest_execute_task
from forecasting.models import BacktestReport, ForecastLineResult, ForecastRun
from tests.dashboards.county import AS_AT, build_county, set_assumptions
from tests.support import wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(authority, finance_officer, settings):  # type: ignore[no-untyped-def]
    settings.OUTTURN_FORECAST_STALE_SECONDS = 20
    settings.OUTTURN_HEARTBEAT_SECONDS = 5
    year, _ = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)  # the middle scenario uses the statistical model: runs want a back-test
    return year


def _run(year, *, status, beat_seconds_ago=None, made_seconds_ago=0):  # type: ignore[no-untyped-def]
    """A run in the given state, as a worker (alive or dead) would have left it."""
    run = ForecastRun.objects.create(
        authority=year.authority, year=year, period=AS_AT, inputs_hash=f"h{ForecastRun.objects.count()}"
    )
    now = timezone.now()
    ForecastRun.objects.filter(pk=run.pk).update(
        status=status,
        heartbeat_at=None if beat_seconds_ago is None else now - timedelta(seconds=beat_seconds_ago),
        created_at=now - timedelta(seconds=made_seconds_ago),
    )
    return run


def test_the_sweep_takes_back_silent_and_forgotten_runs_once_and_leaves_the_rest(county, dispatched_runs) -> None:  # type: ignore[no-untyped-def]
    # Stale limit 20 s: a last beat 30 s ago is a dead worker, 5 s ago a busy one.
    dead = _run(county, status="running", beat_seconds_ago=30, made_seconds_ago=60)
    forgotten = _run(county, status="pending", made_seconds_ago=30)
    _run(county, status="running", beat_seconds_ago=5, made_seconds_ago=60)  # alive
    _run(county, status="pending", made_seconds_ago=2)  # its message is still on its way
    _run(county, status="succeeded", beat_seconds_ago=600, made_seconds_ago=600)
    _run(county, status="failed", beat_seconds_ago=600, made_seconds_ago=600)

    assert sorted(dispatch.forecast_runs_recover()) == sorted([dead.pk, forgotten.pk])
    assert sorted(dispatched_runs) == sorted([dead.pk, forgotten.pk])
    dead.refresh_from_db()
    # Back to pending, with a fresh beat: the next sweep, 10 s later, does not send it again.
    assert dead.status == "pending" and timezone.now() - dead.heartbeat_at < timedelta(seconds=5)
    assert (dead.stage, dead.progress) == (RESTARTING, 0)  # "Waiting for a worker – starting again: ..."
    assert dispatch.forecast_runs_recover() == []
    assert len(dispatched_runs) == 2


def test_of_two_sweeps_that_see_the_same_silent_run_only_one_sends_it(county) -> None:  # type: ignore[no-untyped-def]
    dead = _run(county, status="running", beat_seconds_ago=30, made_seconds_ago=60)
    now = timezone.now()
    stale = now - timedelta(seconds=20)
    assert dispatch._requeue(ForecastRun, dead.pk, stale, now) is True
    assert dispatch._requeue(ForecastRun, dead.pk, stale, now) is False


def test_a_second_delivery_is_harmless_and_a_worker_whose_run_was_taken_back_writes_nothing(county) -> None:  # type: ignore[no-untyped-def]
    run = _run(county, status="pending")
    assert forecast_run_claim(run_id=run.pk) == 1
    assert forecast_run_claim(run_id=run.pk) is None  # Redis delivers the message again: refused
    assert forecast_run_execute(run_id=run.pk) == "not claimed"
    # The first worker goes silent for longer than the stale limit; another takes the run over.
    ForecastRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=30))
    assert forecast_run_claim(run_id=run.pk) == 2
    run.refresh_from_db()
    # The silent worker wakes up and tries to store its results: attempt 1 no longer holds the run.
    assert _compute_and_store(run, as_at=run.year.calendar.as_at_date(AS_AT), attempt=1) == "not claimed"
    assert not ForecastLineResult.objects.filter(run=run).exists()
    assert _compute_and_store(run, as_at=run.year.calendar.as_at_date(AS_AT), attempt=2) == "succeeded"
    # 5 lines of the county × best, middle and worst
    assert ForecastLineResult.objects.filter(run=run).count() == 15


def test_the_beat_is_never_slower_than_a_third_of_the_stale_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_HEARTBEAT_SECONDS, settings.OUTTURN_FORECAST_STALE_SECONDS = 5, 20
    assert beat_seconds() == 5
    settings.OUTTURN_HEARTBEAT_SECONDS, settings.OUTTURN_FORECAST_STALE_SECONDS = 5, 6
    assert beat_seconds() == 2  # 6 / 3


@pytest.mark.django_db(transaction=True)
def test_a_running_run_beats_while_its_worker_computes(county, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_HEARTBEAT_SECONDS = 0.2
    run = _run(county, status="running", beat_seconds_ago=600, made_seconds_ago=600)
    done = _run(county, status="succeeded", beat_seconds_ago=600, made_seconds_ago=600)
    old = ForecastRun.objects.get(pk=run.pk).heartbeat_at
    done_beat = ForecastRun.objects.get(pk=done.pk).heartbeat_at
    with beating(ForecastRun, run.pk), beating(ForecastRun, done.pk):
        assert wait_until(lambda: ForecastRun.objects.get(pk=run.pk).heartbeat_at > old, timeout=30)
    # Only a running row beats: a finished one is left as it was.
    assert ForecastRun.objects.get(pk=done.pk).heartbeat_at == done_beat


@pytest.mark.django_db(transaction=True)
def test_a_beat_the_database_refuses_costs_that_beat_not_the_heartbeat(county, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.db import OperationalError
    from django.db.models import QuerySet

    settings.OUTTURN_HEARTBEAT_SECONDS = 0.2
    run = _run(county, status="running", beat_seconds_ago=600, made_seconds_ago=600)
    old = ForecastRun.objects.get(pk=run.pk).heartbeat_at
    update, refused = QuerySet.update, []

    def busy_once(self, **kwargs):  # type: ignore[no-untyped-def]
        if "heartbeat_at" in kwargs and not refused:
            refused.append(True)
            raise OperationalError("database is locked")
        return update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", busy_once)
    with beating(ForecastRun, run.pk):
        assert wait_until(lambda: ForecastRun.objects.get(pk=run.pk).heartbeat_at > old, timeout=30)
    assert refused == [True]


def _report(authority, as_at, *, status):  # type: ignore[no-untyped-def]
    report = backtest_request(authority=authority, as_at=as_at, user=None)
    BacktestReport.objects.filter(pk=report.pk).update(status=status, finished_at=timezone.now())
    return report


def test_a_run_queued_while_its_dates_back_test_runs_waits_and_then_uses_that_back_test(
    county, authority, dispatched_runs
) -> None:  # type: ignore[no-untyped-def]
    as_at = county.calendar.as_at_date(AS_AT)
    # An older calibration exists (made as at the previous quarter) and this date's back-test has
    # been asked for and is running when the run's message arrives.
    older = _report(authority, as_at - timedelta(days=92), status="pending")
    assert backtest_execute_task.run(older.pk) == "succeeded"
    current = backtest_request(authority=authority, as_at=as_at, user=None)
    run = _run(county, status="pending")

    assert forecast_run_execute(run_id=run.pk) == "waiting for the back-test"
    run.refresh_from_db()
    assert (run.status, run.stage, run.attempts) == ("pending", WAITING_FOR_BACKTEST, 0)
    assert not ForecastLineResult.objects.filter(run=run).exists()

    # The back-test of the date ends and sends the runs that wait for it.
    dispatched_runs.clear()
    assert backtest_execute_task.run(current.pk) == "succeeded"
    assert dispatched_runs == [run.pk]
    assert forecast_run_execute(run_id=run.pk) == "succeeded"
    run.refresh_from_db()
    assert run.input_summary["calibration"]["report"] == current.pk != older.pk


def test_a_run_whose_date_has_a_finished_back_test_uses_it_not_an_older_one(county, authority) -> None:  # type: ignore[no-untyped-def]
    as_at = county.calendar.as_at_date(AS_AT)
    current = _report(authority, as_at, status="pending")
    assert backtest_execute_task.run(current.pk) == "succeeded"
    older = _report(authority, as_at - timedelta(days=92), status="pending")
    assert backtest_execute_task.run(older.pk) == "succeeded"  # finished later, but for an earlier date
    run = _run(county, status="pending")
    assert forecast_run_execute(run_id=run.pk) == "succeeded"
    run.refresh_from_db()
    assert run.input_summary["calibration"]["report"] == current.pk


def test_dispatch_asks_for_the_dates_back_test_and_holds_the_run_until_it_ends(county, authority, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent_backtests: list[int] = []
    sent_runs: list[tuple[int, ...]] = []
    monkeypatch.setattr(dispatch, "backtest_dispatch", lambda *, report_id: sent_backtests.append(report_id))
    monkeypatch.setattr(
        dispatch,
        "forecast_run_execute_task",
        SimpleNamespace(apply_async=lambda args, queue, **_: sent_runs.append(args) or SimpleNamespace(id="t")),
    )
    run = _run(county, status="pending")
    real_dispatch(run_id=run.pk)
    report = BacktestReport.objects.get(authority=authority, as_at=county.calendar.as_at_date(AS_AT))
    assert sent_backtests == [report.pk] and sent_runs == []
    assert ForecastRun.objects.get(pk=run.pk).stage == WAITING_FOR_BACKTEST
    # Sent again while it is being computed (e.g. by the sweep): still held, no second back-test.
    real_dispatch(run_id=run.pk)
    assert sent_backtests == [report.pk] and sent_runs == []
    # Once it has finished the run goes to a worker.
    BacktestReport.objects.filter(pk=report.pk).update(status="succeeded")
    real_dispatch(run_id=run.pk)
    assert sent_runs == [(run.pk,)]


def test_the_runs_waiting_for_a_failed_back_test_still_run(county, authority, dispatched_runs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    report = backtest_request(authority=authority, as_at=county.calendar.as_at_date(AS_AT), user=None)
    run = _run(county, status="pending")
    ForecastRun.objects.filter(pk=run.pk).update(stage=WAITING_FOR_BACKTEST)

    def broken(**_):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr("forecast_runs.tasks.backtest_execute", broken)
    assert backtest_execute_task.run(report.pk) == "failed"
    assert BacktestReport.objects.get(pk=report.pk).status == "failed"
    assert dispatched_runs == [run.pk]


def test_a_silent_back_test_is_sent_again_once_per_stale_limit(county, authority, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent: list[int] = []
    monkeypatch.setattr(dispatch, "backtest_dispatch", lambda *, report_id: sent.append(report_id))
    report = backtest_request(authority=authority, as_at=county.calendar.as_at_date(AS_AT), user=None)
    BacktestReport.objects.filter(pk=report.pk).update(
        status="running", heartbeat_at=timezone.now() - timedelta(seconds=30)
    )
    assert dispatch.backtests_recover() == [report.pk]
    assert BacktestReport.objects.get(pk=report.pk).status == "pending"
    assert dispatch.backtests_recover() == []  # it was just sent: not again until 20 s pass
    assert sent == [report.pk]


def test_the_production_settings_resume_a_dead_workers_task_within_a_minute() -> None:
    import config.settings as production
    from forecast_runs.tasks import forecast_run_execute_task

    # Worst case from a kill: the row goes stale 20 s after its last beat (at most 20 s after the
    # kill), and the next sweep comes at most 10 s later: 30 s, leaving 30 s for queueing.
    assert production.OUTTURN_FORECAST_STALE_SECONDS + production.OUTTURN_RECOVERY_SWEEP_SECONDS == 30
    assert production.OUTTURN_HEARTBEAT_SECONDS <= production.OUTTURN_FORECAST_STALE_SECONDS / 3
    entry = production.CELERY_BEAT_SCHEDULE["recover-forecast-runs"]
    assert entry["task"] == "forecast_runs.schedule.forecast_runs_recover_task"
    assert entry["schedule"] == production.OUTTURN_RECOVERY_SWEEP_SECONDS
    # Redis must never hand a task that is still allowed to run to a second worker.
    visibility = production.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if visibility is not None:
        limits = (forecast_run_execute_task.time_limit, backtest_execute_task.time_limit)
        assert visibility > max(production.CELERY_TASK_TIME_LIMIT, *limits)  # 3,600 > 960
    assert production.CELERY_TASK_ACKS_LATE and production.CELERY_WORKER_PREFETCH_MULTIPLIER == 1


def test_a_starting_worker_asks_for_a_sweep_on_the_forecast_queue(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from config.celery import _recovery_sweep
    from forecast_runs import schedule

    asked: list[dict[str, object]] = []
    monkeypatch.setattr(schedule.forecast_runs_recover_task, "apply_async", lambda **options: asked.append(options))
    settings.OUTTURN_FORECAST_QUEUE = "forecasts"
    _recovery_sweep(sender=None)
    assert asked == [{"queue": "forecasts", "expires": 60}]
