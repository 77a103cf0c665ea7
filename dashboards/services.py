"""Writes: variance commentary, sign-off (publication) and the committee PDF.

Publishing copies everything the committee view and the PDF need into one immutable
`PublishedPeriod` row, so nothing read later (new runs, corrected actuals, edited commentary)
can change a signed-off period. Every write is audited.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Authority, Role, User
from dashboards import selectors
from dashboards.display import display_document
from dashboards.models import PublishedPeriod, ServiceCommentary, SnapshotPdf
from forecasting.models import FinancialYear, ForecastRun

log = logging.getLogger(__name__)
MAX_COMMENTARY = 5000


class SignOffError(Exception):
    """Why a period cannot be signed off (the message is for the director)."""


def commentary_save(
    *, authority: Authority, user: User, year: FinancialYear, period: int, texts: dict[str, str]
) -> int:
    """Save the finance officer's variance commentary per service (blank removes it). Returns
    the number of services changed."""
    if user.authority_id != authority.pk or year.authority_id != authority.pk:
        raise PermissionError("Commentary belongs to your own authority")
    if user.role != Role.FINANCE_OFFICER:
        raise PermissionError("Only finance officers write variance commentary")
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
            if text == before:
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


def period_sign_off(*, authority: Authority, user: User, run: ForecastRun, comment: str) -> PublishedPeriod:
    """A director signs off a finished run of a period, which publishes it as the period's next
    version. The earlier version, if any, stays readable; the committee sees the newest."""
    if user.role != Role.DIRECTOR or user.authority_id != authority.pk:
        raise PermissionError("Only a director of the authority can sign off a period")
    if run.authority_id != authority.pk:
        raise PermissionError("The run belongs to another authority")
    if run.status != ForecastRun.Status.SUCCEEDED:
        raise SignOffError("Only a finished forecast run can be signed off")
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
    document = publication_document(authority=authority, run=run)
    now = timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                version = selectors.latest_version_number(authority=authority, year=run.year, period=run.period) + 1
                document["publication"] = {
                    "version": version,
                    "signed_off_by": user.get_full_name() or user.get_username(),
                    "signed_off_at": now.isoformat(),
                    "comment": comment,
                    "supersedes": version - 1 if version > 1 else None,
                }
                published = PublishedPeriod.objects.create(
                    authority=authority,
                    year=run.year,
                    period=run.period,
                    version=version,
                    run=run,
                    signed_off_by=user,
                    signed_off_name=document["publication"]["signed_off_by"],
                    signed_off_at=now,
                    comment=comment,
                    document=document,
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
                    },
                )
            return published
        except IntegrityError:
            # Two directors signed off the same period at once: take the next version number.
            continue
    raise SignOffError("Someone else is signing off this period at the same moment; try again")


def publication_document(*, authority: Authority, run: ForecastRun) -> dict[str, Any]:
    """The reported (middle) scenario's document, rebuilt from the run (not from the cache, which
    may hold register-based drivers a few minutes old), with what depends on publication."""
    document = selectors.build_document(run, selectors.REPORTED)
    previous = selectors.previous_published(authority=authority, year=run.year, period=run.period)
    document["movement"] = selectors.movement_since(document, previous)
    accuracy = selectors.accuracy_chart(authority=authority, run=run)
    if accuracy is not None:
        document["charts"].append(accuracy)
    commentary = selectors.commentary_for(authority=authority, year=run.year, period=run.period)
    document["commentary"] = [
        {
            "service": name,
            "text": row.text,
            "author": (row.updated_by.get_full_name() or row.updated_by.get_username()) if row.updated_by else "",
            "updated_at": row.updated_at.isoformat(),
        }
        for name, row in sorted(commentary.items())
    ]
    return document


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
    from dashboards.tasks import snapshot_pdf_task

    snapshot_pdf_task.delay(pdf_id)


def _progress(pdf_id: int, progress: int, stage: str) -> None:
    SnapshotPdf.objects.filter(pk=pdf_id).update(progress=progress, stage=stage)


def snapshot_pdf_generate(*, pdf_id: int) -> str:
    """Make the PDF. Claims the row with a compare-and-swap so that two workers never make the
    same file; a ready PDF is never made again (the same bytes are downloaded every time)."""
    claimed = SnapshotPdf.objects.filter(
        pk=pdf_id, status__in=(SnapshotPdf.Status.PENDING, SnapshotPdf.Status.RUNNING), content__isnull=True
    ).update(status=SnapshotPdf.Status.RUNNING, started_at=timezone.now(), stage="Preparing the pages", progress=5)
    if not claimed:
        return "not claimed"
    SnapshotPdf.objects.filter(pk=pdf_id).update(attempts=F("attempts") + 1)
    pdf = SnapshotPdf.objects.select_related("published", "published__year", "published__authority").get(pk=pdf_id)
    started = time.monotonic()
    try:
        from dashboards.pdf import pdf_page_count, render_pdf

        context = print_context(pdf.published)
        _progress(pdf_id, 20, "Drawing the charts")
        content = render_pdf("dashboards/print.html", context)
        _progress(pdf_id, 90, "Storing the file")
        pages = pdf_page_count(content)
    except Exception as error:  # noqa: BLE001 - the message is shown; the worker must not die
        log.exception("PDF for published period %s failed", pdf.published_id)
        SnapshotPdf.objects.filter(pk=pdf_id).update(
            status=SnapshotPdf.Status.FAILED,
            error=f"The PDF could not be made: {error}"[:2000],
            finished_at=timezone.now(),
            stage="",
            progress=0,
        )
        return SnapshotPdf.Status.FAILED
    SnapshotPdf.objects.filter(pk=pdf_id, content__isnull=True).update(
        status=SnapshotPdf.Status.READY,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        pages=pages,
        seconds=round(time.monotonic() - started, 2),
        finished_at=timezone.now(),
        progress=100,
        stage="Ready",
    )
    return SnapshotPdf.Status.READY


def print_context(published: PublishedPeriod) -> dict[str, Any]:
    """What the print template needs: only the frozen document and the version's identity."""
    document = published.document
    return {
        "published": published,
        "doc": display_document(document),
        "authority_name": document["meta"]["authority"],
        "footer_identity": (
            f"{document['meta']['authority']} · {published.year.label} period {published.period} "
            f"version {published.version} · forecast run {published.run_id} · inputs "
            f"{document['meta']['inputs_hash'][:12]}"
        ),
    }
