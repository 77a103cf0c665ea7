"""Workforce fixtures: two workforce budget lines (child protection and assessment)."""

from __future__ import annotations

import pytest

from core.services import import_run
from forecasting.models import BudgetLine
from tests.factories import BudgetLineFactory


@pytest.fixture
def workforce_lines(authority) -> dict[str, BudgetLine]:  # type: ignore[no-untyped-def]
    return {
        "CP": BudgetLineFactory(
            authority=authority,
            code="SW-CP",
            name="Child protection teams",
            category=BudgetLine.Category.WORKFORCE,
            team_code="CP",
        ),
        "AS": BudgetLineFactory(
            authority=authority,
            code="SW-AS",
            name="Assessment teams",
            category=BudgetLine.Category.WORKFORCE,
            team_code="AS",
        ),
    }


@pytest.fixture
def other_workforce_lines(other_authority) -> dict[str, BudgetLine]:  # type: ignore[no-untyped-def]
    return {
        "CP": BudgetLineFactory(
            authority=other_authority,
            code="SW-CP",
            name="Child protection teams",
            category=BudgetLine.Category.WORKFORCE,
            team_code="CP",
        ),
    }


HEADER = (
    "record,team,team_name,hard_to_retain,ref,post_ref,role,fte,annual_cost,worker_type,weekly_rate,"
    "agency_reason,absence,start_date,end_date,caseload\n"
)

# Team CP (child protection, hard to retain): 4 posts of 1.0 FTE at £41,600 (£800 a week).
# P1 held by W1 (at work, 18 cases); P2 held by W2 (on maternity leave); P3 and P4 empty.
# Agency: A1 covers the maternity leave at £1,200 a week; A2 covers a vacancy at £1,100 a week,
# 0.5 FTE at £650 a week... see the tests for the arithmetic.
GOOD = HEADER + (
    'post,CP,Child protection North,Y,P1,,social worker,1,"£41,600",,,,,,,\n'
    "post,CP,Child protection North,Y,P2,,social worker,1,41600,,,,,,,\n"
    "post,CP,,,P3,,social worker,1,41600,,,,,,,\n"
    "post,CP,,,P4,,social worker,1,41600,,,,,,,\n"
    "worker,CP,,,W1,P1,social worker,1,36000,permanent,,,,2015-01-05,,18\n"
    "worker,CP,,,W2,P2,social worker,1,36000,permanent,,,maternity,2016-03-01,,\n"
    "worker,CP,,,A1,,social worker,1,,agency,1200,maternity,,2019-05-01,2019-12-31,16\n"
    "worker,CP,,,A2,,social worker,0.5,,agency,650,vacancy,,2019-06-03,,8\n"
)


def run_import(
    authority,
    text: str,
    *,
    as_at: str | None = "2019-07-31",
    name: str = "workforce.csv",  # type: ignore[no-untyped-def]
    dry_run: bool = False,
    user=None,
):
    return import_run(
        authority=authority,
        kind="workforce",
        source=name,
        data=text.encode("utf-8"),
        options={"year": None, "as_at": as_at},
        user=user,
        dry_run=dry_run,
    )


def errors(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in plan.errors]
