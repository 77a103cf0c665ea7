"""An upload is checked by a worker, never in the request: the request keeps the file and queues
the check; the page follows it, then shows the first 200 problems, their counts by kind and a
download of every one; confirming queues the import, and the result lists what changed."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import services, tasks
from core.import_outcome import (
    change_counts,
    change_groups,
    changes_kept,
    problem_kind,
    problem_kinds,
    problems_csv,
    problems_csv_gz,
)
from core.importing import Change, importer_for
from core.models import ImportBatch
from tests.uploads import run_upload_worker

pytestmark = pytest.mark.django_db

BUDGET = (
    "line_code,line_name,service_area,category,annual_budget\n"
    'LEG-EXT,External legal,Legal,other,"1,200"\n'
    "INC-UASC,Home Office UASC grant,Children in Care,income,-50000\n"
)


def post(client, kind: str, name: str, text: str):  # type: ignore[no-untyped-def]
    file = SimpleUploadedFile(name, text.encode("utf-8"))
    return client.post("/uploads/", {"kind": kind, "year": "2019/20", "file": file})


def bad_actuals(rows: int) -> str:
    """`rows` rows of actuals, each with one problem: even rows' period is past 12 (13, 15, …),
    odd rows' line is not a budget line (row 2 is the first data row; no two rows repeat)."""
    lines = ["line_code,period,amount"]
    for n in range(rows):
        lines.append(f"LEG-EXT,{13 + n},5" if n % 2 == 0 else f"NOPE-{n},1,5")
    return "\n".join(lines) + "\n"


def test_the_upload_request_only_keeps_the_file_and_queues_its_check(
    client_for, finance_officer, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    planned = []
    build = services.import_plan_build
    monkeypatch.setattr(services, "import_plan_build", lambda **kwargs: planned.append(kwargs) or build(**kwargs))
    queued = []
    monkeypatch.setattr(
        tasks.import_batch_check_task, "apply_async", lambda args, **options: queued.append(tuple(args))
    )
    client = client_for(finance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "budget", "budget.csv", BUDGET)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/uploads/{batch.pk}/"
    assert planned == [] and queued == [(batch.pk,)]
    assert (batch.status, batch.progress, batch.summary, batch.errors) == ("checking", 5, {}, [])
    assert client.get(f"/uploads/{batch.pk}/?format=json").json() == {
        "status": "checking",
        "progress": 5,
        "done": False,
    }
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "Checking the file in the background" in page and "Refresh this page" in page
    assert planned == []  # the page does not read the file either
    tasks.import_batch_check_task.run(batch.pk)  # what the worker does
    assert len(planned) == 1
    assert client.get(f"/uploads/{batch.pk}/?format=json").json() == {
        "status": "previewed",
        "progress": 100,
        "done": True,
    }
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "new line LEG-EXT External legal" in page and "Import these changes" in page
    assert len(planned) == 1  # the preview is what the worker kept, not a second check


def test_the_check_runs_once_however_often_the_task_is_given(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    post(client_for(finance_officer), "actuals", "actuals.csv", bad_actuals(3))
    batch = ImportBatch.objects.get()
    assert tasks.import_batch_check_task.run(batch.pk) == "failed"
    ImportBatch.objects.filter(pk=batch.pk).update(problem_count=99)
    assert tasks.import_batch_check_task.run(batch.pk) == "failed"  # a second delivery records nothing
    batch.refresh_from_db()
    assert batch.problem_count == 99


def test_an_upload_cancelled_while_checked_stays_cancelled(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    post(client, "budget", "budget.csv", BUDGET)
    batch = ImportBatch.objects.get()
    assert "Cancel this upload" in client.get(f"/uploads/{batch.pk}/").content.decode()
    client.post(f"/uploads/{batch.pk}/", {"action": "cancel"})
    run_upload_worker()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CANCELLED and batch.summary == {}


def test_a_check_that_fails_is_told_in_words_and_writes_nothing(client_for, finance_officer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    importer = importer_for("budget")

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importer, "plan", broken)
    client = client_for(finance_officer)
    post(client, "budget", "budget.csv", BUDGET)
    batch = ImportBatch.objects.get()
    assert tasks.import_batch_check_task.run(batch.pk) == "failed"
    response = client.get(f"/uploads/{batch.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "1 problem – nothing was written" in page
    assert "the file could not be checked, and nothing was written: the disk is full" in page
    assert "Import these changes" not in page


def test_the_preview_shows_the_first_200_of_250_problems_counted_by_kind(
    client_for, finance_officer, lines, year
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    post(client, "actuals", "actuals.csv", bad_actuals(250))
    run_upload_worker()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.problem_count, len(batch.errors)) == ("failed", 250, 200)
    page = client.get(f"/uploads/{batch.pk}/").content.decode()
    assert "250 problems – nothing was written" in page
    assert "Showing the first 200 of 250 problems." in page
    table = page.split('id="errors"', 1)[1].split("</table>", 1)[0]
    assert table.count('<tr class="govuk-table__row">') == 1 + 200  # the header and 200 problems
    # 125 periods past 12 (rows 2, 4, …) and 125 lines that are not budget lines (rows 3, 5, …).
    kinds = page.split('id="problem-kinds"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', kinds)
    assert len(cells) == 6 and cells[2] == "125" and cells[5] == "125"
    assert sorted([cells[0], cells[3]]) == ["line_code", "period"]
    assert "Download all problems (CSV)" in page and f"/uploads/{batch.pk}/?download=problems" in page


def test_every_problem_downloads_as_csv_in_words(client_for, finance_officer, lines, year) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    post(client, "actuals", "actuals.csv", bad_actuals(250))
    run_upload_worker()
    batch = ImportBatch.objects.get()
    response = client.get(f"/uploads/{batch.pk}/?download=problems")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="actuals-problems-{batch.pk}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["File", "Row", "Column", "Value", "What is wrong"]
    assert len(rows) == 1 + 250
    assert rows[1][:4] == ["actuals.csv", "2", "period", "13"]
    assert rows[2][:4] == ["actuals.csv", "3", "line_code", "NOPE-1"]
    assert rows[250][:4] == ["actuals.csv", "251", "line_code", "NOPE-249"]
    assert [r[1] for r in rows[1:]] == sorted((r[1] for r in rows[1:]), key=int)
    assert rows[-1][1] == "251"


def test_the_problems_download_is_for_the_upload_s_own_finance_officers(
    client_for, finance_officer, other_finance_officer, committee_member, director
) -> None:  # type: ignore[no-untyped-def]
    post(client_for(finance_officer), "actuals", "actuals.csv", bad_actuals(2))
    run_upload_worker()
    batch = ImportBatch.objects.get()
    url = f"/uploads/{batch.pk}/?download=problems"
    assert client_for(other_finance_officer).get(url).status_code == 404
    assert client_for(committee_member).get(url).status_code == 403
    assert client_for(director).get(url).status_code == 403
    assert client_for(finance_officer).get(url).status_code == 200
    # The same download at the placements import pages' address is only for their kinds.
    assert (
        client_for(finance_officer).get(f"/placements/import/register/{batch.pk}/?download=problems").status_code == 404
    )


def test_after_an_import_its_page_lists_what_was_added_and_what_changed(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    post(client, "budget", "budget.csv", BUDGET)
    run_upload_worker()
    first = ImportBatch.objects.get()
    client.post(f"/uploads/{first.pk}/", {"action": "apply"})
    run_upload_worker()
    page = client.get(f"/uploads/{first.pk}/").content.decode()
    assert "budget.csv imported." in page and "What changed" in page
    assert "Added: 2" in page
    assert "new line LEG-EXT External legal" in page and "new line INC-UASC Home Office UASC grant" in page
    # The same lines again with one budget changed: one change, listed with before and after.
    post(client, "budget", "budget2.csv", BUDGET.replace('"1,200"', '"1,500"'))
    run_upload_worker()
    second = ImportBatch.objects.latest("pk")
    client.post(f"/uploads/{second.pk}/", {"action": "apply"})
    run_upload_worker()
    page = client.get(f"/uploads/{second.pk}/").content.decode()
    changed = page.split('id="changed"', 1)[1]
    assert "Changed: 1" in changed and "Added" not in changed
    assert "£1,200.00" in changed and "£1,500.00" in changed


def test_a_kind_of_problem_leaves_out_the_value_and_the_other_rows_it_names() -> None:
    assert problem_kind({"value": "x1", "message": "'x1' is not an amount of money in pounds"}) == (
        "is not an amount of money in pounds"
    )
    assert problem_kind({"value": "a / b", "message": "the same line and period appear twice (also row 3)"}) == (
        "the same line and period appear twice"
    )
    kinds = problem_kinds(
        [
            {"column": "", "value": "", "message": "the file has a header row but no data rows"},
            {"column": "period", "value": "13", "message": "'13' is outside 1–12"},
            {"column": "period", "value": "14", "message": "'14' is outside 1–12"},
        ]
    )
    assert kinds == [
        {"column": "period", "problem": "is outside 1–12", "count": 2},
        {"column": "", "problem": "the file has a header row but no data rows", "count": 1},
    ]


def test_a_problem_of_the_whole_file_says_so_in_the_download() -> None:
    stored = problems_csv_gz([{"source": "a.csv", "row": None, "column": "", "value": "", "message": "is empty"}])
    assert problems_csv(stored).decode("utf-8-sig") == (
        "File,Row,Column,Value,What is wrong\r\na.csv,whole file,,,is empty\r\n"
    )
    assert problems_csv(b"").decode("utf-8-sig") == "File,Row,Column,Value,What is wrong\r\n"


def test_confirming_uses_the_stored_verdict_and_reads_nothing_in_the_request(
    client_for, finance_officer, monkeypatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    post(client, "budget", "budget.csv", BUDGET)
    batch = ImportBatch.objects.get()
    queued = []
    monkeypatch.setattr(
        tasks.import_batch_apply_task, "apply_async", lambda args, **options: queued.append(tuple(args))
    )
    # While it is being checked there is nothing to confirm.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/uploads/{batch.pk}/", {"action": "apply"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKING and queued == []
    run_upload_worker()
    planned = []
    monkeypatch.setattr(services, "import_plan_build", lambda **kwargs: planned.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/uploads/{batch.pk}/", {"action": "apply"})
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.QUEUED and queued == [(batch.pk, finance_officer.pk)]
    assert planned == []


def test_changes_are_counted_in_words_and_only_the_first_of_each_kind_kept() -> None:
    made = [Change("create", f"L{n}", f"new line L{n}") for n in range(250)]
    made += [Change("unchanged", "X", "same"), Change("update", "Y", "line Y", "£1.00", "£2.00")]
    kept = changes_kept(made)
    assert len(kept) == 200 + 1 and kept[0]["description"] == "new line L0" and kept[-1]["action"] == "update"
    summary = {"counts": {"unchanged": 1, "update": 1, "create": 250}}
    assert change_counts(summary=summary, applied=False) == [("To add", 250), ("To change", 1), ("Unchanged", 1)]
    assert change_counts(summary=summary, applied=True) == [("Added", 250), ("Changed", 1), ("Unchanged", 1)]
    groups = change_groups(summary=summary, changes=kept)
    assert [(g["words"], g["count"], len(g["rows"])) for g in groups] == [("Added", 250, 200), ("Changed", 1, 1)]
