"""The placement pages with the Django test client: roles, authority isolation, forms,
imports with preview and progress, downloads."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest

from core import tasks
from core.importing import SourceFile
from core.models import ImportBatch
from core.services import import_batch_create
from placements import selectors, services
from placements.models import CodeMapping, Placement, UnitCost
from tests.placements.conftest import register_csv
from tests.placements.test_ssda903 import episodes_file, header_file
from tests.uploads import run_upload_worker

pytestmark = pytest.mark.django_db

PAGES = ["placements:register", "placements:kpis", "placements:mapping", "placements:unit_costs"]
REGISTER_PAGES = ("placements:register", "placements:kpis")


@pytest.fixture
def placed(authority, finance_officer, placement_types, placement_lines):
    services.placement_add(
        authority=authority,
        user=finance_officer,
        child_ref="C001",
        child_dob=date(2010, 5, 1),
        placement_type=placement_types["residential_external"],
        start_date=date(2019, 4, 1),
        weekly_cost=450_000,
        placement_ref="P1",
        provider='=HYPERLINK("http://x")',
        today=date(2024, 6, 1),
    )
    services.placement_add(
        authority=authority,
        user=finance_officer,
        child_ref="C002",
        child_dob=date(2012, 1, 1),
        placement_type=placement_types["fostering_ifa"],
        start_date=date(2019, 5, 1),
        end_date=date(2019, 8, 1),
        weekly_cost=95_000,
        placement_ref="P2",
        today=date(2024, 6, 1),
    )


def no_inline_scripts(html: str) -> bool:
    return all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))


@pytest.mark.parametrize("name", PAGES)
def test_staff_can_read_every_page_and_committee_members_cannot(
    name, client_for, finance_officer, director, administrator, committee_member, placed
):
    from django.urls import reverse

    # Administrators read the register's pages only where the deployment allows it
    # (tests/placements/test_register_access.py); the mapping and unit costs are theirs anyway.
    readers = (finance_officer, director, administrator) if name not in REGISTER_PAGES else (finance_officer, director)
    for user in readers:
        response = client_for(user).get(reverse(name))
        assert response.status_code == 200, (name, user.role)
        assert no_inline_scripts(response.content.decode())
    assert client_for(committee_member).get(reverse(name)).status_code == 403


def test_the_register_lists_rows_and_filters_them(client_for, finance_officer, placed):
    client = client_for(finance_officer)
    html = client.get("/placements/").content.decode()
    assert "P1" in html and "P2" in html and "<caption" in html and 'scope="col"' in html
    html = client.get("/placements/?placement_type=fostering_ifa").content.decode()
    assert "P2" in html and ">P1<" not in html
    html = client.get("/placements/?high_cost=on").content.decode()
    assert ">P1<" in html and ">P2<" not in html
    html = client.get("/placements/?open_on=01/09/2019").content.decode()
    assert ">P1<" in html and ">P2<" not in html


def test_register_filters_for_ending_soon_and_turning_18(authority, finance_officer, placement_types):
    for ref, dob, planned in (
        ("A", date(2006, 8, 10), None),
        ("B", date(2010, 1, 1), date(2024, 7, 1)),
        ("C", date(2010, 1, 1), None),
    ):
        services.placement_add(
            authority=authority,
            user=finance_officer,
            child_ref=f"C-{ref}1",
            child_dob=dob,
            placement_type=placement_types["fostering_in_house"],
            start_date=date(2020, 1, 1),
            weekly_cost=45_000,
            placement_ref=ref,
            planned_end_date=planned,
            today=date(2024, 6, 1),
        )
    soon = selectors.RegisterFilter(ending_within_days=90, today=date(2024, 6, 1))
    # A turns 18 on 10 August 2024 (within 90 days of 1 June); B has a planned end on 1 July.
    assert {r.placement_ref for r in selectors.register_rows(authority=authority, filters=soon)} == {"A", "B"}
    fy = selectors.RegisterFilter(turning_18_in=(date(2024, 4, 1), date(2025, 3, 31)))
    assert [r.placement_ref for r in selectors.register_rows(authority=authority, filters=fy)] == ["A"]


def test_register_downloads_are_formula_safe_csv_and_xlsx(client_for, finance_officer, placed):
    client = client_for(finance_officer)
    response = client.get("/placements/?format=csv")
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("placement_ref,child_ref,child_dob,placement_type")
    assert "'=HYPERLINK" in text and "4500.00" in text
    response = client.get("/placements/?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert '\'=HYPERLINK("http://x")' in values


def test_a_placement_s_history_and_another_authority_s_placement(
    client_for, finance_officer, other_finance_officer, placed
):
    html = client_for(finance_officer).get("/placements/p/P1/").content.decode()
    assert "Placement P1" in html and "C001" in html and "£4,500.00" in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "every id on the page is unique (two forms share it)"
    assert client_for(other_finance_officer).get("/placements/p/P1/").status_code == 404
    assert (
        client_for(other_finance_officer).post("/placements/p/P1/end/", {"end-end_date": "01/01/2020"}).status_code
        == 404
    )


def test_a_finance_officer_changes_a_rate_and_ends_a_placement_on_screen(client_for, finance_officer, placed):
    client = client_for(finance_officer)
    response = client.post("/placements/p/P1/rate/", {"rate-from_date": "01/10/2019", "rate-weekly_cost": "4,700"})
    assert response.status_code == 302
    response = client.post("/placements/p/P1/end/", {"end-end_date": "01/02/2020", "end-reason": "moved"})
    assert response.status_code == 302
    rows = list(
        Placement.objects.filter(placement_ref="P1").order_by("start_date").values_list("end_date", "weekly_cost")
    )
    assert rows == [(date(2019, 10, 1), 450_000), (date(2020, 2, 1), 470_000)]
    response = client.post("/placements/p/P1/end/", {"end-end_date": "01/01/2019"})
    assert response.status_code == 400 and "on or before the start date" in response.content.decode()


def test_directors_read_but_cannot_change_the_register(client_for, director, placed):
    client = client_for(director)
    assert client.get("/placements/p/P1/").status_code == 200
    assert client.post("/placements/p/P1/end/", {"end-end_date": "01/02/2020"}).status_code == 403
    assert client.get("/placements/add/").status_code == 403
    assert client.get("/placements/import/").status_code == 403


def test_adding_a_placement_on_screen(client_for, finance_officer, placement_types):
    client = client_for(finance_officer)
    assert client.get("/placements/add/").status_code == 200
    response = client.post(
        "/placements/add/",
        {
            "child_ref": "C777",
            "child_dob": "01/03/2011",
            "placement_type": placement_types["fostering_ifa"].pk,
            "start_date": "01/04/2023",
            "weekly_cost": "925.50",
        },
    )
    assert response.status_code == 302
    assert Placement.objects.get(placement_ref="P-C777-20230401").weekly_cost == 92_550
    response = client.post(
        "/placements/add/",
        {
            "child_ref": "Jane Smith",
            "child_dob": "01/03/2011",
            "placement_type": placement_types["fostering_ifa"].pk,
            "start_date": "01/04/2023",
            "weekly_cost": "925.50",
        },
    )
    assert response.status_code == 200 and "never enter a child&#x27;s name" in response.content.decode()


def test_a_register_upload_is_previewed_then_imported(client_for, finance_officer, placement_lines):
    client = client_for(finance_officer)
    data = register_csv("P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,,,950,,,N,")
    upload = io.BytesIO(data)
    upload.name = "register.csv"
    response = client.post("/placements/import/", {"kind": "placements", "files": [upload]})
    assert response.status_code == 302
    batch = ImportBatch.objects.filter(kind="placements").latest("pk")
    run_upload_worker()
    html = client.get(response["Location"]).content.decode()
    assert "What will change" in html and "P1" in html
    assert Placement.objects.count() == 0
    response = client.post(response["Location"], {"action": "apply"})
    run_upload_worker()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and Placement.objects.count() == 1


def test_a_bad_register_upload_shows_every_problem(client_for, finance_officer, placement_lines):
    upload = io.BytesIO(register_csv("P1,C001,2090-05-01,nonsense,,,2019-04-01,,,-5,,,N,"))
    upload.name = "bad.csv"
    response = client_for(finance_officer).post("/placements/import/", {"kind": "placements", "files": [upload]})
    run_upload_worker()
    html = client_for(finance_officer).get(response["Location"]).content.decode()
    assert "3 problems – nothing was written" in html
    assert "&#x27;nonsense&#x27; is not a finance placement type code" in html


def test_several_903_files_upload_together_preview_and_import(client_for, finance_officer, placement_lines):
    client = client_for(finance_officer)
    files = []
    for name, data in (
        header_file("2019-header.csv", ("7", "01/01/2010")),
        episodes_file("2019-episodes.csv", "7,01/01/2020,S,C2,U4,PR4,", "8,01/01/2020,S,C2,U4,PR4,"),
    ):
        handle = io.BytesIO(data)
        handle.name = name
        files.append(handle)
    response = client.post("/placements/import/", {"kind": "ssda903", "files": files})
    assert response.status_code == 302
    upload = ImportBatch.objects.with_file_names().get(kind="ssda903")
    assert upload.file_names == ["2019-header.csv", "2019-episodes.csv"]
    run_upload_worker()
    html = client.get(response["Location"]).content.decode()
    assert "What happened to every episode" in html and "has no header row in any return" in html
    csv_text = client.get(response["Location"] + "?format=csv").content.decode("utf-8-sig")
    assert "2019-episodes.csv,3,CHILD,8" in csv_text
    client.post(response["Location"], {"action": "apply"})
    run_upload_worker()
    upload.refresh_from_db()
    assert upload.status == ImportBatch.Status.APPLIED
    assert list(Placement.objects.values_list("placement_ref", flat=True)) == ["903-7-20200101"]


def test_an_ssda903_return_uploaded_on_the_general_page_has_the_same_preview(
    client_for, finance_officer, placement_lines
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(finance_officer)
    files = [
        SimpleUploadedFile(*header_file("2019-header.csv", ("7", "01/01/2010"))),
        SimpleUploadedFile(
            *episodes_file("2019-episodes.csv", "7,01/01/2020,S,C2,U4,PR4,", "8,01/01/2020,S,C2,U4,PR4,")
        ),
    ]
    response = client.post("/uploads/", {"kind": "ssda903", "file": files})
    batch = ImportBatch.objects.get(kind="ssda903")
    assert response["Location"] == f"/uploads/{batch.pk}/"
    run_upload_worker()
    html = client.get(response["Location"]).content.decode()
    assert "What happened to every episode" in html and "2019-header.csv, 2019-episodes.csv" in html
    assert "Every record not used as it stands (1)" in html
    response = client.post(response["Location"], {"action": "apply"}, follow=True)
    assert not list(response.context["messages"])
    run_upload_worker()
    assert "The SSDA903 files were imported." in client.get(f"/uploads/{batch.pk}/").content.decode()
    assert list(Placement.objects.values_list("placement_ref", flat=True)) == ["903-7-20200101"]


def upload_903(user, *files):
    batch, _plan = import_batch_create(
        authority=user.authority, kind="ssda903", files=[SourceFile(*f) for f in files], options={}, user=user
    )
    return batch


def test_a_confirmed_upload_is_queued_for_a_worker_with_progress(
    client_for, finance_officer, placement_lines, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.import_batch_apply_task, "apply_async", lambda args, **options: sent.append(tuple(args)))
    client = client_for(finance_officer)
    upload = upload_903(
        finance_officer,
        header_file("h.csv", ("7", "01/01/2010")),
        episodes_file("e.csv", "7,01/01/2020,S,C2,U4,PR4,"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/placements/import/ssda903/{upload.pk}/", {"action": "apply"})
    assert sent == [(upload.pk, finance_officer.pk)]
    upload.refresh_from_db()
    assert upload.status == ImportBatch.Status.QUEUED
    html = client.get(f"/placements/import/ssda903/{upload.pk}/").content.decode()
    assert "data-progress-url" in html and no_inline_scripts(html)
    state = client.get(f"/placements/import/ssda903/{upload.pk}/status/").json()
    assert state == {"status": "queued", "progress": 5, "done": False}
    tasks.import_batch_apply_task.run(upload.pk, finance_officer.pk)  # what the worker does
    assert client.get(f"/placements/import/ssda903/{upload.pk}/status/").json()["done"] is True
    assert Placement.objects.count() == 1


def test_the_status_of_another_authority_s_upload_is_not_found(client_for, other_finance_officer, finance_officer):
    upload = upload_903(finance_officer, header_file("h.csv", ("7", "01/01/2010")))
    assert client_for(other_finance_officer).get(f"/placements/import/ssda903/{upload.pk}/status/").status_code == 404
    assert client_for(other_finance_officer).get(f"/placements/import/ssda903/{upload.pk}/").status_code == 404


def test_only_administrators_edit_the_code_mapping(client_for, administrator, finance_officer, placement_types):
    row = CodeMapping.objects.filter(authority=administrator.authority, place="R3").get()
    assert client_for(finance_officer).post(f"/placements/mapping/{row.pk}/", {"place": "R3"}).status_code == 403
    client = client_for(administrator)
    response = client.post(
        f"/placements/mapping/{row.pk}/",
        {
            "place": "R3",
            "place_provider": "",
            "valid_from_year": "",
            "valid_to_year": "",
            "placement_type": placement_types["other"].pk,
        },
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.placement_type.code == "other"
    csv_text = client.get("/placements/mapping/?format=csv").content.decode("utf-8-sig")
    assert "R3,,,,other" in csv_text


def test_finance_officers_set_unit_costs_and_directors_cannot(client_for, finance_officer, director, placement_types):
    data = {"placement_type": placement_types["fostering_ifa"].pk, "effective_from": "01/04/2024", "weekly_cost": "950"}
    assert client_for(director).post("/placements/unit-costs/", data).status_code == 403
    assert client_for(finance_officer).post("/placements/unit-costs/", data).status_code == 302
    assert UnitCost.objects.get().weekly_cost == 95_000
    xlsx = client_for(director).get("/placements/unit-costs/?format=xlsx")
    assert xlsx["Content-Disposition"].endswith('.xlsx"')


def test_the_kpi_page_shows_and_downloads_the_same_figures(client_for, director, placed):
    client = client_for(director)
    html = client.get("/placements/kpis/?year=2019/20").content.decode()
    assert "Placement KPIs – 2019/20" in html
    # P1: external residential from 1 April 2019 at £4,500 a week: 366 days = 52.2857 weeks,
    # 12 months each rounded once: the year's gross is the sum of the monthly amounts.
    summary = client.get("/placements/kpis/?year=2019/20&table=summary&format=csv").content.decode("utf-8-sig")
    header, *rows = summary.splitlines()
    columns = header.split(",")
    res = dict(zip(columns, next(r for r in rows if r.startswith("residential_external")).split(","), strict=False))
    assert res["Children at month end"] == "1" and res["Full-year equivalent number"] == f"{366 / 7 / 52:.2f}"
    gross_pounds = float(res["Gross cost"])
    assert f"£{gross_pounds:,.0f}" in html
    assert abs(float(res["Identity cost"]) - gross_pounds) <= 0.01
    for table in ("monthly", "month_end", "net_cost", "flows", "high_cost", "high_cost_rows"):
        response = client.get(f"/placements/kpis/?year=2019/20&table={table}&format=xlsx")
        assert response.status_code == 200, table
    assert client.get("/placements/kpis/?year=1999/00").status_code == 404
