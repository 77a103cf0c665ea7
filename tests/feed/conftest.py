from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from dashboards import services as dashboard_services
from feed import services
from tests.dashboards.county import build_county, everything_looked_at, run_forecast, set_assumptions


@pytest.fixture(autouse=True)
def fresh_cache():  # type: ignore[no-untyped-def]
    # The rate limit and the dashboards' documents live in the cache; ids repeat across tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def county(authority, finance_officer):  # type: ignore[no-untyped-def]
    year, _ = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)
    return year


@pytest.fixture
def run(county, authority, finance_officer):  # type: ignore[no-untyped-def]
    return run_forecast(authority=authority, year=county, user=finance_officer)


@pytest.fixture
def published(run, director):  # type: ignore[no-untyped-def]
    return dashboard_services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
    )


@pytest.fixture
def issued(authority, administrator):  # type: ignore[no-untyped-def]
    """A live token of the authority: (its row, the token itself)."""
    return services.token_issue(authority=authority, name="Finance Power BI report", by=administrator)


@pytest.fixture
def other_issued(other_authority):  # type: ignore[no-untyped-def]
    from accounts.models import Role
    from tests.factories import UserFactory

    admin = UserFactory(username="oscar", authority=other_authority, role=Role.ADMINISTRATOR)
    return services.token_issue(authority=other_authority, name="Dorset report", by=admin)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def api() -> Client:
    # No session, no cookies: what a spreadsheet has.
    return Client(enforce_csrf_checks=True)
