"""Writes: variance commentary, sign-off (publication) and the committee PDF.

Publishing copies everything the committee view and the PDF need into one immutable
`PublishedPeriod` row, so nothing read later (new runs, corrected actuals, edited commentary)
can change a signed-off period. Every write is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, Role, User
from dashboards import selectors, sign_off_reads
from dashboards.benchmark_reads import published_section
from dashboards.document import Publication, period_document
from dashboards.models import PublishedPeriod, ServiceCommentary, SnapshotPdf
from dashboards.printing import snapshot_pdf_generate
from dashboards.sign_off_checks import Check, Checks
from dashboards.tasks import snapshot_pdf_task
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import FinancialYear, ForecastRun

log = logging.getLogger(__name__)
MAX_COMMENTARY = 5000
# Made on a worker (dashboards.tasks); named here too for the callers that make it in-process
# (seed and benchmark scripts).
__all__ = [
    "SignOffError",
    "SignOffNeedsLookError",
    "commentary_save",
    "period_sign_off",
    "snapshot_pdf_generate",
    "snapshot_pdf_request",
]


class SignOffError(Exception):
    """Why a period cannot be signed off (the message is for the director)."""


class SignOffNeedsLookError(SignOffError):
    """Items that need a look were not acknowledged; the message names each of them."""

    def __init__(self, items: list[Check]) -> None:
        self.items = items
        listed = " ".join(f"({n}) {item.words}" for n, item in enumerate(items, start=1))
        count = f"{len(items)} thing{'s' if len(items) != 1 else ''}"
        super().__init__(f"Confirm that you have looked at {count} before signing off: {listed}")


def commentary_save(
    *, authority: Authority, user: User, year: FinancialYear, period: int, texts: dict[str, str]
) -> int:
    """Save the finance officer's variance commentary per service (blank removes it). Returns
    the number of services changed. Text carried forward from an earlier period and left as it
    was is not saved: the service still has no commentary of its own for this period."""
    if user.authority_id != authority.pk or year.authority_id != authority.pk:
        raise PermissionError("Commentary belongs to your own authority")
    if user.role != Role.FINANCE_OFFICER:
        raise PermissionError("Only finance officers write variance commentary")
    carried = sign_off_reads.carried_forward_commentary(
        authority=authority, year=year, period=period, services=list(texts)
    )
    changed = 0
    with transaction.atomic():
        existing = {
            c.service_area: c
            for c in ServiceCommentary.objects.select_for_update().filter(authority=authority, year=year, period=period)
        }
        for service, raw in texts.items():
            text = raw.strip()[:MAX_COMMENTARY]
            row = existing.get(service)
            before = row.text if row else ""
            offered = carried.get(service)
            if text == before or (row is None and offered is not None and _same_words(text, offered.text)):
                continue
            if not text and row is not None:
                row.delete()
            elif row is None:
                row = ServiceCommentary.objects.create(
                    authority=authority, year=year, period=period, service_area=service, text=text, updated_by=user
                )
            else:
                row.text, row.updated_by = text, user
                row.save(update_fields=["text", "updated_by", "updated_at"])
            audit_record(
                authority=authority,
                user=user,
                action="dashboards.commentary",
                object_type="dashboards.ServiceCommentary",
                object_id=f"{year.label}/P{period}/{service}",
                object_repr=f"{year.label} P{period} {service}",
                before={"text": before},
                after={"text": text},
            )
            changed += 1
    return changed


def _same_words(a: str, b: str) -> bool:
    # A browser sends a textarea's line breaks as CRLF whatever was put in it.
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _sign_off_allowed(
    *, authority: Authority, user: User, run: ForecastRun, comment: str, acknowledged: Collection[str]
) -> tuple[str, Checks]:
    """Refuse a sign-off that may not happen (who, which run, the comment, what needs a look);
    the trimmed comment and the checks the published version records."""
    if user.role != Role.DIRECTOR or user.authority_id != authority.pk:
        raise PermissionError("Only a director of the authority can sign off a period")
    if run.authority_id != authority.pk:
        raise PermissionError("The run belongs to another authority")
    if run.status != ForecastRun.Status.SUCCEEDED:
        raise SignOffError("Only a finished forecast run can be signed off")
    missing = selectors.sign_off_refusal(run)
    if missing is not None:
        raise SignOffError(str(missing))
    comment = comment.strip()
    if not comment:
        raise SignOffError("Enter a sign-off comment: what you are confirming, and any reservations")
    latest = (
        PublishedPeriod.objects.filter(authority=authority, year=run.year, period=run.period)
        .defer("document")
        .order_by("-version")
        .first()
    )
    if latest is not None and latest.run_id == run.pk:
        raise SignOffError(f"This run is already published as version {latest.version} of period {run.period}")
    checks = sign_off_reads.sign_off_checks(run)
    unacknowledged = checks.missing(set(acknowledged))
    if unacknowledged:
        raise SignOffNeedsLookError(unacknowledged)
    return comment, checks


def period_sign_off(
    *,
    authority: Authority,
    user: User,
    run: ForecastRun,
    comment: str,
    acknowledged: Collection[str],
    include_benchmarks: bool = False,
) -> PublishedPeriod:
    """A director signs off a finished run of a period, which publishes it as the period's next
    version. The earlier version, if any, stays readable; the committee sees the newest.

    `acknowledged` holds the keys of the items the director has looked at
    (`sign_off_reads.sign_off_checks`); every current item must be among them, or the sign-off is
    refused naming the others. The items are recorded on the published version.

    `include_benchmarks` adds how the council compares in DfE's published statistics to the
    published document, so that it is frozen and sealed with the rest (docs/benchmarks-dfe.md)."""
    comment, checks = _sign_off_allowed(
        authority=authority, user=user, run=run, comment=comment, acknowledged=acknowledged
    )
    now = timezone.now()
    signed_off_by = user.get_full_name() or user.get_username()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = selectors.latest_version_number(authority=authority, year=run.year, period=run.period) + 1
                publication = Publication(
                    version=version, signed_off_by=signed_off_by, signed_off_at=now, comment=comment
                )
                document = period_document(run, REPORTED_SCENARIO, publication=publication)
                section = published_section(authority=authority) if include_benchmarks else None
                if section is not None:
                    document["benchmarks"] = section
                published = PublishedPeriod.objects.create(
                    authority=authority,
                    year=run.year,
                    period=run.period,
                    version=version,
                    run=run,
                    signed_off_by=user,
                    signed_off_name=signed_off_by,
                    signed_off_at=now,
                    comment=comment,
                    document=document,
                    acknowledged={
                        "items": [item.as_record() for item in checks.items],
                        "by": signed_off_by,
                        "at": now.isoformat(),
                    },
                )
                audit_record(
                    authority=authority,
                    user=user,
                    action="dashboards.sign_off",
                    obj=published,
                    before={"version": version - 1} if version > 1 else None,
                    after={
                        "run": run.pk,
                        "version": version,
                        "comment": comment,
                        "outturn": (document.get("department") or {}).get("outturn"),
                        "acknowledged": [item.words for item in checks.items],
                    },
                )
            return published
        except IntegrityError:
            # Two directors signed off the same period at once: take the next version number.
            continue
    raise SignOffError("Someone else is signing off this period at the same moment; try again")


# --------------------------------------------------------------------------------------------
# The committee PDF
# --------------------------------------------------------------------------------------------


def snapshot_pdf_request(*, published: PublishedPeriod, user: User) -> SnapshotPdf:
    """Ask for the PDF of a published version. Made once: a ready PDF is returned as it is; a
    failed one is asked for again."""
    if user.authority_id != published.authority_id:
        raise PermissionError("The period belongs to another authority")
    with transaction.atomic():
        pdf, created = SnapshotPdf.objects.select_for_update().get_or_create(
            published=published, defaults={"requested_by": user}
        )
        if not created and pdf.status != SnapshotPdf.Status.FAILED:
            return pdf
        if not created:
            pdf.status, pdf.progress, pdf.stage, pdf.error = SnapshotPdf.Status.PENDING, 0, "", ""
            pdf.requested_by = user
            pdf.save(update_fields=["status", "progress", "stage", "error", "requested_by"])
        audit_record(authority=published.authority, user=user, action="dashboards.pdf_request", obj=published)
        transaction.on_commit(lambda: snapshot_pdf_dispatch(pdf_id=pdf.pk))
    return pdf


def snapshot_pdf_dispatch(*, pdf_id: int) -> None:
    snapshot_pdf_task.delay(pdf_id)
