"""Handing uploads to a Celery worker: checking a new upload (its preview) and importing a
confirmed one, each with progress on the upload's page. Nothing that reads the files runs in a
request, so a page answers as fast whatever the file. Kept apart from core.services because the
tasks call those services (so they cannot import the tasks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts.models import Authority, User
from core.importing import SourceFile
from core.models import ImportBatch
from core.services import import_batch_receive
from core.tasks import import_batch_apply_task, import_batch_check_task


def _queue() -> dict[str, Any]:
    """The queue of the upload tasks: OUTTURN_IMPORT_QUEUE, or Celery's default when it is blank."""
    return {"queue": settings.OUTTURN_IMPORT_QUEUE} if settings.OUTTURN_IMPORT_QUEUE else {}


def import_batch_submit(
    *,
    authority: Authority,
    kind: str,
    files: Sequence[SourceFile],
    options: dict[str, Any],
    user: User,
) -> ImportBatch:
    """Keep an upload's files and have a worker check them once this transaction commits."""
    batch = import_batch_receive(authority=authority, kind=kind, files=files, options=options, user=user)
    batch_id = batch.pk
    transaction.on_commit(lambda: import_batch_check_task.apply_async(args=(batch_id,), **_queue()))
    return batch


def import_batch_queue(*, batch_id: int, user: User | None) -> bool:
    """Hand a previewed upload to a worker once this transaction commits; False if it was not
    waiting for confirmation (being checked, already queued, imported, refused or cancelled)."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PREVIEWED).update(
        status=ImportBatch.Status.QUEUED, progress=5
    )
    if claimed:
        user_id = user.pk if user is not None else None
        transaction.on_commit(lambda: import_batch_apply_task.apply_async(args=(batch_id, user_id), **_queue()))
    return bool(claimed)


def import_batch_confirm(*, batch_id: int, user: User) -> ImportBatch:
    """The officer confirmed the preview. The stored verdict decides: only an upload whose check
    found no problem is queued; the worker checks it again against today's data and imports it,
    all or nothing."""
    import_batch_queue(batch_id=batch_id, user=user)
    return ImportBatch.objects.with_file_names().defer("problems_csv").get(pk=batch_id)
