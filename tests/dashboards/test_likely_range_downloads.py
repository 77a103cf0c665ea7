"""The likely range of the outturn in every download of a run's tables: the run page, the live
dashboard, the published copy and export_forecast (CSV and XLSX), on the small county, whose
middle scenario forecasts external residential by the statistical model (so it has a range)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import services
from forecast_runs.exports import run_table_frame
from tests.dashboards.county import everything_looked_at

pytestmark = pytest.mark.django_db

HEADERS = ["Budget line code", "Budget line", "Likely low (£)", "Forecast outturn (£)", "Likely high (£)"]


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _expected(run) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The run's stored range in pounds: residential then the department (line codes in order;
    IFA by net change has no interval, so its range is its outturn)."""
    ranges = run_table_frame(run, "outturn_ranges")
    names = {"CIC-FOS-IFA": "Independent fostering", "CIC-RES-EXT": "External residential"}
    rows = []
    for level in ("line", "department"):
        part = ranges[ranges["level"] == level].sort_values("line_code")
        for code, low, outturn, high in zip(
            part["line_code"], part["outturn_p10"], part["outturn"], part["outturn_p90"], strict=True
        ):
            rows.append(
                {
                    "Budget line code": code if level == "line" else "",
                    "Budget line": names[code] if level == "line" else "Department total",
                    "Likely low (£)": f"{int(low) / 100:.2f}",
                    "Forecast outturn (£)": f"{int(outturn) / 100:.2f}",
                    "Likely high (£)": f"{int(high) / 100:.2f}",
                }
            )
    return rows


def test_the_run_page_downloads_the_likely_range_as_csv_and_xlsx(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    page = client.get(reverse("forecast_runs:run", args=[run.pk]))
    assert reverse("forecast_runs:run_download", args=[run.pk, "likely_range", "csv"]) in page.content.decode()
    response = client.get(reverse("forecast_runs:run_download", args=[run.pk, "likely_range", "csv"]))
    rows = _csv(response.content)
    assert list(rows[0]) == HEADERS
    assert rows == _expected(run)
    assert [r["Budget line code"] for r in rows] == ["CIC-FOS-IFA", "CIC-RES-EXT", ""]
    residential, department = rows[1], rows[2]
    assert (
        Decimal(residential["Likely low (£)"])
        < Decimal(residential["Forecast outturn (£)"])
        < Decimal(residential["Likely high (£)"])
    )
    middle = {h.scenario: h for h in page.context["headlines"]}["middle"]
    assert department["Likely low (£)"] == f"{middle.likely_low / 100:.2f}"  # type: ignore[operator]
    assert department["Forecast outturn (£)"] == f"{middle.outturn / 100:.2f}"
    book = client.get(reverse("forecast_runs:run_download", args=[run.pk, "likely_range", "xlsx"]))
    sheet = load_workbook(io.BytesIO(book.content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]  # type: ignore[union-attr]
    assert values[2] == HEADERS  # under the title row and a blank row
    assert values[5][1] == "Department total" and values[5][2] == float(department["Likely low (£)"])


def test_the_dashboard_and_the_published_copy_download_the_same_likely_range(
    run, director, committee_member, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    query = f"year={run.year.label}&period={run.period}&run={run.pk}"
    page = client.get(f"{reverse('dashboards:period')}?{query}")
    assert reverse("dashboards:table", args=["likely-range", "csv"]) in page.content.decode()
    live = client.get(f"{reverse('dashboards:table', args=['likely-range', 'csv'])}?{query}")
    assert _csv(live.content) == _expected(run)
    xlsx = client.get(f"{reverse('dashboards:table', args=['likely-range', 'xlsx'])}?{query}")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('likely-range.xlsx"')
    # The worst scenario has no range: no table to download.
    worst = client.get(f"{reverse('dashboards:table', args=['likely-range', 'csv'])}?{query}&scenario=worst")
    assert worst.status_code == 404

    published = services.period_sign_off(
        authority=run.authority, user=director, run=run, comment="ok", acknowledged=everything_looked_at(run)
    )
    frozen = client_for(committee_member).get(
        reverse("dashboards:published_table", args=[published.pk, "likely-range", "csv"])
    )
    assert _csv(frozen.content) == _expected(run)


def test_export_forecast_writes_the_likely_range(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "range.csv"
    call_command("export_forecast", str(run.pk), "--table", "likely_range", "--output", str(target))
    assert _csv(target.read_bytes()) == _expected(run)
    # The contract's tables are as they were.
    lines = tmp_path / "lines.csv"
    call_command("export_forecast", str(run.pk), "--output", str(lines))
    assert "forecast_outturn" in lines.read_text().splitlines()[0]
