"""The demo county's budget and actuals (seed_demo).

A county children's services department of about £120m net, with the lines a county has:
placements by type, social work teams, legal, care leavers, allowances, early help, income.
Figures are generated deterministically from the year, so every run of seed_demo gives the
same numbers. Overspends follow the pattern in the committee reports: external residential and
IFA placements over budget, agency social work over budget, legal costs over budget.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from accounts.models import Authority, User
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.models import BudgetLine, FinancialYear, PlacementType
from forecasting.services import (
    actuals_save,
    budget_line_save,
    budget_set,
    financial_year_get_or_create,
    period_lock,
    period_submit,
)


@dataclass(frozen=True)
class DemoLine:
    code: str
    name: str
    service_area: str
    category: str
    budget_pounds: int
    placement_type: str | None = None
    team: str = ""
    method: str = BudgetLine.Method.PROFILE
    numbers: int | None = None
    pressure: float = 0.0  # how far actual spend runs over (+) or under (−) budget


PL, WF, OT, IN = "placements", "workforce", "other", "income"
DEMO_LINES: tuple[DemoLine, ...] = (
    DemoLine(
        "CIC-FOS-INH",
        "In-house fostering",
        "Children in Care",
        PL,
        9_120_000,
        "fostering_in_house",
        numbers=380,
        pressure=-0.02,
    ),
    DemoLine(
        "CIC-FOS-IFA",
        "Independent fostering agencies",
        "Children in Care",
        PL,
        10_560_000,
        "fostering_ifa",
        numbers=215,
        pressure=0.05,
    ),
    DemoLine(
        "CIC-FOS-KIN", "Connected carers (kinship)", "Children in Care", PL, 2_750_000, "fostering_kinship", numbers=160
    ),
    DemoLine(
        "CIC-RES-EXT",
        "External residential placements",
        "Children in Care",
        PL,
        22_400_000,
        "residential_external",
        numbers=82,
        pressure=0.11,
    ),
    DemoLine(
        "CIC-RES-INH",
        "In-house children's homes",
        "Children in Care",
        PL,
        4_680_000,
        "residential_in_house",
        numbers=18,
    ),
    DemoLine(
        "CIC-SUP",
        "Supported accommodation (16–17)",
        "Children in Care",
        PL,
        4_220_000,
        "supported_accommodation",
        numbers=58,
        pressure=0.04,
    ),
    DemoLine(
        "CIC-SEC", "Secure welfare placements", "Children in Care", PL, 1_090_000, "secure", numbers=3, pressure=0.15
    ),
    DemoLine("CIC-PAC", "Parent and child placements", "Children in Care", PL, 920_000, "parent_and_child", numbers=8),
    DemoLine(
        "CIC-RSC",
        "Residential schools (care share)",
        "Children in Care",
        PL,
        1_480_000,
        "residential_school",
        numbers=7,
    ),
    DemoLine("CIC-REM", "Remand and youth custody", "Children in Care", PL, 380_000, "youth_custody", numbers=2),
    DemoLine(
        "CIC-PWP", "Placed with parents (support)", "Children in Care", PL, 210_000, "placed_with_parents", numbers=40
    ),
    DemoLine("CIC-ADP", "Placed for adoption (interagency)", "Children in Care", PL, 1_650_000, "adoption", numbers=30),
    DemoLine("CL-SPUT", "Staying put", "Care Leavers", PL, 940_000, "staying_put", numbers=45),
    DemoLine(
        "CL-LVC", "Leaving care accommodation", "Care Leavers", PL, 3_180_000, "leaving_care", numbers=75, pressure=0.03
    ),
    DemoLine("CL-SUP", "Care leavers' allowances and support", "Care Leavers", OT, 1_640_000),
    DemoLine("SW-MASH", "Multi-Agency Safeguarding Hub", "Social Work", WF, 2_140_000, team="MASH", pressure=0.03),
    DemoLine("SW-ASSESS", "Assessment teams", "Social Work", WF, 5_620_000, team="ASSESS", pressure=0.07),
    DemoLine("SW-CP-N", "Child protection – North", "Social Work", WF, 4_930_000, team="CPN", pressure=0.06),
    DemoLine("SW-CP-S", "Child protection – South", "Social Work", WF, 4_810_000, team="CPS", pressure=0.05),
    DemoLine("SW-LAC", "Children in care teams", "Social Work", WF, 3_940_000, team="LAC", pressure=0.02),
    DemoLine("SW-CWD", "Children with disabilities team", "Social Work", WF, 2_310_000, team="CWD"),
    DemoLine("SW-COURT", "Court team", "Social Work", WF, 1_520_000, team="COURT", pressure=0.04),
    DemoLine("SW-PA", "Leaving care personal advisers", "Social Work", WF, 2_380_000, team="PA"),
    DemoLine("SW-FOST", "Fostering service", "Social Work", WF, 2_240_000, team="FOST"),
    DemoLine("SW-IRO", "Independent reviewing officers", "Social Work", WF, 1_310_000, team="IRO"),
    DemoLine(
        "LEG-EXT",
        "External legal costs (care proceedings)",
        "Legal",
        OT,
        2_600_000,
        method=BudgetLine.Method.RUN_RATE,
        pressure=0.12,
    ),
    DemoLine("LEG-INT", "Legal services recharge", "Legal", OT, 1_400_000, method=BudgetLine.Method.BUDGET),
    DemoLine("ALW-SGO", "Special guardianship allowances", "Allowances", OT, 4_620_000, pressure=0.03),
    DemoLine("ALW-ADP", "Adoption allowances", "Allowances", OT, 1_180_000),
    DemoLine("ALW-CAO", "Child arrangements order allowances", "Allowances", OT, 790_000),
    DemoLine("EH-HUB", "Family hubs and children's centres", "Early Help", OT, 6_480_000, pressure=-0.03),
    DemoLine("EH-FAM", "Early help family support", "Early Help", OT, 4_230_000, pressure=-0.02),
    DemoLine("EH-YOS", "Youth justice service", "Early Help", OT, 1_890_000),
    DemoLine("CWD-SB", "Disabled children's short breaks", "Disabilities", OT, 3_760_000, pressure=0.04),
    DemoLine(
        "CWD-DP", "Direct payments", "Disabilities", OT, 2_150_000, method=BudgetLine.Method.RUN_RATE, pressure=0.06
    ),
    DemoLine("UASC-SUP", "Unaccompanied asylum-seeking children support", "Children in Care", OT, 1_210_000),
    DemoLine("MGT-BS", "Management and business support", "Management", OT, 5_480_000, pressure=-0.01),
    DemoLine("MGT-QA", "Safeguarding partnership and quality assurance", "Management", OT, 920_000),
    DemoLine("MGT-WFD", "Workforce development and ASYE programme", "Management", OT, 710_000),
    DemoLine(
        "INC-UASC",
        "Home Office UASC grant",
        "Income",
        IN,
        -2_940_000,
        method=BudgetLine.Method.RUN_RATE,
        pressure=-0.05,
    ),
    DemoLine("INC-HEALTH", "Health contributions (continuing care)", "Income", IN, -2_210_000, pressure=-0.04),
    DemoLine("INC-EDU", "Education contributions to placements", "Income", IN, -1_090_000),
    DemoLine("INC-TRADE", "Sold services income", "Income", IN, -580_000, pressure=0.10),
)


def demo_lines_total_pounds() -> int:
    return sum(line.budget_pounds for line in DEMO_LINES)


def seed_budget_and_actuals(
    *, authority: Authority, year_label: str, as_at_period: int, user: User | None, director: User | None = None
) -> FinancialYear:
    """Budgets for the year and the year before; actuals for periods 1..as_at_period (the whole
    previous year); previous year locked; this year's early periods locked, the last submitted."""
    types = {t.code: t for t in PlacementType.objects.all()}
    calendar = Calendar.from_label(year_label)
    previous_label = Calendar(calendar.start_year - 1).label
    lines: dict[str, BudgetLine] = {}
    for spec in DEMO_LINES:
        lines[spec.code] = budget_line_save(
            authority=authority,
            user=user,
            code=spec.code,
            name=spec.name,
            service_area=spec.service_area,
            category=spec.category,
            placement_type=types[spec.placement_type] if spec.placement_type else None,
            team_code=spec.team,
            method=spec.method,
        )
    for label, periods, uplift in ((previous_label, 12, Decimal("0.96")), (year_label, as_at_period, Decimal(1))):
        year = financial_year_get_or_create(authority=authority, label=label)
        rng = random.Random(f"outturn-demo-{label}")
        for spec in DEMO_LINES:
            amount = int(Decimal(spec.budget_pounds) * uplift) * 100
            budget_set(
                authority=authority,
                user=user,
                line=lines[spec.code],
                year=year,
                amount=amount,
                reason="original budget",
                budget_numbers=Decimal(spec.numbers) if spec.numbers else None,
            )
        for period in year.periods.order_by("number")[:periods]:
            amounts: dict[int, int | None] = {}
            for spec in DEMO_LINES:
                monthly = spec.budget_pounds * float(uplift) / 12
                # Pressure builds through the year; noise of a few per cent month to month.
                growth = 1 + spec.pressure * (0.6 + 0.8 * period.number / 12)
                noise = rng.gauss(1.0, 0.035)
                amounts[lines[spec.code].pk] = round(monthly * growth * noise * 100)
            actuals_save(authority=authority, user=user, period=period, amounts=amounts, action="actuals.demo")
        # Periods move in order: each is submitted (its actuals are complete) before it is locked.
        for period in year.periods.order_by("number")[:periods]:
            if period.number <= periods - 1 or label == previous_label:
                period = period_submit(period=period, user=user, forecast=False)
            if label == previous_label or period.number <= periods - 2:
                period_lock(period=period, user=director or user)
    return FinancialYear.objects.get(authority=authority, label=year_label)
