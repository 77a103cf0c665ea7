"""A small county for dashboard tests: budgets and actuals for four periods of 2019/20, a
placement register going back to 2017 and one social work team, all written through the apps'
own services and models, and a forecast run as at period 4.

Figures (pence): external residential budget £2,000,000 for 8 children; IFA £900,000 for 20;
child protection team £1,000,000; legal £260,000 (run rate); UASC grant −£294,000.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from accounts.models import Authority, User
from forecast_runs.dispatch import forecast_run_request
from forecast_runs.execute import forecast_run_execute
from forecasting.models import (
    BudgetLine,
    FinancialYear,
    ForecastRun,
    PlacementType,
    Scenario,
    ScenarioAssumption,
    ensure_default_placement_types,
)
from forecasting.scenarios import scenarios_ensure
from forecasting.services import actuals_save, budget_set, financial_year_get_or_create
from placements.models import Child, Placement
from tests.factories import BudgetLineFactory, ServiceAreaFactory
from workforce.models import Post, Team, Worker

YEAR = "2019/20"
AS_AT = 4


def build_county(*, authority: Authority, user: User) -> tuple[FinancialYear, dict[str, BudgetLine]]:
    ensure_default_placement_types()
    types = {t.code: t for t in PlacementType.objects.all()}
    year = financial_year_get_or_create(authority=authority, label=YEAR)
    care = ServiceAreaFactory(authority=authority, name="Children in Care")
    social = ServiceAreaFactory(authority=authority, name="Social Work")
    legal = ServiceAreaFactory(authority=authority, name="Legal")
    lines = {
        "CIC-RES-EXT": BudgetLineFactory(
            authority=authority,
            code="CIC-RES-EXT",
            name="External residential",
            service_area=care,
            category=BudgetLine.Category.PLACEMENTS,
            placement_type=types["residential_external"],
        ),
        "CIC-FOS-IFA": BudgetLineFactory(
            authority=authority,
            code="CIC-FOS-IFA",
            name="Independent fostering",
            service_area=care,
            category=BudgetLine.Category.PLACEMENTS,
            placement_type=types["fostering_ifa"],
        ),
        "SW-CP": BudgetLineFactory(
            authority=authority,
            code="SW-CP",
            name="Child protection teams",
            service_area=social,
            category=BudgetLine.Category.WORKFORCE,
            team_code="CP",
        ),
        "LEG-EXT": BudgetLineFactory(
            authority=authority,
            code="LEG-EXT",
            name="External legal costs",
            service_area=legal,
            method=BudgetLine.Method.RUN_RATE,
        ),
        "INC-UASC": BudgetLineFactory(
            authority=authority,
            code="INC-UASC",
            name="Home Office UASC grant",
            service_area=care,
            category=BudgetLine.Category.INCOME,
        ),
    }
    budgets = {
        "CIC-RES-EXT": (200_000_000, Decimal(8)),
        "CIC-FOS-IFA": (90_000_000, Decimal(20)),
        "SW-CP": (100_000_000, None),
        "LEG-EXT": (26_000_000, None),
        "INC-UASC": (-29_400_000, None),
    }
    for code, (amount, numbers) in budgets.items():
        budget_set(
            authority=authority,
            user=user,
            line=lines[code],
            year=year,
            amount=amount,
            reason="",
            budget_numbers=numbers,
        )
    monthly = {
        "CIC-RES-EXT": 19_500_000,
        "CIC-FOS-IFA": 7_000_000,
        "SW-CP": 9_000_000,
        "LEG-EXT": 2_400_000,
        "INC-UASC": -2_450_000,
    }
    for number in range(1, AS_AT + 1):
        actuals_save(
            authority=authority,
            user=user,
            period=year.periods.get(number=number),
            amounts={lines[code].pk: amount for code, amount in monthly.items()},
        )
    _register(authority, types, lines)
    _team(authority, lines["SW-CP"])
    return year, lines


def _register(authority: Authority, types: dict[str, PlacementType], lines: dict[str, BudgetLine]) -> None:
    """Ten external residential placements (six above £4,100 a week) and twenty-two IFA ones,
    starting from April 2017 so that two past years have month-end numbers."""
    rows = []
    for i in range(10):
        child = Child.objects.create(authority=authority, child_ref=f"R{i:03d}", date_of_birth=date(2006, 1 + i, 1))
        start = date(2017 + i // 4, 1 + (i * 3) % 12, 1)
        end = date(2019, 6, 1) if i == 0 else None
        rows.append(
            Placement(
                authority=authority,
                placement_ref=f"PR{i:03d}",
                child=child,
                placement_type=types["residential_external"],
                start_date=start,
                end_date=end,
                weekly_cost=450_000 + i * 10_000 if i % 5 else 380_000,
                line=lines["CIC-RES-EXT"],
            )
        )
    for i in range(22):
        child = Child.objects.create(
            authority=authority, child_ref=f"F{i:03d}", date_of_birth=date(2008, 1 + i % 12, 1)
        )
        start = date(2017 + i // 8, 1 + (i * 5) % 12, 1)
        end = date(2019, 5, 1) if i in (1, 2) else None
        rows.append(
            Placement(
                authority=authority,
                placement_ref=f"PF{i:03d}",
                child=child,
                placement_type=types["fostering_ifa"],
                start_date=start,
                end_date=end,
                weekly_cost=90_000,
                line=lines["CIC-FOS-IFA"],
            )
        )
    Placement.objects.bulk_create(rows)


def _team(authority: Authority, line: BudgetLine) -> None:
    team = Team.objects.create(
        authority=authority,
        code="CP",
        name="Child protection",
        budget_line=line,
        hard_to_retain=True,
        manageable_caseload=20,
    )
    posts = [
        Post.objects.create(authority=authority, team=team, ref=f"P{i}", fte=Decimal("1.00"), annual_cost=4_500_000)
        for i in range(10)
    ]
    for i in range(8):
        Worker.objects.create(
            authority=authority,
            team=team,
            post=posts[i],
            ref=f"W{i}",
            worker_type="permanent",
            fte=Decimal("1.00"),
            start_date=date(2016, 4, 1),
            annual_cost=4_500_000,
            caseload=18 + i % 4,
        )
    for i, reason in enumerate(("vacancy", "vacancy", "maternity")):
        Worker.objects.create(
            authority=authority,
            team=team,
            ref=f"A{i}",
            worker_type="agency",
            fte=Decimal("1.00"),
            start_date=date(2019, 1, 1),
            end_date=date(2020, 3, 31),
            weekly_rate=110_000,
            agency_reason=reason,
            caseload=20,
        )


def run_forecast(
    *, authority: Authority, year: FinancialYear, period: int = AS_AT, user: User | None = None
) -> ForecastRun:
    run = forecast_run_request(authority=authority, year=year, period=period, user=user)
    assert forecast_run_execute(run_id=run.pk) == ForecastRun.Status.SUCCEEDED, run.error
    run.refresh_from_db()
    return run


def set_assumptions(*, authority: Authority) -> None:
    """Middle: external residential by the statistical model (so it has a 10–90% range), three
    more IFA children by March and agency staff down to 2 FTE; worst: six more IFA children."""
    scenarios_ensure(authority=authority)
    middle = Scenario.objects.get(authority=authority, name="middle")
    worst = Scenario.objects.get(authority=authority, name="worst")
    ScenarioAssumption.objects.create(
        scenario=middle, placement_type="residential_external", demand_method="statistical"
    )
    ScenarioAssumption.objects.create(
        scenario=middle, placement_type="fostering_ifa", demand_method="net_change", net_change=Decimal(3)
    )
    ScenarioAssumption.objects.create(scenario=middle, agency_target_fte=Decimal(2))
    ScenarioAssumption.objects.create(
        scenario=worst, placement_type="fostering_ifa", demand_method="net_change", net_change=Decimal(6)
    )


def everything_looked_at(run: ForecastRun) -> set[str]:
    """The keys of every item the sign-off page lists for `run`, as a director who ticked them all."""
    from dashboards.sign_off_reads import sign_off_checks

    return {item.key for item in sign_off_checks(run).items}
