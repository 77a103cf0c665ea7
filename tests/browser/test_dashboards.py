"""The month's journey in a real browser: the finance officer runs the forecast and writes the
commentary, the director signs off, a councillor opens the published period and downloads the
PDF. Every dashboard page passes axe's WCAG 2.2 AA rules, draws its charts under the strict
content security policy and asks for nothing from another origin."""

from __future__ import annotations

import csv
import io
import re
import threading

import pytest
from django.db import connection

from dashboards import services
from dashboards.models import PublishedPeriod
from dashboards.pdf import pdf_page_count
from forecast_runs.execute import forecast_run_execute
from forecasting.models import ForecastRun
from forecasting.templatetags.outturn import pounds
from tests.dashboards.county import build_county, set_assumptions
from tests.dashboards.test_pdf import pdf_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_page(person, name: str) -> None:  # type: ignore[no-untyped-def]
    violations = person.axe_violations()
    assert violations == [], f"{name}: {violations}"
    assert person.console_errors == [], f"{name}: {person.console_errors}"


def _pdf_worker(*, pdf_id: int) -> None:
    """Stands in for the Celery worker: makes the PDF on another thread, as a worker would."""

    def work() -> None:
        try:
            services.snapshot_pdf_generate(pdf_id=pdf_id)
        finally:
            connection.close()

    threading.Thread(target=work, daemon=True).start()


def test_officer_director_and_councillor_produce_and_read_the_period(
    visitor,
    authority,
    finance_officer,
    director,
    committee_member,
    dispatched_runs,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    year, _lines = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)
    monkeypatch.setattr(services, "snapshot_pdf_dispatch", _pdf_worker)

    # The finance officer runs the forecast as at period 4 ...
    officer = visitor()
    officer.sign_in(finance_officer.username)
    officer.page.goto("/forecasts/")
    officer.page.select_option("#run-period", "4")
    officer.page.click("text=Run forecast")
    officer.page.wait_for_url(re.compile(r"/forecasts/\d+/$"))
    assert len(dispatched_runs) == 1
    assert forecast_run_execute(run_id=dispatched_runs[0]) == ForecastRun.Status.SUCCEEDED  # the worker's part
    run = ForecastRun.objects.get(pk=dispatched_runs[0])

    # ... reads the dashboard and writes the variance commentary.
    officer.page.goto(f"/dashboards/?year={year.label}&period=4")
    officer.charts_drawn()
    _check_page(officer, "dashboard (finance officer)")
    officer.page.click("#write-commentary")
    _check_page(officer, "commentary")
    officer.page.get_by_label("Children in Care").fill("External residential rose to 9 children; 13 expected by March.")
    officer.page.click("#save-commentary")
    officer.page.wait_for_selector("text=Commentary saved")
    assert "13 expected by March" in officer.page.inner_text("#commentary-body")

    # The drill-down from a service to its lines.
    officer.page.click("#services-table >> text=Social Work")
    _check_page(officer, "service drill-down")
    assert officer.page.locator("#lines").inner_text().count("Child protection teams") == 1

    # The director reads the same figures and signs the period off.
    boss = visitor()
    boss.sign_in(director.username)
    boss.page.click("nav >> text=Forecast")
    boss.charts_drawn()
    _check_page(boss, "dashboard (director)")
    screen_outturn = boss.page.inner_text("#headline-outturn").strip()
    boss.page.click("#sign-off")
    _check_page(boss, "sign-off")
    for box in boss.page.locator("input[name=acknowledged]").all():
        box.check()
    boss.page.fill("#comment", "Signed off for the September committee.")
    boss.page.click("#confirm-sign-off")
    boss.page.wait_for_url(re.compile(r"/dashboards/published/\d+/$"))
    published = PublishedPeriod.objects.get()
    assert published.run_id == run.pk and published.signed_off_by == director

    # A councillor finds it on their home page, reads it and downloads the PDF.
    councillor = visitor()
    councillor.sign_in(committee_member.username)
    _check_page(councillor, "committee home")
    councillor.page.click("#published-periods >> text=2019/20 period 4")
    councillor.charts_drawn()
    _check_page(councillor, "published period")
    assert councillor.page.inner_text("#headline-outturn").strip() == screen_outturn
    assert "13 expected by March" in councillor.page.inner_text("#commentary-body")
    csv_url = councillor.page.get_attribute("a[href*='/tables/headline.csv']", "href")
    rows = {
        r["Scenario"]: r
        for r in csv.DictReader(io.StringIO(councillor.page.request.get(csv_url).text().lstrip("\ufeff")))
    }
    csv_outturn = int(round(float(rows["middle"]["Forecast outturn"]) * 100))
    assert pounds(csv_outturn) == screen_outturn

    councillor.page.click("#make-pdf")
    link = councillor.page.wait_for_selector("#pdf-download", timeout=60_000)
    assert link is not None
    with councillor.page.expect_download() as download_info:
        councillor.page.click("#pdf-download")
    content = open(download_info.value.path(), "rb").read()
    assert content.startswith(b"%PDF") and pdf_page_count(content) >= 6
    text = pdf_text(content)
    assert screen_outturn in text and "Signed off for the September committee." in text
    assert pounds(published.document["department"]["budget"]) in text
    _check_page(councillor, "published period with the PDF link")

    for person in (officer, boss, councillor):
        assert person.foreign_requests() == []


def test_the_published_list_and_empty_dashboard_pass_axe(visitor, authority, director, committee_member) -> None:  # type: ignore[no-untyped-def]
    boss = visitor()
    boss.sign_in(director.username)
    boss.page.goto("/dashboards/")
    assert boss.page.locator("#no-run").count() == 1
    _check_page(boss, "dashboard without a run")
    boss.page.goto("/dashboards/published/")
    _check_page(boss, "published list")
    assert boss.foreign_requests() == []
