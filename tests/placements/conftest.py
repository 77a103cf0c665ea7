from __future__ import annotations

from datetime import date

import pytest

from accounts.models import Authority
from forecasting.models import BudgetLine, PlacementType
from tests.factories import BudgetLineFactory

HEADER = (
    "placement_ref,child_ref,child_dob,placement_type,provider,procurement,start_date,end_date,"
    "planned_end_date,weekly_cost,health_contribution,education_contribution,uasc,line_code\n"
)
TODAY = date(2024, 6, 1)


def register_csv(*rows: str) -> bytes:
    """A register file: each row gives every column in HEADER order."""
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


@pytest.fixture
def placement_lines(authority: Authority, placement_types: dict[str, PlacementType]) -> dict[str, BudgetLine]:
    """Placements budget lines of the types the tests use."""
    spec = {
        "CIC-FOS-IFA": "fostering_ifa",
        "CIC-RES-EXT": "residential_external",
        "CIC-FOS-INH": "fostering_in_house",
        "CIC-SEC": "secure",
        "CL-SPUT": "staying_put",
    }
    return {
        code: BudgetLineFactory(
            authority=authority,
            code=code,
            name=code,
            category=BudgetLine.Category.PLACEMENTS,
            placement_type=placement_types[type_code],
        )
        for code, type_code in spec.items()
    }
