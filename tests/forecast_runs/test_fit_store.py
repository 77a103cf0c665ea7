"""Fitted statistical forecasts are kept in the shared cache: the month's runs find the fits of
their as-at date that the back-test made, a second back-test of the same history finds every
fit there and stores the same report; a cache that fails costs only the fit."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from forecast_runs import fit_store
from forecast_runs.backtests import backtest_execute, backtest_request
from forecast_runs.fit_store import CacheFitStore
from forecasting.engine import demand
from forecasting.models import BacktestReport, ForecastTable, Scenario, ScenarioAssumption
from forecasting.scenarios import scenarios_ensure
from tests.dashboards.county import AS_AT, build_county, run_forecast

pytestmark = pytest.mark.django_db
STORED = ("origins", "summary", "choices", "intervals", "method_intervals", "interval_coverage", "replay")


def _report_of(authority, user, as_at) -> BacktestReport:  # type: ignore[no-untyped-def]
    asked = backtest_request(authority=authority, as_at=as_at, user=user)
    assert backtest_execute(report_id=asked.pk) == BacktestReport.Status.SUCCEEDED
    asked.refresh_from_db()
    return asked


@pytest.fixture
def fitted(authority, finance_officer, monkeypatch):  # type: ignore[no-untyped-def]
    """The county with the statistical method in the middle scenario, an empty cache, and the
    list of models fitted (the length of each series the store did not have)."""
    year, _ = build_county(authority=authority, user=finance_officer)
    scenarios_ensure(authority=authority)
    ScenarioAssumption.objects.create(
        scenario=Scenario.objects.get(authority=authority, name="middle"), demand_method="statistical"
    )
    cache.clear()
    made: list[int] = []
    original = demand._fit_statistical

    def counted(series: bytes, horizon: int, season_length: int) -> demand.Fit:
        if demand._needs_a_model(series):  # one point or a flat series needs no model (and no store)
            made.append(len(series) // 8)
        return original(series, horizon, season_length)

    monkeypatch.setattr(demand, "_fit_statistical", counted)
    return year, made


def test_a_second_back_test_fits_nothing_and_stores_the_same_report(fitted, authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    year, made = fitted
    as_at = year.calendar.as_at_date(AS_AT)
    first = _report_of(authority, finance_officer, as_at)
    assert made, "the first back-test fits the statistical model"
    made.clear()
    second = _report_of(authority, finance_officer, as_at)
    assert made == []  # every fit found in the store
    for field in STORED:
        assert getattr(second, field) == getattr(first, field), field


def test_the_runs_of_the_month_find_the_fits_of_their_date_made_by_the_back_test(
    fitted, authority, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    year, made = fitted
    _report_of(authority, finance_officer, year.calendar.as_at_date(AS_AT))
    made.clear()
    run = run_forecast(authority=authority, year=year, user=finance_officer)
    assert made == []  # the run's statistical forecasts came from the store
    table = ForecastTable.objects.get(run=run, name="models_used")
    models = {dict(zip(table.columns, row, strict=True))["model"] for row in table.rows}
    assert "AutoETS" in models  # and a fitted model was used, not a method without a fit


class Broken:
    def get(self, key: str) -> Any:
        raise ConnectionError("the cache is down")

    def set(self, key: str, value: Any, timeout: int | None = None) -> None:
        raise ConnectionError("the cache is down")


def test_a_cache_that_fails_or_holds_something_else_gives_no_fit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = CacheFitStore()
    fit: demand.Fit = ((1.0, 2.0), (0.5, 1.5), (1.5, 2.5), "AutoETS")
    cache.clear()
    store.set("k", fit)
    assert store.get("k") == fit
    cache.set(fit_store.PREFIX + "other", ["not", "a", "fit"])
    assert store.get("other") is None
    assert store.get("absent") is None
    monkeypatch.setattr(fit_store, "cache", Broken())
    assert store.get("k") is None
    store.set("k", fit)  # does not raise
