"""Each role's home page: where the month stands and what to do next. The finance officer sees
the month's steps; a director lands on the latest period with a forecast, a committee member on
the latest published period (dashboards.month_path)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import AuthenticatedHttpRequest
from accounts.models import AuditEvent, Role
from dashboards import month_path
from forecasting import selectors


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.authority is None:
        return redirect("admin:index")
    authority = user.authority
    year = selectors.year_for(authority=authority)
    context: dict[str, object] = {"year": year, "authority": authority}
    if year is not None:
        periods = list(year.periods.all())
        context["periods"] = periods
        context["current_period"] = next((p for p in periods if p.status == "open"), None)
        context["locked_count"] = sum(1 for p in periods if p.is_locked)
        rows = selectors.lines_with_budgets(authority=authority, year=year)
        context["total_budget"] = sum(b.amount for _, b, _ in rows if b)
        context["total_spent"] = sum(s for _, _, s in rows)
        context["line_count"] = len(rows)
    template = {
        Role.FINANCE_OFFICER: "dashboards/home_finance.html",
        Role.DIRECTOR: "dashboards/home_director.html",
        Role.COMMITTEE_MEMBER: "dashboards/home_committee.html",
        Role.ADMINISTRATOR: "dashboards/home_admin.html",
    }[Role(user.role)]
    if user.role == Role.FINANCE_OFFICER and year is not None:
        context.update(month_path.finance_home(authority=authority, year=year))
    if user.role == Role.DIRECTOR:
        context["recent"] = AuditEvent.objects.filter(authority=authority)[:10]
        context.update(month_path.director_home(authority=authority))
    if user.role == Role.COMMITTEE_MEMBER:
        context.update(month_path.committee_home(authority=authority))
    return render(request, template, context)
