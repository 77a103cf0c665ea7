"""Recording changes (PRODUCT.md: every change to financial data is audited)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from accounts.models import AuditEvent, Authority, User


def actor_name(user: User | None) -> str:
    return user.get_username() if user is not None else "system"


def audit_record(
    *,
    authority: Authority,
    user: User | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:250]
    return AuditEvent.objects.create(
        authority=authority,
        user=user,
        actor=actor_name(user),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:250],
        before=before,
        after=after,
        reason=reason,
    )


def audit_bulk(
    *,
    authority: Authority,
    user: User | None,
    action: str,
    changes: Iterable[tuple[str, str, str, dict[str, Any] | None, dict[str, Any] | None]],
    reason: str = "",
) -> int:
    """Record many changes at once: (object_type, object_id, object_repr, before, after)."""
    events = [
        AuditEvent(
            authority=authority,
            user=user,
            actor=actor_name(user),
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr[:250],
            before=before,
            after=after,
            reason=reason,
        )
        for object_type, object_id, object_repr, before, after in changes
    ]
    AuditEvent.objects.bulk_create(events, batch_size=2000)
    return len(events)
