"""A back-test whose worker died is taken over, not left "running" for ever: the claim takes a
running report whose heartbeat has gone silent, and the recovery sends such reports again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from forecast_runs import dispatch
from forecast_runs.backtests import backtest_claim, backtest_execute, backtest_request
from forecasting.models import BacktestReport
from tests.dashboards.county import AS_AT, build_county

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(authority, finance_officer):  # type: ignore[no-untyped-def]
    year, _ = build_county(authority=authority, user=finance_officer)
    return year.calendar.as_at_date(AS_AT)


def _report(authority, as_at, user, *, status, beat_minutes_ago=None, made_minutes_ago=0):  # type: ignore[no-untyped-def]
    report = backtest_request(authority=authority, as_at=as_at, user=user)
    now = timezone.now()
    BacktestReport.objects.filter(pk=report.pk).update(
        status=status,
        heartbeat_at=None if beat_minutes_ago is None else now - timedelta(minutes=beat_minutes_ago),
        created_at=now - timedelta(minutes=made_minutes_ago),
    )
    return report


def test_a_report_whose_worker_went_silent_is_taken_over_and_finished(county, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    stuck = _report(authority, county, finance_officer, status="running", beat_minutes_ago=30, made_minutes_ago=31)
    assert backtest_execute(report_id=stuck.pk) == BacktestReport.Status.SUCCEEDED
    stuck.refresh_from_db()
    assert stuck.status == "succeeded" and stuck.choices and stuck.heartbeat_at is not None


def test_a_report_with_a_live_heartbeat_is_left_to_its_worker(county, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    busy = _report(authority, county, finance_officer, status="running", beat_minutes_ago=0)
    assert not backtest_claim(report_id=busy.pk)
    assert backtest_execute(report_id=busy.pk) == "not claimed"
    # finished reports are never claimed again
    done = _report(authority, county, finance_officer, status="succeeded", beat_minutes_ago=60)
    assert not backtest_claim(report_id=done.pk)


def test_the_recovery_sends_again_the_silent_and_the_forgotten(county, authority, finance_officer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent: list[int] = []
    monkeypatch.setattr(dispatch, "backtest_dispatch", lambda *, report_id, then_run_id=None: sent.append(report_id))
    silent = _report(authority, county, finance_officer, status="running", beat_minutes_ago=30, made_minutes_ago=31)
    never_beat = _report(authority, county, finance_officer, status="running", made_minutes_ago=31)
    forgotten = _report(authority, county, finance_officer, status="pending", made_minutes_ago=31)
    _report(authority, county, finance_officer, status="running", beat_minutes_ago=0, made_minutes_ago=31)  # alive
    _report(authority, county, finance_officer, status="pending")  # just asked for
    _report(authority, county, finance_officer, status="failed", made_minutes_ago=31)
    assert sorted(dispatch.backtests_recover()) == sorted([silent.pk, never_beat.pk, forgotten.pk])
    assert sorted(sent) == sorted([silent.pk, never_beat.pk, forgotten.pk])
