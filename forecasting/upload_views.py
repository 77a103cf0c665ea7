"""File uploads of every kind: choose a file, see a preview of each change and every error, then
confirm or cancel. Each kind's importer registers itself with core.importing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import FINANCE, authority_of, role_required
from accounts.models import User
from core.importing import importers
from core.models import ImportBatch
from core.services import import_batch_apply, import_batch_cancel, import_batch_create, import_plan_build
from forecasting import selectors
from forecasting.forms import UploadForm
from forecasting.models import FinancialYear


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
            return redirect("forecasting:upload_preview", batch_id=batch.pk)
    recent = ImportBatch.objects.filter(authority=authority).defer("content")[:10]
    return render(
        request,
        "forecasting/upload.html",
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
            return redirect("forecasting:upload")
        batch = import_batch_apply(batch_id=batch.pk, user=user)
        if batch.status == ImportBatch.Status.APPLIED:
            messages.success(request, f"{batch.filename} imported.")
        else:
            messages.error(
                request,
                f"{batch.filename} was not imported: the data changed since the preview "
                "and the file now has errors. Nothing was written.",
            )
        return redirect("forecasting:upload_preview", batch_id=batch.pk)
    plan_changes = None
    if batch.status == ImportBatch.Status.PREVIEWED:
        # Recompute the changes for display; the stored summary has only counts.
        full = ImportBatch.objects.get(pk=batch.pk)
        plan = import_plan_build(
            authority=authority, kind=batch.kind, source=batch.filename, data=bytes(full.content), options=batch.options
        )
        plan_changes = [c for c in plan.changes if c.action != "unchanged"][:500]
    return render(request, "forecasting/upload_preview.html", {"batch": batch, "changes": plan_changes})
