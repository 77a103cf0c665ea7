"""The benchmarks page per role and per authority, its downloads, and the LA number setting."""

from __future__ import annotations

import io

import openpyxl
import pytest

from accounts.models import AuditEvent, Role
from benchmarks.models import AuthorityLink
from core.services import import_run
from tests.benchmarks.files import csv_bytes, neighbour_row, neighbours_xlsx, release_rows
from tests.core.form_markup import field_error_problems, read
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TEN = [887, 936, 938, 801, 802, 803, 805, 806, 807, 808]
VALUES = {
    ("LAC", "2024", 886): "56",
    ("LAC", "2024", 887): "70",
    ("LAC", "2024", 936): "41",
    ("LAC", "2024", 989): "57",
    ("LAC", "2024", 970): "70",
    ("Work_Force_Agecy_Rate", "2024", 886): "14",
    ("Work_Force_Agecy_Rate", "2024", 887): "11.3",
    ("Work_Force_Agecy_Rate", "2024", 970): "15.4",
    ("LACnum", "2020", 938): "1500",
    ("LACnum", "2024", 886): "1960",
}


@pytest.fixture
def published(authority):  # type: ignore[no-untyped-def]
    for kind, name, data in (
        ("benchmarks", "lait-2025-11-03.csv", csv_bytes(release_rows(VALUES))),
        (
            "statistical_neighbours",
            "statistical-neighbours-may-2025.xlsx",
            neighbours_xlsx([neighbour_row(886, "Kent", TEN)]),
        ),
    ):
        plan, _ = import_run(authority=authority, kind=kind, source=name, data=data, options={}, user=None)
        assert plan.ok, [str(p) for p in plan.errors]
    AuthorityLink.objects.create(authority=authority, la_number=886)


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.FINANCE_OFFICER, 200), (Role.DIRECTOR, 200), (Role.ADMINISTRATOR, 200), (Role.COMMITTEE_MEMBER, 403)],
)
def test_the_page_is_for_staff(authority, published, client_for, role, status) -> None:  # type: ignore[no-untyped-def]
    assert client_for(UserFactory(authority=authority, role=role)).get("/dashboards/benchmarks/").status_code == status


def test_the_page_compares_the_council_and_names_the_source(authority, published, client_for, director) -> None:  # type: ignore[no-untyped-def]
    page = client_for(director).get("/dashboards/benchmarks/").content.decode()
    # (70 + 41) / 2 = 55.5 against 56: +0.9%; against England 70: -20.0%
    assert (
        "In 2024 Kent&#x27;s rate of children looked after was 0.9% higher than statistical neighbours and 20.0% "
        "lower than England."
    ) in page
    assert (
        "Kent has an agency rate of 14.0%, compared with a national rate of 15.4% and a statistical neighbour "
        "rate of 11.3%."
    ) in page
    assert "Open Government Licence v3.0" in page
    assert "Published statistics: published 3 November 2025" in page
    assert "Statistical neighbours: published May 2025" in page
    assert "West Sussex (close): no published figures (a council since reorganised)" in page


def test_another_authority_sees_none_of_it_until_its_own_number_is_set(published, other_authority, client_for) -> None:  # type: ignore[no-untyped-def]
    other = UserFactory(authority=other_authority, role=Role.DIRECTOR)
    page = client_for(other).get("/dashboards/benchmarks/").content.decode()
    assert "An administrator has not yet set the council&#x27;s DfE LA number." in page
    assert "Kent" not in page
    assert client_for(other).get("/dashboards/benchmarks/?table=LAC&format=csv").status_code == 404


def test_each_table_downloads_as_csv_and_xlsx(authority, published, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    response = client.get("/dashboards/benchmarks/?table=LAC&format=csv")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith(
        "Year,Kent,Statistical neighbours (average),Neighbours with a figure,South East,England,"
    )
    assert lines[1].startswith("2024,56,55.5,2,57,70,70,41,")
    assert lines[1].endswith("published 3 November 2025")
    response = client.get("/dashboards/benchmarks/?table=LAC&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert any("Open Government Licence" in t for t in texts)
    assert client.get("/dashboards/benchmarks/?table=NOPE&format=csv").status_code == 404
    assert client.get("/dashboards/benchmarks/?table=LAC&format=pdf").status_code == 404


def test_the_period_dashboard_has_a_how_we_compare_panel(authority, published, client_for, director) -> None:  # type: ignore[no-untyped-def]
    page = client_for(director).get("/dashboards/").content.decode()
    assert 'id="benchmarks-title">How we compare' in page
    assert "statistical neighbour rate of 11.3%" in page


def test_an_administrator_sets_the_la_number_and_it_is_audited(authority, published, client_for, administrator) -> None:  # type: ignore[no-untyped-def]
    AuthorityLink.objects.filter(authority=authority).delete()
    client = client_for(administrator)
    response = client.post("/dashboards/benchmarks/la-number/", {"la_number": "887"})
    assert response.status_code == 302
    assert AuthorityLink.objects.get(authority=authority).la_number == 887
    event = AuditEvent.objects.get(action="benchmarks.la_number")
    assert (event.before, event.after, event.user) == (None, {"la_number": 887}, administrator)


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        ("Kent", "Enter the council&#x27;s DfE LA number, a whole number such as 886."),
        ("999", "There is no council with LA number 999 in DfE&#x27;s published statistics."),
        ("970", "LA number 970 is England, not a council; enter the council&#x27;s own number."),
        (
            "938",
            "LA number 938 is West Sussex, which has no published figures after 2020: the council has been "
            "reorganised. Enter the number of the council that replaced it.",
        ),
    ],
)
def test_a_bad_la_number_is_refused_with_a_message(
    authority, published, client_for, administrator, entered, message
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(administrator).post("/dashboards/benchmarks/la-number/", {"la_number": entered})
    assert response.status_code == 400
    assert message in response.content.decode()
    # The box keeps what was typed, with the error wired to it.
    html = response.content.decode()
    assert field_error_problems(html, "la_number", error_class="govuk-input--error") == []
    assert read(html).by_id()["la_number"].attrs["value"] == entered
    assert AuthorityLink.objects.get(authority=authority).la_number == 886


def test_only_administrators_set_the_la_number(authority, published, client_for, finance_officer, director) -> None:  # type: ignore[no-untyped-def]
    for user in (finance_officer, director):
        assert client_for(user).post("/dashboards/benchmarks/la-number/", {"la_number": "887"}).status_code == 403
    assert AuthorityLink.objects.get(authority=authority).la_number == 886
