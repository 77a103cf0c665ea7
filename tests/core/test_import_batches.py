"""One import pipeline for every kind: an upload keeps its files, is checked by a worker, is
checked again when confirmed and imported by a worker, and records what went wrong."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import tasks
from core.importing import SourceFile, files_title, importer_for
from core.models import ImportBatch, ImportFile
from core.services import import_batch_apply, import_batch_cancel, import_batch_create, import_batch_files
from forecasting.models import Budget
from tests.uploads import run_upload_worker

pytestmark = pytest.mark.django_db

BUDGET = 'line_code,line_name,service_area,category,annual_budget\nLEG-EXT,External legal,Legal,other,"1,200"\n'


def budget_batch(user, name: str = "budget.csv", text: str = BUDGET) -> ImportBatch:  # type: ignore[no-untyped-def]
    batch, _plan = import_batch_create(
        authority=user.authority,
        kind="budget",
        files=[SourceFile(name, text.encode())],
        options={"year": "2019/20"},
        user=user,
    )
    return batch


def test_an_upload_keeps_its_files_in_the_order_chosen(finance_officer, placement_types) -> None:  # type: ignore[no-untyped-def]
    files = [SourceFile(f"{n}.csv", f"file {n}".encode()) for n in (3, 1, 2)]
    batch, plan = import_batch_create(
        authority=finance_officer.authority, kind="budget", files=files, options={}, user=finance_officer
    )
    assert import_batch_files(batch=batch) == files
    assert ImportBatch.objects.with_file_names().get(pk=batch.pk).file_names == ["3.csv", "1.csv", "2.csv"]
    assert list(ImportFile.objects.filter(batch=batch).values_list("size", flat=True)) == [6, 6, 6]
    # A budget is one file: the upload is refused as a whole, with a message saying why.
    assert batch.status == ImportBatch.Status.FAILED
    assert [e["message"] for e in batch.errors] == ["a budget import takes one file; 3 were given"]


def test_the_title_of_an_upload_names_its_files_or_the_first_two() -> None:
    assert files_title(["a.csv"]) == "a.csv"
    assert files_title(["a.csv", "b.csv", "c.csv"]) == "a.csv, b.csv, c.csv"
    assert files_title(["a.csv", "b.csv", "c.csv", "d.csv", "e.csv"]) == "a.csv, b.csv and 3 more files"


def test_cancelling_keeps_the_names_but_not_the_content(finance_officer, placement_types) -> None:  # type: ignore[no-untyped-def]
    batch = budget_batch(finance_officer)
    assert import_batch_cancel(batch=batch) is True
    assert import_batch_cancel(batch=batch) is False
    stored = ImportFile.objects.get(batch=batch)
    assert (stored.name, bytes(stored.content), stored.size) == ("budget.csv", b"", len(BUDGET.encode()))
    assert import_batch_apply(batch_id=batch.pk, user=finance_officer).status == ImportBatch.Status.CANCELLED
    assert not Budget.objects.exists()


def test_a_failure_while_importing_is_recorded_and_nothing_is_written(
    finance_officer, placement_types, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    batch = budget_batch(finance_officer)
    importer = importer_for("budget")

    def broken(plan, *, authority, user):  # type: ignore[no-untyped-def]
        importer.__class__.apply(importer, plan, authority=authority, user=user)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importer, "apply", broken)
    with pytest.raises(RuntimeError):
        import_batch_apply(batch_id=batch.pk, user=finance_officer)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.errors[0]["message"] == "the import failed and nothing was written: the disk is full"
    assert batch.errors[0]["source"] == "budget.csv"
    assert not Budget.objects.exists()


def test_the_general_upload_page_takes_several_files_and_refuses_a_second_budget(
    client_for, finance_officer, placement_types
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    files = [SimpleUploadedFile("a.csv", BUDGET.encode()), SimpleUploadedFile("b.csv", BUDGET.encode())]
    response = client.post("/uploads/", {"kind": "budget", "year": "2019/20", "file": files})
    batch = ImportBatch.objects.with_file_names().get()
    assert response["Location"] == f"/uploads/{batch.pk}/"
    assert batch.file_names == ["a.csv", "b.csv"]
    run_upload_worker()
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "1 problem – nothing was written" in page and "a budget import takes one file; 2 were given" in page
    assert "Import these changes" not in page


def test_the_upload_page_refuses_a_file_over_the_limit_before_keeping_it(client_for, finance_officer, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_MAX_UPLOAD_BYTES = 10
    response = client_for(finance_officer).post(
        "/uploads/", {"kind": "budget", "file": SimpleUploadedFile("budget.csv", BUDGET.encode())}
    )
    assert response.status_code == 200
    assert "The file is 0.0 MB; the largest file accepted is 0 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_confirmed_upload_goes_to_a_worker_with_its_progress(
    client_for, finance_officer, placement_types, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    sent = []
    monkeypatch.setattr(tasks.import_batch_apply_task, "apply_async", lambda args, **options: sent.append(tuple(args)))
    client = client_for(finance_officer)
    batch = budget_batch(finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/uploads/{batch.pk}/", {"action": "apply"}, follow=True)
    assert sent == [(batch.pk, finance_officer.pk)]
    assert "data-progress-url" in response.content.decode() and not list(response.context["messages"])
    assert client.get(f"/uploads/{batch.pk}/?format=json").json() == {"status": "queued", "progress": 5, "done": False}
    # A second click while it waits queues nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/uploads/{batch.pk}/", {"action": "apply"})
    assert len(sent) == 1
    tasks.import_batch_apply_task.run(batch.pk, finance_officer.pk)  # what the worker does
    assert client.get(f"/uploads/{batch.pk}/?format=json").json() == {
        "status": "applied",
        "progress": 100,
        "done": True,
    }
    assert Budget.objects.get().amount == 120_000


def test_another_authority_cannot_follow_an_upload(
    client_for, finance_officer, other_finance_officer, placement_types
) -> None:  # type: ignore[no-untyped-def]
    batch = budget_batch(finance_officer)
    outsider = client_for(other_finance_officer)
    assert outsider.get(f"/uploads/{batch.pk}/?format=json").status_code == 404
    assert outsider.get(f"/uploads/{batch.pk}/?format=csv").status_code == 404
    assert outsider.post(f"/uploads/{batch.pk}/", {"action": "cancel"}).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PREVIEWED
