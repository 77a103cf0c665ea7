"""An upload in a real browser, at a desktop width (1366 px) and a phone's (390 px): the columns
and a template on the upload page, the check followed by the page until the preview with its
problems, then a good file imported and what changed. Axe (WCAG 2.2 A/AA) on every page, no
console errors, no request to another origin and nothing wider than the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core import tasks
from core.models import ImportBatch
from forecasting.models import Budget
from tests.uploads import run_upload_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD = "line_code,line_name,service_area,category,annual_budget\nLEG-EXT,External legal,Legal,other,lots\n"
GOOD = 'line_code,line_name,service_area,category,annual_budget\nLEG-EXT,External legal,Legal,other,"1,200"\n'


def _clean(visitor: Any, where: str) -> None:
    assert visitor.axe_violations() == [], where
    assert visitor.console_errors == [], f"{where}: {visitor.console_errors}"
    assert visitor.foreign_requests() == [], f"{where}: {visitor.foreign_requests()}"
    width = visitor.page.evaluate("document.documentElement.scrollWidth")
    assert width <= visitor.page.viewport_size["width"], f"{where}: the page is {width} px wide"


@pytest.mark.parametrize("width", [1366, 390])
def test_an_officer_uploads_sees_the_problems_then_imports_a_good_file(
    width, visitor, finance_officer, placement_types, monkeypatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # The live server queues the check; the test plays the worker (run_upload_worker).
    monkeypatch.setattr(tasks.import_batch_check_task, "apply_async", lambda args, **options: None)
    monkeypatch.setattr(tasks.import_batch_apply_task, "apply_async", lambda args, **options: None)
    officer = visitor()
    officer.page.set_viewport_size({"width": width, "height": 900})
    officer.sign_in(finance_officer.username)
    page = officer.page
    page.goto("/uploads/")
    page.click("#columns-budget summary")
    assert "annual_budget" in page.inner_text("#columns-budget")
    _clean(officer, "upload page, the budget's columns open")
    with page.expect_download() as download:
        page.click("#columns-budget a[href='/uploads/templates/budget.csv']")
    assert download.value.suggested_filename == "budget-template.csv"

    bad = tmp_path / "budget.csv"
    bad.write_text(BAD, encoding="utf-8")
    page.select_option("#id_kind", "budget")
    page.fill("#id_year", "2019/20")
    page.set_input_files("#id_file", str(bad))
    page.click("text=Check the file")
    page.wait_for_selector("text=Checking the file in the background")
    _clean(officer, "upload being checked")
    run_upload_worker()
    # The page follows the check and reloads itself when it is done.
    page.wait_for_selector("text=1 problem – nothing was written", timeout=15_000)
    assert "Download all problems (CSV)" in page.inner_text("main")
    _clean(officer, "preview with a problem")

    good = tmp_path / "budget-fixed.csv"
    good.write_text(GOOD, encoding="utf-8")
    page.goto("/uploads/")
    page.select_option("#id_kind", "budget")
    page.fill("#id_year", "2019/20")
    page.set_input_files("#id_file", str(good))
    page.click("text=Check the file")
    run_upload_worker()
    page.wait_for_selector("text=Import these changes", timeout=15_000)
    _clean(officer, "preview of a good file")
    page.click("text=Import these changes")
    page.wait_for_selector("text=Importing in the background")
    run_upload_worker()
    page.wait_for_selector("text=What changed", timeout=15_000)
    assert "budget-fixed.csv imported." in page.inner_text("main")
    assert "Added: 1" in page.inner_text("main")
    _clean(officer, "result")
    assert Budget.objects.get().amount == 120_000
    assert ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED).count() == 1
