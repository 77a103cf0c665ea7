"""The title rows of downloads: the authority, what the table is, the period ("Period 7, October
2024") and the forecast run ("Forecast run 12, 3 November 2024 2:15pm") where they apply."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from accounts.models import Authority
from core.spreadsheet import Title
from forecasting.models import FinancialYear, ForecastRun


def period_words(year: FinancialYear, number: int) -> str:
    """`Period 7, October 2024`; period 0 is the start of the year, before any actuals."""
    if number == 0:
        return f"Period 0, before April {year.start_year} ({year.label})"
    return f"Period {number}, {year.calendar.month_start(number):%B %Y}"


def when_words(moment: datetime) -> str:
    """`3 November 2024 2:15pm`, in the council's time."""
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    return f"{local.day} {local:%B %Y} {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def run_words(run: ForecastRun) -> str:
    """`Forecast run 12, 3 November 2024 2:15pm` (when it finished, else when it was asked for)."""
    return f"Forecast run {run.pk}, {when_words(run.finished_at or run.created_at)}"


def run_title(run: ForecastRun, what: str) -> Title:
    return Title(run.authority.name, what, period_words(run.year, run.period), run_words(run))


def year_title(authority: Authority, what: str, year: FinancialYear | str | None = None) -> Title:
    """A table of a financial year (or of none): `Financial year 2019/20` where the period goes."""
    label = year.label if isinstance(year, FinancialYear) else year
    return Title(authority.name, what, f"Financial year {label}" if label else "")
