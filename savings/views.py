"""Pages of the savings tracker and programmes.

Finance officers change things; directors and administrators read; committee members see
nothing here (they see savings in published snapshots). Every table comes from a selector's
DataFrame, and `?table=NAME&format=csv|xlsx` downloads that same frame.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode

from accounts.access import FINANCE, STAFF_READERS, authority_of, role_required
from accounts.models import User
from core.exports import table_download
from forecasting.engine.calendar import CalendarError, parse_year_label
from forecasting.engine.savings import SavingsError
from forecasting.models import ServiceArea
from savings import selectors
from savings.forms import (
    InvestmentForm,
    MitigationForm,
    PlanForm,
    ProgrammeForm,
    ProgrammeProfilesForm,
    ReprofileForm,
    SavingDetailsForm,
    SavingForm,
    StatusUpdateForm,
    year_field_name,
)
from savings.models import Mitigation, Rag, SavingVersion, Status
from savings.services import (
    SavingInputError,
    VersionInput,
    medium_term_plan_set,
    programme_investment_add,
    programme_profiles_set,
    programme_save,
    saving_create,
    saving_details_save,
    saving_mitigation_add,
    saving_status_record,
    saving_versions_set,
)

MONEY_COLUMNS = [
    "planned", "forecast_delivery", "shortfall", "mitigated", "net_shortfall", "delivered", "gross", "absorbed",
    "net_of_absorbed", "programme_benefit", "total", "from_amount", "to_amount", "difference", "investment",
    "target_lifetime", "stretch_lifetime", "full_year_effect", "amount", "benefit", "cumulative_benefit",
    "implementation_cost", "net_benefit", "cumulative_net_benefit", "target", "target_reprofiled", "stretch",
    "stretch_reprofiled", "original", "reprofiled", "consultation", "approved", "largest_amount",
]


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Rows for a template, with pandas' missing values as None (the `pounds` filter shows blank)."""
    if frame is None:
        return []
    out = []
    for row in frame.to_dict("records"):
        out.append({k: (None if _missing(v) else v) for k, v in row.items()})
    return out


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _download(request: HttpRequest, tables: dict[str, Callable[[], pd.DataFrame]], stem: str) -> HttpResponse | None:
    fmt = request.GET.get("format")
    if fmt not in ("csv", "xlsx"):
        return None
    name = request.GET.get("table", "")
    if name not in tables:
        raise Http404("No such table")
    frame = selectors.for_export(tables[name](), money=MONEY_COLUMNS)
    return table_download(frame, filename=f"{stem}-{name}".replace("/", "-"), fmt=fmt)


def _problems_to_form(form: Any, error: SavingInputError) -> None:
    for problem in error.problems:
        form.add_error(None, problem)


# ---------------------------------------------------------------------------------------------
# The tracker
# ---------------------------------------------------------------------------------------------


@role_required(*STAFF_READERS)
def tracker(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    plan = selectors.plan_for(authority=authority)
    years = plan.years if plan else []
    year = request.GET.get("year") or selectors.default_year(authority=authority, plan=plan)
    if year:
        try:
            parse_year_label(year)
        except CalendarError:
            raise Http404("No such financial year") from None
    filters = selectors.TrackerFilters(
        status=request.GET.get("status", "") if request.GET.get("status", "") in Status.values else "",
        rag=request.GET.get("rag", "") if request.GET.get("rag", "") in [*Rag.values, "none"] else "",
        service_area=request.GET.get("service", "").strip(),
    )
    problem = ""
    delivery = None
    try:
        delivery = selectors.delivery_frame(authority=authority, year_label=year, filters=filters) if year else None
    except SavingsError as error:
        problem = str(error)
    empty_delivery = delivery if delivery is not None else pd.DataFrame()
    cache: dict[str, pd.DataFrame] = {}

    def once(name: str, make: Callable[[], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
        def get() -> pd.DataFrame:
            if name not in cache:
                cache[name] = make()
            return cache[name]
        return get

    tables: dict[str, Callable[[], pd.DataFrame]] = {
        "totals_approved": once("totals_approved", lambda: selectors.totals_by_year(authority=authority)),
        "totals_current": once("totals_current",
                               lambda: selectors.totals_by_year(authority=authority, basis="current")),
        "differences": once("differences", lambda: selectors.differences_by_year(authority=authority)),
        "differences_by_saving": once("differences_by_saving",
                                      lambda: selectors.differences_by_saving(authority=authority)),
        "programmes": once("programmes", lambda: selectors.programmes_frame(authority=authority)),
    }
    if delivery is not None:
        tables |= {
            "savings": lambda: empty_delivery,
            "total": once("total", lambda: selectors.delivery_by(empty_delivery, by=None)),
            "by_status": once("by_status", lambda: selectors.delivery_by(empty_delivery, by="status")),
            "by_service": once("by_service", lambda: selectors.delivery_by(empty_delivery, by="service_area")),
        }
    query = urlencode({k: v for k, v in {"year": year or "", "status": filters.status, "rag": filters.rag,
                                         "service": filters.service_area}.items() if v})
    download = _download(request, tables, f"savings-{year or 'all'}")
    if download is not None:
        return download
    context: dict[str, Any] = {
        "plan": plan, "years": years, "year": year, "filters": filters, "query": query, "problem": problem,
        "statuses": Status.choices, "rags": Rag.choices,
        "service_areas": ServiceArea.objects.filter(authority=authority).values_list("name", flat=True),
        "can_edit": _user(request).is_finance_officer,
        "status_labels": dict(Status.choices),
    }
    if plan is not None:
        try:
            context |= {
                "totals_approved": records(tables["totals_approved"]()),
                "totals_current": records(tables["totals_current"]()),
                "differences": records(tables["differences"]()),
            }
        except SavingsError as error:
            context["problem"] = str(error)
    context["programmes"] = records(tables["programmes"]())
    if delivery is not None:
        context |= {
            "savings": records(delivery),
            "total": records(tables["total"]())[0],
            "by_status": records(tables["by_status"]()),
            "by_service": records(tables["by_service"]()),
        }
    return render(request, "savings/tracker.html", context)


@role_required(*FINANCE)
def plan_edit(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    plan = selectors.plan_for(authority=authority)
    initial = ({"first_year": plan.first_year, "last_year": plan.last_year, "approved_by": plan.approved_by,
                "approved_on": plan.approved_on} if plan else {})
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = medium_term_plan_set(authority=authority, user=_user(request), **form.cleaned_data)
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"{saved} saved.")
            return redirect("savings:tracker")
    return render(request, "savings/plan_form.html", {"form": form, "plan": plan})


# ---------------------------------------------------------------------------------------------
# A saving
# ---------------------------------------------------------------------------------------------


def _plan_years_or_redirect(request: HttpRequest) -> list[str] | HttpResponse:
    plan = selectors.plan_for(authority=authority_of(request))
    if plan is None:
        messages.error(request, "Set the years of the medium-term financial plan before adding savings.")
        return redirect("savings:plan")
    return plan.years


@role_required(*FINANCE)
def saving_new(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    years = _plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    form = SavingForm(request.POST or None, authority=authority, years=years)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        amounts = form.year_amounts("amount", years)
        as_at = data["as_at"]
        report_year = selectors.default_year(authority=authority, plan=selectors.plan_for(authority=authority))
        try:
            saving = saving_create(
                authority=authority, user=_user(request), ref=data["ref"], title=data["title"],
                service_area=data["service_area"], line=data["line"], saving_type=data["saving_type"],
                owner=data["owner"], narrative=data["narrative"], programme=data["programme"],
                start_date=data["start_date"], full_year_effect=data["full_year_effect"], version=data["version"],
                approved_by=data["approved_by"], approved_on=data["approved_on"], amounts=amounts,
                status=data["status"], rag=data["rag"] or None, as_at=as_at, year_label=report_year or years[0],
                forecast_delivery=data["forecast_delivery"], progress=data["progress"],
            )
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"Saving {saving.ref} added.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(request, "savings/saving_form.html", {"form": form, "saving": None, "years": years})


@role_required(*FINANCE)
def saving_edit(request: HttpRequest, saving_id: int) -> HttpResponse:
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    initial = {name: getattr(saving, name) for name in (
        "title", "service_area", "line", "saving_type", "owner", "narrative", "programme", "start_date")}
    initial["full_year_effect"] = (
        f"{Decimal(saving.full_year_effect) / 100:.2f}" if saving.full_year_effect is not None else ""
    )
    form = SavingDetailsForm(request.POST or None, authority=authority, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saving_details_save(authority=authority, user=_user(request), saving=saving, **form.cleaned_data)
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"Saving {saving.ref} saved.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(request, "savings/saving_form.html", {"form": form, "saving": saving, "years": []})


@role_required(*STAFF_READERS)
def saving_detail(request: HttpRequest, saving_id: int) -> HttpResponse:
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    profiles = selectors.saving_profiles_frame(saving=saving)
    history = selectors.saving_history_frame(saving=saving)
    mitigations = selectors.saving_mitigations_frame(saving=saving)
    download = _download(request, {"profiles": lambda: profiles, "history": lambda: history,
                                   "mitigations": lambda: mitigations}, f"saving-{saving.ref}")
    if download is not None:
        return download
    keys = selectors.key_decision_frame(authority=authority)
    key = records(keys[keys["ref"] == saving.ref])
    versions = [v for v in SavingVersion.Version.values if v in profiles.columns]
    return render(request, "savings/saving_detail.html", {
        "saving": saving, "profiles": records(profiles), "versions": versions,
        "version_labels": dict(SavingVersion.Version.choices), "history": records(history),
        "mitigations": records(mitigations), "version_rows": selectors.saving_versions_meta(saving=saving),
        "key": key[0] if key else None, "can_edit": _user(request).is_finance_officer,
        "status_labels": dict(Status.choices),
        "totals": {v: int(profiles[v].fillna(0).sum()) for v in versions},
    })


@role_required(*FINANCE)
def saving_update_new(request: HttpRequest, saving_id: int) -> HttpResponse:
    """Record a reporting cycle: status, RAG, forecast and the progress narrative."""
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    years = _plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    default = selectors.default_year(authority=authority, plan=selectors.plan_for(authority=authority))
    form = StatusUpdateForm(request.POST or None, years=years,
                            initial={"status": saving.status, "rag": saving.rag or "", "year_label": default})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saving_status_record(
                authority=authority, user=_user(request), saving=saving, as_at=data["as_at"],
                year_label=data["year_label"], period=data["period"], status=data["status"], rag=data["rag"] or None,
                forecast_delivery=data["forecast_delivery"], narrative=data["narrative"],
            )
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"Status of {saving.ref} recorded.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(request, "savings/simple_form.html", {
        "form": form, "saving": saving, "heading": f"Record progress on {saving.ref}", "button": "Record progress",
    })


@role_required(*FINANCE)
def saving_reprofile(request: HttpRequest, saving_id: int) -> HttpResponse:
    """Move a saving between years; the lifetime total must stay as approved."""
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    years = _plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    current: dict[str, int] = {}
    for version in (SavingVersion.Version.APPROVED, SavingVersion.Version.REPROFILED):
        row = saving.versions.filter(version=version).first()
        if row is not None:
            current = dict(row.amounts.values_list("year_label", "amount"))
    initial = {year_field_name("amount", y): f"{Decimal(a) / 100:.2f}" for y, a in current.items()}
    form = ReprofileForm(request.POST or None, years=years, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saving_versions_set(authority=authority, user=_user(request), saving=saving, versions={
                SavingVersion.Version.REPROFILED: VersionInput(
                    amounts=form.year_amounts("amount", years), approved_by=data["approved_by"],
                    approved_on=data["approved_on"], note=data["note"], replace_years=years,
                )
            })
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"{saving.ref} re-profiled.")
            return redirect("savings:saving", saving_id=saving.pk)
    approved = saving.versions.filter(version=SavingVersion.Version.APPROVED).first()
    approved_total = sum(approved.amounts.values_list("amount", flat=True)) if approved else None
    return render(request, "savings/simple_form.html", {
        "form": form, "saving": saving, "heading": f"Re-profile {saving.ref}", "button": "Save the re-profile",
        "approved_total": approved_total,
    })


@role_required(*FINANCE)
def mitigation_new(request: HttpRequest, saving_id: int) -> HttpResponse:
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    years = _plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    form = MitigationForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        try:
            saving_mitigation_add(authority=authority, user=_user(request), saving=saving, **form.cleaned_data)
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"Mitigation for {saving.ref} recorded.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(request, "savings/simple_form.html", {
        "form": form, "saving": saving, "heading": f"Mitigate the shortfall on {saving.ref}",
        "button": "Record the mitigation", "sources": Mitigation.Source.choices,
    })


# ---------------------------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------------------------


def _decimal(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and value >= 0 else None


def _window_year(text: str | None) -> str | None:
    if not text:
        return None
    try:
        parse_year_label(text)
    except CalendarError:
        return None
    return text


@role_required(*STAFF_READERS)
def programme_detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id)
    profile = request.GET.get("profile", "target")
    basis = request.GET.get("basis", "reprofiled")
    first, last = _window_year(request.GET.get("from")), _window_year(request.GET.get("to"))
    figures = selectors.programme_figures(
        programme=programme, profile=profile, basis=basis, first_year=first, last_year=last,
        hurdle=_decimal(request.GET.get("hurdle")),
    )
    investments = selectors.programme_investments_frame(programme=programme)
    linked = selectors.programme_savings_frame(programme=programme)
    tables: dict[str, Callable[[], pd.DataFrame]] = {
        "profiles": lambda: figures.profiles, "investments": lambda: investments, "savings": lambda: linked,
    }
    if figures.summary is not None:
        summary = figures.summary
        tables["summary"] = lambda: summary
    download = _download(request, tables, f"programme-{programme.code}")
    if download is not None:
        return download
    query = urlencode({k: v for k, v in {"profile": figures.profile, "basis": figures.basis, "from": first or "",
                                         "to": last or "", "hurdle": request.GET.get("hurdle", "")}.items() if v})
    return render(request, "savings/programme_detail.html", {
        "programme": programme, "figures": figures, "profiles": records(figures.profiles),
        "summary": records(figures.summary), "investments": records(investments), "linked": records(linked),
        "query": query, "years": [r["year_label"] for r in records(figures.profiles)],
        "can_edit": _user(request).is_finance_officer, "status_labels": dict(Status.choices),
        "lifetime": {c: int(figures.profiles[c].sum()) for c in figures.profiles.columns[1:]},
    })


@role_required(*FINANCE)
def programme_edit(request: HttpRequest, programme_id: int | None = None) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id) if programme_id else None
    initial: dict[str, Any] = {}
    if programme is not None:
        initial = {name: getattr(programme, name) for name in ProgrammeForm.base_fields}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = programme_save(authority=authority, user=_user(request), programme=programme, **form.cleaned_data)
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"Programme {saved.code} saved.")
            return redirect("savings:programme", programme_id=saved.pk)
    return render(request, "savings/programme_form.html", {"form": form, "programme": programme})


@role_required(*FINANCE)
def programme_profiles(request: HttpRequest, programme_id: int) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id)
    years = programme.profile_years
    initial: dict[str, str] = {}
    for profile, year, amount in programme.benefits.values_list("profile", "year_label", "amount"):
        initial[year_field_name(profile, year)] = f"{Decimal(amount) / 100:.2f}"
    for year, amount in programme.costs.values_list("year_label", "amount"):
        initial[year_field_name("cost", year)] = f"{Decimal(amount) / 100:.2f}"
    form = ProgrammeProfilesForm(request.POST or None, years=years, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_profiles_set(
                authority=authority, user=_user(request), programme=programme,
                target=form.year_amounts("target", years), stretch=form.year_amounts("stretch", years),
                costs=form.year_amounts("cost", years),
            )
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"Profiles of {programme.code} saved.")
            return redirect("savings:programme", programme_id=programme.pk)
    return render(request, "savings/programme_profiles.html", {"form": form, "programme": programme})


@role_required(*FINANCE)
def programme_investment_new(request: HttpRequest, programme_id: int) -> HttpResponse:
    authority = authority_of(request)
    programme = selectors.programme_for(authority=authority, programme_id=programme_id)
    form = InvestmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme_investment_add(authority=authority, user=_user(request), programme=programme,
                                     **form.cleaned_data)
        except SavingInputError as error:
            _problems_to_form(form, error)
        else:
            messages.success(request, f"Investment in {programme.code} recorded.")
            return redirect("savings:programme", programme_id=programme.pk)
    return render(request, "savings/simple_form.html", {
        "form": form, "programme": programme, "heading": f"Add an investment in {programme.code}",
        "button": "Add the investment",
    })

