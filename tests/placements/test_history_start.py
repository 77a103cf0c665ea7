"""Where the history a forecast learns from starts: the date from which the register holds every
placement (issue: never the start of the longest-running placement)."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import call_command

from core.models import ImportBatch
from forecast_runs.inputs import engine_inputs_build, inputs_summary
from forecasting.engine.backtest import backtest
from forecasting.engine.calendar import FinancialYear
from forecasting.engine.placements import month_end_history, project_placements
from forecasting.engine.scenarios import PlacementAssumption
from forecasting.models import FinancialYear as Year
from placements.models import Placement, RegisterSetting
from placements.selectors import history_start
from tests.forecasting.engine.conftest import (
    register_from_path,
    types,  # noqa: F401 - the engine's placement types
)
from tests.placements.conftest import placement_lines  # noqa: F401 - the fixture the import needs

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "ssda903-sample"


def test_an_administrators_date_comes_first(authority) -> None:  # type: ignore[no-untyped-def]
    RegisterSetting.objects.create(authority=authority, complete_from=date(2015, 4, 1))
    start = history_start(authority=authority, as_at=date(2019, 7, 31))
    assert start.day == date(2015, 4, 1)
    assert start.why == "set by an administrator: the register holds every placement from 1 April 2015"


def test_returns_start_on_1_april_of_their_earliest_collection_year(authority, placement_lines) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    files = sorted(str(p) for p in SAMPLE.glob("*.csv"))
    call_command("import_data", "ssda903", *files, "--authority", authority.code, stdout=StringIO(), stderr=StringIO())
    # the sample's earliest return is 2017/18; some of its placements began years before
    assert Placement.objects.filter(authority=authority, start_date__lt=date(2017, 4, 1)).exists()
    start = history_start(authority=authority, as_at=date(2021, 3, 31))
    assert start.day == date(2017, 4, 1)
    assert "earliest collection year of the SSDA903 returns" in start.why


def test_a_register_counts_from_the_day_it_was_first_loaded(authority) -> None:  # type: ignore[no-untyped-def]
    loaded = ImportBatch.objects.create(authority=authority, kind="placements", status=ImportBatch.Status.APPLIED)
    ImportBatch.objects.filter(pk=loaded.pk).update(created_at=pd.Timestamp("2018-06-15T10:00:00Z"))
    assert history_start(authority=authority, as_at=date(2019, 7, 31)).day == date(2018, 6, 15)
    # a register loaded after the date forecast cannot say when it became complete
    assert history_start(authority=authority, as_at=date(2018, 5, 31)).day is None


def test_nothing_known_starts_at_the_first_placement(authority) -> None:  # type: ignore[no-untyped-def]
    start = history_start(authority=authority, as_at=date(2019, 7, 31))
    assert start.day is None and "first placement" in start.why


def test_a_run_is_given_the_start_and_says_why(authority) -> None:  # type: ignore[no-untyped-def]
    RegisterSetting.objects.create(authority=authority, complete_from=date(2016, 4, 1))
    year = Year.objects.create(authority=authority, label="2019/20", start_year=2019)
    inputs = engine_inputs_build(authority=authority, year=year, period=4)
    assert inputs.history_from == date(2016, 4, 1)
    assert inputs_summary(inputs)["history_from"] == "2016-04-01"


def test_the_history_a_method_learns_from_starts_there(types: pd.DataFrame) -> None:  # noqa: F811
    # a type climbing from 1 child in April 2014 to 60 in July 2019: starting the history in
    # April 2017 leaves 28 month-ends, and the back-test forecasts nothing before it
    reg = register_from_path([min(1 + i, 60) for i in range(64)], date(2014, 4, 1))
    assumptions = {"fostering_ifa": PlacementAssumption(demand_method="trend", new_unit_cost=70_000)}
    used = project_placements(
        reg, types, FinancialYear(2019), 4, assumptions, history_from=date(2017, 4, 1)
    ).models_used
    assert int(used.set_index("placement_type").loc["fostering_ifa", "history_months"]) == 24  # trend's window
    history = month_end_history(reg, types, up_to=date(2019, 7, 31), from_date=date(2017, 4, 1))
    assert len(history[history["placement_type"] == "fostering_ifa"]) == 28
    result = backtest(
        reg,
        types,
        origins=[date(2016, 12, 31), date(2017, 12, 31)],
        actuals_up_to=date(2019, 7, 31),
        horizon=1,
        methods=("trend",),
        history_from=date(2017, 4, 1),
    )
    # 31 December 2016 is before the history starts: nothing to learn from, nothing forecast
    assert sorted(set(result.forecasts["origin"])) == [date(2017, 12, 31)]
