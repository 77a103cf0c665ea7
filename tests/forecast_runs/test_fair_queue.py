"""The fair queue (docs/scaling.md): an authority's run goes to the broker first, back-tests after
every authority's runs, and a further run of an authority that already has one sent comes last;
and the broker really hands out messages in that order."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

import pytest

from forecast_runs import dispatch
from forecast_runs.dispatch import BACKTEST_PRIORITY, FIT_AHEAD_PRIORITY, FURTHER_RUN_PRIORITY, RUN_PRIORITY
from forecast_runs.dispatch import backtest_dispatch as real_backtest_dispatch
from forecast_runs.dispatch import forecast_run_dispatch as real_dispatch
from forecast_runs.execute import WAITING_FOR_BACKTEST
from forecasting.models import BacktestReport, ForecastRun
from forecasting.services import financial_year_get_or_create
from tests.dashboards.county import AS_AT, build_county, set_assumptions

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):  # type: ignore[no-untyped-def]
    """What dispatch sends, with its priority: (kind, id, priority)."""
    messages: list[tuple[str, int, int]] = []

    def recorder(kind: str):  # type: ignore[no-untyped-def]
        def apply_async(args, queue, priority, **_):  # type: ignore[no-untyped-def]
            messages.append((kind, args[0], priority))
            return SimpleNamespace(id=f"task-{len(messages)}")

        return SimpleNamespace(apply_async=apply_async)

    monkeypatch.setattr(dispatch, "forecast_run_execute_task", recorder("run"))
    monkeypatch.setattr(dispatch, "backtest_execute_task", recorder("backtest"))
    return messages


@pytest.fixture
def county(authority, finance_officer):  # type: ignore[no-untyped-def]
    year, _ = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)  # statistical: the runs want this month's back-test
    BacktestReport.objects.create(
        authority=authority, as_at=year.calendar.as_at_date(AS_AT), status=BacktestReport.Status.SUCCEEDED
    )
    return year


def _run(year, **fields):  # type: ignore[no-untyped-def]
    return ForecastRun.objects.create(
        authority=year.authority, year=year, period=AS_AT, inputs_hash=uuid.uuid4().hex, **fields
    )


def test_an_authoritys_second_run_waits_behind_everyone_elses_first(county, other_authority, sent) -> None:  # type: ignore[no-untyped-def]
    first = _run(county)
    real_dispatch(run_id=first.pk)
    second = _run(county)
    real_dispatch(run_id=second.pk)
    other_year = financial_year_get_or_create(authority=other_authority, label="2019/20")
    other = _run(other_year)
    real_dispatch(run_id=other.pk)
    assert sent == [
        ("run", first.pk, RUN_PRIORITY),
        ("run", second.pk, FURTHER_RUN_PRIORITY),
        ("run", other.pk, RUN_PRIORITY),
    ]
    # Once the first has finished, the authority's next run goes first again.
    ForecastRun.objects.filter(pk=first.pk).update(status=ForecastRun.Status.SUCCEEDED)
    ForecastRun.objects.filter(pk=second.pk).update(status=ForecastRun.Status.SUCCEEDED)
    third = _run(county)
    real_dispatch(run_id=third.pk)
    assert sent[-1] == ("run", third.pk, RUN_PRIORITY)


def test_a_run_waiting_for_its_back_test_does_not_hold_the_authoritys_next_run_back(county, sent) -> None:  # type: ignore[no-untyped-def]
    _run(county, stage=WAITING_FOR_BACKTEST, task_id="")
    _run(county, status=ForecastRun.Status.FAILED, task_id="old")
    run = _run(county)
    real_dispatch(run_id=run.pk)
    assert sent == [("run", run.pk, RUN_PRIORITY)]


def test_back_tests_go_after_every_authoritys_runs(county, sent) -> None:  # type: ignore[no-untyped-def]
    report = BacktestReport.objects.create(authority=county.authority, as_at=county.calendar.as_at_date(AS_AT))
    real_backtest_dispatch(report_id=report.pk)
    assert sent == [("backtest", report.pk, BACKTEST_PRIORITY)]
    assert RUN_PRIORITY < BACKTEST_PRIORITY < FURTHER_RUN_PRIORITY


def test_the_broker_hands_out_the_run_before_the_back_test_sent_earlier() -> None:
    """Through the configured broker (Redis in the suite): lower numbers are taken first."""
    from config.celery import app

    queue = f"fair-{uuid.uuid4().hex[:8]}"
    backtest = "forecast_runs.tasks.backtest_execute_task"
    ahead = app.send_task(
        "forecast_runs.tasks.backtest_fit_ahead_task", args=(1, "2019-03-31"), queue=queue, priority=FIT_AHEAD_PRIORITY
    )
    later = app.send_task(backtest, args=(1,), queue=queue, priority=BACKTEST_PRIORITY)
    further = app.send_task("forecast_runs.tasks.forecast_run_execute_task", args=(3,), queue=queue, priority=6)
    first = app.send_task("forecast_runs.tasks.forecast_run_execute_task", args=(2,), queue=queue, priority=0)
    taken = []
    with app.connection_for_read() as connection:
        channel: Any = connection.default_channel  # kombu's virtual channel (basic_get, queue_delete)
        for _ in range(4):
            message = channel.basic_get(queue, no_ack=True)
            assert message is not None
            taken.append(message.headers["id"])
        channel.queue_delete(queue)
    # the fits made ahead, sent first, are taken last
    assert taken == [first.id, later.id, further.id, ahead.id]
