"""Periods move in order, with evidence (issue: the monthly cycle that cannot go wrong, point 1).

A tiny year: 2019/20 with three budget lines, each with a budget, and actuals typed in by hand.
Submitting, locking, forecasting (from every route) and signing off all ask `period_gaps`."""

from __future__ import annotations

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from forecast_runs.dispatch import forecast_run_request
from forecast_runs.schedule import forecast_monthly_requests
from forecasting.models import Actual, ForecastRun, Period
from forecasting.period_rules import PeriodNotReadyError, period_gaps
from forecasting.services import (
    TransitionError,
    actuals_save,
    budget_set,
    period_lock,
    period_submit,
    period_unlock,
)
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db

MISSING_LINES = "Budget lines without an actual (enter 0 for a line with no spend):"


@pytest.fixture
def tiny(year, lines, finance_officer):  # type: ignore[no-untyped-def]
    """The three lines of tests/conftest.py, each with a budget for 2019/20 and no actuals yet."""
    for line in lines.values():
        budget_set(authority=year.authority, user=finance_officer, line=line, year=year, amount=1_200_000, reason="")
    return year


def enter(year, user, number: int, amounts: dict) -> Period:  # type: ignore[no-untyped-def]
    period = year.periods.get(number=number)
    actuals_save(
        authority=year.authority, user=user, period=period, amounts={line.pk: a for line, a in amounts.items()}
    )
    return period


def complete(year, lines, user, *numbers: int) -> None:  # type: ignore[no-untyped-def]
    for number in numbers:
        enter(year, user, number, {line: 10_000 * number for line in lines.values()})


def test_the_gaps_name_open_earlier_periods_lines_without_an_actual_and_empty_periods(
    tiny, lines, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    complete(tiny, lines, finance_officer, 1)
    enter(tiny, finance_officer, 2, {lines["CIC-RES-EXT"]: 5_000, lines["LEG-EXT"]: 7_000})
    gaps = period_gaps(year=tiny, number=3)
    assert gaps.earlier_open == (1, 2) and gaps.empty_periods == (3,)
    assert gaps.line_texts == ["INC-UASC Home Office UASC grant for Period 2 (May 2019)"]
    with pytest.raises(PeriodNotReadyError) as refused:
        period_submit(period=tiny.periods.get(number=3), user=finance_officer)
    assert str(refused.value) == (
        "Period 3 (June 2019) cannot be submitted yet. "
        "Earlier periods not yet submitted: Period 1 (April 2019) and Period 2 (May 2019). "
        "No budget line has an actual for Period 3 (June 2019). "
        f"{MISSING_LINES} INC-UASC Home Office UASC grant for Period 2 (May 2019)."
    )
    assert tiny.periods.get(number=3).status == Period.Status.OPEN


def test_an_actual_of_zero_confirms_a_line_with_no_spend_and_a_blank_does_not(
    tiny, lines, finance_officer, director
) -> None:  # type: ignore[no-untyped-def]
    period = enter(tiny, finance_officer, 1, {lines["CIC-RES-EXT"]: 5_000, lines["LEG-EXT"]: 7_000})
    with pytest.raises(PeriodNotReadyError, match="INC-UASC Home Office UASC grant for Period 1 \\(April 2019\\)"):
        period_submit(period=period, user=finance_officer)
    enter(tiny, finance_officer, 1, {lines["INC-UASC"]: 0})
    assert period_submit(period=period, user=finance_officer).status == Period.Status.SUBMITTED
    # Clearing the box (None) removes the row: blank again, so the director cannot lock it.
    enter(tiny, finance_officer, 1, {lines["INC-UASC"]: None})
    with pytest.raises(PeriodNotReadyError, match="Period 1 \\(April 2019\\) cannot be locked yet"):
        period_lock(period=period, user=director)


def test_periods_are_submitted_in_order(tiny, lines, finance_officer) -> None:  # type: ignore[no-untyped-def]
    complete(tiny, lines, finance_officer, 1, 2)
    with pytest.raises(PeriodNotReadyError) as refused:
        period_submit(period=tiny.periods.get(number=2), user=finance_officer)
    assert str(refused.value) == (
        "Period 2 (May 2019) cannot be submitted yet. Earlier periods not yet submitted: Period 1 (April 2019)."
    )
    period_submit(period=tiny.periods.get(number=1), user=finance_officer, forecast=False)
    assert period_submit(period=tiny.periods.get(number=2), user=finance_officer).status == Period.Status.SUBMITTED


def test_a_locked_earlier_period_counts_as_done(tiny, lines, finance_officer, director) -> None:  # type: ignore[no-untyped-def]
    complete(tiny, lines, finance_officer, 1, 2)
    period_lock(period=period_submit(period=tiny.periods.get(number=1), user=finance_officer), user=director)
    assert period_submit(period=tiny.periods.get(number=2), user=finance_officer).status == Period.Status.SUBMITTED


def test_a_line_with_neither_budget_nor_actual_this_year_is_not_asked_for(year, lines, finance_officer) -> None:  # type: ignore[no-untyped-def]
    # Only LEG-EXT has a budget: the other two lines are not part of 2019/20's forecast.
    budget_set(authority=year.authority, user=finance_officer, line=lines["LEG-EXT"], year=year, amount=1, reason="")
    period = enter(year, finance_officer, 1, {lines["LEG-EXT"]: 0})
    assert period_gaps(year=year, number=1).complete
    assert period_submit(period=period, user=finance_officer).status == Period.Status.SUBMITTED


def test_a_message_names_ten_lines_then_says_how_many_more_and_runs_of_periods_in_short(
    tiny, lines, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    extra = [BudgetLineFactory(authority=tiny.authority, code=f"X-{n:02d}", name=f"Extra {n}") for n in range(12)]
    for line in extra:
        budget_set(authority=tiny.authority, user=finance_officer, line=line, year=tiny, amount=1, reason="")
    for number in range(1, 6):  # LEG-EXT alone has actuals for periods 1 to 5
        enter(tiny, finance_officer, number, {lines["LEG-EXT"]: 100})
    with pytest.raises(PeriodNotReadyError) as refused:
        forecast_run_request(authority=tiny.authority, year=tiny, period=5, user=None)
    message = str(refused.value)
    assert message.startswith(
        f"A forecast as at Period 5 (August 2019) cannot be run yet. {MISSING_LINES} "
        "CIC-RES-EXT External residential placements for Period 1 (April 2019) to Period 5 (August 2019); "
        "INC-UASC Home Office UASC grant for Period 1 (April 2019) to Period 5 (August 2019); "
        "X-00 Extra 0 for Period 1 (April 2019) to Period 5 (August 2019); "
    )
    assert message.endswith("X-07 Extra 7 for Period 1 (April 2019) to Period 5 (August 2019); and 4 more lines.")
    assert "X-08" not in message and "Earlier periods" not in message
    assert not ForecastRun.objects.exists()


def test_a_director_locks_only_submitted_periods(tiny, lines, finance_officer, director) -> None:  # type: ignore[no-untyped-def]
    complete(tiny, lines, finance_officer, 1)
    period = tiny.periods.get(number=1)
    with pytest.raises(TransitionError) as refused:
        period_lock(period=period, user=director)
    assert str(refused.value) == "Period 1 (April 2019) is open; only a submitted period can be locked."
    period = period_lock(period=period_submit(period=period, user=finance_officer), user=director)
    assert period.status == Period.Status.LOCKED
    with pytest.raises(TransitionError, match="is locked; only a submitted period can be locked"):
        period_lock(period=period, user=director)
    # Unlocked, it is open again: it must be submitted again before it can be locked.
    period = period_unlock(period=period, user=director, reason="Late invoice")
    with pytest.raises(TransitionError, match="is open; only a submitted period can be locked"):
        period_lock(period=period, user=director)


def test_a_forecast_is_refused_while_actuals_are_missing_and_allowed_once_complete(
    tiny, lines, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    complete(tiny, lines, finance_officer, 1)
    enter(tiny, finance_officer, 2, {lines["LEG-EXT"]: 100, lines["INC-UASC"]: -100})
    with pytest.raises(PeriodNotReadyError) as refused:
        forecast_run_request(authority=tiny.authority, year=tiny, period=2, user=finance_officer)
    assert str(refused.value) == (
        "A forecast as at Period 2 (May 2019) cannot be run yet. "
        f"{MISSING_LINES} CIC-RES-EXT External residential placements for Period 2 (May 2019)."
    )
    # As at period 1 (complete) and as at the start of the year (no actuals needed) it runs; open
    # periods do not stop a forecast, only missing actuals do.
    assert forecast_run_request(authority=tiny.authority, year=tiny, period=1, user=None).period == 1
    assert forecast_run_request(authority=tiny.authority, year=tiny, period=0, user=None).period == 0
    enter(tiny, finance_officer, 2, {lines["CIC-RES-EXT"]: 0})
    assert forecast_run_request(authority=tiny.authority, year=tiny, period=2, user=None).period == 2


def test_a_line_added_after_a_period_was_locked_counts_as_nil_there(tiny, lines, finance_officer, director) -> None:  # type: ignore[no-untyped-def]
    complete(tiny, lines, finance_officer, 1, 2)
    period_lock(period=period_submit(period=tiny.periods.get(number=1), user=finance_officer), user=director)
    late = BudgetLineFactory(authority=tiny.authority, code="NEW-GRANT", name="New grant")
    budget_set(authority=tiny.authority, user=finance_officer, line=late, year=tiny, amount=-5_000, reason="")
    # Period 1 is locked (its actuals cannot be entered), so only period 2 is asked for.
    assert period_gaps(year=tiny, number=2).line_texts == ["NEW-GRANT New grant for Period 2 (May 2019)"]
    enter(tiny, finance_officer, 2, {late: 0})
    assert period_gaps(year=tiny, number=2).complete


def test_run_forecast_on_the_command_line_refuses_with_the_message(tiny, lines, finance_officer) -> None:  # type: ignore[no-untyped-def]
    enter(tiny, finance_officer, 1, {lines["LEG-EXT"]: 100, lines["INC-UASC"]: 0})
    with pytest.raises(CommandError) as refused:
        call_command("run_forecast", "--year", "2019/20", "--period", "1", "--authority", "NOTTS")
    assert str(refused.value) == (
        "A forecast as at Period 1 (April 2019) cannot be run yet. "
        f"{MISSING_LINES} CIC-RES-EXT External residential placements for Period 1 (April 2019)."
    )
    assert not ForecastRun.objects.exists()


def test_the_monthly_schedule_skips_a_period_with_missing_actuals_and_logs_why(
    tiny, lines, finance_officer, caplog
) -> None:  # type: ignore[no-untyped-def]
    complete(tiny, lines, finance_officer, 1)
    period_submit(period=tiny.periods.get(number=1), user=finance_officer, forecast=False)
    # Submitted actuals can still be corrected, and here one is cleared after submission.
    enter(tiny, finance_officer, 1, {lines["LEG-EXT"]: None})
    with caplog.at_level(logging.WARNING, logger="forecast_runs.schedule"):
        assert forecast_monthly_requests() == []
    assert (
        "Monthly forecast for NOTTS skipped: A forecast as at Period 1 (April 2019) cannot be run yet." in caplog.text
    )
    assert "LEG-EXT External legal costs for Period 1 (April 2019)" in caplog.text
    assert not ForecastRun.objects.exists()
    enter(tiny, finance_officer, 1, {lines["LEG-EXT"]: 0})
    assert len(forecast_monthly_requests()) == 1


def test_actual_rows_are_the_evidence(tiny, lines, finance_officer) -> None:  # type: ignore[no-untyped-def]
    # An imported or typed zero is a row; nothing else creates one.
    enter(tiny, finance_officer, 1, {line: 0 for line in lines.values()})
    assert Actual.objects.filter(amount=0).count() == 3
    assert period_gaps(year=tiny, number=1).complete
