"""The fits of the next two months' back-tests, made ahead: after a back-test of the register,
the past dates the next two months will forecast from are fitted at the lowest priority, so that
those back-tests find their fits instead of making them while a run waits, and show exactly what
they would have shown fitting them themselves."""

from __future__ import annotations

import logging
import time
from datetime import date
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from forecast_runs import backtests, dispatch, fit_store, tasks
from forecast_runs.backtests import (
    backtest_fit_ahead,
    backtest_fits_ahead_origins,
)
from forecast_runs.demand.register_replay import origins_ahead, origins_before
from forecast_runs.demand.series import add_months, month_end
from forecast_runs.dispatch import BACKTEST_PRIORITY, FIT_AHEAD_PRIORITY, FURTHER_RUN_PRIORITY, RUN_PRIORITY
from forecast_runs.fit_store import CacheFitStore
from forecast_runs.signals import backtest_ended
from forecast_runs.tasks import backtest_fit_ahead_task
from forecasting.engine import demand
from forecasting.engine.demand import fits_kept_in
from forecasting.models import BacktestReport
from placements.selectors import history_start, placement_register_frame
from tests.dashboards.county import AS_AT
from tests.forecast_runs.test_fit_store import STORED, fitted  # noqa: F401 - the fixture the back-tests need
from tests.forecast_runs.test_fit_store import _report_of as _backtest


def test_the_dates_ahead_are_the_next_two_months_past_dates_worked_by_hand() -> None:
    # 30 April 2019: this month's back-test forecasts from 31 March 2019 and every third month-end
    # before it. 31 May's forecasts from 30 April 2019 (this month's as-at date, fitted for the
    # runs) and 31 January 2019, 31 October 2018, ... 31 July 2017; 30 June's from 31 May 2019
    # (not yet past) and 28 February 2019, 30 November 2018, ... 31 August 2017.
    assert origins_ahead(date(2019, 4, 30)) == [
        date(2017, 7, 31),
        date(2017, 8, 31),
        date(2017, 10, 31),
        date(2017, 11, 30),
        date(2018, 1, 31),
        date(2018, 2, 28),
        date(2018, 4, 30),
        date(2018, 5, 31),
        date(2018, 7, 31),
        date(2018, 8, 31),
        date(2018, 10, 31),
        date(2018, 11, 30),
        date(2019, 1, 31),
        date(2019, 2, 28),
    ]
    # A leap year's February: 31 March 2020's dates from 30 November 2019 back, 30 April 2020's
    # from 31 December 2019 back (31 March 2020 is not yet past).
    assert origins_ahead(date(2020, 2, 29)) == [
        date(2018, 5, 31),
        date(2018, 6, 30),
        date(2018, 8, 31),
        date(2018, 9, 30),
        date(2018, 11, 30),
        date(2018, 12, 31),
        date(2019, 2, 28),
        date(2019, 3, 31),
        date(2019, 5, 31),
        date(2019, 6, 30),
        date(2019, 8, 31),
        date(2019, 9, 30),
        date(2019, 11, 30),
        date(2019, 12, 31),
    ]


def test_the_dates_ahead_and_this_months_cover_every_date_of_the_next_two_months() -> None:
    for as_at in (date(2019, 4, 30), date(2019, 12, 31), date(2020, 2, 29)):
        known = {*origins_before(as_at), as_at, *origins_ahead(as_at)}
        for months in (1, 2):
            later = month_end(add_months(as_at, months))
            past = {d for d in origins_before(later) if d <= as_at}
            assert past <= known, (as_at, later)
        assert not set(origins_ahead(as_at)) & set(origins_before(as_at))


def _fitted_for_the_runs(authority, day: date, made: list[int]) -> list[int]:  # type: ignore[no-untyped-def]
    """The series a back-test as at ``day`` fits for the month's runs (its as-at date's), alone."""
    register = placement_register_frame(authority=authority)
    start = history_start(authority=authority, as_at=day).day
    cache.clear()
    made.clear()
    with fits_kept_in(CacheFitStore()):
        backtests._fit_for_the_runs(backtests._history(register, day, start))
    return sorted(made)


@pytest.mark.django_db
def test_the_next_two_months_find_their_fits_and_show_what_they_would_have_shown(
    fitted,  # noqa: F811 - the fixture imported above
    authority,
    finance_officer,
) -> None:  # type: ignore[no-untyped-def]
    year, made = fitted
    as_at = year.calendar.as_at_date(AS_AT)
    later = [month_end(add_months(as_at, k)) for k in (1, 2)]

    # What the next two months show, and fit, when they fit everything themselves.
    alone, fitted_alone, for_the_runs = {}, {}, {}
    for day in later:
        cache.clear()
        made.clear()
        alone[day] = _backtest(authority, finance_officer, day)
        fitted_alone[day] = sorted(made)
        for_the_runs[day] = _fitted_for_the_runs(authority, day, made)
        assert for_the_runs[day], "the as-at date's models are fitted for the runs"
        assert len(fitted_alone[day]) > len(for_the_runs[day])
    BacktestReport.objects.all().delete()

    cache.clear()
    first = _backtest(authority, finance_officer, as_at)
    assert first.replay == {"source": "register"}
    assert first.past_fits_made > 0  # an authority's first month fits its past dates itself
    assert backtest_fits_ahead_origins(report_id=first.pk) == origins_ahead(as_at)
    made.clear()
    forecast = [backtest_fit_ahead(report_id=first.pk, origin=origin) for origin in origins_ahead(as_at)]
    assert max(forecast) > 0, "types are forecast on the dates ahead"
    assert made, "fitting ahead fits the statistical model"

    for day in later:
        made.clear()
        report = _backtest(authority, finance_officer, day)
        # Every date before the as-at date was found: fitted ahead, or (the month before) the
        # as-at date of the month before. Only the as-at date's own models are fitted.
        assert sorted(made) == for_the_runs[day]
        assert report.past_fits_made == 0
        assert backtest_fits_ahead_origins(report_id=report.pk) == []  # the fits kept are whole
        for field in STORED:
            assert getattr(report, field) == getattr(alone[day], field), field


@pytest.mark.django_db
def test_nothing_is_fitted_ahead_for_a_failed_back_test_one_of_returns_or_one_gone(authority) -> None:  # type: ignore[no-untyped-def]
    failed = BacktestReport.objects.create(
        authority=authority, as_at=date(2019, 7, 31), status=BacktestReport.Status.FAILED, past_fits_made=15
    )
    assert backtest_fits_ahead_origins(report_id=failed.pk) == []
    returns = BacktestReport.objects.create(
        authority=authority,
        as_at=date(2019, 8, 31),
        status=BacktestReport.Status.SUCCEEDED,
        replay={"source": "returns", "rule": "keep-open"},
        past_fits_made=15,
    )
    assert backtest_fits_ahead_origins(report_id=returns.pk) == []
    assert backtest_fits_ahead_origins(report_id=10**9) == []
    assert backtest_fit_ahead(report_id=10**9, origin=date(2019, 3, 31)) == 0
    assert backtest_fit_ahead_task.run(10**9, "2019-03-31") == 0


@pytest.mark.django_db
def test_a_failure_fitting_ahead_is_logged_and_costs_nothing_else(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def broken(**_: object) -> int:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(tasks, "backtest_fit_ahead", broken)
    with caplog.at_level(logging.WARNING, logger="forecast_runs.tasks"):
        assert backtest_fit_ahead_task.run(1, "2019-03-31") == 0
    assert "fitting ahead for back-test 1 on 2019-03-31 failed" in caplog.text


@pytest.mark.django_db
def test_the_end_of_a_register_back_test_sends_its_dates_ahead_last_of_all(authority, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent: list[tuple[tuple[object, ...], str, int]] = []

    def apply_async(args, queue, priority, **_):  # type: ignore[no-untyped-def]
        sent.append((tuple(args), queue, priority))
        return SimpleNamespace(id=f"task-{len(sent)}")

    monkeypatch.setattr(dispatch, "backtest_fit_ahead_task", SimpleNamespace(apply_async=apply_async))
    as_at = date(2019, 4, 30)
    whole = BacktestReport.objects.create(
        authority=authority, as_at=as_at, status=BacktestReport.Status.SUCCEEDED, replay={"source": "register"}
    )
    backtest_ended.send(sender=BacktestReport, authority_id=authority.pk, report_id=whole.pk)
    assert sent == []  # it found every fit of its past dates: those kept for the next months are whole too
    report = BacktestReport.objects.create(
        authority=authority,
        as_at=date(2019, 5, 31),
        status=BacktestReport.Status.SUCCEEDED,
        replay={"source": "register"},
        past_fits_made=15,
    )
    backtest_ended.send(sender=BacktestReport, authority_id=authority.pk, report_id=report.pk)
    assert [args for args, _, _ in sent] == [(report.pk, d.isoformat()) for d in origins_ahead(report.as_at)]
    assert {priority for _, _, priority in sent} == {FIT_AHEAD_PRIORITY}
    assert FIT_AHEAD_PRIORITY > max(RUN_PRIORITY, BACKTEST_PRIORITY, FURTHER_RUN_PRIORITY)


def test_a_fit_found_is_kept_another_hundred_days(settings) -> None:  # type: ignore[no-untyped-def]
    """A fit made ahead two months before its first use is used again three months later: each
    use keeps it for the full time again."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ahead"}}
    store = CacheFitStore()
    fit: demand.Fit = ((1.0,), (0.5,), (1.5,), "AutoETS")
    store.set("ahead", fit)
    cache.touch(fit_store.PREFIX + "ahead", timeout=1)  # as if nearly a hundred days had passed
    assert store.get("ahead") == fit  # found: kept again from now
    time.sleep(1.2)
    assert store.get("ahead") == fit


@pytest.mark.django_db
def test_a_broker_that_refuses_the_fits_ahead_costs_only_them(authority, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    def refused(*_: object, **__: object) -> None:
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(dispatch, "backtest_fit_ahead_task", SimpleNamespace(apply_async=refused))
    report = BacktestReport.objects.create(
        authority=authority,
        as_at=date(2019, 4, 30),
        status=BacktestReport.Status.SUCCEEDED,
        replay={"source": "register"},
        past_fits_made=15,
    )
    with caplog.at_level(logging.WARNING, logger="forecast_runs.receivers"):
        backtest_ended.send(sender=BacktestReport, authority_id=authority.pk, report_id=report.pk)  # does not raise
    assert f"the fits ahead of back-test {report.pk} could not be sent" in caplog.text
