"""Making the committee PDF of a published version, on a worker (dashboards.tasks).

The PDF is printed from the frozen document alone, so it shows exactly what was signed off. A
row is claimed with a compare-and-swap so that two workers never make the same file, and a
ready PDF is never made again: every download is the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.db.models import F
from django.utils import timezone

from dashboards import integrity, pdf
from dashboards.display import display_document
from dashboards.models import PublishedPeriod, SnapshotPdf

log = logging.getLogger(__name__)


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
    row = SnapshotPdf.objects.select_related("published", "published__year", "published__authority").get(pk=pdf_id)
    try:
        # Printed only from the version exactly as it was signed off.
        integrity.published_check(authority=row.published.authority, published_id=row.published_id, user=None)
    except integrity.SealBroken:
        SnapshotPdf.objects.filter(pk=pdf_id).update(
            status=SnapshotPdf.Status.FAILED,
            error="The published version no longer matches what was signed off, so it was not printed; "
            "the administrators have been told.",
            finished_at=timezone.now(),
            stage="",
            progress=0,
        )
        return SnapshotPdf.Status.FAILED
    started = time.monotonic()
    try:
        context = print_context(row.published)
        _progress(pdf_id, 20, "Drawing the charts")
        content = pdf.render_pdf("dashboards/print.html", context)
        _progress(pdf_id, 90, "Storing the file")
        pages = pdf.pdf_page_count(content)
    except Exception as error:  # noqa: BLE001 - the message is shown; the worker must not die
        log.exception("PDF for published period %s failed", row.published_id)
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
