"""Background entry points of the import pipeline: take ids, call one service."""

from celery import shared_task

from accounts.models import User
from core.services import import_batch_apply


@shared_task(bind=True, acks_late=True, max_retries=0)
def import_batch_apply_task(self, batch_id: int, user_id: int | None) -> str:  # type: ignore[no-untyped-def]
    """Apply a large confirmed upload outside the request (all or nothing; safe to re-run: the
    compare-and-swap claim in the service lets only one run write)."""
    user = User.objects.filter(pk=user_id).first() if user_id else None
    return import_batch_apply(batch_id=batch_id, user=user).status
