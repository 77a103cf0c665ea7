"""Background entry points of the placements app: take ids, call one service."""

from celery import shared_task

from placements.services import ssda903_import_apply


@shared_task(bind=True, acks_late=True, max_retries=0)
def ssda903_import_apply_task(self, import_id: int, user_id: int | None) -> str:  # type: ignore[no-untyped-def]
    """Apply a confirmed SSDA903 upload outside the request (all or nothing; safe to re-run:
    the compare-and-swap claim in the service lets only one run write)."""
    from accounts.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    return ssda903_import_apply(import_id=import_id, user=user).status
