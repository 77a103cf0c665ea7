"""A saving's pages: add one, change what it is, its history, a reporting cycle, a re-profile and
a mitigation."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.access import FINANCE, STAFF_READERS, AuthenticatedHttpRequest, authority_of, role_required
from savings import selectors
from savings.forms import (
    MitigationForm,
    ReprofileForm,
    SavingDetailsForm,
    SavingForm,
    StatusUpdateForm,
    year_field_name,
)
from savings.models import Mitigation, SavingVersion, Status
from savings.services import (
    SavingInputError,
    VersionInput,
    saving_create,
    saving_details_save,
    saving_mitigation_add,
    saving_status_record,
    saving_versions_set,
)
from savings.views.shared import download_table, plan_years_or_redirect, problems_to_form, records


@role_required(*FINANCE)
def saving_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    years = plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    form = SavingForm(request.POST or None, authority=authority, years=years)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report_year = selectors.default_year(authority=authority, plan=selectors.plan_for(authority=authority))
        try:
            saving = saving_create(
                authority=authority,
                user=request.user,
                ref=data["ref"],
                title=data["title"],
                service_area=data["service_area"],
                line=data["line"],
                saving_type=data["saving_type"],
                owner=data["owner"],
                narrative=data["narrative"],
                programme=data["programme"],
                start_date=data["start_date"],
                full_year_effect=data["full_year_effect"],
                version=data["version"],
                approved_by=data["approved_by"],
                approved_on=data["approved_on"],
                amounts=form.year_amounts("amount", years),
                status=data["status"],
                rag=data["rag"] or None,
                as_at=data["as_at"],
                year_label=report_year or years[0],
                forecast_delivery=data["forecast_delivery"],
                progress=data["progress"],
            )
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Saving {saving.ref} added.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(request, "savings/saving_form.html", {"form": form, "saving": None, "years": years})


@role_required(*FINANCE)
def saving_edit(request: AuthenticatedHttpRequest, saving_id: int) -> HttpResponse:
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    initial = {
        name: getattr(saving, name)
        for name in ("title", "service_area", "line", "saving_type", "owner", "narrative", "programme", "start_date")
    }
    initial["full_year_effect"] = (
        f"{Decimal(saving.full_year_effect) / 100:.2f}" if saving.full_year_effect is not None else ""
    )
    form = SavingDetailsForm(request.POST or None, authority=authority, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saving_details_save(authority=authority, user=request.user, saving=saving, **form.cleaned_data)
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Saving {saving.ref} saved.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(request, "savings/saving_form.html", {"form": form, "saving": saving, "years": []})


@role_required(*STAFF_READERS)
def saving_detail(request: AuthenticatedHttpRequest, saving_id: int) -> HttpResponse:
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    profiles = selectors.saving_profiles_frame(saving=saving)
    history = selectors.saving_history_frame(saving=saving)
    mitigations = selectors.saving_mitigations_frame(saving=saving)
    download = download_table(
        request,
        {"profiles": lambda: profiles, "history": lambda: history, "mitigations": lambda: mitigations},
        f"saving-{saving.ref}",
        what=f"Saving {saving.ref}",
    )
    if download is not None:
        return download
    keys = selectors.key_decision_frame(authority=authority)
    key = records(keys[keys["ref"] == saving.ref])
    versions = [v for v in SavingVersion.Version.values if v in profiles.columns]
    return render(
        request,
        "savings/saving_detail.html",
        {
            "saving": saving,
            "profiles": records(profiles),
            "versions": versions,
            "version_labels": dict(SavingVersion.Version.choices),
            "history": records(history),
            "mitigations": records(mitigations),
            "version_rows": selectors.saving_versions_meta(saving=saving),
            "key": key[0] if key else None,
            "can_edit": request.user.is_finance_officer,
            "status_labels": dict(Status.choices),
            "totals": {v: int(profiles[v].fillna(0).sum()) for v in versions},
        },
    )


@role_required(*FINANCE)
def saving_update_new(request: AuthenticatedHttpRequest, saving_id: int) -> HttpResponse:
    """Record a reporting cycle: status, RAG, forecast and the progress narrative."""
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    years = plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    default = selectors.default_year(authority=authority, plan=selectors.plan_for(authority=authority))
    form = StatusUpdateForm(
        request.POST or None,
        years=years,
        initial={"status": saving.status, "rag": saving.rag or "", "year_label": default},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saving_status_record(
                authority=authority,
                user=request.user,
                saving=saving,
                as_at=data["as_at"],
                year_label=data["year_label"],
                period=data["period"],
                status=data["status"],
                rag=data["rag"] or None,
                forecast_delivery=data["forecast_delivery"],
                narrative=data["narrative"],
            )
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Status of {saving.ref} recorded.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(
        request,
        "savings/simple_form.html",
        {
            "form": form,
            "saving": saving,
            "heading": f"Record progress on {saving.ref}",
            "button": "Record progress",
        },
    )


@role_required(*FINANCE)
def saving_reprofile(request: AuthenticatedHttpRequest, saving_id: int) -> HttpResponse:
    """Move a saving between years; the lifetime total must stay as approved."""
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    years = plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    current = selectors.saving_current_amounts(saving=saving)
    initial = {year_field_name("amount", y): f"{Decimal(a) / 100:.2f}" for y, a in current.items()}
    form = ReprofileForm(request.POST or None, years=years, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reprofile = VersionInput(
            amounts=form.year_amounts("amount", years),
            approved_by=data["approved_by"],
            approved_on=data["approved_on"],
            note=data["note"],
            replace_years=years,
        )
        try:
            saving_versions_set(
                authority=authority,
                user=request.user,
                saving=saving,
                versions={SavingVersion.Version.REPROFILED: reprofile},
            )
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"{saving.ref} re-profiled.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(
        request,
        "savings/simple_form.html",
        {
            "form": form,
            "saving": saving,
            "heading": f"Re-profile {saving.ref}",
            "button": "Save the re-profile",
            "approved_total": selectors.saving_approved_total(saving=saving),
        },
    )


@role_required(*FINANCE)
def mitigation_new(request: AuthenticatedHttpRequest, saving_id: int) -> HttpResponse:
    authority = authority_of(request)
    saving = selectors.saving_for(authority=authority, saving_id=saving_id)
    years = plan_years_or_redirect(request)
    if isinstance(years, HttpResponse):
        return years
    form = MitigationForm(request.POST or None, years=years)
    if request.method == "POST" and form.is_valid():
        try:
            saving_mitigation_add(authority=authority, user=request.user, saving=saving, **form.cleaned_data)
        except SavingInputError as error:
            problems_to_form(form, error)
        else:
            messages.success(request, f"Mitigation for {saving.ref} recorded.")
            return redirect("savings:saving", saving_id=saving.pk)
    return render(
        request,
        "savings/simple_form.html",
        {
            "form": form,
            "saving": saving,
            "heading": f"Mitigate the shortfall on {saving.ref}",
            "button": "Record the mitigation",
            "sources": Mitigation.Source.choices,
        },
    )
