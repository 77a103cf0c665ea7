"""An authority whose register was built from its SSDA903 returns alone is back-tested on the
returns themselves, as they stood on each past date (cut, cleaned again, rule 8 chosen), and its
next import of the returns starts from the rule that back-test chose."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from core.models import ImportBatch
from forecast_runs.backtests import backtest_execute, backtest_request
from forecast_runs.demand.series import TOTAL
from forecasting.models import BacktestReport
from placements.models import Placement
from placements.ssda903_import import stale_open_rule
from tests.placements.conftest import placement_lines  # noqa: F401 - the fixture the import needs

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[1] / "placements" / "fixtures" / "ssda903-sample"
AS_AT = date(2021, 3, 31)


@pytest.fixture
def imported(authority, placement_lines):  # type: ignore[no-untyped-def]  # noqa: F811
    files = sorted(str(p) for p in SAMPLE.glob("*.csv"))
    call_command("import_data", "ssda903", *files, "--authority", authority.code, stdout=StringIO(), stderr=StringIO())
    assert Placement.objects.filter(authority=authority).exclude(source="ssda903").count() == 0
    return authority


def _backtest(authority, user):  # type: ignore[no-untyped-def]
    asked = backtest_request(authority=authority, as_at=AS_AT, user=user)
    assert backtest_execute(report_id=asked.pk) == BacktestReport.Status.SUCCEEDED
    asked.refresh_from_db()
    return asked


def test_the_returns_are_replayed_and_the_rule_is_chosen_from_them(imported, finance_officer) -> None:  # type: ignore[no-untyped-def]
    report = _backtest(imported, finance_officer)
    assert report.replay["source"] == "returns" and report.replay["files"] == 15
    # on the sample, children kept open were nearer to what later returns showed (docs/accuracy.md)
    assert report.replay["rule"] == "keep_open"
    assert "later returns showed" in report.replay["rule_reason"]
    assert TOTAL in report.choices and "fostering_ifa" in report.choices
    assert (
        report.method_intervals["fostering_ifa"]["naive"]["1"][0]
        <= 1
        <= report.method_intervals["fostering_ifa"]["naive"]["1"][1]
    )
    assert {row["method_name"] for row in report.summary} >= {"no change", "steady percentage change"}
    # every other month-end of the returns before 31 March 2021 (those with less than a year of
    # history are not scored)
    assert report.origins[0] == "2017-05-31" and report.origins[-1] == "2021-01-31"
    # the next import starts from the rule the back-test chose, and says why
    rule, why = stale_open_rule(authority=imported, options={})
    assert rule == "keep_open" and why.startswith("chosen by the back-test as at 31 March 2021")
    assert (
        stale_open_rule(authority=imported, options={"stale_open": "close_at_return_end"})[0] == "close_at_return_end"
    )


def test_the_page_says_the_returns_were_replayed_and_which_rule(imported, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    _backtest(imported, finance_officer)
    page = client_for(finance_officer).get(reverse("forecast_runs:backtest")).content.decode()
    assert "replayed from the 15 SSDA903 files" in page
    assert "kept open" in page


def test_a_register_with_rows_of_its_own_is_back_tested_on_the_register(imported, finance_officer) -> None:  # type: ignore[no-untyped-def]
    one = Placement.objects.filter(authority=imported).first()
    Placement.objects.filter(pk=one.pk).update(source="register")  # a row the register file added
    assert _backtest(imported, finance_officer).replay["source"] == "register"


def test_returns_whose_files_were_cleared_fall_back_to_the_register(imported, finance_officer) -> None:  # type: ignore[no-untyped-def]
    batch = ImportBatch.objects.get(authority=imported, kind="ssda903")
    batch.files.update(content=b"")
    assert _backtest(imported, finance_officer).replay["source"] == "register"
