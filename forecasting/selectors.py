"""Reads of the financial core for pages and the engine."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum
from django.http import Http404

from accounts.models import Authority
from forecasting.models import Actual, Budget, BudgetLine, FinancialYear, Period


def year_for(*, authority: Authority, label: str | None = None) -> FinancialYear | None:
    """The year asked for, or the authority's latest year; None when it has no year yet."""
    years = FinancialYear.objects.filter(authority=authority)
    if label:
        year = years.filter(label=label).first()
        if year is None:
            raise Http404("No such financial year")
        return year
    return years.order_by("-start_year").first()


def period_for(*, authority: Authority, period_id: int) -> Period:
    try:
        return Period.objects.select_related("year").get(pk=period_id, year__authority=authority)
    except Period.DoesNotExist:
        raise Http404("No such period") from None


def line_for(*, authority: Authority, line_id: int) -> BudgetLine:
    try:
        return BudgetLine.objects.select_related("service_area", "placement_type").get(pk=line_id, authority=authority)
    except BudgetLine.DoesNotExist:
        raise Http404("No such budget line") from None


@dataclass
class LineRow:
    line: BudgetLine
    budget: Budget | None
    actual_before: int  # pence, periods before the one shown
    actual: int | None  # pence, this period
    ytd: int  # pence, up to and including this period


def lines_with_budgets(*, authority: Authority, year: FinancialYear) -> list[tuple[BudgetLine, Budget | None, int]]:
    """Every line with its budget for the year and actuals to date (all periods entered)."""
    budgets = {b.line_id: b for b in Budget.objects.filter(year=year, line__authority=authority)}
    spent = dict(
        Actual.objects.filter(period__year=year, line__authority=authority)
        .values_list("line_id")
        .annotate(total=Sum("amount"))
        .values_list("line_id", "total")
    )
    lines = BudgetLine.objects.filter(authority=authority).select_related("service_area", "placement_type")
    return [(line, budgets.get(line.pk), int(spent.get(line.pk) or 0)) for line in lines]


def actuals_sheet(*, authority: Authority, period: Period) -> list[LineRow]:
    """The actuals-entry page: every line, its budget, actuals before this period and this period's."""
    year = period.year
    budgets = {b.line_id: b for b in Budget.objects.filter(year=year, line__authority=authority)}
    before = dict(
        Actual.objects.filter(period__year=year, period__number__lt=period.number, line__authority=authority)
        .values_list("line_id")
        .annotate(total=Sum("amount"))
        .values_list("line_id", "total")
    )
    this = dict(Actual.objects.filter(period=period).values_list("line_id", "amount"))
    rows = []
    for line in BudgetLine.objects.filter(authority=authority).select_related("service_area"):
        amount = this.get(line.pk)
        earlier = int(before.get(line.pk) or 0)
        rows.append(LineRow(line, budgets.get(line.pk), earlier, amount, earlier + int(amount or 0)))
    return rows
