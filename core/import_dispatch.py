"""Confirming an upload: a large one goes to a Celery worker, with progress on its page; a small
one is imported in the request. Kept apart from core.services because the task calls those
services (so they cannot import the task)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum

from accounts.models import User
from core.models import ImportBatch, ImportFile
from core.services import import_batch_apply
from core.tasks import import_batch_apply_task

# Uploads bigger than this are imported by a worker rather than in the request (about 10,000
# register rows or a year of a county's SSDA903 return).
LARGE_UPLOAD_BYTES = 1_000_000


def import_batch_queue(*, batch_id: int, user: User | None) -> bool:
    """Hand a previewed upload to a worker once this transaction commits; False if it was not
    waiting for confirmation (already queued, imported or cancelled)."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.QUEUED, progress=5
    )
    if claimed:
        user_id = user.pk if user is not None else None
        transaction.on_commit(lambda: import_batch_apply_task.delay(batch_id, user_id))
    return bool(claimed)


def import_batch_confirm(*, batch_id: int, user: User) -> ImportBatch:
    """The officer confirmed the preview: import now, or queue a large upload for a worker."""
    size = ImportFile.objects.filter(batch_id=batch_id).aggregate(total=Sum("size"))["total"] or 0
    if size > LARGE_UPLOAD_BYTES:
        import_batch_queue(batch_id=batch_id, user=user)
        return ImportBatch.objects.with_file_names().get(pk=batch_id)
    return import_batch_apply(batch_id=batch_id, user=user)
