from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from accounts.models import Authority, Role, User
from forecasting.models import BudgetLine, FinancialYear, PlacementType, ensure_default_placement_types
from forecasting.services import financial_year_get_or_create
from tests.factories import AuthorityFactory, BudgetLineFactory, UserFactory
from tests.support import signed_in


@pytest.fixture(autouse=True)
def dispatched_runs(request, monkeypatch):  # type: ignore[no-untyped-def]
    """Forecast runs requested in a test are recorded, not sent to the broker, unless the test
    starts a real worker (marked `worker`), in which case they go to the broker as in production."""
    sent: list[int] = []
    if request.node.get_closest_marker("worker") is None:
        from forecast_runs import dispatch

        monkeypatch.setattr(dispatch, "forecast_run_dispatch", lambda *, run_id: sent.append(run_id))
    return sent


TRIMMED_RELEASE = Path(__file__).resolve().parent / "fixtures" / "dfe-published" / "lait-bds-long-2025-11-03.parquet"


@pytest.fixture(scope="session", autouse=True)
def trimmed_published_release():  # type: ignore[no-untyped-def]
    """Tests that seed the demo load the trimmed copy of DfE's release (the demo county's
    council, its neighbours, region and England; scripts/trim_dfe_release.py), not 600,000 rows."""
    from django.conf import settings

    full = settings.OUTTURN_DEMO_PUBLISHED_RELEASE
    settings.OUTTURN_DEMO_PUBLISHED_RELEASE = TRIMMED_RELEASE
    yield
    settings.OUTTURN_DEMO_PUBLISHED_RELEASE = full


@pytest.fixture(scope="session", autouse=True)
def flush_may_empty_published_tables():  # type: ignore[no-untyped-def]
    """After a transactional test pytest-django empties every table with one TRUNCATE, which the
    database refuses while published periods are stored (dashboards migration 0003) unless the
    transaction says it means it. The test suite's flush says so; nothing in the app does."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):  # type: ignore[no-untyped-def]
        statements = original(self, style, tables, **kwargs)
        return ["SELECT set_config('outturn.truncate', 'allowed', true);", *statements] if statements else statements

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@pytest.fixture
def placement_types(db) -> dict[str, PlacementType]:  # type: ignore[no-untyped-def]
    # Tests on a flushed (transactional) database lose the rows the data migration made.
    ensure_default_placement_types()
    return {t.code: t for t in PlacementType.objects.all()}


@pytest.fixture
def authority(db) -> Authority:  # type: ignore[no-untyped-def]
    return AuthorityFactory(code="NOTTS", name="Nottinghamshire County Council")


@pytest.fixture
def other_authority(db) -> Authority:  # type: ignore[no-untyped-def]
    return AuthorityFactory(code="DORSET", name="Dorset County Council")


def _user(authority: Authority, role: str, username: str) -> User:
    return UserFactory(username=username, authority=authority, role=role)


@pytest.fixture
def finance_officer(authority: Authority) -> User:
    return _user(authority, Role.FINANCE_OFFICER, "fran")


@pytest.fixture
def director(authority: Authority) -> User:
    return _user(authority, Role.DIRECTOR, "dee")


@pytest.fixture
def committee_member(authority: Authority) -> User:
    return _user(authority, Role.COMMITTEE_MEMBER, "colin")


@pytest.fixture
def administrator(authority: Authority) -> User:
    return _user(authority, Role.ADMINISTRATOR, "ada")


@pytest.fixture
def other_finance_officer(other_authority: Authority) -> User:
    return _user(other_authority, Role.FINANCE_OFFICER, "olly")


@pytest.fixture
def year(authority: Authority) -> FinancialYear:
    return financial_year_get_or_create(authority=authority, label="2019/20")


@pytest.fixture
def lines(authority: Authority, placement_types: dict[str, PlacementType]) -> dict[str, BudgetLine]:
    """Three lines: external residential placements, legal costs and UASC grant income."""
    residential = placement_types["residential_external"]
    return {
        "CIC-RES-EXT": BudgetLineFactory(
            authority=authority,
            code="CIC-RES-EXT",
            name="External residential placements",
            category=BudgetLine.Category.PLACEMENTS,
            placement_type=residential,
        ),
        "LEG-EXT": BudgetLineFactory(
            authority=authority, code="LEG-EXT", name="External legal costs", method=BudgetLine.Method.RUN_RATE
        ),
        "INC-UASC": BudgetLineFactory(
            authority=authority, code="INC-UASC", name="Home Office UASC grant", category=BudgetLine.Category.INCOME
        ),
    }


@pytest.fixture
def client_for():  # type: ignore[no-untyped-def]
    def make(user: User) -> Client:
        return signed_in(user)

    return make
