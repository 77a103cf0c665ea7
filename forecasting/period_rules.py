"""Periods move in order, with evidence (docs/periods.md).

One function, `period_gaps`, says what is missing before a period can be trusted: earlier periods
that are still open, and budget lines without an actual for a period up to it. Submitting,
locking, forecasting and signing off all ask it, so every route (pages, the command line, the
beat schedule) obeys the same rules.

Which lines need an actual: every line that is part of the year's forecast, that is every line
with a budget for the year or an actual in it (the same lines the forecast reads), whatever its
category or forecast method, because every line's outturn and the dashboards start from its
spend to date. A line with no spend is confirmed by an actual of 0 (entered on the actuals page
or imported); a line with no actual row at all is blank, and blank is missing. A locked period
is final: a line added to the year after the period was locked counts as nil there, since its
actuals cannot be entered without unlocking the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from forecasting.models import Actual, Budget, BudgetLine, FinancialYear, Period

SHOWN_LINES = 10  # a message names this many lines, then says how many more


class TransitionError(Exception):
    """A period status change that is not allowed from where the period is."""


class PeriodNotReadyError(Exception):
    """A period is not ready for what was asked: earlier periods are open or actuals are missing.
    The message says which; pages show `intro` and then `gaps` as lists (earlier periods only when
    `earlier`)."""

    def __init__(self, intro: str, gaps: PeriodGaps, *, earlier: bool) -> None:
        super().__init__(f"{intro} {gaps.describe(earlier=earlier)}")
        self.intro, self.gaps, self.earlier = intro, gaps, earlier


def period_name(year: FinancialYear, number: int) -> str:
    """ "Period 7 (October 2024)"."""
    return f"Period {number} ({year.calendar.month_start(number):%B %Y})"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class LineGap:
    code: str
    name: str
    periods: tuple[int, ...]


@dataclass(frozen=True)
class PeriodGaps:
    """What is missing for `number` of `year`. Period numbers; `periods_text` puts them in words."""

    year: FinancialYear
    number: int
    earlier_open: tuple[int, ...] = ()
    empty_periods: tuple[int, ...] = ()  # no line has an actual for these periods
    lines: tuple[LineGap, ...] = field(default_factory=tuple)  # other lines and periods without one

    @property
    def name(self) -> str:
        return period_name(self.year, self.number)

    @property
    def actuals_complete(self) -> bool:
        return not self.empty_periods and not self.lines

    @property
    def complete(self) -> bool:
        return self.actuals_complete and not self.earlier_open

    def periods_text(self, numbers: tuple[int, ...]) -> str:
        """ "Period 6 (September 2024) and Period 7 (October 2024)"; three or more in a row become
        "Period 8 (November 2024) to Period 12 (March 2025)"."""
        runs: list[list[int]] = []
        for number in numbers:
            if runs and runs[-1][-1] == number - 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        items: list[str] = []
        for run in runs:
            if len(run) >= 3:
                items.append(f"{period_name(self.year, run[0])} to {period_name(self.year, run[-1])}")
            else:
                items.extend(period_name(self.year, n) for n in run)
        return _and(items)

    @property
    def missing_periods(self) -> list[int]:
        """Every period that needs an actual entered, in order."""
        return sorted(set(self.empty_periods).union(*(gap.periods for gap in self.lines)))

    @property
    def earlier_text(self) -> str:
        return self.periods_text(self.earlier_open) if self.earlier_open else ""

    @property
    def empty_text(self) -> str:
        return self.periods_text(self.empty_periods) if self.empty_periods else ""

    @property
    def line_texts(self) -> list[str]:
        """Each line without an actual, with its periods: "LEG-EXT External legal costs for Period 7 (October 2024)"."""
        return [f"{gap.code} {gap.name} for {self.periods_text(gap.periods)}" for gap in self.lines]

    def describe(self, *, earlier: bool = True) -> str:
        """The missing things in sentences, naming at most SHOWN_LINES lines."""
        parts = []
        if earlier and self.earlier_open:
            parts.append(f"Earlier periods not yet submitted: {self.earlier_text}.")
        if self.empty_periods:
            parts.append(f"No budget line has an actual for {self.empty_text}.")
        if self.lines:
            shown = self.line_texts[:SHOWN_LINES]
            more = len(self.lines) - len(shown)
            if more:
                shown.append(f"and {more} more line{'s' if more != 1 else ''}")
            parts.append(f"Budget lines without an actual (enter 0 for a line with no spend): {'; '.join(shown)}.")
        return " ".join(parts)

    def refusal(self, intro: str, *, earlier: bool = True) -> PeriodNotReadyError | None:
        """None when nothing is missing; otherwise the error to raise, its message `intro` (with
        {period} for the period's name) followed by what is missing."""
        if self.actuals_complete and not (earlier and self.earlier_open):
            return None
        return PeriodNotReadyError(intro.format(period=self.name), self, earlier=earlier)


def year_line_ids(year: FinancialYear) -> set[int]:
    """The lines that are part of the year's forecast: a budget for the year or an actual in it."""
    authority_id = year.authority_id
    budgeted = Budget.objects.filter(year=year, line__authority_id=authority_id).values_list("line_id", flat=True)
    spent = Actual.objects.filter(period__year=year, line__authority_id=authority_id).values_list("line_id", flat=True)
    return set(budgeted) | set(spent)


def period_gaps(*, year: FinancialYear, number: int) -> PeriodGaps:
    """What is missing for period `number` of `year` (0 is the start of the year: nothing)."""
    if number <= 0:
        return PeriodGaps(year=year, number=number)
    statuses = dict(year.periods.filter(number__lte=number).values_list("number", "status"))
    earlier_open = tuple(n for n in range(1, number) if statuses.get(n, Period.Status.OPEN) == Period.Status.OPEN)
    needed = {n for n in range(1, number + 1) if statuses.get(n) != Period.Status.LOCKED}
    line_ids = year_line_ids(year)
    entered = set(
        Actual.objects.filter(period__year=year, period__number__in=needed, line_id__in=line_ids).values_list(
            "line_id", "period__number"
        )
    )
    with_any = {n for _, n in entered}
    empty = tuple(sorted(needed - with_any)) if line_ids else ()
    lines = []
    for line in BudgetLine.objects.filter(pk__in=line_ids).order_by("code"):
        missing = tuple(n for n in sorted(needed) if n in with_any and (line.pk, n) not in entered)
        if missing:
            lines.append(LineGap(line.code, line.name, missing))
    return PeriodGaps(year=year, number=number, earlier_open=earlier_open, empty_periods=empty, lines=tuple(lines))


def submit_refusal(period: Period) -> TransitionError | PeriodNotReadyError | None:
    """Why `period` cannot be submitted now, or None: only an open period whose earlier periods
    are all submitted or locked and whose lines all have actuals for every period up to it."""
    name = period_name(period.year, period.number)
    if period.status != Period.Status.OPEN:
        return TransitionError(
            f"{name} is {period.get_status_display().lower()}; only an open period can be submitted."
        )
    return period_gaps(year=period.year, number=period.number).refusal("{period} cannot be submitted yet.")


def lock_refusal(period: Period) -> TransitionError | PeriodNotReadyError | None:
    """Why `period` cannot be locked now, or None: only a submitted period, and only while its
    lines still have actuals for every period up to it (submitted actuals can still be changed)."""
    name = period_name(period.year, period.number)
    if period.status != Period.Status.SUBMITTED:
        return TransitionError(
            f"{name} is {period.get_status_display().lower()}; only a submitted period can be locked."
        )
    return period_gaps(year=period.year, number=period.number).refusal("{period} cannot be locked yet.", earlier=False)


def unlock_refusal(period: Period) -> TransitionError | None:
    if period.status != Period.Status.LOCKED:
        return TransitionError(f"{period_name(period.year, period.number)} is not locked.")
    return None


def reopen_refusal(period: Period) -> TransitionError | None:
    if period.status != Period.Status.SUBMITTED:
        return TransitionError(f"{period_name(period.year, period.number)} is not submitted.")
    return None


def actuals_required(*, year: FinancialYear, number: int, intro: str) -> None:
    """Raise PeriodNotReadyError when a line lacks an actual for a period 1..number; `intro` is the
    start of the message, with {period} for the period's name. Forecasts and sign-off call it."""
    problem = period_gaps(year=year, number=number).refusal(intro, earlier=False)
    if problem is not None:
        raise problem
