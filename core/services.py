"""Running imports: preview (no writes) and apply (all or nothing)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, User
from core.importing import ImportPlan, Problem, importer_for
from core.models import ImportBatch
from core.tabular import TableError, read_table


def import_plan_build(
    *, authority: Authority, kind: str, source: str, data: bytes, options: dict[str, Any]
) -> ImportPlan:
    """Check a file and work out what it would change. Writes nothing."""
    importer = importer_for(kind)
    try:
        table = read_table(source, data)
    except TableError as error:
        plan = ImportPlan(kind=kind, source=source)
        plan.errors.append(Problem(source, None, "", "", str(error).removeprefix(f"{source}: ")))
        return plan
    return importer.plan(authority=authority, table=table, options=options)


def import_run(
    *,
    authority: Authority,
    kind: str,
    source: str,
    data: bytes,
    options: dict[str, Any],
    user: User | None,
    dry_run: bool = False,
) -> tuple[ImportPlan, dict[str, Any] | None]:
    """Plan, and unless there is an error or it is a dry run, apply in one transaction."""
    plan = import_plan_build(authority=authority, kind=kind, source=source, data=data, options=options)
    if not plan.ok or dry_run:
        return plan, None
    importer = importer_for(kind)
    with transaction.atomic():
        result = importer.apply(plan, authority=authority, user=user)
        audit_record(
            authority=authority,
            user=user,
            action=f"import.{kind}",
            object_type="import",
            object_repr=source,
            after={"file": source, **{k: v for k, v in result.items() if _jsonable(v)}},
        )
    return plan, result


def _jsonable(value: object) -> bool:
    return isinstance(value, int | str | float | bool | type(None))


def import_batch_create(
    *,
    authority: Authority,
    kind: str,
    filename: str,
    data: bytes,
    options: dict[str, Any],
    user: User,
) -> tuple[ImportBatch, ImportPlan]:
    plan = import_plan_build(authority=authority, kind=kind, source=filename, data=data, options=options)
    batch = ImportBatch.objects.create(
        authority=authority,
        kind=kind,
        filename=filename,
        content=data,
        options=options,
        created_by=user,
        summary={"counts": plan.counts(), **plan.summary},
        errors=[p.as_dict() for p in plan.errors],
        warnings=[p.as_dict() for p in plan.warnings],
        status=ImportBatch.Status.PREVIEWED if plan.ok else ImportBatch.Status.FAILED,
    )
    return batch, plan


def import_batch_apply(*, batch_id: int, user: User | None) -> ImportBatch:
    """Confirm a previewed upload: re-check the stored file against today's data, then apply.

    Claimed with a compare-and-swap so that a double click or a second worker cannot apply it twice.
    """
    claimed = ImportBatch.objects.filter(
        pk=batch_id, status__in=[ImportBatch.Status.PREVIEWED, ImportBatch.Status.QUEUED]
    ).update(status=ImportBatch.Status.RUNNING, progress=10)
    batch = ImportBatch.objects.get(pk=batch_id)
    if not claimed:
        return batch
    try:
        plan, result = import_run(
            authority=batch.authority,
            kind=batch.kind,
            source=batch.filename,
            data=bytes(batch.content),
            options=batch.options,
            user=user,
        )
    except Exception as error:  # noqa: BLE001 - recorded for the user, then re-raised for the logs
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            errors=[
                {
                    "source": batch.filename,
                    "row": None,
                    "column": "",
                    "value": "",
                    "message": f"the import failed and nothing was written: {error}",
                }
            ],
        )
        raise
    if result is None:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            progress=100,
            errors=[p.as_dict() for p in plan.errors],
            warnings=[p.as_dict() for p in plan.warnings],
        )
    else:
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.APPLIED,
            finished_at=timezone.now(),
            progress=100,
            summary={"counts": plan.counts(), **plan.summary, **{k: v for k, v in result.items() if _jsonable(v)}},
        )
    batch.refresh_from_db()
    return batch


def import_batch_cancel(*, batch: ImportBatch) -> None:
    ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.CANCELLED, content=b""
    )
