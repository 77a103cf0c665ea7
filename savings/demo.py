"""The demo county's savings tracker and transformation programme (seed_demo).

Modelled on the shape of a real tracker (Nottingham City's 2022 report): savings per MTFP year
with a progress narrative, a saving absorbed into a transformation programme "to avoid any
budgetary double counts", a programme with target and stretch benefit profiles, investment
from reserves, and a start delayed by six months that re-profiles the benefits.

Everything is fixed or derived from the year, so every run gives the same figures. Savings sit
on the demo county's budget lines: some on lines forecast by budget profile or budget (their
shortfall reaches the outturn), some on placements and workforce lines (reported only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.models import Authority, Role, User
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.calendar import year_label as label_for_start
from forecasting.models import BudgetLine, ServiceArea
from savings.models import Mitigation, Programme, Saving, SavingVersion
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

K = 100_000  # pence in £1,000: the demo's figures are written in £k, as committee papers do


@dataclass(frozen=True)
class DemoSaving:
    ref: str
    title: str
    service_area: str
    line: str | None
    saving_type: str
    owner: str
    narrative: str
    approved_k: tuple[int, int, int, int]  # £k in each of the plan's four years
    status: str
    earlier_status: str  # the status at the previous reporting cycle
    progress: str
    consultation_k: tuple[int, int, int, int] | None = None  # when it differs from the approved
    reprofiled_k: tuple[int, int, int, int] | None = None
    forecast_k: int | None = None  # explicit forecast delivery this year, £k
    programme: bool = False
    part_year_start_month: int | None = None  # month of the first year the saving starts
    full_year_effect_k: int | None = None


T = Saving.Type
DEMO_SAVINGS: tuple[DemoSaving, ...] = (
    DemoSaving(
        "CHS/SAV/01",
        "Recommission external residential placements",
        "Children in Care",
        "CIC-RES-EXT",
        T.SPEND_REDUCTION,
        "Head of Commissioning",
        "Regional block contracts for children's homes beds and a tighter placement panel.",
        (600, 900, 900, 900),
        "at_risk",
        "on_track",
        "Two of four block contracts let; the market has not responded to the others. Forecast reduced.",
        consultation_k=(500, 800, 800, 800),
        forecast_k=350,
    ),
    DemoSaving(
        "CHS/SAV/02",
        "Recruit and retain more in-house foster carers",
        "Children in Care",
        "CIC-FOS-IFA",
        T.SPEND_REDUCTION,
        "Head of Fostering",
        "Higher skills payments and a support service to move children from agency to in-house carers.",
        (250, 500, 500, 500),
        "on_track",
        "on_track",
        "Eleven new carer households approved; the first moves from agency placements are under way.",
        part_year_start_month=10,
        full_year_effect_k=500,
    ),
    DemoSaving(
        "CHS/SAV/03",
        "Family hubs: children's centres staffing",
        "Early Help",
        "EH-HUB",
        T.SPEND_REDUCTION,
        "Head of Early Help",
        "The early help service works from four family hubs with fewer staff.",
        (376, 376, 376, 376),
        "achieved",
        "on_track",
        "Voluntary redundancies complete; the new structure has been in place since the start of the year.",
        consultation_k=(282, 376, 376, 376),
    ),
    DemoSaving(
        "CHS/SAV/04",
        "Family hubs: children's centre buildings",
        "Early Help",
        "EH-HUB",
        T.SPEND_REDUCTION,
        "Head of Early Help",
        "Five centres leased to community organisations.",
        (0, 259, 259, 259),
        "on_track",
        "on_track",
        "Leases agreed for four of the five centres; the fifth tenant is awaiting its auditors' advice.",
    ),
    DemoSaving(
        "CHS/SAV/05",
        "Business support restructure",
        "Management",
        "MGT-BS",
        T.SPEND_REDUCTION,
        "Head of Business Support",
        "Business support posts linked to the reduced early help offer.",
        (200, 200, 200, 200),
        "undeliverable",
        "at_risk",
        "The posts support new statutory work after the inspection and cannot be deleted this year.",
    ),
    DemoSaving(
        "CHS/SAV/06",
        "Targeted family support and edge of care",
        "Early Help",
        "EH-FAM",
        T.COST_AVOIDANCE,
        "Service Director",
        "Review and reconfiguration of targeted family support and edge of care services.",
        (309, 309, 309, 309),
        "absorbed",
        "absorbed",
        "Now part of the Changing Futures programme and removed as a separate item to avoid double counting.",
        programme=True,
    ),
    DemoSaving(
        "CHS/SAV/07",
        "Convert agency social workers to permanent posts",
        "Social Work",
        "SW-ASSESS",
        T.SPEND_REDUCTION,
        "Principal Social Worker",
        "A recruitment campaign and market supplement to replace agency workers in the assessment teams.",
        (300, 300, 0, 0),
        "at_risk",
        "at_risk",
        "Nine conversions so far against a plan of fifteen; agency rates have risen.",
        forecast_k=180,
    ),
    DemoSaving(
        "CHS/SAV/08",
        "Pre-proceedings work to reduce legal costs",
        "Legal",
        "LEG-INT",
        T.COST_AVOIDANCE,
        "Head of Legal Services",
        "More families supported before proceedings, fewer care applications.",
        (150, 150, 150, 150),
        "at_risk",
        "on_track",
        "Applications to court have not yet fallen; the saving is forecast at the at-risk rate.",
    ),
    DemoSaving(
        "CHS/SAV/09",
        "Recommission disabled children's short breaks",
        "Disabilities",
        "CWD-SB",
        T.SPEND_REDUCTION,
        "Head of Disabled Children's Service",
        "A new framework for short breaks providers.",
        (180, 180, 180, 180),
        "on_track",
        "on_track",
        "The framework started in October rather than April; the saving has been re-profiled.",
        reprofiled_k=(90, 210, 210, 210),
    ),
    DemoSaving(
        "CHS/SAV/10",
        "Claim the full Home Office UASC rate",
        "Income",
        "INC-UASC",
        T.INCOME,
        "Finance Business Partner",
        "Claims for every eligible young person at the higher rate.",
        (120, 120, 120, 120),
        "achieved",
        "achieved",
        "Claims made for the first two quarters.",
    ),
    DemoSaving(
        "CHS/SAV/11",
        "Emotional wellbeing service funded by health",
        "Early Help",
        None,
        T.FUNDING_SWITCH,
        "Head of Early Help",
        "The integrated care board funds the emotional wellbeing service.",
        (215, 215, 215, 215),
        "achieved",
        "on_track",
        "Funding agreed under the section 75 agreement; no impact on the service.",
    ),
)

# The programme's benefit profiles over eight years, £k (gross), and implementation costs.
PROGRAMME_TARGET_K = (270, 1780, 3660, 4670, 5070, 5210, 5410, 5620)
PROGRAMME_STRETCH_K = (320, 2140, 4390, 5600, 6080, 6250, 6500, 6740)
PROGRAMME_COSTS_K = (2250, 2200, 300, 0, 0, 0, 0, 0)
PROGRAMME_INVESTMENT_K = (
    ("Delivery partner for two years", 3250, "Earmarked reserves"),
    ("Internal specialist resources for four years", 1200, "Transformation funding"),
)


@dataclass(frozen=True)
class _Cycles:
    """The two reporting cycles of the demo year: the previous one and the latest."""

    year_label: str
    earlier_period: int
    earlier: date
    period: int
    latest: date


def seed_demo_data(*, authority: Authority, year_label: str, period: int, users: dict[str, User]) -> None:
    """The demo county's MTFP, programme and savings tracker with two reporting cycles."""
    user = users.get(Role.FINANCE_OFFICER)
    calendar = Calendar.from_label(year_label)
    start = calendar.start_year
    years = [label_for_start(start + k) for k in range(4)]
    medium_term_plan_set(
        authority=authority,
        user=user,
        first_year=years[0],
        last_year=years[-1],
        approved_by="Full Council",
        approved_on=date(start, 3, 7),
    )
    programme = _seed_programme(authority, user, start, years[0])
    areas = {a.name: a for a in ServiceArea.objects.filter(authority=authority)}
    lines = {line.code: line for line in BudgetLine.objects.filter(authority=authority)}
    earlier_period = max(1, period - 3)
    cycles = _Cycles(year_label, earlier_period, calendar.month_end(earlier_period), period, calendar.month_end(period))
    for spec in DEMO_SAVINGS:
        area = areas.get(spec.service_area) or ServiceArea.objects.create(authority=authority, name=spec.service_area)
        saving = _seed_saving(
            authority,
            user,
            spec,
            area=area,
            line=lines.get(spec.line) if spec.line else None,
            programme=programme if spec.programme else None,
            start=start,
            years=years,
            cycles=cycles,
        )
        if spec.ref == "CHS/SAV/05":
            saving_mitigation_add(
                authority=authority,
                user=user,
                saving=saving,
                year_label=year_label,
                amount=120 * K,
                source=Mitigation.Source.UNDERSPEND,
                description="Vacancies in the quality assurance team held for the rest of the year.",
            )


def _seed_programme(authority: Authority, user: User | None, start: int, first_year: str) -> Programme:
    """Changing Futures: eight years of target and stretch benefits, costs and investment."""
    programme = programme_save(
        authority=authority,
        user=user,
        code="CFP",
        name="Changing Futures transformation programme",
        owner="Director of Children's Services",
        first_year=first_year,
        years=8,
        narrative="Earlier help, more children in family settings, shorter plans and more in-house foster carers.",
        planned_start=date(start, 5, 1),
        actual_start=date(start, 11, 1),
        delay_months=6,
        delay_reason="Contracting took longer than planned and the inspection came in July.",
        hurdle=Decimal(3),
        approved_by="Cabinet",
        approved_on=date(start, 2, 22),
    )
    programme_years = programme.profile_years
    programme_profiles_set(
        authority=authority,
        user=user,
        programme=programme,
        target={y: v * K for y, v in zip(programme_years, PROGRAMME_TARGET_K, strict=True)},
        stretch={y: v * K for y, v in zip(programme_years, PROGRAMME_STRETCH_K, strict=True)},
        costs={y: v * K for y, v in zip(programme_years, PROGRAMME_COSTS_K, strict=True) if v},
    )
    for description, amount_k, source in PROGRAMME_INVESTMENT_K:
        programme_investment_add(
            authority=authority,
            user=user,
            programme=programme,
            description=description,
            amount=amount_k * K,
            funding_source=source,
        )
    return programme


def _seed_saving(
    authority: Authority,
    user: User | None,
    spec: DemoSaving,
    *,
    area: ServiceArea,
    line: BudgetLine | None,
    programme: Programme | None,
    start: int,
    years: list[str],
    cycles: _Cycles,
) -> Saving:
    """One saving as it went: consulted on, approved (and re-profiled), reported at two cycles."""
    # Every proposal went out to consultation; most were approved as consulted on.
    consulted = spec.consultation_k or spec.approved_k
    saving = saving_create(
        authority=authority,
        user=user,
        ref=spec.ref,
        title=spec.title,
        service_area=area,
        line=line,
        saving_type=spec.saving_type,
        owner=spec.owner,
        narrative=spec.narrative,
        programme=programme,
        start_date=date(start, spec.part_year_start_month, 1) if spec.part_year_start_month else None,
        full_year_effect=spec.full_year_effect_k * K if spec.full_year_effect_k else None,
        version=SavingVersion.Version.CONSULTATION,
        approved_by="Executive Board",
        approved_on=date(start - 1, 11, 16),
        amounts={y: v * K for y, v in zip(years, consulted, strict=True)},
        status=spec.earlier_status,
        as_at=cycles.earlier,
        year_label=cycles.year_label,
        period=cycles.earlier_period,
        progress="Reported at the previous cycle.",
    )
    more: dict[str, VersionInput] = {
        SavingVersion.Version.APPROVED: VersionInput(
            amounts={y: v * K for y, v in zip(years, spec.approved_k, strict=True)},
            approved_by="Full Council",
            approved_on=date(start, 3, 7),
        )
    }
    if spec.reprofiled_k:
        more[SavingVersion.Version.REPROFILED] = VersionInput(
            amounts={y: v * K for y, v in zip(years, spec.reprofiled_k, strict=True)},
            approved_by="Children and Families Committee",
            approved_on=cycles.earlier,
            note="The provider framework started six months late; the lifetime saving is unchanged.",
        )
    saving_versions_set(authority=authority, user=user, saving=saving, versions=more)
    saving_status_record(
        authority=authority,
        user=user,
        saving=saving,
        as_at=cycles.latest,
        year_label=cycles.year_label,
        period=cycles.period,
        status=spec.status,
        forecast_delivery=spec.forecast_k * K if spec.forecast_k is not None else None,
        narrative=spec.progress,
    )
    return saving
