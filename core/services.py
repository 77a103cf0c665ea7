"""Running imports: preview (no writes) and apply (all or nothing).

Every upload, of one file or several, is an ImportBatch holding its files: received (the files
kept, nothing read), checked by a worker (the preview), then confirmed and imported by a worker
(core.import_dispatch queues both) or cancelled. The command line plans and applies in its own
process (`import_run`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, User
from core.import_outcome import changes_kept, outcome_fields
from core.importing import ImportPlan, SourceFile, files_title, importer_for, jsonable
from core.models import ImportBatch, ImportFile

logger = logging.getLogger(__name__)

# Claimed by apply; what the worker and a second click see while it runs.
CLAIMABLE = (ImportBatch.Status.PREVIEWED, ImportBatch.Status.QUEUED)


def import_plan_build(
    *, authority: Authority, kind: str, files: Sequence[SourceFile], options: dict[str, Any]
) -> ImportPlan:
    """Check the files of an upload and work out what they would change. Writes nothing."""
    return importer_for(kind).plan(authority=authority, files=files, options=options)


def import_plan_apply(
    *, authority: Authority, plan: ImportPlan, names: Sequence[str], user: User | None
) -> dict[str, Any]:
    """Write a plan that has no errors, with its audit event, in one transaction."""
    with transaction.atomic():
        result = importer_for(plan.kind).apply(plan, authority=authority, user=user)
        where: dict[str, Any] = {"file": names[0]} if len(names) == 1 else {"files": list(names)}
        audit_record(
            authority=authority,
            user=user,
            action=f"import.{plan.kind}",
            object_type="import",
            object_repr=files_title(names),
            after={**where, **_scalars(result)},
        )
    return result


def import_run(
    *,
    authority: Authority,
    kind: str,
    options: dict[str, Any],
    user: User | None,
    files: Sequence[SourceFile] = (),
    source: str = "",
    data: bytes = b"",
    dry_run: bool = False,
) -> tuple[ImportPlan, dict[str, Any] | None]:
    """Plan, and unless there is an error or it is a dry run, apply in one transaction.

    The files are `files`, or for a caller with one file in hand, `source` (its name) and `data`."""
    chosen = list(files) or [SourceFile(source, data)]
    plan = import_plan_build(authority=authority, kind=kind, files=chosen, options=options)
    if not plan.ok or dry_run:
        return plan, None
    with transaction.atomic():
        result = import_plan_apply(authority=authority, plan=plan, names=[f.name for f in chosen], user=user)
        # Kept as an upload through the pages is: the list of imports shows it, and the files
        # stay (an authority's SSDA903 returns are replayed by its monthly back-test).
        batch = ImportBatch.objects.create(
            authority=authority,
            kind=kind,
            options=jsonable(options),
            created_by=user,
            summary={**importer_for(kind).record(plan).summary, **jsonable(result)},
            status=ImportBatch.Status.APPLIED,
            progress=100,
            finished_at=timezone.now(),
        )
        ImportFile.objects.bulk_create(
            ImportFile(batch=batch, position=position, name=f.name[:255], content=f.data, size=len(f.data))
            for position, f in enumerate(chosen)
        )
    return plan, result


def _scalars(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if isinstance(v, int | str | float | bool | type(None))}


def import_batch_receive(
    *,
    authority: Authority,
    kind: str,
    files: Sequence[SourceFile],
    options: dict[str, Any],
    user: User,
) -> ImportBatch:
    """Keep an upload's files, waiting to be checked (by a worker: core.import_dispatch). Reads
    nothing of the files, so it takes as long as storing them whatever they hold."""
    importer_for(kind)  # an unknown kind is refused here, not by the worker
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            authority=authority,
            kind=kind,
            options=jsonable(options),
            created_by=user,
            status=ImportBatch.Status.CHECKING,
            progress=5,
        )
        ImportFile.objects.bulk_create(
            ImportFile(batch=batch, position=position, name=f.name[:255], content=f.data, size=len(f.data))
            for position, f in enumerate(files)
        )
    return batch


def import_batch_check(*, batch_id: int) -> ImportBatch | None:
    """What the worker does with a new upload: check its files and keep what the preview shows.

    Safe to run twice (a worker lost mid-way gives the task again): only an upload still being
    checked is checked, and only the first run to finish records its outcome. A failure of the
    check itself is recorded on the upload in words, and nothing is written."""
    _check(batch_id=batch_id)
    return ImportBatch.objects.with_file_names().defer("problems_csv").filter(pk=batch_id).first()


def _check(*, batch_id: int) -> ImportPlan | None:
    checking = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.CHECKING)
    batch = checking.with_file_names().select_related("authority").first()
    if batch is None:
        return None
    checking.update(progress=20)
    try:
        plan = import_batch_plan(batch=batch)
        record = importer_for(plan.kind).record(plan)
        outcome = outcome_fields(errors=record.errors, warnings=record.warnings)
    except Exception as error:  # noqa: BLE001 - recorded for the officer, logged for the operator
        logger.exception("Checking upload %s failed", batch_id)
        files = "files" if len(batch.file_names) > 1 else "file"
        reason = str(error) or type(error).__name__
        message = f"the {files} could not be checked, and nothing was written: {reason}"
        problem = {"source": batch.title, "row": None, "column": "", "value": "", "message": message}
        checking.update(
            status=ImportBatch.Status.FAILED,
            progress=100,
            finished_at=timezone.now(),
            **outcome_fields(errors=[problem], warnings=[]),
        )
        return None
    checking.update(
        status=ImportBatch.Status.PREVIEWED if plan.ok else ImportBatch.Status.FAILED,
        progress=100,
        summary=record.summary,
        issues=record.issues,
        changes=changes_kept(plan.changes),
        **outcome,
    )
    return plan


def import_batch_create(
    *,
    authority: Authority,
    kind: str,
    files: Sequence[SourceFile],
    options: dict[str, Any],
    user: User,
) -> tuple[ImportBatch, ImportPlan | None]:
    """Keep an upload and check it in this process, for a caller with no worker (a script, a
    test); the pages queue the check instead (core.import_dispatch.import_batch_submit)."""
    batch = import_batch_receive(authority=authority, kind=kind, files=files, options=options, user=user)
    plan = _check(batch_id=batch.pk)
    batch = ImportBatch.objects.with_file_names().defer("problems_csv").get(pk=batch.pk)
    return batch, plan


def import_batch_files(*, batch: ImportBatch) -> list[SourceFile]:
    """The files of an upload as they were chosen, in their order."""
    stored = ImportFile.objects.filter(batch_id=batch.pk).order_by("position").values_list("name", "content")
    return [SourceFile(name, bytes(content)) for name, content in stored]


def import_batch_plan(*, batch: ImportBatch) -> ImportPlan:
    """Check an upload's stored files again against today's data (what confirming would do)."""
    return import_plan_build(
        authority=batch.authority, kind=batch.kind, files=import_batch_files(batch=batch), options=batch.options
    )


def import_batch_apply(*, batch_id: int, user: User | None) -> ImportBatch:
    """Confirm a previewed upload: re-check the stored files against today's data, then apply.

    Claimed with a compare-and-swap so that a double click or a second worker cannot apply it twice.
    """
    claimed = ImportBatch.objects.filter(pk=batch_id, status__in=CLAIMABLE).update(
        status=ImportBatch.Status.RUNNING, progress=10
    )
    batch = ImportBatch.objects.with_file_names().defer("problems_csv").select_related("authority").get(pk=batch_id)
    if not claimed:
        return batch
    try:
        plan = import_batch_plan(batch=batch)
        ImportBatch.objects.filter(pk=batch_id).update(progress=60)
        result = (
            import_plan_apply(authority=batch.authority, plan=plan, names=batch.file_names, user=user)
            if plan.ok
            else None
        )
    except Exception as error:  # noqa: BLE001 - recorded for the user, then re-raised for the logs
        message = f"the import failed and nothing was written: {error}"
        problem = {"source": batch.title, "row": None, "column": "", "value": "", "message": message}
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            **outcome_fields(errors=[problem], warnings=[]),
        )
        raise
    _batch_finish(batch_id=batch_id, plan=plan, result=result)
    batch.refresh_from_db()
    return batch


def _batch_finish(*, batch_id: int, plan: ImportPlan, result: dict[str, Any] | None) -> None:
    record = importer_for(plan.kind).record(plan)
    done = {
        "finished_at": timezone.now(),
        "progress": 100,
        "issues": record.issues,
        "changes": changes_kept(plan.changes),
    }
    if result is None:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            **outcome_fields(errors=record.errors, warnings=record.warnings),
            **done,
        )
    else:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.APPLIED, summary={**record.summary, **jsonable(result)}, **done
        )


def import_batch_cancel(*, batch: ImportBatch) -> bool:
    """Cancel an upload being checked or waiting for confirmation; its files' content is not kept
    (a check still running then records nothing)."""
    waiting = (ImportBatch.Status.CHECKING, ImportBatch.Status.PREVIEWED)
    with transaction.atomic():
        cancelled = ImportBatch.objects.filter(pk=batch.pk, status__in=waiting).update(
            status=ImportBatch.Status.CANCELLED
        )
        if cancelled:
            ImportFile.objects.filter(batch_id=batch.pk).update(content=b"")
    return bool(cancelled)
