"""Workforce pages through the Django test client: roles, authority isolation, entry forms and
CSV/XLSX downloads."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from accounts.models import AuditEvent
from core.spreadsheet import header_words
from tests.uploads import run_upload_worker
from tests.workforce.conftest import GOOD, errors, run_import
from workforce.models import Team, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(authority, workforce_lines):  # type: ignore[no-untyped-def]
    plan, _ = run_import(authority, GOOD)
    assert plan.ok, errors(plan)
    return Team.objects.get(authority=authority, code="CP")


@pytest.fixture
def other_loaded(other_authority, other_workforce_lines):  # type: ignore[no-untyped-def]
    plan, _ = run_import(other_authority, GOOD)
    assert plan.ok, errors(plan)
    return Team.objects.get(authority=other_authority, code="CP")


def read_pages(client, team, worker):  # type: ignore[no-untyped-def]
    return [
        "/workforce/",
        f"/workforce/teams/{team.pk}/",
        f"/workforce/workers/{worker.pk}/",
        "/workforce/kpis/",
        "/workforce/snapshots/",
    ]


@pytest.mark.parametrize("role", ["finance_officer", "director", "administrator"])
def test_staff_roles_read_every_workforce_page(request, client_for, loaded, role) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(role))
    worker = Worker.objects.get(ref="W1")
    for url in read_pages(client, loaded, worker):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<caption" in response.content and b'scope="col"' in response.content
        assert b"<script>" not in response.content  # no inline scripts (CSP)


def test_committee_members_see_nothing_here(client_for, committee_member, loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(committee_member)
    worker = Worker.objects.get(ref="W1")
    for url in [*read_pages(client, loaded, worker), "/workforce/workers/new/"]:
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["director", "administrator"])
def test_directors_and_administrators_cannot_change_anything(request, client_for, loaded, role) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(role))
    worker = Worker.objects.get(ref="W1")
    for url in [
        "/workforce/workers/new/",
        f"/workforce/workers/{worker.pk}/edit/",
        f"/workforce/workers/{worker.pk}/end/",
        f"/workforce/workers/{worker.pk}/absence/",
        "/workforce/teams/new/",
    ]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert client.post("/workforce/snapshots/", {"as_at": "2019-08-31"}).status_code == 403
    worker.refresh_from_db()
    assert worker.end_date is None


def test_another_authoritys_team_and_worker_are_not_found(client_for, finance_officer, loaded, other_loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    theirs = Worker.objects.get(authority=other_loaded.authority, ref="W1")
    assert client.get(f"/workforce/teams/{other_loaded.pk}/").status_code == 404
    for url in [
        f"/workforce/workers/{theirs.pk}/",
        f"/workforce/workers/{theirs.pk}/edit/",
        f"/workforce/workers/{theirs.pk}/end/",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/workforce/workers/{theirs.pk}/end/", {"end_date": "2019-08-31"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.end_date is None
    # Their teams are not offered (nor accepted) on my forms.
    response = client.post(
        "/workforce/workers/new/",
        {
            "ref": "X1",
            "team": other_loaded.pk,
            "worker_type": "permanent",
            "fte": "1",
            "start_date": "2019-08-01",
            "annual_cost": "36000",
        },
    )
    assert response.status_code == 200 and not Worker.objects.filter(ref="X1").exists()
    assert b"Select a valid choice" in response.content


def test_a_finance_officer_adds_an_agency_engagement_in_the_browser(client_for, finance_officer, loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    page = client.get(f"/workforce/workers/new/?team={loaded.pk}&type=agency")
    assert page.status_code == 200 and b"Record an agency engagement" in page.content
    response = client.post(
        "/workforce/workers/new/",
        {
            "ref": "A7",
            "team": loaded.pk,
            "worker_type": "agency",
            "fte": "1",
            "start_date": "01/08/2019",
            "end_date": "2019-10-31",
            "weekly_rate": "£1,150.00",
            "agency_reason": "additional_capacity",
            "caseload": "19",
        },
    )
    worker = Worker.objects.get(ref="A7")
    assert response.status_code == 302 and response["Location"] == f"/workforce/workers/{worker.pk}/"
    assert worker.weekly_rate == 115_000 and worker.start_date == date(2019, 8, 1)
    assert AuditEvent.objects.filter(action="agency_engagement.create", user=finance_officer).exists()


def test_a_bad_entry_shows_the_problem_beside_the_field_and_saves_nothing(client_for, finance_officer, loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    response = client.post(
        "/workforce/workers/new/",
        {
            "ref": "A8",
            "team": loaded.pk,
            "worker_type": "agency",
            "fte": "1",
            "start_date": "2019-08-01",
            "agency_reason": "vacancy",
        },
    )
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"an agency worker needs a weekly rate" in response.content
    assert not Worker.objects.filter(ref="A8").exists()


def test_ending_a_worker_and_recording_an_absence_in_the_browser(client_for, finance_officer, loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    worker = Worker.objects.get(ref="W1")
    assert (
        client.post(
            f"/workforce/workers/{worker.pk}/absence/", {"absence": "long_term_sickness", "since": "2019-08-05"}
        ).status_code
        == 302
    )
    assert (
        client.post(f"/workforce/workers/{worker.pk}/end/", {"end_date": "2019-09-30", "reason": "retired"}).status_code
        == 302
    )
    worker.refresh_from_db()
    assert worker.absence == "long_term_sickness" and worker.end_date == date(2019, 9, 30)
    history = client.get(f"/workforce/workers/{worker.pk}/")
    assert b"Ended a worker&#x27;s engagement" in history.content and b"retired" in history.content
    assert b"31 July 2019" in history.content  # their row in the July snapshot


def test_a_finance_officer_records_a_snapshot(client_for, finance_officer, loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    response = client.post("/workforce/snapshots/", {"as_at": "2019-08-31"})
    assert response.status_code == 302
    page = client.get("/workforce/snapshots/")
    assert b"31 August 2019" in page.content and b"taken from the workforce list" in page.content


def test_the_kpi_page_has_a_month_selector_and_shows_the_months_figures(client_for, director, loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    page = client.get("/workforce/kpis/?year=2019/20&period=4&by=team")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<label class="govuk-label" for="kpi-period">Month</label>' in html
    assert '<option value="4" selected>P4 July 2019</option>' in html
    assert "50.0%" in html  # vacancy rate of CP: 2 of 4
    assert "42.9%" in html  # agency rate 1.5 / 3.5
    assert "£96,886" in html  # committed to 31 March, £96,885.72 shown to the pound


@pytest.mark.parametrize(
    ("url", "table", "header"),
    [
        ("/workforce/", "teams", "team,team_name,budget_line"),
        ("/workforce/teams/{team}/", "posts", "post_ref,role,fte,annual_cost,held_by"),
        ("/workforce/teams/{team}/", "staff", "worker_ref,role,worker_type,fte"),
        ("/workforce/workers/{worker}/", "history", "as_at,team,post_ref"),
        ("/workforce/workers/{worker}/", "changes", "when,who,action"),
        ("/workforce/kpis/?year=2019/20&period=4", "kpis", "group,name,budgeted_fte"),
        ("/workforce/kpis/?year=2019/20&period=4", "reasons", "month,as_at,vacancy"),
        ("/workforce/kpis/?year=2019/20&period=4", "committed", "month,permanent_cost,agency_cost,total_cost"),
        ("/workforce/kpis/?year=2019/20&period=4", "committed_by_team", "team,permanent_cost"),
        ("/workforce/snapshots/", "trend", "as_at,budgeted_fte"),
    ],
)
def test_every_table_downloads_as_csv_and_xlsx(client_for, director, loaded, url, table, header) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    worker = Worker.objects.get(ref="W1")
    base = url.format(team=loaded.pk, worker=worker.pk)
    joiner = "&" if "?" in base else "?"
    csv = client.get(f"{base}{joiner}table={table}&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    words = ",".join(header_words(code) for code in header.split(","))  # headers in words
    assert csv.content.decode("utf-8-sig").startswith(words)
    xlsx = client.get(f"{base}{joiner}table={table}&format=xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert ",".join(str(c.value) for c in next(sheet.iter_rows(min_row=3, max_row=3))).startswith(words)


def test_kpi_downloads_give_pounds_and_percentages(client_for, director, loaded) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    text = client.get("/workforce/kpis/?year=2019/20&period=4&table=committed&format=csv").content.decode("utf-8-sig")
    assert "2019-08,6000.00,8192.86,14192.86" in text  # £6,000 permanent + £5,314.29 + £2,878.57 agency
    kpi = client.get("/workforce/kpis/?year=2019/20&period=4&table=kpis&format=csv").content.decode("utf-8-sig")
    header, row = kpi.splitlines()[:2]
    values = dict(zip(header.split(","), row.split(","), strict=True))
    assert values["Vacancy rate %"] == "50.0" and values["Agency rate %"] == "42.9"
    assert values["Agency premium weekly"] == "650.00" and values["Agency premium annual"] == "33800.00"


def test_the_teams_page_links_to_the_upload_page_for_finance(client_for, finance_officer, loaded) -> None:  # type: ignore[no-untyped-def]
    page = client_for(finance_officer).get("/workforce/")
    assert b'href="/uploads/"' in page.content


def test_the_upload_page_previews_a_workforce_file_with_its_as_at_date(
    client_for,
    finance_officer,  # type: ignore[no-untyped-def]
    workforce_lines,
) -> None:
    client = client_for(finance_officer)
    response = client.post(
        "/uploads/",
        {
            "kind": "workforce",
            "as_at": "2019-07-31",
            "file": SimpleUploadedFile("workforce.csv", GOOD.encode(), content_type="text/csv"),
        },
    )
    assert response.status_code == 302
    run_upload_worker()
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    assert not Worker.objects.exists()  # nothing written until confirmed
    confirmed = client.post(response["Location"], {"action": "apply"})
    assert confirmed.status_code == 302
    run_upload_worker()
    assert Worker.objects.count() == 4


def test_the_kpi_pages_of_an_authority_with_no_teams_yet_say_so(client_for, director) -> None:  # type: ignore[no-untyped-def]
    for url in ("/workforce/kpis/", "/workforce/kpis/?by=group", "/workforce/kpis/?download=kpis&format=csv"):
        response = client_for(director).get(url)
        assert response.status_code == 200, url
