"""File uploads of every kind: choose the files, see a preview of each change and every error,
then confirm or cancel. Each kind's importer registers itself with core.importing.

One preview page serves every upload, here and on the placements import pages (their URLs pass
the kind they show and the page to go back to). A kind whose preview needs more than the
counts of changes has its own partial, `forecasting/_preview_<kind>.html`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from accounts.access import FINANCE, AuthenticatedHttpRequest, authority_of, role_required
from core.exports import Title, table_download
from core.import_dispatch import import_batch_confirm
from core.importing import importers
from core.models import ImportBatch
from core.selectors import import_batch_progress, import_batches_recent, import_issues_frame
from core.services import import_batch_cancel, import_batch_create, import_batch_plan
from forecasting import selectors
from forecasting.forms import UploadForm, source_files
from forecasting.models import FinancialYear

CHANGES_SHOWN = 500
ISSUES_PER_PAGE = 200


@role_required(*FINANCE)
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    latest = selectors.year_for(authority=authority)
    if not form.is_bound and latest:
        form.initial["year"] = latest.label
    if request.method == "POST" and form.is_valid():
        batch, _plan = import_batch_create(
            authority=authority,
            kind=form.cleaned_data["kind"],
            files=source_files(form.cleaned_data["file"]),
            options=form.import_options(),
            user=request.user,
        )
        return redirect("forecasting:upload_preview", batch_id=batch.pk)
    return render(
        request,
        "forecasting/upload.html",
        {
            "form": form,
            "recent": import_batches_recent(authority=authority),
            "years": FinancialYear.objects.filter(authority=authority),
        },
    )


@role_required(*FINANCE)
def upload_preview(
    request: AuthenticatedHttpRequest, batch_id: int, kind: str | None = None, back: str = "forecasting:upload"
) -> HttpResponse:
    """Preview, confirm or cancel, and follow an upload; `?format=json` is its progress and
    `?format=csv|xlsx` downloads its issues."""
    authority = authority_of(request)
    fmt = request.GET.get("format")
    if request.method != "POST" and fmt == "json":
        return _progress(request, batch_id, kinds=(kind,) if kind else None)
    batches = ImportBatch.objects.with_file_names().filter(authority=authority)
    batch = get_object_or_404(batches.filter(kind=kind) if kind else batches, pk=batch_id)
    if request.method == "POST":
        return _confirm_or_cancel(request, batch, back)
    if fmt in ("csv", "xlsx"):
        title = Title(authority.name, f"Problems found in upload {batch.pk} ({batch.kind.replace('_', ' ')} files)")
        frame = import_issues_frame(batch=batch)
        return table_download(frame, filename=f"{batch.kind}-issues-{batch.pk}", fmt=fmt, title=title)
    return render(request, "forecasting/upload_preview.html", _preview_context(request, batch, back))


def _progress(request: AuthenticatedHttpRequest, batch_id: int, *, kinds: tuple[str, ...] | None) -> JsonResponse:
    """Status and progress of an upload being imported by a worker, for its page to follow."""
    progress = import_batch_progress(authority=authority_of(request), batch_id=batch_id, kinds=kinds)
    if progress is None:
        raise Http404("No such upload")
    return JsonResponse(progress)


def _confirm_or_cancel(request: AuthenticatedHttpRequest, batch: ImportBatch, back: str) -> HttpResponse:
    imported, not_imported, cancelled = _outcome_messages(batch)
    if request.POST.get("action") == "cancel":
        import_batch_cancel(batch=batch)
        messages.info(request, cancelled)
        return redirect(back)
    batch = import_batch_confirm(batch_id=batch.pk, user=request.user)
    if batch.status == ImportBatch.Status.APPLIED:
        messages.success(request, imported)
    elif not batch.is_running:
        messages.error(request, not_imported)
    return redirect(request.path)


def _outcome_messages(batch: ImportBatch) -> tuple[str, str, str]:
    """What the officer is told when the upload is imported, refused on confirmation, or cancelled."""
    importer = importers().get(batch.kind)
    if importer is not None and importer.files_label:
        label = importer.files_label
        return (
            f"The {label} files were imported.",
            f"The {label} files were not imported; nothing was written.",
            f"The {label} upload was cancelled; nothing was written.",
        )
    return (
        f"{batch.title} imported.",
        f"{batch.title} was not imported: the data changed since the preview and the file now has errors. "
        "Nothing was written.",
        f"The upload of {batch.title} was cancelled; nothing was written.",
    )


def _preview_context(request: AuthenticatedHttpRequest, batch: ImportBatch, back: str) -> dict[str, Any]:
    changes = None
    if batch.status == ImportBatch.Status.PREVIEWED:
        # The stored summary has only counts: check the files again to list the changes.
        plan = import_batch_plan(batch=batch)
        changes = [c for c in plan.changes if c.action != "unchanged"][:CHANGES_SHOWN]
    issues = import_issues_frame(batch=batch)
    action = request.GET.get("action_filter", "")
    shown = issues[issues["action"] == action] if action else issues
    importer = importers().get(batch.kind)
    return {
        "batch": batch,
        "kind_title": importer.title if importer else batch.kind,
        "kind_templates": [f"forecasting/_preview_{batch.kind}.html", "forecasting/_preview_default.html"],
        "changes": changes,
        "changes_shown": CHANGES_SHOWN,
        "issues_page": Paginator(shown.to_dict("records"), ISSUES_PER_PAGE).get_page(request.GET.get("page")),
        "issue_count": len(issues),
        "issue_actions": sorted(set(issues["action"])),
        "action_filter": action,
        "status_url": f"{request.path}?format=json",
        "back": back,
    }
