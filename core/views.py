"""Home pages per role, file uploads with preview, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import AUDIT_READERS, FINANCE, authority_of, role_required
from accounts.models import AuditEvent, Role, User
from core.importing import importers
from core.models import ImportBatch
from core.services import import_batch_apply, import_batch_cancel, import_batch_create
from forecasting import selectors
from forecasting.forms import UploadForm
from forecasting.models import FinancialYear


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
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
        Role.FINANCE_OFFICER: "core/home_finance.html",
        Role.DIRECTOR: "core/home_director.html",
        Role.COMMITTEE_MEMBER: "core/home_committee.html",
        Role.ADMINISTRATOR: "core/home_admin.html",
    }[Role(user.role)]
    if user.role == Role.DIRECTOR:
        context["recent"] = AuditEvent.objects.filter(authority=authority)[:10]
    return render(request, template, context)


def _upload_kinds() -> list[tuple[str, str]]:
    return [(kind, importer.title) for kind, importer in importers().items()]


@role_required(*FINANCE)
def upload(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    form.fields["kind"].choices = _upload_kinds()  # type: ignore[attr-defined]
    latest = selectors.year_for(authority=authority)
    if not form.is_bound and latest:
        form.initial["year"] = latest.label
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        if upload_file.size > settings.OUTTURN_MAX_UPLOAD_BYTES:
            form.add_error(
                "file",
                f"The file is {upload_file.size / 1048576:.1f} MB; the largest file accepted is "
                f"{settings.OUTTURN_MAX_UPLOAD_BYTES / 1048576:.0f} MB",
            )
        else:
            options = {
                "year": form.cleaned_data["year"] or None,
                "as_at": form.cleaned_data["as_at"].isoformat() if form.cleaned_data["as_at"] else None,
            }
            user = request.user
            assert isinstance(user, User)
            batch, _plan = import_batch_create(
                authority=authority,
                kind=form.cleaned_data["kind"],
                filename=upload_file.name,
                data=upload_file.read(),
                options=options,
                user=user,
            )
            return redirect("core:upload_preview", batch_id=batch.pk)
    recent = ImportBatch.objects.filter(authority=authority).defer("content")[:10]
    return render(
        request,
        "core/upload.html",
        {"form": form, "recent": recent, "years": FinancialYear.objects.filter(authority=authority)},
    )


@role_required(*FINANCE)
def upload_preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    authority = authority_of(request)
    batch = get_object_or_404(ImportBatch.objects.defer("content"), pk=batch_id, authority=authority)
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        if request.POST.get("action") == "cancel":
            import_batch_cancel(batch=batch)
            messages.info(request, f"The upload of {batch.filename} was cancelled; nothing was written.")
            return redirect("core:upload")
        batch = import_batch_apply(batch_id=batch.pk, user=user)
        if batch.status == ImportBatch.Status.APPLIED:
            messages.success(request, f"{batch.filename} imported.")
        else:
            messages.error(
                request,
                f"{batch.filename} was not imported: the data changed since the preview "
                "and the file now has errors. Nothing was written.",
            )
        return redirect("core:upload_preview", batch_id=batch.pk)
    plan_changes = None
    if batch.status == ImportBatch.Status.PREVIEWED:
        # Recompute the changes for display; the stored summary has only counts.
        from core.services import import_plan_build

        full = ImportBatch.objects.get(pk=batch.pk)
        plan = import_plan_build(
            authority=authority, kind=batch.kind, source=batch.filename, data=bytes(full.content), options=batch.options
        )
        plan_changes = [c for c in plan.changes if c.action != "unchanged"][:500]
    return render(request, "core/upload_preview.html", {"batch": batch, "changes": plan_changes})


@role_required(*AUDIT_READERS)
def audit_log(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    events = AuditEvent.objects.filter(authority=authority).select_related("user")
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor=actor)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    actions = (
        AuditEvent.objects.filter(authority=authority).values_list("action", flat=True).distinct().order_by("action")
    )
    return render(
        request, "core/audit.html", {"page": page, "action": action, "actor": actor, "actions": sorted(set(actions))}
    )
