"""Checking a published version against its seal before anything of it is served or printed.

A difference means the stored version or its PDF was changed below the application (the models,
their querysets and the database triggers refuse every route above that). Nothing is served; the
refusal is logged at ERROR, recorded in the audit log and sent to the site's administrators
(settings.ADMINS) and to the authority's administrators.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import mail_admins, send_mail

from accounts.audit import audit_record
from accounts.models import Authority, Role, User
from dashboards.models import PublishedPeriod, PublishedSeal
from dashboards.seals import SEALED_FIELDS, content_digest, published_digest

log = logging.getLogger(__name__)

DOCUMENT = "The published version"
PDF = "The PDF"


class SealBroken(Exception):
    """A published version, or its PDF, no longer matches what was signed off."""

    def __init__(self, published: PublishedPeriod, what: str) -> None:
        super().__init__(f"{what} of {published} no longer matches what was signed off")
        self.published = published
        self.what = what


def published_check(*, authority: Authority, published_id: int, user: User | None) -> None:
    """Recompute the version's seal from its stored row; refuse (and report) if it differs.
    An unknown id passes here: the selector that serves it answers 404."""
    published = (
        PublishedPeriod.objects.filter(pk=published_id, authority=authority).select_related("year", "authority").first()
    )
    if published is None:
        return
    stored = PublishedSeal.objects.filter(published=published).values_list("sha256", flat=True).first()
    found = published_digest({name: getattr(published, name) for name in SEALED_FIELDS})
    if stored != found:
        _refuse(published, what=DOCUMENT, user=user, stored=stored or "(no seal)", found=found)


def pdf_check(*, authority: Authority, published_id: int, user: User | None, content: bytes, stored: str) -> None:
    """Refuse (and report) a PDF whose bytes are not those its stored SHA-256 was taken of, or
    whose published version no longer matches its seal."""
    published_check(authority=authority, published_id=published_id, user=user)
    found = content_digest(content)
    if found != stored:
        published = PublishedPeriod.objects.select_related("year", "authority").get(pk=published_id)
        _refuse(published, what=PDF, user=user, stored=stored or "(no hash)", found=found)


def _refuse(published: PublishedPeriod, *, what: str, user: User | None, stored: str, found: str) -> None:
    where = f"{published.authority.name}, {published} (id {published.pk})"
    log.error("%s of %s does not match its stored SHA-256 (stored %s, now %s); refused", what, where, stored, found)
    audit_record(
        authority=published.authority,
        user=user,
        action="dashboards.tampering_refused",
        obj=published,
        before={"sha256": stored},
        after={"sha256": found},
        reason=f"{what} no longer matches what was signed off; nothing was served",
    )
    _alert(published, what=what, where=where, user=user)
    raise SealBroken(published, what)


def _alert(published: PublishedPeriod, *, what: str, where: str, user: User | None) -> None:
    subject = f"Published report changed: {published}"
    body = (
        f"{what} of {where} no longer matches what was signed off by {published.signed_off_name}.\n"
        f"It was refused, not served, when {user.get_username() if user else 'the system'} asked for it.\n"
        "Someone with the database owner's rights has changed it below the application. "
        "The refusal is in the audit log."
    )
    # An alert that cannot be sent must not turn the refusal into an error page.
    mail_admins(subject, body, fail_silently=True)
    people = list(
        User.objects.filter(authority_id=published.authority_id, role=Role.ADMINISTRATOR, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if people:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, people, fail_silently=True)
