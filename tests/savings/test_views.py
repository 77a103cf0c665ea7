"""The savings pages with the Django test client: roles, authority isolation, forms and downloads."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from savings.models import Mitigation, Programme, Saving, SavingUpdate
from tests.factories import ServiceAreaFactory

pytestmark = pytest.mark.django_db


def tracker_url(**params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("savings:tracker") + (f"?{query}" if query else "")


def pages(tracker) -> list[str]:  # type: ignore[no-untyped-def]
    saving, programme = tracker.savings["S6"], tracker.programme
    return [
        tracker_url(year="2022/23"),
        reverse("savings:saving", args=[saving.pk]),
        reverse("savings:programme", args=[programme.pk]),
    ]


def edit_pages(tracker) -> list[str]:  # type: ignore[no-untyped-def]
    saving, programme = tracker.savings["S6"], tracker.programme
    return [
        reverse("savings:plan"),
        reverse("savings:saving_new"),
        reverse("savings:saving_edit", args=[saving.pk]),
        reverse("savings:saving_update", args=[saving.pk]),
        reverse("savings:saving_reprofile", args=[saving.pk]),
        reverse("savings:mitigation_new", args=[saving.pk]),
        reverse("savings:programme_new"),
        reverse("savings:programme_edit", args=[programme.pk]),
        reverse("savings:programme_profiles", args=[programme.pk]),
        reverse("savings:programme_investment", args=[programme.pk]),
    ]


# -- who sees what ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["finance_officer", "director", "administrator"])
def test_staff_can_read_every_page(tracker, client_for, request, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(role))
    for url in pages(tracker):
        response = client.get(url)
        assert response.status_code == 200, url


def test_committee_members_see_nothing_here(tracker, client_for, committee_member) -> None:  # type: ignore[no-untyped-def]
    client = client_for(committee_member)
    for url in pages(tracker) + edit_pages(tracker):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", ["director", "administrator"])
def test_directors_and_administrators_cannot_change_anything(tracker, client_for, request, role: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(request.getfixturevalue(role))
    for url in edit_pages(tracker):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"status": "achieved"}).status_code == 403, url
    assert Saving.objects.get(pk=tracker.savings["S6"].pk).status == "at_risk"


def test_signed_out_people_are_sent_to_sign_in(tracker, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(tracker_url())
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_finance_officers_can_open_every_form(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    for url in edit_pages(tracker):
        assert client.get(url).status_code == 200, url


def test_another_authoritys_savings_and_programmes_are_not_found(tracker, client_for, other_finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(other_finance_officer)
    saving, programme = tracker.savings["S6"], tracker.programme
    for url in [
        reverse("savings:saving", args=[saving.pk]),
        reverse("savings:programme", args=[programme.pk]),
        reverse("savings:saving_update", args=[saving.pk]),
        reverse("savings:programme_profiles", args=[programme.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    # Their own tracker shows none of ours.
    response = client.get(tracker_url(year="2022/23"))
    # Looked for as the page shows it (a cell or a link), not anywhere in the bytes: a random
    # token may hold the letters "S6".
    page = response.content.decode()
    assert response.status_code == 200 and ">S6<" not in page and f"/savings/{saving.pk}/" not in page
    assert saving.title not in page


# -- the tracker page ---------------------------------------------------------------------------


def test_the_tracker_shows_the_years_figures(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    response = client_for(director).get(tracker_url(year="2022/23"))
    text = response.content.decode()
    assert "Savings tracker – 2022/23" in text
    assert "£1,287,000 from 6 savings" in text  # planned, absorbed left out (test_selectors)
    assert "£598,500 (£20,000 mitigated)" in text
    # S9, the key decision, has nothing planned in 2022/23, so no saving in this year's table is flagged.
    assert "govuk-tag--purple" not in text.split("Savings planned for 2022/23")[1].split("</table>")[0]
    assert "Children&#x27;s transformation programme" in text


def test_the_tracker_filters(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    text = client_for(director).get(tracker_url(year="2022/23", status="at_risk")).content.decode()
    table = text.split("Savings planned for 2022/23")[1].split("</table>")[0]
    assert re.findall(r">(S\d)</a>", table) == ["S2", "S6"]
    text = client_for(director).get(tracker_url(year="2023/24", rag="red")).content.decode()
    table = text.split("Savings planned for 2023/24")[1].split("</table>")[0]
    assert re.findall(r">(S\d)</a>", table) == ["S5"]


def test_pages_have_no_inline_scripts_and_label_their_tables(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    for url in pages(tracker) + edit_pages(tracker):
        html = client.get(url).content.decode()
        # Only the site's own module script, loaded from static files.
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [], url
        # nothing loaded from another site (the CSRF token is random text, so look at addresses)
        assert re.findall(r'(?:src|href)="(?:https?:)?//', html) == [], url
        assert html.count("<table") == html.count("<caption"), url
        assert 'style="' not in html


# -- downloads -----------------------------------------------------------------------------------

TRACKER_TABLES = [
    "savings",
    "total",
    "by_status",
    "by_service",
    "totals_approved",
    "totals_current",
    "differences",
    "differences_by_saving",
    "programmes",
]


@pytest.mark.parametrize("table", TRACKER_TABLES)
def test_every_tracker_table_downloads_as_csv_and_xlsx(tracker, client_for, director, table: str) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    csv = client.get(tracker_url(year="2022/23", table=table, format="csv"))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "attachment" in csv["Content-Disposition"]
    xlsx = client.get(tracker_url(year="2022/23", table=table, format="xlsx"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row >= 2


def test_the_savings_download_has_the_same_figures_as_the_page(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    response = client_for(director).get(tracker_url(year="2022/23", table="savings", format="csv"))
    csv = response.content.decode("utf-8-sig")
    lines = csv.splitlines()
    header = lines[0].split(",")
    s6 = dict(zip(header, next(line for line in lines if line.startswith("S6,")).split(","), strict=False))
    assert (s6["Planned"], s6["Forecast delivery"], s6["Shortfall"], s6["Mitigated"], s6["Net shortfall"]) == (
        "200000.00",
        "150000.00",
        "50000.00",
        "20000.00",
        "30000.00",
    )
    assert "ID" not in header


def test_a_filtered_download_is_filtered(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    csv = client_for(director).get(tracker_url(year="2022/23", status="at_risk", table="savings", format="csv"))
    refs = [line.split(",")[0] for line in csv.content.decode("utf-8-sig").splitlines()[1:]]
    assert refs == ["S2", "S6"]


def test_an_unknown_table_is_not_found(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    assert client_for(director).get(tracker_url(table="nope", format="csv")).status_code == 404


@pytest.mark.parametrize("table", ["profiles", "history", "mitigations"])
def test_a_savings_tables_download(tracker, client_for, director, table: str) -> None:  # type: ignore[no-untyped-def]
    url = reverse("savings:saving", args=[tracker.savings["S6"].pk])
    for fmt in ("csv", "xlsx"):
        assert client_for(director).get(f"{url}?table={table}&format={fmt}").status_code == 200


@pytest.mark.parametrize("table", ["profiles", "summary", "investments", "savings"])
def test_a_programmes_tables_download(tracker, client_for, director, table: str) -> None:  # type: ignore[no-untyped-def]
    url = reverse("savings:programme", args=[tracker.programme.pk])
    for fmt in ("csv", "xlsx"):
        response = client_for(director).get(f"{url}?table={table}&format={fmt}")
        assert response.status_code == 200


def test_the_programme_profiles_download_matches_the_page(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    url = reverse("savings:programme", args=[tracker.programme.pk])
    csv = client_for(director).get(f"{url}?table=profiles&format=csv").content.decode("utf-8-sig").splitlines()
    assert csv[0] == "Year,Target,Target reprofiled,Stretch,Stretch reprofiled"
    assert csv[1].startswith("2022/23,539000.00,269500.00,")
    assert csv[-1].startswith("2030/31,0.00,5620500.00,")


def test_a_text_cell_that_looks_like_a_formula_is_escaped(tracker, client_for, finance_officer, director) -> None:  # type: ignore[no-untyped-def]
    client_for(finance_officer).post(
        reverse("savings:saving_edit", args=[tracker.savings["S6"].pk]),
        {
            "title": '=HYPERLINK("x")',
            "service_area": tracker.savings["S6"].service_area_id,
            "saving_type": "income",
        },
    )
    response = client_for(director).get(tracker_url(year="2022/23", table="savings", format="csv"))
    csv = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv


# -- the programme page --------------------------------------------------------------------------


def test_the_programme_page_shows_return_payback_and_both_profiles(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    url = reverse("savings:programme", args=[tracker.programme.pk])
    text = client_for(director).get(f"{url}?basis=original").content.decode()
    assert "7.12 : 1" in text and "2026/27" in text
    assert "£63,375,000" in text
    text = client_for(director).get(f"{url}?basis=reprofiled&to=2025/26").content.decode()
    # After the delay, cumulative to 2025/26: 269,500 + 2,048,000 + 5,439,500 + 8,326,500 = 16,083,500.
    assert "£16,083,500" in text
    assert "First year at 3 : 1" in text and "2027/28" in text


# -- entry: every change audited ------------------------------------------------------------------


def test_adding_a_saving_from_the_browser(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    area = tracker.lines["EH-YTH"].service_area
    response = client.post(
        reverse("savings:saving_new"),
        {
            "ref": "CHS/SAV/34",
            "title": "Agency decision maker in house",
            "service_area": area.pk,
            "line": tracker.lines["EH-YTH"].pk,
            "saving_type": "spend_reduction",
            "owner": "Director",
            "version": "approved",
            "approved_by": "Full Council",
            "approved_on": "07/03/2022",
            "amount_2022_23": "19,000",
            "amount_2023_24": "£19,000.00",
            "status": "on_track",
            "as_at": "2022-09-30",
            "start_date": "01/10/2022",
            "full_year_effect": "38000",
        },
    )
    saving = Saving.objects.get(ref="CHS/SAV/34")
    assert response.status_code == 302 and response["Location"] == reverse("savings:saving", args=[saving.pk])
    assert saving.full_year_effect == 3_800_000 and str(saving.start_date) == "2022-10-01"
    version = saving.versions.get(version="approved")
    assert dict(version.amounts.values_list("year_label", "amount")) == {"2022/23": 1_900_000, "2023/24": 1_900_000}
    assert (version.approved_by, str(version.approved_on)) == ("Full Council", "2022-03-07")
    assert AuditEvent.objects.filter(action="saving.create", object_id=str(saving.pk), user=finance_officer).exists()


def test_adding_a_saving_with_bad_input_shows_every_problem(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    response = client.post(
        reverse("savings:saving_new"),
        {
            "ref": "S1",
            "title": "Dup",
            "service_area": tracker.lines["EH-YTH"].service_area_id,
            "saving_type": "spend_reduction",
            "version": "approved",
            "amount_2022_23": "abc",
            "status": "absorbed",
            "as_at": "2022-09-30",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in text
    assert "Enter an amount in pounds" in text
    response = client.post(
        reverse("savings:saving_new"),
        {
            "ref": "s1",
            "title": "Dup",
            "service_area": tracker.lines["EH-YTH"].service_area_id,
            "saving_type": "spend_reduction",
            "version": "approved",
            "amount_2022_23": "100",
            "status": "absorbed",
            "as_at": "2022-09-30",
        },
    )
    text = response.content.decode()
    assert "a saving with reference &#x27;s1&#x27; already exists" in text
    assert "an absorbed saving must name the programme" in text
    assert Saving.objects.filter(ref__iexact="s1").count() == 1


def test_another_authoritys_service_area_cannot_be_chosen(  # type: ignore[no-untyped-def]
    tracker, client_for, finance_officer, other_authority
) -> None:
    theirs = ServiceAreaFactory(authority=other_authority, name="Theirs")
    response = client_for(finance_officer).post(
        reverse("savings:saving_new"),
        {
            "ref": "X",
            "title": "X",
            "service_area": theirs.pk,
            "saving_type": "spend_reduction",
            "version": "approved",
            "amount_2022_23": "100",
            "status": "on_track",
            "as_at": "2022-09-30",
        },
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Saving.objects.filter(ref="X").exists()


def test_recording_progress_for_a_reporting_cycle(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    saving = tracker.savings["S2"]
    response = client_for(finance_officer).post(
        reverse("savings:saving_update", args=[saving.pk]),
        {
            "as_at": "31/01/2023",
            "year_label": "2022/23",
            "period": "10",
            "status": "undeliverable",
            "forecast_delivery": "0",
            "narrative": "The market has not responded.",
        },
    )
    assert response.status_code == 302
    saving.refresh_from_db()
    assert (saving.status, saving.rag) == ("undeliverable", "red")
    update = saving.updates.first()
    assert (update.period, update.forecast_delivery, update.narrative) == (10, 0, "The market has not responded.")
    assert AuditEvent.objects.filter(action="saving.status", object_id=str(saving.pk)).count() == 2


def test_a_reprofile_from_the_browser_must_keep_the_total(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    saving = tracker.savings["S6"]  # approved £200,000 × 4 = £800,000
    url = reverse("savings:saving_reprofile", args=[saving.pk])
    client = client_for(finance_officer)
    response = client.post(
        url,
        {
            "amount_2022_23": "100000",
            "amount_2023_24": "200000",
            "amount_2024_25": "200000",
            "amount_2025_26": "200000",
            "note": "late start",
        },
    )
    assert response.status_code == 200
    assert "the re-profile totals £700,000.00 over its lifetime" in response.content.decode()
    assert not saving.versions.filter(version="reprofiled").exists()
    response = client.post(
        url,
        {
            "amount_2022_23": "100000",
            "amount_2023_24": "300000",
            "amount_2024_25": "200000",
            "amount_2025_26": "200000",
            "note": "late start",
            "approved_by": "Committee",
        },
    )
    assert response.status_code == 302
    assert saving.versions.get(version="reprofiled").note == "late start"


def test_recording_a_mitigation(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    saving = tracker.savings["S5"]
    response = client_for(finance_officer).post(
        reverse("savings:mitigation_new", args=[saving.pk]),
        {
            "year_label": "2022/23",
            "amount": "100,000",
            "source": "reserves",
            "description": "one-off",
        },
    )
    assert response.status_code == 302
    assert Mitigation.objects.get(saving=saving).amount == 10_000_000
    assert AuditEvent.objects.filter(action="saving.mitigation_add", object_id=str(saving.pk)).exists()


def test_creating_a_programme_with_profiles_and_investment(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    response = client.post(
        reverse("savings:programme_new"),
        {
            "code": "FOS",
            "name": "Fostering invest to save",
            "first_year": "2023/24",
            "years": "2",
            "delay_months": "0",
            "hurdle": "1.5",
        },
    )
    programme = Programme.objects.get(code="FOS")
    assert response.status_code == 302
    response = client.post(
        reverse("savings:programme_profiles", args=[programme.pk]),
        {
            "target_2023_24": "0",
            "target_2024_25": "1142846",
            "stretch_2024_25": "1500000",
            "cost_2023_24": "901973",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("savings:programme_investment", args=[programme.pk]),
        {
            "description": "Foster carer support and allowances",
            "amount": "901,973",
            "funding_source": "Base budget",
        },
    )
    assert response.status_code == 302
    text = client.get(reverse("savings:programme", args=[programme.pk])).content.decode()
    # £1,142,846 / £901,973 = 1.27:1, under the 1.5 hurdle.
    assert "1.27 : 1" in text and "Not reached within the profile" in text
    # The programme's own events (another kind of object may share its id).
    mine = AuditEvent.objects.filter(object_type=programme._meta.label, object_id=str(programme.pk))
    actions = set(mine.values_list("action", flat=True))
    assert actions == {"programme.create", "programme.profiles_set", "programme.investment_add"}


def test_a_duplicate_programme_code_is_refused(tracker, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    response = client_for(finance_officer).post(
        reverse("savings:programme_new"),
        {
            "code": "ctp",
            "name": "Again",
            "first_year": "2023/24",
            "years": "2",
            "delay_months": "0",
            "hurdle": "3",
        },
    )
    assert response.status_code == 200 and "already exists" in response.content.decode()


def test_setting_the_plan(authority, client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    assert client.get(reverse("savings:saving_new")).status_code == 302  # no plan yet: set it first
    response = client.post(reverse("savings:plan"), {"first_year": "2023/24", "last_year": "2022/23"})
    assert "The last year is before the first year" in response.content.decode()
    response = client.post(
        reverse("savings:plan"), {"first_year": "2023/24", "last_year": "2026/27", "approved_by": "Full Council"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="savings_plan.set").count() == 1
    assert client.get(reverse("savings:saving_new")).status_code == 200


def test_the_saving_page_shows_its_history(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    text = client_for(director).get(reverse("savings:saving", args=[tracker.savings["S7"].pk])).content.decode()
    assert "Re-profiled" in text and "started in October" in text
    assert "£400,000" in text  # both the approved and the re-profiled total
    text = client_for(director).get(reverse("savings:saving", args=[tracker.savings["S6"].pk])).content.decode()
    assert "P9" in text and "next year" in text and "vacancies held" in text
    assert SavingUpdate.objects.filter(saving=tracker.savings["S6"]).count() == 3


def test_a_key_decision_is_flagged_on_the_tracker(tracker, client_for, director) -> None:  # type: ignore[no-untyped-def]
    text = client_for(director).get(tracker_url(year="2023/24")).content.decode()
    table = text.split("Savings planned for 2023/24")[1].split("</table>")[0]
    row = next(r for r in table.split("<tr") if ">S9</a>" in r)
    assert "Key decision" in row  # £750,000.00 in 2023/24
    assert all("govuk-tag--purple" not in r for r in table.split("<tr") if ">S2</a>" in r)  # £733,000
