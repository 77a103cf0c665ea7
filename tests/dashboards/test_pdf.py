"""The committee PDF, made by the Celery task's service with the real system Chromium."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from django.test import TestCase
from django.urls import reverse

from dashboards import printing, services
from dashboards.models import SnapshotPdf
from dashboards.pdf import pdf_page_count
from dashboards.tasks import snapshot_pdf_task
from forecasting.templatetags.outturn import pounds
from tests.dashboards.county import everything_looked_at

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def pdf_text(content: bytes) -> str:
    """The PDF's text, by pdftotext (poppler-utils)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_the_task_makes_an_a4_tagged_pdf_once_and_every_download_is_the_same_file(
    run,
    director,
    committee_member,
    client_for,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    sent: list[int] = []
    monkeypatch.setattr(services, "snapshot_pdf_dispatch", lambda *, pdf_id: sent.append(pdf_id))
    published = services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
    )
    client = client_for(committee_member)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("dashboards:published_pdf", args=[published.pk]))
    pdf = SnapshotPdf.objects.get(published=published)
    assert sent == [pdf.pk] and pdf.status == SnapshotPdf.Status.PENDING
    started = time.monotonic()
    assert snapshot_pdf_task.run(pdf.pk) == SnapshotPdf.Status.READY
    assert time.monotonic() - started < 15
    pdf.refresh_from_db()
    content = bytes(pdf.content)
    assert content.startswith(b"%PDF") and b"/StructTreeRoot" in content  # tagged
    assert pdf.pages == pdf_page_count(content) >= 6
    # Made once: a second task (a redelivery) and a second request change nothing.
    assert snapshot_pdf_task.run(pdf.pk) == "not claimed"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("dashboards:published_pdf", args=[published.pk]))
    assert sent == [pdf.pk]
    first = client.get(reverse("dashboards:published_pdf_download", args=[published.pk]))
    second = client.get(reverse("dashboards:published_pdf_download", args=[published.pk]))
    assert first["Content-Type"] == "application/pdf" and first.content == second.content == content

    text = pdf_text(content)
    department = published.document["department"]
    for figure in (department["outturn"], department["budget"], department["variance"]):
        assert pounds(figure) in text
    assert "Signed off" in text and "For committee." in text and "Nottinghamshire County Council" in text
    assert f"forecast run {run.pk}" in text and "Page 1 of" in text
    for chart in published.document["charts"]:
        assert chart["table"]["caption"].split("(")[0].strip()[:40] in " ".join(text.split()), chart["key"]


def test_a_pdf_that_failed_can_be_asked_for_again(run, director, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sent: list[int] = []
    monkeypatch.setattr(services, "snapshot_pdf_dispatch", lambda *, pdf_id: sent.append(pdf_id))
    published = services.period_sign_off(
        authority=run.authority, user=director, run=run, comment="ok", acknowledged=everything_looked_at(run)
    )
    pdf = services.snapshot_pdf_request(published=published, user=director)

    def broken(template, context):  # type: ignore[no-untyped-def]
        raise RuntimeError("Chromium is not installed")

    monkeypatch.setattr("dashboards.pdf.render_pdf", broken)
    assert printing.snapshot_pdf_generate(pdf_id=pdf.pk) == SnapshotPdf.Status.FAILED
    pdf.refresh_from_db()
    assert "Chromium is not installed" in pdf.error and pdf.content is None
    again = services.snapshot_pdf_request(published=published, user=director)
    assert again.pk == pdf.pk and again.status == SnapshotPdf.Status.PENDING
