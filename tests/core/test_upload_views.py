"""Uploading in the browser: the upload is kept and checked by a worker, then a preview of every
change and every error before anything is written; the import is done by a worker too."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import ImportBatch
from forecasting.models import Actual, Budget
from tests.uploads import run_upload_worker

pytestmark = pytest.mark.django_db

BUDGET = 'line_code,line_name,service_area,category,annual_budget\nLEG-EXT,External legal,Legal,other,"1,200"\n'


def upload(client, kind: str, name: str, text: str, year: str = "2019/20"):  # type: ignore[no-untyped-def]
    return client.post(
        "/uploads/", {"kind": kind, "year": year, "file": SimpleUploadedFile(name, text.encode("utf-8"))}
    )


def test_a_finance_officer_previews_then_confirms_a_budget_upload(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    response = upload(client, "budget", "budget.csv", BUDGET)
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/uploads/{batch.pk}/"
    # The request only kept the file: it has not been read yet.
    assert batch.status == ImportBatch.Status.CHECKING and batch.summary == {}
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "Checking the file in the background" in page and "data-progress-url" in page
    assert "Import these changes" not in page
    run_upload_worker()
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "new line LEG-EXT External legal" in page and "£1,200.00" in page
    assert not Budget.objects.exists()
    response = client.post(f"/uploads/{batch.pk}/", {"action": "apply"}, follow=True)
    assert "Importing in the background" in response.content.decode() and not Budget.objects.exists()
    run_upload_worker()
    assert "budget.csv imported" in client.get(f"/uploads/{batch.pk}/").content.decode()
    assert Budget.objects.get().amount == 120_000
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED
    # Confirming twice (a double click) does not import twice.
    client.post(f"/uploads/{batch.pk}/", {"action": "apply"})
    run_upload_worker()
    assert Budget.objects.count() == 1


def test_an_upload_with_errors_lists_them_all_and_cannot_be_confirmed(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    upload(client, "budget", "budget.csv", BUDGET)
    run_upload_worker()
    client.post(f"/uploads/{ImportBatch.objects.get().pk}/", {"action": "apply"})
    run_upload_worker()
    upload(client, "actuals", "actuals.csv", "line_code,period,amount\nLEG-EXT,13,5\nNOPE,1,x\n")
    run_upload_worker()
    batch = ImportBatch.objects.filter(kind="actuals").get()
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "3 problems – nothing was written" in page
    assert "is outside 1–12" in page and "is not a budget line" in page and "is not an amount" in page
    assert "Import these changes" not in page
    client.post(f"/uploads/{batch.pk}/", {"action": "apply"})
    run_upload_worker()
    assert not Actual.objects.exists()


def test_cancelling_an_upload_writes_nothing(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    upload(client, "budget", "budget.csv", BUDGET)
    run_upload_worker()
    batch = ImportBatch.objects.get()
    client.post(f"/uploads/{batch.pk}/", {"action": "cancel"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and not Budget.objects.exists()


def test_another_authority_cannot_see_or_confirm_an_upload(client_for, finance_officer, other_finance_officer) -> None:  # type: ignore[no-untyped-def]
    upload(client_for(finance_officer), "budget", "budget.csv", BUDGET)
    run_upload_worker()
    batch = ImportBatch.objects.get()
    outsider = client_for(other_finance_officer)
    assert outsider.get(f"/uploads/{batch.pk}/").status_code == 404
    assert outsider.post(f"/uploads/{batch.pk}/", {"action": "apply"}).status_code == 404
    assert not Budget.objects.exists()
