"""Every page's table downloads as a finance officer's workbook: the service drill-down, the audit
log and the back-test page included, each scoped to the signed-in user's authority, and no page
download has a column code for a header."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, Role
from core.spreadsheet import DATE_TIME_FORMAT, MONEY_FORMAT, PERCENT_FORMAT
from forecasting.models import BacktestReport
from tests.dashboards.county import everything_looked_at
from tests.factories import UserFactory

CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def _query(run, **extra) -> str:  # type: ignore[no-untyped-def]
    params = {"year": run.year.label, "period": run.period, "run": run.pk, "scenario": "middle", **extra}
    return "&".join(f"{k}={v}" for k, v in params.items())


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def _csv_header(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _report(authority) -> BacktestReport:  # type: ignore[no-untyped-def]
    return BacktestReport.objects.create(
        authority=authority,
        as_at=date(2019, 7, 31),
        status=BacktestReport.Status.SUCCEEDED,
        summary=[{"method_name": "Trend", "horizon": h, "mape": 4.5 * h} for h in (1, 3, 6, 12)],
        choices={
            "residential_external": {
                "method": "trend",
                "reason": "lowest error",
                "errors": {"trend": {"1": 4.5, "3": 9.0, "6": 12.0, "12": 20.0}},
            }
        },
        intervals={"residential_external": {"1": [0.9, 1.1], "3": [0.8, 1.2]}},
        interval_coverage=[{"horizon": 1, "forecasts": 8, "before": 0.5, "after": 0.75}],
    )


def test_a_dashboard_table_has_its_title_formats_and_frozen_header(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    sheet = _sheet(client.get(f"{reverse('dashboards:table', args=['services', 'xlsx'])}?{_query(run)}"))
    title = sheet["A1"].value
    assert title.startswith("Nottinghamshire County Council – Services and their budget lines (middle scenario)")
    assert f"Period {run.period}, July 2019" in title and f"Forecast run {run.pk}, " in title
    assert re.search(r"\d{1,2} \w+ \d{4} \d{1,2}:\d\d[ap]m$", title)
    assert sheet["A1"].font.bold and all(c.font.bold for c in sheet[3])
    assert sheet.freeze_panes == "A4"
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["Service", "Budget line code", "Budget line", "Annual budget"]
    budget = sheet.cell(row=4, column=4)
    assert budget.data_type == "n" and budget.value > 0 and budget.number_format == MONEY_FORMAT
    assert sheet.cell(row=4, column=8).number_format == PERCENT_FORMAT


def test_the_service_drill_down_downloads_each_of_its_tables(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    url = f"{reverse('dashboards:service')}?{_query(run, service='Children in Care')}"
    page = client.get(url).content.decode()
    assert "table=lines&amp;format=xlsx" in page and "table=placements-residential_external&amp;format=csv" in page
    sheet = _sheet(client.get(f"{url}&table=lines&format=xlsx"))
    assert "Children in Care: budget lines" in sheet["A1"].value
    assert [c.value for c in sheet[3]][:3] == ["Budget line code", "Budget line", "Budget"]
    assert sheet["C4"].number_format == MONEY_FORMAT
    months = _sheet(client.get(f"{url}&table=placements-residential_external&format=xlsx"))
    assert [c.value for c in months[3]][:2] == ["Month", "Actual or forecast"] and months.max_row == 3 + 12
    assert months["G4"].number_format == MONEY_FORMAT
    team = f"{reverse('dashboards:service')}?{_query(run, service='Social Work')}&table=team-CP&format=csv"
    assert _csv_header(client.get(team))[2:4] == ["Permanent FTE", "Agency FTE"]
    assert client.get(f"{url}&table=nope&format=csv").status_code == 404


def test_the_service_drill_down_download_is_the_signed_in_authority_s(run, client_for, other_authority) -> None:  # type: ignore[no-untyped-def]
    stranger = UserFactory(username="oscar", authority=other_authority, role=Role.DIRECTOR)
    url = f"{reverse('dashboards:service')}?{_query(run, service='Children in Care')}&table=lines&format=xlsx"
    assert client_for(stranger).get(url).status_code == 404


def test_the_audit_log_downloads_every_filtered_event_of_the_authority_only(
    authority, other_authority, director, client_for
) -> None:  # type: ignore[no-untyped-def]
    AuditEvent.objects.create(
        authority=authority,
        actor="fran",
        action="budget.set",
        object_type="budget",
        object_repr="CIC-RES",
        before={"amount": 1},
        after={"amount": 2},
        reason="=rise",
    )
    AuditEvent.objects.create(
        authority=other_authority, actor="olly", action="budget.set", object_type="budget", object_repr="SECRET"
    )
    client = client_for(director)
    assert "format=xlsx" in client.get(reverse("core:audit")).content.decode()
    sheet = _sheet(client.get(f"{reverse('core:audit')}?action=budget&format=xlsx"))
    assert sheet["A1"].value == "Nottinghamshire County Council – Audit log, changes starting budget"
    assert [c.value for c in sheet[3]] == ["When", "Who", "Change", "What", "Before", "After", "Reason"]
    assert sheet.max_row == 4 and sheet["D4"].value == "CIC-RES" and sheet["G4"].value == "'=rise"
    assert sheet["A4"].is_date and sheet["A4"].number_format == DATE_TIME_FORMAT
    assert sheet["C4"].value == "Set a budget"  # the kind of change and its amounts in words, not codes
    assert sheet["E4"].value == "Amount: £0.01" and sheet["F4"].value == "Amount: £0.02"
    text = client.get(f"{reverse('core:audit')}?format=csv").content.decode("utf-8-sig")
    assert "CIC-RES" in text and "SECRET" not in text
    stranger = UserFactory(username="oscar", authority=other_authority, role=Role.DIRECTOR)
    theirs = client_for(stranger).get(f"{reverse('core:audit')}?format=csv").content.decode("utf-8-sig")
    assert "SECRET" in theirs and "CIC-RES" not in theirs


def test_the_back_test_tables_download_for_the_authority_only(authority, other_authority, director, client_for) -> None:  # type: ignore[no-untyped-def]
    _report(authority)
    client = client_for(director)
    url = reverse("forecast_runs:backtest")
    page = client.get(url).content.decode()
    for name in ("chosen", "errors", "coverage", "accuracy"):
        assert f"table={name}&amp;format=xlsx" in page
    chosen = _sheet(client.get(f"{url}?table=chosen&format=xlsx"))
    assert chosen["A1"].value == (
        "Nottinghamshire County Council – Back-test: the method each forecast uses, and its range – As at 31 July 2019"
    )
    assert [c.value for c in chosen[3]][:3] == ["Placements", "Method chosen", "Why"]
    assert chosen["D4"].value == "10.0% below to 10.0% above"  # one decimal place, as everywhere
    errors = _sheet(client.get(f"{url}?table=errors&format=xlsx"))
    assert errors["C4"].value == 0.045 and errors["C4"].number_format == PERCENT_FORMAT
    coverage = _sheet(client.get(f"{url}?table=coverage&format=xlsx"))
    assert coverage["D4"].value == 0.75 and coverage["D4"].number_format == PERCENT_FORMAT
    assert _csv_header(client.get(f"{url}?table=accuracy&format=csv"))[1] == "Error 1 month ahead"
    stranger = UserFactory(username="oscar", authority=other_authority, role=Role.DIRECTOR)
    assert client_for(stranger).get(f"{url}?table=chosen&format=csv").status_code == 404


CONTRACT_TABLES = ("lines", "placements", "workforce", "savings")


def _page_downloads(run, published_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every page download this county has, as (url, format)."""
    urls = []
    names = ["headline", "services", "savings", "likely-range", "spend", "children", "bridge", "scenarios"]
    for name in names:
        urls.append(f"{reverse('dashboards:table', args=[name, 'FMT'])}?{_query(run)}")
        urls.append(reverse("dashboards:published_table", args=[published_id, name, "FMT"]))
    service = f"{reverse('dashboards:service')}?{_query(run, service='Children in Care')}"
    urls += [f"{service}&table=lines&format=FMT", f"{service}&table=placements-residential_external&format=FMT"]
    for table in ("variance_explained", "models_used", "movement", "likely_range", *CONTRACT_TABLES):
        urls.append(reverse("forecast_runs:run_download", args=[run.pk, table, "FMT"]))
    urls += [
        f"{reverse('forecast_runs:backtest')}?table={name}&format=FMT"
        for name in ("chosen", "errors", "coverage", "accuracy")
    ]
    urls += [
        f"{reverse('core:audit')}?format=FMT",
        "/lines/?year=2019/20&format=FMT",
        "/scenarios/?format=FMT",
        "/placements/?format=FMT",
        "/placements/mapping/?format=FMT",
        "/placements/unit-costs/?format=FMT",
        "/workforce/?format=FMT",
        "/workforce/snapshots/?table=trend&format=FMT",
    ]
    urls += [f"/placements/kpis/?year=2019/20&table={name}&format=FMT" for name in ("summary", "monthly", "flows")]
    return [(url.replace("%7Bfmt%7D", fmt).replace("FMT", fmt), fmt) for url in urls for fmt in ("csv", "xlsx")]


# The CSVs that are the data formats' own files keep their column codes (docs/dashboards.md).
FILE_CSVS = ("/lines/", "/scenarios/", "/placements/?", *(f"/{t}.csv" for t in CONTRACT_TABLES))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_page_download_has_a_column_code_for_a_header(run, director, client_for, fmt: str) -> None:  # type: ignore[no-untyped-def]
    from dashboards import services

    _report(run.authority)
    published = services.period_sign_off(
        authority=run.authority, user=director, run=run, comment="ok", acknowledged=everything_looked_at(run)
    )
    client = client_for(director)
    checked = 0
    for url, kind in _page_downloads(run, published.pk):
        if kind != fmt or (fmt == "csv" and any(part in url for part in FILE_CSVS)):
            continue
        response = client.get(url)
        assert response.status_code == 200, url
        header = _csv_header(response) if fmt == "csv" else [c.value for c in _sheet(response)[3]]
        assert header, url
        codes = [h for h in header if h and CODE.search(str(h))]
        assert codes == [], (url, codes)
        if fmt == "xlsx":
            assert _sheet(response)["A1"].value.startswith("Nottinghamshire County Council – "), url
        checked += 1
    assert checked >= 30
