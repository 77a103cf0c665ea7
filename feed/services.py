"""Issuing, revoking and using feed tokens; each change audited in words.

A token is `otf_` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored, so a
copy of the database gives no one access, and a token can be looked up by its hash in one query.

Use is counted, not logged per request: a data refresh makes a handful of requests a few times a
day, and a row per request would bury the audit log. Each request bumps the token's last use and
its count for the day (one row per token and day, updated in place); the day's first request also
writes one audit event, so the log says which tokens read the feed on which days and the tokens
page says how much.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditEvent, Authority, User
from feed.models import FeedToken, FeedUse

PREFIX = "otf_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_issue(*, authority: Authority, name: str, by: User) -> tuple[FeedToken, str]:
    """A new token for `authority`: the stored row and the token itself, which is never kept."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter what the token is for, for example Finance team Power BI report"})
    if len(name) > 120:
        raise ValidationError({"name": "The name must be 120 characters or fewer"})
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        row = FeedToken.objects.create(
            authority=authority, name=name, token_sha256=token_digest(token), prefix=token[:8], created_by=by
        )
        audit_record(
            authority=authority,
            user=by,
            action="feed_token.issue",
            obj=row,
            object_repr=f"“{name}” ({row.prefix}…)",
            after={"name": name},
        )
    return row, token


def token_revoke(*, token: FeedToken, by: User, reason: str = "") -> FeedToken:
    """Stop a token working at once (kept as a record; a revoked token is never used again)."""
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            authority=token.authority,
            user=by,
            action="feed_token.revoke",
            obj=token,
            object_repr=f"“{token.name}” ({token.prefix}…)",
            reason=reason.strip(),
        )
    return token


def presented_token(authorization: str) -> str | None:
    """The token in an Authorization header: `Bearer TOKEN`, or HTTP Basic with the token as the
    password (any user name; a tool that has only one box may put it in the user name)."""
    scheme, _, value = authorization.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, _, password = decoded.partition(":")
        return password.strip() or user.strip() or None
    return None


def token_for(presented: str | None) -> FeedToken | None:
    """The live token presented, or None for a missing, unknown or revoked one."""
    if not presented or not presented.startswith(PREFIX) or len(presented) > 100:
        return None
    return (
        FeedToken.objects.select_related("authority")
        .filter(token_sha256=token_digest(presented), revoked_at__isnull=True)
        .first()
    )


def token_used(*, token: FeedToken, path: str) -> None:
    """Count one request (see the module's note on why it is counted, not logged)."""
    now = timezone.now()
    day = timezone.localdate(now)
    FeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    counted = FeedUse.objects.filter(token=token, day=day).update(
        requests=F("requests") + 1, last_at=now, last_path=path[:300]
    )
    if counted:
        return
    try:
        with transaction.atomic():
            FeedUse.objects.create(token=token, day=day, requests=1, first_at=now, last_at=now, last_path=path[:300])
            AuditEvent.objects.create(
                authority=token.authority,
                user=None,
                actor=f"Feed token “{token.name}”"[:150],
                action="feed_token.used",
                object_type=FeedToken._meta.label,
                object_id=str(token.pk),
                object_repr=f"“{token.name}” ({token.prefix}…)",
                reason=f"First request of the day: {path}"[:1000],
            )
    except IntegrityError:
        # Another request made the day's row first: count this one on it.
        FeedUse.objects.filter(token=token, day=day).update(
            requests=F("requests") + 1, last_at=now, last_path=path[:300]
        )
