"""Pages of the placement register: the register, a placement's history, imports, the SSDA903
code mapping, unit costs and the KPI page. Views parse the request, call one service or
selector and render; every table can be downloaded as CSV or XLSX."""

from __future__ import annotations

from datetime import date

import pandas as pd
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.access import (
    ADMINISTRATORS,
    FINANCE,
    STAFF_READERS,
    AuthenticatedHttpRequest,
    authority_of,
    register_reader_required,
    role_required,
)
from core.exports import Title, table_download
from core.import_dispatch import import_batch_submit
from core.importing import importer_for
from core.selectors import import_batch_progress, import_batches_recent
from forecasting.download_titles import year_title
from forecasting.engine.calendar import CalendarError, FinancialYear, year_containing
from forecasting.engine.money import pence_to_pounds, pounds_text
from forecasting.engine.placements import DEFAULT_HIGH_COST_THRESHOLD
from forecasting.forms import source_files, too_large
from forecasting.models import FinancialYear as FinancialYearModel
from forecasting.parsing import parse_int, parse_money
from placements import kpis, selectors, services
from placements.forms import (
    CodeMappingForm,
    EndForm,
    ImportForm,
    PlacementForm,
    RateForm,
    RegisterFilterForm,
    UnitCostForm,
)
from placements.forms import kpi_filters as placement_kpi_filters

PAGE_SIZE = 50


def _fmt(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format")
    return fmt if fmt in ("csv", "xlsx") else None


def _id(text: str | None) -> int:
    """A posted row id; anything that is not one finds no row (a 404), never an error."""
    try:
        return parse_int(text or "", low=1, high=2**63 - 1)
    except ValueError:
        return 0


def _form_errors(form: object, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------
# The register
# --------------------------------------------------------------------------------------------


@register_reader_required
def register(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = RegisterFilterForm(request.GET or None)
    filters = selectors.RegisterFilter()
    today = date.today()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        fy = FinancialYear.from_label(year_containing(today))
        filters = selectors.RegisterFilter(
            search=data["q"],
            placement_type=data["placement_type"],
            open_on=data["open_on"],
            high_cost=DEFAULT_HIGH_COST_THRESHOLD if data["high_cost"] else None,
            ending_within_days=90 if data["ending_soon"] else None,
            turning_18_in=(fy.start, fy.end) if data["turning_18"] else None,
            today=today,
        )
    rows = selectors.register_rows(authority=authority, filters=filters)
    fmt = _fmt(request)
    if fmt:
        return table_download(
            selectors.register_export_frame(rows),
            filename="placement-register",
            fmt=fmt,
            title=Title(authority.name, "Placement register"),
            money=selectors.MONEY_COLUMNS,
            file_columns=True,
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "placements/register.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "threshold": DEFAULT_HIGH_COST_THRESHOLD,
            "count": page.paginator.count,
        },
    )


def _history_context(authority: object, placement_ref: str) -> dict[str, object]:
    rows = selectors.placement_history(authority=authority, placement_ref=placement_ref)  # type: ignore[arg-type]
    child = rows[0].child
    birthday = selectors.eighteenth_birthday_of(child.date_of_birth)
    others = [
        p
        for p in selectors.child_placements(authority=authority, child=child)  # type: ignore[arg-type]
        if p.placement_ref != placement_ref
    ]
    return {
        "rows": rows,
        "first": rows[0],
        "last": rows[-1],
        "child": child,
        "eighteenth": birthday,
        "others": others,
        "placement_ref": placement_ref,
    }


@register_reader_required
def placement_detail(request: AuthenticatedHttpRequest, placement_ref: str) -> HttpResponse:
    authority = authority_of(request)
    context = _history_context(authority, placement_ref)
    fmt = _fmt(request)
    if fmt:
        frame = selectors.register_export_frame(
            selectors.register_rows(authority=authority).filter(placement_ref=placement_ref)
        )
        return table_download(
            frame,
            filename=f"placement-{placement_ref}",
            fmt=fmt,
            title=Title(authority.name, f"Placement {placement_ref}"),
            money=selectors.MONEY_COLUMNS,
            file_columns=True,
        )
    context.update({"end_form": EndForm(prefix="end"), "rate_form": RateForm(prefix="rate")})
    return render(request, "placements/placement.html", context)


@require_POST
@role_required(*FINANCE)
def placement_end_view(request: AuthenticatedHttpRequest, placement_ref: str) -> HttpResponse:
    authority = authority_of(request)
    context = _history_context(authority, placement_ref)
    form = EndForm(request.POST, prefix="end")
    if form.is_valid():
        try:
            services.placement_end(
                authority=authority,
                user=request.user,
                placement_ref=placement_ref,
                end_date=form.cleaned_data["end_date"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Placement {placement_ref} ends on {form.cleaned_data['end_date']:%d/%m/%Y}.")
            return redirect("placements:placement", placement_ref=placement_ref)
    context.update({"end_form": form, "rate_form": RateForm(prefix="rate")})
    return render(request, "placements/placement.html", context, status=400)


@require_POST
@role_required(*FINANCE)
def placement_rate_view(request: AuthenticatedHttpRequest, placement_ref: str) -> HttpResponse:
    authority = authority_of(request)
    context = _history_context(authority, placement_ref)
    form = RateForm(request.POST, prefix="rate")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_rate_change(
                authority=authority,
                user=request.user,
                placement_ref=placement_ref,
                from_date=data["from_date"],
                weekly_cost=data["weekly_cost"],
                health_contribution=data["health_contribution"],
                education_contribution=data["education_contribution"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Placement {placement_ref}: new weekly rate from {data['from_date']:%d/%m/%Y}.")
            return redirect("placements:placement", placement_ref=placement_ref)
    context.update({"end_form": EndForm(prefix="end"), "rate_form": form})
    return render(request, "placements/placement.html", context, status=400)


@role_required(*FINANCE)
def placement_add_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = PlacementForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.placement_add(
                authority=authority,
                user=request.user,
                child_ref=data["child_ref"],
                child_dob=data["child_dob"],
                uasc=data["uasc"],
                placement_ref=data["placement_ref"],
                placement_type=data["placement_type"],
                provider=data["provider"],
                procurement=data["procurement"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                planned_end_date=data["planned_end_date"],
                weekly_cost=data["weekly_cost"],
                health_contribution=data["health_contribution"] or 0,
                education_contribution=data["education_contribution"] or 0,
                line=data["line"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Placement {row.placement_ref} added.")
            return redirect("placements:placement", placement_ref=row.placement_ref)
    return render(request, "placements/placement_form.html", {"form": form})


# --------------------------------------------------------------------------------------------
# Imports
# --------------------------------------------------------------------------------------------


# The preview, confirmation and progress of an upload are the one preview page of every upload
# (forecasting.upload_views), which placements/urls.py serves at the import URLs of each kind.
IMPORT_PAGES = {"placements": "placements:import_batch", "ssda903": "placements:ssda903_import"}
STATUS_KINDS = {"register": ("placements",), "ssda903": ("ssda903",)}


@role_required(*FINANCE)
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        files = request.FILES.getlist("files")
        for problem in _import_problems(kind, files):
            form.add_error("files", problem)
        if form.is_valid():
            la = form.cleaned_data["la"].strip()
            batch = import_batch_submit(
                authority=authority,
                kind=kind,
                files=source_files(files),
                options={"la": la} if kind == "ssda903" and la else {},
                user=request.user,
            )
            return redirect(IMPORT_PAGES[kind], batch.pk)
    return render(
        request,
        "placements/import.html",
        {
            "form": form,
            "recent": import_batches_recent(authority=authority, kinds=list(IMPORT_PAGES)),
            "columns": importer_for("placements").columns,
        },
    )


def _import_problems(kind: str, files: list[UploadedFile[bytes]]) -> list[str]:
    problems = []
    if kind not in IMPORT_PAGES:
        problems.append("Choose what the files hold")
    if not files:
        problems.append("Choose a file to upload")
    elif kind == "placements" and len(files) > 1:
        problems.append("A placement register is one file; choose one")
    return problems + too_large(files, limit=settings.OUTTURN_MAX_UPLOAD_BYTES, name_each=True)


@role_required(*FINANCE)
def import_status(request: AuthenticatedHttpRequest, kind: str, pk: int) -> JsonResponse:
    """Progress of an upload being imported by a worker (the import pages' own address for it)."""
    progress = import_batch_progress(authority=authority_of(request), batch_id=pk, kinds=STATUS_KINDS.get(kind, ()))
    if progress is None:
        raise Http404("No such upload")
    return JsonResponse(progress)


# --------------------------------------------------------------------------------------------
# Reference data
# --------------------------------------------------------------------------------------------


@role_required(*STAFF_READERS)
def mapping(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    rows = list(selectors.code_mappings(authority=authority))
    fmt = _fmt(request)
    if fmt:
        frame = pd.DataFrame(
            [(r.place, r.place_provider, r.valid_from_year, r.valid_to_year, r.placement_type.code) for r in rows],
            columns=["place", "place_provider", "valid_from_year", "valid_to_year", "finance_type"],
        )
        return table_download(
            frame, filename="ssda903-code-mapping", fmt=fmt, title=Title(authority.name, "SSDA903 code mapping")
        )
    return render(request, "placements/mapping.html", {"rows": rows})


@role_required(*ADMINISTRATORS)
def mapping_edit(request: AuthenticatedHttpRequest, mapping_id: int | None = None) -> HttpResponse:
    authority = authority_of(request)
    row = selectors.code_mapping_for(authority=authority, mapping_id=mapping_id) if mapping_id else None
    initial = {}
    if row is not None:
        initial = {
            "place": row.place,
            "place_provider": row.place_provider,
            "valid_from_year": row.valid_from_year,
            "valid_to_year": row.valid_to_year,
            "placement_type": row.placement_type,
        }
    form = CodeMappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "delete" and row is not None:
        services.code_mapping_delete(authority=authority, user=request.user, mapping=row)
        messages.success(request, f"Mapping row {row} deleted.")
        return redirect("placements:mapping")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.code_mapping_save(
                authority=authority,
                user=request.user,
                place=data["place"],
                place_provider=data["place_provider"] or "",
                valid_from_year=data["valid_from_year"],
                valid_to_year=data["valid_to_year"],
                placement_type=data["placement_type"],
                mapping=row,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, f"Mapping row {saved} saved.")
            return redirect("placements:mapping")
    return render(request, "placements/mapping_form.html", {"form": form, "row": row})


@role_required(*STAFF_READERS)
def unit_costs(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    rows = list(selectors.unit_costs(authority=authority))
    fmt = _fmt(request)
    if fmt:
        frame = pd.DataFrame(
            [(r.placement_type.code, r.effective_from, pence_to_pounds(r.weekly_cost)) for r in rows],
            columns=["placement_type", "effective_from", "weekly_cost"],
        )
        title = Title(authority.name, "Placement unit costs (weekly)")
        return table_download(frame, filename="placement-unit-costs", fmt=fmt, title=title, money=["weekly_cost"])
    form = UnitCostForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_finance_officer:
            raise PermissionDenied("Only finance officers change unit costs")
        if request.POST.get("action") == "delete":
            unit_cost = selectors.unit_cost_for(authority=authority, unit_cost_id=_id(request.POST.get("id")))
            services.unit_cost_delete(authority=authority, user=request.user, unit_cost=unit_cost)
            messages.success(
                request,
                f"Unit cost for {unit_cost.placement_type.name} from {unit_cost.effective_from:%d/%m/%Y} deleted.",
            )
            return redirect("placements:unit_costs")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.unit_cost_save(
                    authority=authority,
                    user=request.user,
                    placement_type=data["placement_type"],
                    effective_from=data["effective_from"],
                    weekly_cost=data["weekly_cost"],
                )
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Unit cost for {data['placement_type'].name} saved; SSDA903 placements "
                    "of that type were re-priced.",
                )
                return redirect("placements:unit_costs")
    return render(request, "placements/unit_costs.html", {"rows": rows, "form": form})


# --------------------------------------------------------------------------------------------
# KPIs
# --------------------------------------------------------------------------------------------

KPI_WORDS = {
    "summary": "the year by placement type",
    "monthly": "month by month",
    "month_end": "children at each month end",
    "net_cost": "net cost by month",
    "flows": "children starting and leaving",
    "high_cost": "high-cost placements by month",
    "high_cost_rows": "high-cost placements",
}
KPI_TABLES = tuple(KPI_WORDS)


@register_reader_required
def kpi_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    register_frame = selectors.placement_register_frame(authority=authority)
    types = selectors.placement_types_frame()
    today = date.today()
    budget_years = list(FinancialYearModel.objects.filter(authority=authority).values_list("label", flat=True))
    choices = kpis.year_choices(register_frame, today=today, extra=budget_years)
    label = request.GET.get("year") or (max(budget_years, default=None) or year_containing(today))
    if label not in choices:
        raise Http404("No such financial year")
    try:
        year = FinancialYear.from_label(label)
    except CalendarError:
        raise Http404("No such financial year") from None
    threshold_text = request.GET.get("threshold", "").strip()
    try:
        threshold = parse_money(threshold_text) if threshold_text else DEFAULT_HIGH_COST_THRESHOLD
    except ValueError:
        threshold = DEFAULT_HIGH_COST_THRESHOLD
        default = pounds_text(DEFAULT_HIGH_COST_THRESHOLD)
        messages.error(request, f"'{threshold_text}' is not an amount in pounds; the {default} threshold is used.")
    tables = kpis.kpi_tables(register_frame, types, year=year, threshold=threshold)
    fmt = _fmt(request)
    if fmt:
        name = request.GET.get("table", "summary")
        if name not in KPI_TABLES:
            raise Http404("No such table")
        frame = getattr(tables, name)
        if name == "net_cost":
            frame = kpis.with_pounds(frame, tables.months)
        return table_download(
            kpis.export_frame(frame),
            filename=f"placement-kpis-{name}-{label.replace('/', '-')}",
            fmt=fmt,
            title=year_title(authority, f"Placement KPIs: {KPI_WORDS[name]}", label),
        )
    query = {"year": label, "threshold": f"{threshold / 100:.2f}"}
    return render(
        request,
        "placements/kpis.html",
        {
            "tables": tables,
            "year": year,
            "label": label,
            "choices": choices,
            "threshold": threshold,
            "filters": placement_kpi_filters(
                years=list(choices), year=label, threshold_pounds=f"{threshold / 100:.2f}"
            ),
            "queries": {name: urlencode({**query, "table": name}) for name in KPI_TABLES},
            "summary_rows": tables.summary.to_dict("records"),
            "month_end_rows": tables.month_end.to_dict("records"),
            "net_cost_rows": tables.net_cost.to_dict("records"),
            "flow_rows": tables.flows.to_dict("records"),
            "high_cost_rows": tables.high_cost.to_dict("records"),
            "high_cost_list": _records(tables.high_cost_rows.head(100)),
            "totals": _summary_totals(tables.summary),
            "months": tables.months,
        },
    )


def _summary_totals(summary: pd.DataFrame) -> dict[str, object]:
    fye = float(summary["fye_number"].sum())
    gross = int(summary["gross_cost"].sum())
    child_weeks = fye * 52
    return {
        "month_end_number": int(summary["month_end_number"].sum()),
        "average_number": float(summary["average_number"].sum()),
        "fye_number": fye,
        "avg_weekly_cost": gross / child_weeks if child_weeks else None,
        "avg_weekly_net_cost": int(summary["net_cost"].sum()) / child_weeks if child_weeks else None,
        "gross_cost": gross,
        "contributions": int(summary["contributions"].sum()),
        "net_cost": int(summary["net_cost"].sum()),
        "identity_cost": int(summary["identity_cost"].sum()),
        "starts": int(summary["starts"].sum()),
        "ends": int(summary["ends"].sum()),
        "previous_net_cost": int(summary["previous_net_cost"].sum()),
        "net_cost_change": int(summary["net_cost_change"].sum()),
        "high_cost_cost": int(summary["high_cost_cost"].sum()),
        "previous_fye_number": float(summary["previous_fye_number"].sum()),
        "fye_change": fye - float(summary["previous_fye_number"].sum()),
    }


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    """Rows for a template: dates as dates and missing values as None (NaT cannot be shown)."""
    out = frame.astype(object).where(frame.notna(), None)
    return [
        {k: (v.date() if isinstance(v, pd.Timestamp) else v) for k, v in row.items()} for row in out.to_dict("records")
    ]
