"""The UK local-authority financial year (FORECAST.md, Calendar).

A financial year "2019/20" runs from 1 April 2019 to 31 March 2020. Period 1 is April,
period 12 is March. A forecast "as at period p" has actuals for periods 1..p; the as-at date is
the last day of period p (p = 0 means the day before the year starts, 31 March).
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

_LABEL = re.compile(r"^\s*(\d{4})\s*/\s*(\d{2})\s*$")


class CalendarError(ValueError):
    """A financial year label or period number that does not exist."""


def parse_year_label(label: str) -> int:
    """Return the calendar year in which the financial year starts ("2019/20" -> 2019)."""
    match = _LABEL.match(str(label))
    if not match:
        raise CalendarError(f"'{label}' is not a financial year; write it like 2019/20")
    start = int(match.group(1))
    if (start + 1) % 100 != int(match.group(2)):
        raise CalendarError(f"'{label}' is not a financial year; the second part must be {(start + 1) % 100:02d}")
    return start


def year_label(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def year_containing(day: date) -> str:
    """The label of the financial year that contains a date."""
    return year_label(day.year if day.month >= 4 else day.year - 1)


@dataclass(frozen=True)
class FinancialYear:
    start_year: int

    @classmethod
    def from_label(cls, label: str) -> FinancialYear:
        return cls(parse_year_label(label))

    @property
    def label(self) -> str:
        return year_label(self.start_year)

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        """31 March, the last day of the year (inclusive)."""
        return date(self.start_year + 1, 3, 31)

    @property
    def end_exclusive(self) -> date:
        return date(self.start_year + 1, 4, 1)

    @property
    def days(self) -> int:
        return (self.end_exclusive - self.start).days

    @cached_property
    def month_starts(self) -> tuple[date, ...]:
        """First day of periods 1..12."""
        return tuple(_add_months(self.start, i) for i in range(12))

    def month_start(self, period: int) -> date:
        _check_period(period, allow_zero=False)
        return self.month_starts[period - 1]

    def month_end(self, period: int) -> date:
        """Last day of period `period` (inclusive)."""
        _check_period(period, allow_zero=False)
        return _add_months(self.month_start(period), 1) - timedelta(days=1)

    def days_in_period(self, period: int) -> int:
        start = self.month_start(period)
        return _calendar.monthrange(start.year, start.month)[1]

    def as_at_date(self, period: int) -> date:
        """The last day of period p; for p = 0, 31 March before the year starts."""
        _check_period(period, allow_zero=True)
        if period == 0:
            return self.start - timedelta(days=1)
        return self.month_end(period)

    def period_of(self, day: date) -> int:
        """The period (1..12) a date falls in; CalendarError if outside the year."""
        if not (self.start <= day <= self.end):
            raise CalendarError(f"{day.isoformat()} is not in financial year {self.label}")
        return (day.year - self.start.year) * 12 + day.month - 4 + 1

    def month_label(self, period: int) -> str:
        """YYYY-MM of a period, as the exports write it."""
        start = self.month_start(period)
        return f"{start.year:04d}-{start.month:02d}"


def _check_period(period: int, *, allow_zero: bool) -> None:
    low = 0 if allow_zero else 1
    if not isinstance(period, int) or not (low <= period <= 12):
        raise CalendarError(f"period {period!r} does not exist; periods run from {low} to 12")


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)
