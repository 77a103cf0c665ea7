"""The tracker page (one year's delivery, totals across the plan, programmes) and the plan's years."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from accounts.models import Authority
from forecasting.engine.calendar import CalendarError, parse_year_label
from forecasting.engine.savings import SavingsError
from savings import selectors
from savings.forms import PlanForm, tracker_filters
from savings.models import MediumTermPlan, Rag, Status
from savings.services import SavingInputError, medium_term_plan_set
from savings.views.shared import Tables, download_table, problems_to_form, records


@role_required(*STAFF_READERS)
def tracker(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    plan = selectors.plan_for(authority=authority)
    year = _tracker_year(request, authority, plan)
    filters = _tracker_filters(request)
    problem = ""
    delivery = None
    try:
        delivery = selectors.delivery_frame(authority=authority, year_label=year, filters=filters) if year else None
    except SavingsError as error:
        problem = str(error)
    tables = _tracker_tables(authority, delivery)
    download = download_table(
        request,
        tables,
        f"savings-{year or 'all'}",
        what="Savings tracker",
        period=f"Financial year {year}" if year else "",
    )
    if download is not None:
        return download
    context: dict[str, Any] = {
        "plan": plan,
        "years": plan.years if plan else [],
        "year": year,
        "filters": filters,
        "query": _tracker_query(year, filters),
        "problem": problem,
        "statuses": Status.choices,
        "rags": Rag.choices,
        "service_areas": selectors.service_area_names(authority=authority),
        "can_edit": request.user.is_finance_officer,
        "status_labels": dict(Status.choices),
    }
    if plan is not None:
        context |= _plan_totals(tables)
    context["programmes"] = records(tables["programmes"]())
    if delivery is not None:
        context |= {
            "savings": records(delivery),
            "total": records(tables["total"]())[0],
            "by_status": records(tables["by_status"]()),
            "by_service": records(tables["by_service"]()),
        }
    context["filter_form"] = tracker_filters(context)
    return render(request, "savings/tracker.html", context)


def _tracker_year(request: AuthenticatedHttpRequest, authority: Authority, plan: MediumTermPlan | None) -> str | None:
    year = request.GET.get("year") or selectors.default_year(authority=authority, plan=plan)
    if year:
        try:
            parse_year_label(year)
        except CalendarError:
            raise Http404("No such financial year") from None
    return year


def _tracker_filters(request: AuthenticatedHttpRequest) -> selectors.TrackerFilters:
    """The filters asked for; a status or RAG the tracker does not know is ignored."""
    status, rag = request.GET.get("status", ""), request.GET.get("rag", "")
    return selectors.TrackerFilters(
        status=status if status in Status.values else "",
        rag=rag if rag in [*Rag.values, "none"] else "",
        service_area=request.GET.get("service", "").strip(),
    )


def _tracker_query(year: str | None, filters: selectors.TrackerFilters) -> str:
    """The page's year and filters, for its download links."""
    params = {"year": year or "", "status": filters.status, "rag": filters.rag, "service": filters.service_area}
    return urlencode({k: v for k, v in params.items() if v})


def _tracker_tables(authority: Authority, delivery: pd.DataFrame | None) -> Tables:
    """Every table of the page by download name; each is built once, when first asked for."""
    tables: Tables = {
        "totals_approved": cache(lambda: selectors.totals_by_year(authority=authority)),
        "totals_current": cache(lambda: selectors.totals_by_year(authority=authority, basis="current")),
        "differences": cache(lambda: selectors.differences_by_year(authority=authority)),
        "differences_by_saving": cache(lambda: selectors.differences_by_saving(authority=authority)),
        "programmes": cache(lambda: selectors.programmes_frame(authority=authority)),
    }
    if delivery is not None:
        tables |= {
            "savings": lambda: delivery,
            "total": cache(lambda: selectors.delivery_by(delivery, by=None)),
            "by_status": cache(lambda: selectors.delivery_by(delivery, by="status")),
            "by_service": cache(lambda: selectors.delivery_by(delivery, by="service_area")),
        }
    return tables


def _plan_totals(tables: Tables) -> dict[str, Any]:
    """Totals and differences across the plan's years, or the problem that stops them."""
    try:
        return {
            "totals_approved": records(tables["totals_approved"]()),
            "totals_current": records(tables["totals_current"]()),
            "differences": records(tables["differences"]()),
        }
    except SavingsError as error:
        return {"problem": str(error)}


@role_required(*FINANCE)
def plan_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    plan = selectors.plan_for(authority=authority)
    initial = (
        {
            "first_year": plan.first_year,
            "last_year": plan.last_year,
            "approved_by": plan.approved_by,
            "approved_on": plan.approved_on,
        }
        if plan
        else {}
    )
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = medium_term_plan_set(authority=authority, user=request.user, **form.cleaned_data)
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"{saved} saved.")
            return redirect("savings:tracker")
    return render(request, "savings/plan_form.html", {"form": form, "plan": plan})
