"""A programme's pages: its figures over a window, what it is, its profiles and its investment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from forecasting.engine.calendar import CalendarError, parse_year_label
from forecasting.parsing import decimal_bounds, parse_decimal
from savings import selectors
from savings.forms import InvestmentForm, ProgrammeForm, ProgrammeProfilesForm, return_filters, year_field_name
from savings.models import Programme, Status
from savings.services import (
    SavingInputError,
    programme_investment_add,
    programme_profiles_set,
    programme_save,
)
from savings.views.shared import Tables, download_table, problems_to_form, records


def _decimal(text: str | None) -> Decimal | None:
    """A hurdle asked for in the address, read as the programme form reads it; None if not one."""
    if not text:
        return None
    largest, places = decimal_bounds(Programme, "hurdle")
    try:
        return parse_decimal(text, low=Decimal(0), high=largest, places=places)
    except ValueError:
        return None


def _window_year(text: str | None) -> str | None:
    if not text:
        return None
    try:
        parse_year_label(text)
    except CalendarError:
        return None
    return text


@role_required(*STAFF_READERS)
def programme_detail(request: AuthenticatedHttpRequest, programme_id: int) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id)
    first, last = _window_year(request.GET.get("from")), _window_year(request.GET.get("to"))
    figures = selectors.programme_figures(
        programme=programme,
        profile=request.GET.get("profile", "target"),
        basis=request.GET.get("basis", "reprofiled"),
        first_year=first,
        last_year=last,
        hurdle=_decimal(request.GET.get("hurdle")),
    )
    investments = selectors.programme_investments_frame(programme=programme)
    linked = selectors.programme_savings_frame(programme=programme)
    tables: Tables = {
        "profiles": lambda: figures.profiles,
        "investments": lambda: investments,
        "savings": lambda: linked,
    }
    if figures.summary is not None:
        summary = figures.summary
        tables["summary"] = lambda: summary
    download = download_table(request, tables, f"programme-{programme.code}", what=f"Programme {programme}")
    if download is not None:
        return download
    params = {
        "profile": figures.profile,
        "basis": figures.basis,
        "from": first or "",
        "to": last or "",
        "hurdle": request.GET.get("hurdle", ""),
    }
    return render(
        request,
        "savings/programme_detail.html",
        {
            "programme": programme,
            "figures": figures,
            "profiles": records(figures.profiles),
            "summary": records(figures.summary),
            "investments": records(investments),
            "linked": records(linked),
            "query": urlencode({k: v for k, v in params.items() if v}),
            "return_filters": return_filters(figures, [r["year_label"] for r in records(figures.profiles)]),
            "can_edit": request.user.is_finance_officer,
            "status_labels": dict(Status.choices),
            "lifetime": {c: int(figures.profiles[c].sum()) for c in figures.profiles.columns[1:]},
        },
    )


@role_required(*FINANCE)
def programme_edit(request: AuthenticatedHttpRequest, programme_id: int | None = None) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id) if programme_id else None
    initial: dict[str, Any] = {}
    if programme is not None:
        initial = {name: getattr(programme, name) for name in ProgrammeForm.base_fields}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = programme_save(authority=authority, user=request.user, programme=programme, **form.cleaned_data)
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Programme {saved.code} saved.")
            return redirect("savings:programme", programme_id=saved.pk)
    return render(request, "savings/programme_form.html", {"form": form, "programme": programme})


@role_required(*FINANCE)
def programme_profiles(request: AuthenticatedHttpRequest, programme_id: int) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id)
    years = programme.profile_years
    benefits, costs = selectors.programme_profile_amounts(programme=programme)
    initial: dict[str, str] = {}
    for profile, year, amount in benefits:
        initial[year_field_name(profile, year)] = f"{Decimal(amount) / 100:.2f}"
    for year, amount in costs:
        initial[year_field_name("cost", year)] = f"{Decimal(amount) / 100:.2f}"
    form = ProgrammeProfilesForm(request.POST or None, years=years, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_profiles_set(
                authority=authority,
                user=request.user,
                programme=programme,
                target=form.year_amounts("target", years),
                stretch=form.year_amounts("stretch", years),
                costs=form.year_amounts("cost", years),
            )
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Profiles of {programme.code} saved.")
            return redirect("savings:programme", programme_id=programme.pk)
    return render(request, "savings/programme_profiles.html", {"form": form, "programme": programme})


@role_required(*FINANCE)
def programme_investment_new(request: AuthenticatedHttpRequest, programme_id: int) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id)
    form = InvestmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme_investment_add(authority=authority, user=request.user, programme=programme, **form.cleaned_data)
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Investment in {programme.code} recorded.")
            return redirect("savings:programme", programme_id=programme.pk)
    return render(
        request,
        "savings/simple_form.html",
        {
            "form": form,
            "programme": programme,
            "heading": f"Add an investment in {programme.code}",
            "button": "Add the investment",
        },
    )
