from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.dashboards.county import build_county, run_forecast, set_assumptions


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    # Documents are cached per run id; ids repeat across tests on a rolled-back database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def county(authority, finance_officer):  # type: ignore[no-untyped-def]
    year, lines = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)
    return year


@pytest.fixture
def run(county, authority, finance_officer):  # type: ignore[no-untyped-def]
    return run_forecast(authority=authority, year=county, user=finance_officer)
