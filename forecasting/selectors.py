"""Reads of the financial core for pages and the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Sum
from django.http import Http404
from django.urls import reverse

from accounts.models import Authority
from forecasting.models import Actual, Budget, BudgetLine, FinancialYear, Period
from forecasting.period_rules import lock_refusal, period_name, reopen_refusal, submit_refusal, unlock_refusal


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


# The confirmation page of each change of a period's status: what will happen, in words that
# match what the services do (forecasting.services, forecasting.period_rules).
_UNCHANGED = "Forecasts already run and periods already signed off and published do not change."
PERIOD_ACTIONS: dict[str, dict[str, Any]] = {
    "submit": {
        "verb": "Submit",
        "refuse": submit_refusal,
        "done": "{period} submitted: a forecast as at it has been asked for.",
        "happens": [
            "Submitting {period} tells the director that its actuals are complete and ready for review.",
            "It asks for a forecast as at {period}; you can follow it on the forecasts page.",
            "Its actuals can still be corrected until a director locks the period, and a director can send "
            "it back to you.",
        ],
    },
    "lock": {
        "verb": "Lock",
        "refuse": lock_refusal,
        "done": "{period} locked: its actuals can no longer change.",
        "happens": [
            "Locking {period} makes its actuals final: nobody can change them, on the actuals page, by upload "
            "or by import, until a director unlocks the period and gives a reason.",
            "Locking does not run a forecast or publish anything: signing off a forecast is a separate step.",
            "The lock is recorded in the audit log with your name.",
        ],
    },
    "unlock": {
        "verb": "Unlock",
        "refuse": unlock_refusal,
        "done": "{period} unlocked: it is open again for the finance officer.",
        "reason": "Why are you unlocking it?",
        "happens": [
            "Unlocking {period} makes it open again: the finance officer can change its actuals, and must "
            "submit it again before it can be locked.",
            _UNCHANGED,
            "Your reason is recorded in the audit log with your name.",
        ],
    },
    "reopen": {
        "verb": "Send back",
        "refuse": reopen_refusal,
        "done": "{period} sent back to the finance officer.",
        "reason": "Why are you sending it back?",
        "happens": [
            "Sending {period} back makes it open again: the finance officer can change its actuals, and must "
            "submit it again before it can be locked.",
            _UNCHANGED,
            "Your reason is recorded in the audit log with your name.",
        ],
    },
}


def period_action_done(*, period: Period, action: str) -> str:
    """The message shown once `action` is done."""
    return str(PERIOD_ACTIONS[action]["done"]).format(period=period_name(period.year, period.number))


def period_action_page(*, period: Period, action: str) -> dict[str, Any]:
    """The confirmation page of `action` on `period`: what will happen, or why it cannot be done
    now (the same refusal the service would give) with links to the actuals still to enter."""
    words = PERIOD_ACTIONS[action]
    name = period_name(period.year, period.number)
    refusal = words["refuse"](period)
    links = []
    gaps = getattr(refusal, "gaps", None)
    if gaps is not None:
        ids = dict(period.year.periods.filter(number__in=gaps.missing_periods).values_list("number", "pk"))
        links = [
            (number, period_name(period.year, number), reverse("forecasting:actuals", args=[ids[number]]))
            for number in gaps.missing_periods
        ]
    return {
        "period": period,
        "action": action,
        "name": name,
        "title": f"{words['verb']} {name}",
        "verb": words["verb"],
        "button": f"{words['verb']} period {period.number}",
        "happens": [text.format(period=name) for text in words["happens"]],
        "reason_label": words.get("reason", ""),
        "refusal": refusal,
        "actuals_links": links,
    }
