"""What the Celery worker does with the uploads a page queued, for tests that follow an upload
through its pages (the test's transaction never commits, so nothing reaches the broker)."""

from __future__ import annotations

from core import tasks
from core.models import ImportBatch


def run_upload_worker() -> None:
    """Check every upload waiting to be checked, then import every confirmed one (as the officer
    who uploaded it), each by the task the worker runs."""
    checking = ImportBatch.objects.filter(status=ImportBatch.Status.CHECKING).order_by("pk")
    for batch_id in checking.values_list("pk", flat=True):
        tasks.import_batch_check_task.run(batch_id)
    queued = ImportBatch.objects.filter(status=ImportBatch.Status.QUEUED).order_by("pk")
    for batch_id, user_id in queued.values_list("pk", "created_by_id"):
        tasks.import_batch_apply_task.run(batch_id, user_id)
