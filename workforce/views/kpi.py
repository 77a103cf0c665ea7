"""The workforce KPI page: a month's KPIs by team or grouping, agency reasons month by month and
the committed cost of the year."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.access import STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.models import Authority
from forecasting.engine.calendar import CalendarError, year_containing
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.workforce import AGENCY_REASONS
from forecasting.parsing import parse_int
from workforce import kpis, selectors
from workforce.forms import kpi_filters
from workforce.views.shared import download_table, page_query

GROUP_CHOICES = [
    ("all", "All teams"),
    ("hard to retain", "Hard-to-retain teams"),
    ("other teams", "Other teams"),
]


def _period(text: str) -> int | None:
    """The period asked for in the address, or None when it is not one (1 to 12)."""
    try:
        return parse_int(text, low=1, high=12)
    except ValueError:
        return None


def _year_and_period(request: AuthenticatedHttpRequest, authority: Authority) -> tuple[Calendar, int, list[str]]:
    """The financial year (?year=2019/20) and month (?period=4) asked for, with sensible defaults."""
    labels = selectors.year_labels(authority=authority)
    latest = selectors.latest_snapshot(authority=authority)
    default_label = (
        year_containing(latest.as_at) if latest else (labels[0] if labels else year_containing(timezone.localdate()))
    )
    label = request.GET.get("year") or default_label
    try:
        calendar = Calendar.from_label(label)
    except CalendarError:
        raise Http404("No such financial year") from None
    if label not in labels:
        labels.insert(0, label)
    period = _period(request.GET.get("period", ""))
    if period is None and latest and calendar.start <= latest.as_at <= calendar.end:
        period = calendar.period_of(latest.as_at)
    elif period is None:
        today = timezone.localdate()
        period = calendar.period_of(today) if calendar.start <= today <= calendar.end else 12
    return calendar, period, labels


@role_required(*STAFF_READERS)
def kpi_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    calendar, period, labels = _year_and_period(request, authority)
    by = request.GET.get("by", "team")
    if by not in kpis.GROUPINGS:
        by = "team"
    group = request.GET.get("group", "all")
    if group not in dict(GROUP_CHOICES):
        group = "all"
    picture = kpis.picture_for_month(authority=authority, calendar=calendar, period=period)
    table = kpis.kpi_table(picture, by=by)
    reasons = kpis.reasons_by_month(authority=authority, calendar=calendar, upto=period, group=group)
    committed = kpis.committed_table(picture, calendar)
    committed_teams = kpis.committed_by_team(picture, calendar)
    download = download_table(
        request,
        {
            "kpis": lambda: table,
            "reasons": lambda: reasons,
            "committed": lambda: committed,
            "committed_by_team": lambda: committed_teams,
        },
        f"workforce-kpis-{calendar.month_label(period)}",
        what="Workforce KPIs",
        period=f"Period {period}, {calendar.month_start(period):%B %Y}",
    )
    if download:
        return download
    context: dict[str, Any] = {
        "calendar": calendar,
        "period": period,
        "labels": labels,
        "by": by,
        "groupings": kpis.GROUPINGS,
        "group": group,
        "group_choices": GROUP_CHOICES,
        "picture": picture,
        "rows": table.to_dict("records"),
        "total": total.to_dict() if (total := kpis.kpi_total(picture)) is not None else None,
        "reasons": reasons.to_dict("records"),
        "reason_columns": AGENCY_REASONS,
        "reason_labels": kpis.REASON_LABELS,
        "committed": committed.to_dict("records"),
        "committed_total": {k: int(committed[k].sum()) for k in ("permanent_cost", "agency_cost", "total_cost")},
        "committed_teams": committed_teams.to_dict("records"),
        "months": [(p, f"P{p} {calendar.month_start(p):%B %Y}") for p in range(1, 13)],
        "kpi_query": page_query(request, table="kpis"),
        "reasons_query": page_query(request, table="reasons"),
        "committed_query": page_query(request, table="committed"),
        "committed_teams_query": page_query(request, table="committed_by_team"),
    }
    context["filters"] = kpi_filters(context, GROUP_CHOICES)
    return render(request, "workforce/kpis.html", context)
