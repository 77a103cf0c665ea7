"""The medium-term forecast page: per role, per authority, its downloads, and next year's budget
file loaded back with the budget import."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command

from forecasting.models import Budget, FinancialYear
from placements.models import Child, Placement

pytestmark = pytest.mark.django_db

URL = "/forecasts/medium-term/"
BUDGET = (
    "line_code,line_name,service_area,category,placement_type,annual_budget\n"
    "CIC-FOS-IFA,Independent fostering agency placements,Children in Care,placements,fostering_ifa,100000\n"
    "LEG-EXT,External legal costs,Legal,other,,5000\n"
)
SAVINGS = (
    "ref,title,service_area,line_code,status,2024/25,2025/26\n"
    "CS/24/01,Fewer agency foster placements,Children in Care,CIC-FOS-IFA,on_track,5000,10000\n"
)


@pytest.fixture
def county(authority, placement_types, tmp_path: Path):  # type: ignore[no-untyped-def]
    """2024/25 with no period closed (as at 31 March 2024): three children with an agency foster
    carer at £700 a week since April 2021, and a saving of £10,000 on that line in 2025/26."""
    budget = tmp_path / "budget.csv"
    budget.write_text(BUDGET, encoding="utf-8")
    call_command("import_data", "budget", str(budget), "--year", "2024/25", "--authority", authority.code)
    savings = tmp_path / "savings.csv"
    savings.write_text(SAVINGS, encoding="utf-8")
    call_command(
        "import_data",
        "savings",
        str(savings),
        "--year",
        "2024/25",
        "--authority",
        authority.code,
        "--as-at",
        "2024-09-30",
    )
    for k in range(3):
        child = Child.objects.create(authority=authority, child_ref=f"C{k}", date_of_birth=date(2015, 1, 1))
        Placement.objects.create(
            authority=authority,
            child=child,
            placement_ref=f"P{k}",
            placement_type=placement_types["fostering_ifa"],
            start_date=date(2021, 4, 1),
            weekly_cost=70_000,
        )
    return authority


def test_finance_sees_each_lines_requirement_by_year_and_scenario(county, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    page = client_for(finance_officer).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Budget requirement, 2025/26" in text and "Budget requirement, 2027/28" in text
    assert "Independent fostering agency placements" in text
    # 3 children all along: no change. 2025/26 middle: £700 x 1.04 = £728 a week, 3 children,
    # 31,200p a day x 365 = £113,880, less the £10,000 saving: £103,880.
    assert "£103,880" in text
    assert "£113,880" not in text.split("Budget requirement, 2025/26")[1].split("</table>")[0]
    assert "External legal costs" not in text  # not a placements line


def test_savings_on_other_lines_reach_the_table_and_come_off_the_total(  # type: ignore[no-untyped-def]
    county, finance_officer, client_for, tmp_path: Path
) -> None:
    savings = tmp_path / "more-savings.csv"
    savings.write_text(
        SAVINGS + "CS/24/02,Fewer external legal cases,Legal,LEG-EXT,on_track,0,2000\n", encoding="utf-8"
    )
    call_command(
        "import_data", "savings", str(savings), "--year", "2024/25", "--authority", county.code, "--as-at", "2024-09-30"
    )
    text = client_for(finance_officer).get(URL).content.decode()
    year = text.split("Budget requirement, 2025/26")[1].split("</table>")[0]
    # The legal line's £2,000 saving in 2025/26 is on a row of its own, in brackets, and the middle
    # total is the fostering line's £103,880 less £2,000: £101,880.
    assert "External legal costs" in year and "(£2,000)" in year
    assert "£101,880" in year
    assert "External legal costs" not in text.split("Budget requirement, 2026/27")[1].split("</table>")[0]
    # Next year's budget file holds the placements lines only.
    csv_text = client_for(finance_officer).get(URL, {"table": "budget", "format": "csv"}).content.decode("utf-8-sig")
    assert "LEG-EXT" not in csv_text


def test_next_years_budget_file_loads_with_the_budget_import(  # type: ignore[no-untyped-def]
    county, finance_officer, client_for, tmp_path: Path
) -> None:
    response = client_for(finance_officer).get(URL, {"table": "budget", "format": "csv"})
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows == [
        {
            "line_code": "CIC-FOS-IFA",
            "line_name": "Independent fostering agency placements",
            "service_area": "Children in Care",
            "category": "placements",
            "placement_type": "fostering_ifa",
            "annual_budget": "103880.00",
            "budget_numbers": "3.0",
        }
    ]
    path = tmp_path / "next.csv"
    path.write_text(body, encoding="utf-8")
    call_command("import_data", "budget", str(path), "--year", "2025/26", "--authority", county.code)
    year = FinancialYear.objects.get(authority=county, label="2025/26")
    budget = Budget.objects.get(year=year, line__code="CIC-FOS-IFA")
    assert budget.amount == 10_388_000


def test_the_tables_download_in_words(county, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    for table in ("requirement", "numbers"):
        for fmt in ("csv", "xlsx"):
            response = client.get(URL, {"table": table, "format": fmt})
            assert response.status_code == 200, (table, fmt)
    header = client.get(URL, {"table": "requirement", "format": "csv"}).content.decode("utf-8-sig").splitlines()[0]
    assert "Budget requirement" in header and "requirement" not in header.split(",")
    assert client.get(URL, {"table": "nope", "format": "csv"}).status_code == 404


def test_only_finance_officers_and_directors_see_it(  # type: ignore[no-untyped-def]
    county, director, committee_member, administrator, client_for
) -> None:
    assert client_for(director).get(URL).status_code == 200
    assert client_for(committee_member).get(URL).status_code == 403
    assert client_for(administrator).get(URL).status_code == 403


def test_another_authority_never_sees_ours(county, other_finance_officer, client_for, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = client_for(other_finance_officer)
    empty = client.get(URL).content.decode()
    assert "Load a budget" in empty and "Independent fostering" not in empty
    budget = tmp_path / "theirs.csv"
    budget.write_text(BUDGET.replace("CIC-FOS-IFA,Independent", "DOR-IFA,Dorset independent"), encoding="utf-8")
    call_command("import_data", "budget", str(budget), "--year", "2024/25", "--authority", "DORSET")
    theirs = client.get(URL).content.decode()
    assert "Dorset independent" in theirs
    assert "Independent fostering agency placements" not in theirs and "£103,880" not in theirs
    csv_text = client.get(URL, {"table": "budget", "format": "csv"}).content.decode("utf-8-sig")
    assert "CIC-FOS-IFA" not in csv_text and "DOR-IFA" in csv_text


def test_a_council_linked_to_its_la_number_uses_its_published_31_march_numbers(  # type: ignore[no-untyped-def]
    county, finance_officer, client_for
) -> None:
    from benchmarks.models import Area, AuthorityLink, Measure, PublishedValue, Release
    from forecast_runs.mtfp_inputs import published_31_march_numbers

    assert published_31_march_numbers(county) is None  # no link: the register alone
    release = Release.objects.create(kind="statistics", published_on=date(2025, 11, 3), source_name="release.csv")
    area = Area.objects.create(la_number=891, name="Nottinghamshire", kind="council")
    measure = Measure.objects.create(code="LACnum", title="Number of children looked after at 31 March")
    for year, number in ((2019, 800), (2020, 820), (2021, None), (2022, 860), (2023, 880), (2024, 900)):
        PublishedValue.objects.create(measure=measure, area=area, year=str(year), value=number, release=release)
    AuthorityLink.objects.create(authority=county, la_number=891)
    # a suppressed year is left out, never read as zero
    assert published_31_march_numbers(county) == {2019: 800, 2020: 820, 2022: 860, 2023: 880, 2024: 900}
    text = client_for(finance_officer).get(URL).content.decode()
    # As at 31 March 2024 the years out are 2019, 2020, 2022 and 2023; the register's history
    # (from April 2021) has one 31 March with 13 month-ends before it, 2023, and on that date
    # only three published years were out: nothing can be checked, the register is used alone.
    assert (
        "Our published numbers of children looked after at 31 March: not used: the register&#x27;s history has no "
        "earlier 31 March that could be checked against its own later numbers" in text
    )
    assert "They were 880 on 31 March 2023, the last year published by the as-at date" in text
    assert "moved part of the way" not in text
