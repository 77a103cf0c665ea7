"""An upload through the upload page, the real broker and a real worker process: the request only
keeps the file; the worker checks it for the preview, then imports it once confirmed."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ImportBatch
from forecasting.models import Budget
from tests.support import celery_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BUDGET = 'line_code,line_name,service_area,category,annual_budget\nLEG-EXT,External legal,Legal,other,"1,200"\n'


def test_a_worker_checks_an_upload_then_imports_it_once_confirmed(
    client_for, finance_officer, placement_types, settings
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    with celery_worker() as (queue, _worker):
        settings.OUTTURN_IMPORT_QUEUE = queue
        file = SimpleUploadedFile("budget.csv", BUDGET.encode())
        response = client.post("/uploads/", {"kind": "budget", "year": "2019/20", "file": file})
        batch = ImportBatch.objects.get()
        assert response["Location"] == f"/uploads/{batch.pk}/"
        assert wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).status != "checking", timeout=90)
        batch.refresh_from_db()
        assert batch.status == ImportBatch.Status.PREVIEWED and batch.summary["counts"] == {"create": 1}
        assert not Budget.objects.exists()
        client.post(f"/uploads/{batch.pk}/", {"action": "apply"})
        assert wait_until(lambda: ImportBatch.objects.get(pk=batch.pk).status == "applied", timeout=90)
    assert Budget.objects.get().amount == 120_000
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "budget.csv imported." in page and "new line LEG-EXT External legal" in page
