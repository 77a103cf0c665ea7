"""Background entry points of the import pipeline: take ids, call one service."""

from celery import shared_task

from accounts.models import User
from core.services import import_batch_apply, import_batch_check


@shared_task(bind=True, acks_late=True, max_retries=0)
def import_batch_check_task(self, batch_id: int) -> str:  # type: ignore[no-untyped-def]
    """Check a new upload outside the request, for its preview (writes nothing it describes;
    safe to re-run: only an upload still being checked is checked, and recorded once)."""
    batch = import_batch_check(batch_id=batch_id)
    return batch.status if batch is not None else "gone"


@shared_task(bind=True, acks_late=True, max_retries=0)
def import_batch_apply_task(self, batch_id: int, user_id: int | None) -> str:  # type: ignore[no-untyped-def]
    """Apply a confirmed upload outside the request (all or nothing; safe to re-run: the
    compare-and-swap claim in the service lets only one run write)."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return import_batch_apply(batch_id=batch_id, user=user).status
