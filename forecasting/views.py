"""Pages of the financial core: periods, budget lines and budgets, actuals entry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from accounts.access import DIRECTORS, FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from core.exports import table_download
from forecasting import selectors
from forecasting.download_titles import year_title
from forecasting.engine.money import pence_to_pounds
from forecasting.forms import ActualsForm, BudgetForm, BudgetLineForm, PeriodChangeForm, year_picker
from forecasting.models import Budget, FinancialYear, PeriodLockedError
from forecasting.services import (
    PeriodNotReadyError,
    TransitionError,
    actuals_save,
    budget_line_save,
    budget_set,
    period_change,
)


def _to(name: str, year: FinancialYear) -> HttpResponse:
    """Back to a page of the same year."""
    return redirect(f"{reverse(name)}?{urlencode({'year': year.label})}")


@role_required(*STAFF_READERS)
def periods(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year = selectors.year_for(authority=authority, label=request.GET.get("year"))
    years = FinancialYear.objects.filter(authority=authority)
    rows = list(year.periods.select_related("submitted_by", "locked_by")) if year else []
    return render(
        request,
        "forecasting/periods.html",
        {"year": year, "years": years, "year_picker": year_picker(years, year), "periods": rows},
    )


def _period_action(request: AuthenticatedHttpRequest, period_id: int, action: str) -> HttpResponse:
    """GET: the confirmation page (what will happen, or what is missing); POST: do it."""
    period = selectors.period_for(authority=authority_of(request), period_id=period_id)
    context = selectors.period_action_page(period=period, action=action)
    form = PeriodChangeForm(request.POST if request.method == "POST" else None, reason_label=context["reason_label"])
    if request.method == "POST" and form.is_valid():
        try:
            period_change(period=period, user=request.user, action=action, reason=form.cleaned_data.get("reason", ""))
        except (TransitionError, PeriodNotReadyError) as problem:
            form.refuse(str(problem))
        else:
            messages.success(request, selectors.period_action_done(period=period, action=action))
            return _to("forecasting:periods", period.year)
    # A period that cannot change shows why instead of the form (and is no form's error).
    context["form"] = None if context.get("refusal") else form
    return render(request, "forecasting/period_confirm.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*FINANCE)
def period_submit_view(request: AuthenticatedHttpRequest, period_id: int) -> HttpResponse:
    return _period_action(request, period_id, "submit")


@require_http_methods(["GET", "POST"])
@role_required(*DIRECTORS)
def period_change_view(request: AuthenticatedHttpRequest, period_id: int, action: str) -> HttpResponse:
    if action not in ("lock", "unlock", "reopen"):
        raise Http404("No such change of a period")
    return _period_action(request, period_id, action)


@role_required(*STAFF_READERS)
def actuals(request: AuthenticatedHttpRequest, period_id: int) -> HttpResponse:
    authority = authority_of(request)
    period = selectors.period_for(authority=authority, period_id=period_id)
    rows = selectors.actuals_sheet(authority=authority, period=period)
    can_edit = request.user.is_finance_officer and not period.is_locked
    if request.method == "POST" and not can_edit:
        messages.error(
            request,
            f"{period} is locked; its actuals cannot be changed."
            if period.is_locked
            else "Your role cannot change actuals.",
        )
        return redirect("forecasting:actuals", period_id=period.pk)
    form = ActualsForm(request.POST if request.method == "POST" else None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            result = actuals_save(authority=authority, user=request.user, period=period, amounts=form.amounts())
        except PeriodLockedError as error:
            messages.error(request, str(error))
            return redirect("forecasting:actuals", period_id=period.pk)
        messages.success(
            request,
            f"Actuals for {period} saved: {result['created']} added, {result['updated']} changed, "
            f"{result['cleared']} cleared.",
        )
        return redirect("forecasting:actuals", period_id=period.pk)
    totals = {
        "budget": sum(r.budget.amount for r in rows if r.budget),
        "before": sum(r.actual_before for r in rows),
        "actual": sum(r.actual or 0 for r in rows),
        "ytd": sum(r.ytd for r in rows),
    }
    return render(
        request,
        "forecasting/actuals.html",
        {
            "period": period,
            # Each row with its box (the form's field for the line), when the period can be edited.
            "rows": [(row, form[ActualsForm.line_field(row.line.pk)]) for row in rows],
            "form": form if can_edit else None,
            "can_edit": can_edit,
            "totals": totals,
            "periods": period.year.periods.all(),
        },
    )


@role_required(*STAFF_READERS)
def lines(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    year = selectors.year_for(authority=authority, label=request.GET.get("year"))
    rows = selectors.lines_with_budgets(authority=authority, year=year) if year else []
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        import pandas as pd

        frame = pd.DataFrame(
            [
                {
                    "line_code": line.code,
                    "line_name": line.name,
                    "service_area": line.service_area.name,
                    "category": line.category,
                    "placement_type": line.placement_type.code if line.placement_type else "",
                    "team": line.team_code,
                    "method": line.method,
                    "original_budget": pence_to_pounds(budget.original_amount) if budget else None,
                    "annual_budget": pence_to_pounds(budget.amount) if budget else None,
                    "budget_numbers": budget.budget_numbers if budget else None,
                    "actual_to_date": pence_to_pounds(spent),
                }
                for line, budget, spent in rows
            ],
            columns=[
                "line_code",
                "line_name",
                "service_area",
                "category",
                "placement_type",
                "team",
                "method",
                "original_budget",
                "annual_budget",
                "budget_numbers",
                "actual_to_date",
            ],
        )
        return table_download(
            frame,
            filename=f"budget-lines-{year.label.replace('/', '-') if year else 'none'}",
            fmt=fmt,
            title=year_title(authority, "Budget lines and budgets", year),
            money=["original_budget", "annual_budget", "actual_to_date"],
            file_columns=True,
        )
    total_budget = sum(b.amount for _, b, _ in rows if b)
    years = FinancialYear.objects.filter(authority=authority)
    total_spent = sum(s for _, _, s in rows)
    return render(
        request,
        "forecasting/lines.html",
        {
            "year": year,
            "years": years,
            "year_picker": year_picker(years, year),
            "rows": rows,
            "total_budget": total_budget,
            "total_spent": total_spent,
        },
    )


@role_required(*FINANCE)
def line_edit(request: AuthenticatedHttpRequest, line_id: int | None = None) -> HttpResponse:
    authority = authority_of(request)
    line = selectors.line_for(authority=authority, line_id=line_id) if line_id else None
    initial = {}
    if line:
        initial = {
            "code": line.code,
            "name": line.name,
            "service_area": line.service_area.name,
            "category": line.category,
            "placement_type": line.placement_type,
            "team_code": line.team_code,
            "method": line.method,
        }
    form = BudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = budget_line_save(
                authority=authority,
                user=request.user,
                code=data["code"],
                name=data["name"],
                service_area=data["service_area"],
                category=data["category"],
                placement_type=data["placement_type"],
                team_code=data["team_code"],
                method=data["method"],
                line=line,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"Budget line {saved.code} saved.")
            return redirect("forecasting:lines")
    return render(request, "forecasting/line_form.html", {"form": form, "line": line})


@role_required(*FINANCE)
def budget_edit(request: AuthenticatedHttpRequest, line_id: int, year_label: str) -> HttpResponse:
    authority = authority_of(request)
    line = selectors.line_for(authority=authority, line_id=line_id)
    year = selectors.year_for(authority=authority, label=year_label.replace("-", "/"))
    assert year is not None
    budget = Budget.objects.filter(line=line, year=year).first()
    initial = {}
    if budget:
        initial = {"amount": f"{pence_to_pounds(budget.amount)}", "budget_numbers": budget.budget_numbers}
    form = BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if budget is not None and data["amount"] != budget.amount and not data["reason"].strip():
            form.add_error("reason", "Give the reason for changing the budget")
        else:
            budget_set(
                authority=authority,
                user=request.user,
                line=line,
                year=year,
                amount=data["amount"],
                reason=data["reason"],
                budget_numbers=data["budget_numbers"],
            )
            messages.success(request, f"Budget for {line.code} {year.label} saved.")
            return _to("forecasting:lines", year)
    revisions = budget.revisions.select_related("changed_by") if budget else []
    return render(
        request,
        "forecasting/budget_form.html",
        {
            "form": form,
            "line": line,
            "year": year,
            "budget": budget,
            "revisions": revisions,
        },
    )
