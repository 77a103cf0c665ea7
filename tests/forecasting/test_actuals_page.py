"""Entering a period's actuals on one page, with budget and year to date beside each line."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from forecasting.models import Actual, BudgetRevision
from forecasting.services import actuals_save, budget_set
from tests.core.form_markup import field_error_problems, problems, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def budgets(year, lines, finance_officer):  # type: ignore[no-untyped-def]
    for code, pounds in (("CIC-RES-EXT", 22_400_000), ("LEG-EXT", 2_600_000), ("INC-UASC", -2_940_000)):
        budget_set(
            authority=year.authority, user=finance_officer, line=lines[code], year=year, amount=pounds * 100, reason=""
        )
    actuals_save(
        authority=year.authority,
        user=finance_officer,
        period=year.periods.get(number=1),
        amounts={lines["LEG-EXT"].pk: 20_000_000},
    )


def test_the_page_shows_budget_actuals_before_and_year_to_date(
    client_for, finance_officer, year, lines, budgets
) -> None:  # type: ignore[no-untyped-def]
    period = year.periods.get(number=2)
    page = client_for(finance_officer).get(f"/periods/{period.pk}/actuals/").content.decode()
    assert "Actuals for period 2 (May 2019)" in page
    assert "£22,400,000" in page and "(£2,940,000)" in page and "£200,000" in page


def test_saving_the_page_stores_pence_clears_blanks_and_audits_each_change(
    client_for, finance_officer, year, lines, budgets
) -> None:  # type: ignore[no-untyped-def]
    period = year.periods.get(number=1)
    client = client_for(finance_officer)
    response = client.post(
        f"/periods/{period.pk}/actuals/",
        {
            f"line-{lines['CIC-RES-EXT'].pk}": "£1,866,666.67",
            f"line-{lines['LEG-EXT'].pk}": "",
            f"line-{lines['INC-UASC'].pk}": "-245,000",
        },
        follow=True,
    )
    assert "2 added, 0 changed, 1 cleared" in response.content.decode()
    amounts = dict(Actual.objects.filter(period=period).values_list("line__code", "amount"))
    assert amounts == {"CIC-RES-EXT": 186_666_667, "INC-UASC": -24_500_000}
    changes = AuditEvent.objects.filter(action="actuals.save").order_by("id")[1:]  # [0] is the fixture's
    assert sorted((e.object_repr, str(e.before), str(e.after)) for e in changes) == [
        ("CIC-RES-EXT 2019/20 period 1", "None", "{'amount': 186666667}"),
        ("INC-UASC 2019/20 period 1", "None", "{'amount': -24500000}"),
        ("LEG-EXT 2019/20 period 1", "{'amount': 20000000}", "None"),
    ]


def test_a_bad_amount_saves_nothing_and_says_which_line(client_for, finance_officer, year, lines, budgets) -> None:  # type: ignore[no-untyped-def]
    period = year.periods.get(number=1)
    page = (
        client_for(finance_officer)
        .post(
            f"/periods/{period.pk}/actuals/",
            {
                f"line-{lines['CIC-RES-EXT'].pk}": "100",
                f"line-{lines['LEG-EXT'].pk}": "1O0",
                f"line-{lines['INC-UASC'].pk}": "",
            },
        )
        .content.decode()
    )
    # The summary names the box by its label, the line's code and name.
    assert "LEG-EXT External legal costs: &#x27;1O0&#x27; is not an amount of money in pounds" in page
    assert Actual.objects.get(period=period).amount == 20_000_000


def test_changing_a_budget_needs_a_reason_and_keeps_the_original(
    client_for, finance_officer, year, lines, budgets
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    url = f"/lines/{lines['LEG-EXT'].pk}/budget/2019-20/"
    page = client.post(url, {"amount": "2,900,000", "reason": ""}).content.decode()
    assert "Give the reason for changing the budget" in page
    client.post(url, {"amount": "2,900,000", "reason": "Virement from early help"})
    revision = BudgetRevision.objects.get()
    assert (revision.before, revision.after, revision.reason) == (260_000_000, 290_000_000, "Virement from early help")
    assert revision.budget.original_amount == 260_000_000


def test_a_finance_officer_adds_a_budget_line_in_the_browser(client_for, finance_officer, placement_types) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    page = client.post(
        "/lines/new/",
        {
            "code": "CIC-SEC",
            "name": "Secure",
            "service_area": "Children in Care",
            "category": "placements",
            "method": "profile",
        },
    ).content.decode()
    assert "Choose the placement type of a placements line" in page
    client.post(
        "/lines/new/",
        {
            "code": "CIC-SEC",
            "name": "Secure",
            "service_area": "Children in Care",
            "category": "placements",
            "placement_type": placement_types["secure"].pk,
            "method": "profile",
        },
    )
    assert AuditEvent.objects.filter(action="budget_line.create", object_repr__startswith="CIC-SEC").exists()


def test_budget_lines_download_as_csv_and_xlsx_with_formula_injection_escaped(
    client_for, finance_officer, year, lines, budgets
) -> None:  # type: ignore[no-untyped-def]
    lines["LEG-EXT"].name = '=HYPERLINK("http://evil")'
    lines["LEG-EXT"].save()
    client = client_for(finance_officer)
    csv_text = client.get("/lines/?year=2019/20&format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "2600000.00" in csv_text
    xlsx = client.get("/lines/?year=2019/20&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert '\'=HYPERLINK("http://evil")' in names


def test_a_bad_amount_comes_back_in_its_box_with_the_error_wired_to_it(
    client_for, finance_officer, year, lines, budgets
) -> None:  # type: ignore[no-untyped-def]
    period = year.periods.get(number=1)
    legal = lines["LEG-EXT"].pk
    response = client_for(finance_officer).post(
        f"/periods/{period.pk}/actuals/",
        {f"line-{lines['CIC-RES-EXT'].pk}": "100", f"line-{legal}": "1O0", f"line-{lines['INC-UASC'].pk}": ""},
    )
    html = response.content.decode()
    assert field_error_problems(html, f"line-{legal}", error_class="govuk-input--error") == []
    page = read(html)
    box = page.by_id()[f"line-{legal}"]
    # What was typed is put back, in the box of the line it was typed for; the others are not in error.
    assert box.attrs["value"] == "1O0" and box.attrs["name"] == f"line-{legal}"
    other = page.by_id()[f"line-{lines['CIC-RES-EXT'].pk}"]
    assert other.attrs["value"] == "100" and "govuk-input--error" not in other.classes
    assert "There is a problem – nothing was saved" in html
    assert problems(html) == []
