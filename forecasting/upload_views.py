"""File uploads of every kind: choose the files, see a preview of each change and every error,
then confirm or cancel. Each kind's importer registers itself with core.importing.

Nothing here reads an uploaded file: the upload is kept and a worker checks it (the page shows
its progress, then the preview); a confirmed upload is imported by a worker too
(core.import_dispatch). The page shows the first problems and counts them by kind; every one is
in its CSV download.

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
from core.forms import choice_filter, choices_form
from core.import_dispatch import import_batch_confirm, import_batch_submit
from core.import_outcome import (
    CHANGES_KEPT,
    PROBLEMS_SHOWN,
    change_counts,
    change_groups,
    problems_csv,
    problems_csv_gz,
)
from core.import_templates import column_guide, has_template, template_csv, template_xlsx
from core.importing import every_importer, importers
from core.models import ImportBatch
from core.selectors import import_batch_progress, import_batches_recent, import_issues_frame
from core.services import import_batch_cancel
from forecasting import selectors
from forecasting.forms import UploadForm, source_files
from forecasting.models import FinancialYear

ISSUES_PER_PAGE = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*FINANCE)
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    latest = selectors.year_for(authority=authority)
    if not form.is_bound and latest:
        form.initial["year"] = latest.label
    if request.method == "POST" and form.is_valid():
        batch = import_batch_submit(
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
            "guides": [
                {"importer": importer, "columns": column_guide(importer), "template": has_template(importer)}
                for importer in importers().values()
            ],
        },
    )


@role_required(*FINANCE)
def upload_template(request: AuthenticatedHttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A kind's template: its header and an example row, as CSV or XLSX."""
    importer = importers().get(kind)
    if importer is None or not has_template(importer) or fmt not in ("csv", "xlsx"):
        raise Http404("No such template")
    if fmt == "xlsx":
        response = HttpResponse(template_xlsx(importer), content_type=XLSX_TYPE)
    else:
        response = HttpResponse(template_csv(importer), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


@role_required(*FINANCE)
def upload_preview(
    request: AuthenticatedHttpRequest, batch_id: int, kind: str | None = None, back: str = "forecasting:upload"
) -> HttpResponse:
    """Preview, confirm or cancel, and follow an upload; `?format=json` is its progress,
    `?format=csv|xlsx` downloads its issues and `?download=problems` every problem found."""
    authority = authority_of(request)
    fmt = request.GET.get("format")
    if request.method != "POST" and fmt == "json":
        return _progress(request, batch_id, kinds=(kind,) if kind else None)
    batches = ImportBatch.objects.with_file_names().filter(authority=authority)
    if kind:
        batches = batches.filter(kind=kind)
    if request.method != "POST" and request.GET.get("download") == "problems":
        return _problems_download(get_object_or_404(batches, pk=batch_id))
    batch = get_object_or_404(batches.defer("problems_csv"), pk=batch_id)
    if request.method == "POST":
        return _confirm_or_cancel(request, batch, back)
    if fmt in ("csv", "xlsx"):
        title = Title(authority.name, f"Problems found in upload {batch.pk} ({batch.kind.replace('_', ' ')} files)")
        frame = import_issues_frame(batch=batch)
        return table_download(frame, filename=f"{batch.kind}-issues-{batch.pk}", fmt=fmt, title=title)
    return render(request, "forecasting/upload_preview.html", _preview_context(request, batch, back))


def _problems_download(batch: ImportBatch) -> HttpResponse:
    # An upload made before every problem was kept as CSV has them all in `errors`.
    stored = bytes(batch.problems_csv) or problems_csv_gz(batch.errors)
    response = HttpResponse(problems_csv(stored), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.kind}-problems-{batch.pk}.csv"'
    return response


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
    # Queued: its page follows the worker, then says what happened.
    if batch.status in (ImportBatch.Status.FAILED, ImportBatch.Status.CANCELLED):
        messages.error(request, not_imported)
    return redirect(request.path)


def _outcome_messages(batch: ImportBatch) -> tuple[str, str, str]:
    """What the officer is told when the upload is imported, refused on confirmation, or cancelled."""
    importer = every_importer().get(batch.kind)
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
    issues = import_issues_frame(batch=batch)
    action = request.GET.get("action_filter", "")
    shown = issues[issues["action"] == action] if action else issues
    importer = every_importer().get(batch.kind)
    applied = batch.status == ImportBatch.Status.APPLIED
    imported, _not_imported, _cancelled = _outcome_messages(batch)
    groups = change_groups(summary=batch.summary, changes=batch.changes)
    return {
        "batch": batch,
        "kind_title": importer.title if importer else batch.kind,
        "kind_templates": [f"forecasting/_preview_{batch.kind}.html", "forecasting/_preview_default.html"],
        # What will change (waiting for confirmation) or what changed (imported), from what the
        # worker kept: nothing is read again here.
        "changes": batch.changes if batch.status == ImportBatch.Status.PREVIEWED else None,
        "changed": groups if applied else None,
        "changes_truncated": any(len(group["rows"]) < group["count"] for group in groups),
        "changes_kept": CHANGES_KEPT,
        "imported_message": imported if applied else "",
        "change_counts": change_counts(summary=batch.summary, applied=applied),
        "problems_shown": PROBLEMS_SHOWN,
        "counts_text": {
            "problems": f"{batch.problem_count:,}",
            "problems_shown": f"{len(batch.errors):,}",
            "warnings": f"{batch.warning_count:,}",
            "warnings_shown": f"{len(batch.warnings):,}",
        },
        "more_problems": batch.problem_count > len(batch.errors),
        "problems_url": f"{request.path}?download=problems",
        "issues_page": Paginator(shown.to_dict("records"), ISSUES_PER_PAGE).get_page(request.GET.get("page")),
        "issue_count": len(issues),
        "issue_filter": choices_form(
            {
                "action_filter": choice_filter(
                    "Show", [(a, a[:1].upper() + a[1:]) for a in sorted(set(issues["action"]))]
                )
            },
            {"action_filter": action},
        ),
        "action_filter": action,
        "status_url": f"{request.path}?format=json",
        "back": back,
    }
