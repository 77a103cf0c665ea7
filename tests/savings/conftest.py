"""A small tracker shaped like Nottingham City's 2022/23 report, built through the services.

Plan 2022/23 to 2025/26. Amounts in pounds below; the tests work in pence (× 100).

| ref | line (how it is forecast) | status | approved £ by year | notes |
|---|---|---|---|---|
| S1 | EH-YTH (profile) | achieved | 200,000 / 180,000 / 180,000 / 180,000 | consultation 200,000 × 4 |
| S2 | CIC-RES-EXT (placements) | at_risk | 537,000 / 733,000 / 733,000 / 733,000 | |
| S3 | EH-BLD (budget) | on_track | 0 / 165,000 / 165,000 / 165,000 | |
| S4 | EH-FAM (profile) | absorbed into CTP | 309,000 × 4 | consultation 309,000 × 4 |
| S5 | SW-ASSESS (workforce) | undeliverable | 300,000 / 300,000 / – / – | |
| S6 | MGT-BS (profile) | at_risk, forecast 150,000 | 200,000 × 4 | mitigation 20,000 in 2022/23 |
| S7 | MGT-BS (profile) | on_track | 100,000 × 4, re-profiled 50,000 / 150,000 / 100,000 / 100,000 | |
| S8 | none | on_track | consultation only: 75,000 in 2022/23 | |
| S9 | none | on_track | – / 750,000.00 / 749,999.99 / – | a key decision |

Programme CTP: Nottingham's Table 1 gross target profile over 2022/23..2029/30 (£k 539, 3,557,
7,322, 9,331, 10,139, 10,417, 10,829, 11,241), investment £6.5m + £2.4m = £8.9m, delayed 6 months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Authority, User
from forecasting.models import BudgetLine
from savings.models import MediumTermPlan, Programme, Saving, SavingVersion
from savings.services import (
    VersionInput,
    medium_term_plan_set,
    programme_investment_add,
    programme_profiles_set,
    programme_save,
    saving_create,
    saving_mitigation_add,
    saving_status_record,
    saving_versions_set,
)
from tests.factories import BudgetLineFactory, ServiceAreaFactory

YEARS = ["2022/23", "2023/24", "2024/25", "2025/26"]
PROGRAMME_YEARS = ["2022/23", "2023/24", "2024/25", "2025/26", "2026/27", "2027/28", "2028/29", "2029/30"]
TARGET_K = [539, 3557, 7322, 9331, 10139, 10417, 10829, 11241]
AS_AT = date(2022, 9, 30)


def pounds(*values: float | None) -> dict[str, int]:
    """£ by plan year → pence by year label (None = no amount that year)."""
    return {y: round(v * 100) for y, v in zip(YEARS, values, strict=False) if v is not None}


@dataclass
class Tracker:
    authority: Authority
    plan: MediumTermPlan
    programme: Programme
    lines: dict[str, BudgetLine]
    savings: dict[str, Saving]


@pytest.fixture
def plan(authority: Authority, finance_officer: User) -> MediumTermPlan:
    return medium_term_plan_set(
        authority=authority,
        user=finance_officer,
        first_year="2022/23",
        last_year="2025/26",
        approved_by="Full Council",
        approved_on=date(2022, 3, 7),
    )


@pytest.fixture
def savings_lines(authority: Authority, placement_types) -> dict[str, BudgetLine]:  # type: ignore[no-untyped-def]
    def area(name: str):  # type: ignore[no-untyped-def]
        return ServiceAreaFactory(authority=authority, name=name)

    return {
        "EH-YTH": BudgetLineFactory(authority=authority, code="EH-YTH", service_area=area("Early Help")),
        "EH-BLD": BudgetLineFactory(
            authority=authority, code="EH-BLD", service_area=area("Early Help"), method=BudgetLine.Method.BUDGET
        ),
        "EH-FAM": BudgetLineFactory(authority=authority, code="EH-FAM", service_area=area("Early Help")),
        "CIC-RES-EXT": BudgetLineFactory(
            authority=authority,
            code="CIC-RES-EXT",
            service_area=area("Children in Care"),
            category=BudgetLine.Category.PLACEMENTS,
            placement_type=placement_types["residential_external"],
        ),
        "SW-ASSESS": BudgetLineFactory(
            authority=authority,
            code="SW-ASSESS",
            service_area=area("Social Work"),
            category=BudgetLine.Category.WORKFORCE,
            team_code="ASSESS",
        ),
        "MGT-BS": BudgetLineFactory(authority=authority, code="MGT-BS", service_area=area("Strategy")),
    }


@pytest.fixture
def programme(authority: Authority, finance_officer: User, plan: MediumTermPlan) -> Programme:
    made = programme_save(
        authority=authority,
        user=finance_officer,
        code="CTP",
        name="Children's transformation programme",
        first_year="2022/23",
        years=8,
        planned_start=date(2022, 5, 1),
        actual_start=date(2022, 11, 1),
        delay_months=6,
        hurdle=Decimal(3),
    )
    programme_profiles_set(
        authority=authority,
        user=finance_officer,
        programme=made,
        target={y: k * 100_000 for y, k in zip(PROGRAMME_YEARS, TARGET_K, strict=True)},
        stretch={y: round(k * 1.2) * 100_000 for y, k in zip(PROGRAMME_YEARS, TARGET_K, strict=True)},
        costs={"2022/23": 63_100_000},
    )
    programme_investment_add(
        authority=authority,
        user=finance_officer,
        programme=made,
        description="Delivery partner",
        amount=650_000_000,
        funding_source="Earmarked reserves",
    )
    programme_investment_add(
        authority=authority,
        user=finance_officer,
        programme=made,
        description="Internal specialist resources",
        amount=240_000_000,
        funding_source="Transformation funding",
    )
    return made


@pytest.fixture
def tracker(
    authority: Authority,
    finance_officer: User,
    plan: MediumTermPlan,
    programme: Programme,
    savings_lines: dict[str, BudgetLine],
) -> Tracker:
    lines = savings_lines

    def add(
        ref: str,
        line: str | None,
        status: str,
        amounts: dict[str, int],
        *,
        version: str = "approved",
        programme_: Programme | None = None,
        forecast: int | None = None,
    ) -> Saving:
        area = lines[line].service_area if line else lines["EH-YTH"].service_area
        return saving_create(
            authority=authority,
            user=finance_officer,
            ref=ref,
            title=f"Saving {ref}",
            service_area=area,
            line=lines[line] if line else None,
            amounts=amounts,
            status=status,
            as_at=AS_AT,
            year_label="2022/23",
            version=version,
            programme=programme_,
            forecast_delivery=forecast,
            approved_by="Full Council",
            approved_on=date(2022, 3, 7),
        )

    s = {
        "S1": add("S1", "EH-YTH", "achieved", pounds(200_000, 200_000, 200_000, 200_000), version="consultation"),
        "S2": add("S2", "CIC-RES-EXT", "at_risk", pounds(537_000, 733_000, 733_000, 733_000)),
        "S3": add("S3", "EH-BLD", "on_track", pounds(0, 165_000, 165_000, 165_000)),
        "S4": add(
            "S4",
            "EH-FAM",
            "absorbed",
            pounds(309_000, 309_000, 309_000, 309_000),
            version="consultation",
            programme_=programme,
        ),
        "S5": add("S5", "SW-ASSESS", "undeliverable", pounds(300_000, 300_000)),
        "S6": add("S6", "MGT-BS", "at_risk", pounds(200_000, 200_000, 200_000, 200_000), forecast=10_000_000),
        "S7": add("S7", "MGT-BS", "on_track", pounds(100_000, 100_000, 100_000, 100_000)),
        "S8": add("S8", None, "on_track", pounds(75_000), version="consultation"),
        "S9": add("S9", None, "on_track", pounds(None, 750_000, 749_999.99)),
    }
    for ref, amounts in (
        ("S1", pounds(200_000, 180_000, 180_000, 180_000)),
        ("S4", pounds(309_000, 309_000, 309_000, 309_000)),
    ):
        saving_versions_set(
            authority=authority,
            user=finance_officer,
            saving=s[ref],
            versions={SavingVersion.Version.APPROVED: VersionInput(amounts=amounts)},
        )
    saving_versions_set(
        authority=authority,
        user=finance_officer,
        saving=s["S7"],
        versions={
            SavingVersion.Version.REPROFILED: VersionInput(
                amounts=pounds(50_000, 150_000, 100_000, 100_000), note="started in October"
            ),
        },
    )
    # S6: a later cycle revises the forecast to £150,000; a cycle for next year must not leak into 2022/23.
    saving_status_record(
        authority=authority,
        user=finance_officer,
        saving=s["S6"],
        as_at=date(2022, 12, 31),
        year_label="2022/23",
        status="at_risk",
        forecast_delivery=15_000_000,
        narrative="P9",
    )
    saving_status_record(
        authority=authority,
        user=finance_officer,
        saving=s["S6"],
        as_at=date(2022, 11, 30),
        year_label="2023/24",
        status="at_risk",
        forecast_delivery=1,
        narrative="next year",
    )
    saving_mitigation_add(
        authority=authority,
        user=finance_officer,
        saving=s["S6"],
        year_label="2022/23",
        amount=2_000_000,
        source="underspend",
        description="vacancies held",
    )
    for saving in s.values():
        saving.refresh_from_db()
    return Tracker(authority=authority, plan=plan, programme=programme, lines=lines, savings=s)
