"""Each kind's template (its header and an example row, CSV and XLSX) and the list of its
columns on the upload page, both made from the importer's own Column definitions."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from core.import_templates import EXAMPLES, EXTRA_TEMPLATE_COLUMNS, column_guide, has_template
from core.importing import SourceFile, importers
from core.services import import_plan_build
from forecasting.models import BudgetLine
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db

TEMPLATE_KINDS = ["actuals", "budget", "placements", "savings", "scenarios", "workforce"]


@pytest.fixture
def county(authority, year, placement_types):  # type: ignore[no-untyped-def]
    """The lines the examples name: external residential and IFA placements, a social work team."""
    for code, type_code in (("CIC-RES-EXT", "residential_external"), ("CIC-FOS-IFA", "fostering_ifa")):
        BudgetLineFactory(
            authority=authority,
            code=code,
            name=code,
            category=BudgetLine.Category.PLACEMENTS,
            placement_type=placement_types[type_code],
        )
    BudgetLineFactory(
        authority=authority,
        code="SW-CSWN",
        name="Social work North",
        category=BudgetLine.Category.WORKFORCE,
        team_code="CSW-N",
    )
    return authority


def test_every_kind_read_as_one_table_has_a_template_and_the_ssda903_return_has_none() -> None:
    assert sorted(k for k, importer in importers().items() if has_template(importer)) == TEMPLATE_KINDS
    assert not has_template(importers()["ssda903"])


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_each_example_names_exactly_its_kind_s_columns(kind: str) -> None:
    # An example for a column the importer no longer reads, or a column without one, fails here.
    importer = importers()[kind]
    expected = {c.name for c in importer.columns} | set(EXTRA_TEMPLATE_COLUMNS.get(kind, ()))
    assert set(EXAMPLES[kind]) == expected


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_a_template_read_back_plans_without_a_problem(kind, client_for, finance_officer, county) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/uploads/templates/{kind}.{fmt}")
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="{kind}-template.{fmt}"'
        plan = import_plan_build(
            authority=county,
            kind=kind,
            files=[SourceFile(f"{kind}-template.{fmt}", response.content)],
            options={"year": "2019/20", "as_at": "2019-07-31"},
        )
        assert [str(p) for p in plan.errors] == []
        assert [str(p) for p in plan.warnings] == []
        assert sum(n for action, n in plan.counts().items() if action != "unchanged") >= 1


def test_the_csv_template_is_the_header_and_the_example_row(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    text = client_for(finance_officer).get("/uploads/templates/actuals.csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["line_code", "period", "amount", "financial_year"],
        ["CIC-RES-EXT", "4", "1,032,415.27", "2019/20"],
    ]


def test_the_xlsx_template_has_a_bold_frozen_header_of_column_names_and_the_example(
    client_for, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    content = client_for(finance_officer).get("/uploads/templates/savings.xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["ref", "title", "service_area", "line_code"] and rows[0][-1] == "2019/20"
    assert rows[1][:3] == ["CHS/SAV/34", "Step down from residential to foster care", "Children in Care"]
    assert len(rows) == 2
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    # As wide as the longest of header and example: the title is 41 characters, plus 2.
    assert sheet.column_dimensions["B"].width == 43


def test_templates_are_for_finance_officers_and_of_known_kinds(
    client_for, finance_officer, committee_member, director
) -> None:  # type: ignore[no-untyped-def]
    assert client_for(committee_member).get("/uploads/templates/budget.csv").status_code == 403
    assert client_for(director).get("/uploads/templates/budget.csv").status_code == 403
    client = client_for(finance_officer)
    assert client.get("/uploads/templates/ssda903.csv").status_code == 404
    assert client.get("/uploads/templates/nothing.csv").status_code == 404
    assert client.get("/uploads/templates/budget.pdf").status_code == 404


def test_the_upload_page_lists_each_kind_s_columns_from_its_importer(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    page = client_for(finance_officer).get("/uploads/").content.decode()
    for kind, importer in importers().items():
        assert f'id="columns-{kind}"' in page
        for column in column_guide(importer):
            assert f"<code>{column.name}</code>" in page
    # One row in full: required, and what it holds in words.
    assert (
        '<td class="govuk-table__cell"><code>annual_budget</code></td><td class="govuk-table__cell">Required</td>'
        '<td class="govuk-table__cell">£, the year&#x27;s net budget (income negative)</td>'
    ) in page
    assert (
        '<td class="govuk-table__cell"><code>asye</code></td><td class="govuk-table__cell">Optional</td>'
        '<td class="govuk-table__cell">newly qualified social worker in their ASYE year (Y/N)</td>'
    ) in page
    assert 'href="/uploads/templates/workforce.xlsx"' in page and 'href="/uploads/templates/budget.csv"' in page
