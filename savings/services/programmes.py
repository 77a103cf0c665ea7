"""Transformation programmes: what a programme is, its benefit and cost profiles, its investment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, User
from savings.models import Programme, ProgrammeBenefit, ProgrammeCost, ProgrammeInvestment
from savings.services.problems import SavingInputError, full_clean, pounds, same_authority

_PROGRAMME_FIELDS = (
    "code",
    "name",
    "owner",
    "narrative",
    "first_year",
    "years",
    "planned_start",
    "actual_start",
    "delay_months",
    "delay_reason",
    "hurdle",
    "approved_by",
    "approved_on",
)


def _programme_state(programme: Programme) -> dict[str, Any]:
    return {name: getattr(programme, name) for name in _PROGRAMME_FIELDS}


@transaction.atomic
def programme_save(
    *,
    authority: Authority,
    user: User | None,
    code: str,
    name: str,
    first_year: str,
    years: int = 8,
    owner: str = "",
    narrative: str = "",
    planned_start: date | None = None,
    actual_start: date | None = None,
    delay_months: int = 0,
    delay_reason: str = "",
    hurdle: Decimal = Decimal(3),
    approved_by: str = "",
    approved_on: date | None = None,
    programme: Programme | None = None,
) -> Programme:
    """Create a programme, or change `programme`. Changing `delay_months` re-profiles every
    benefit profile on the fly (engine delay_profile); the approved profiles are kept as entered."""
    same_authority(authority, programme)
    if programme is None:
        programme, before = Programme(authority=authority), None
    else:
        programme = Programme.objects.select_for_update().get(pk=programme.pk, authority=authority)
        before = _programme_state(programme)
    clash = Programme.objects.filter(authority=authority, code__iexact=code.strip()).exclude(pk=programme.pk)
    if clash.exists():
        raise SavingInputError([f"code: a programme with code '{code.strip()}' already exists"])
    values = {
        "code": code.strip(),
        "name": name.strip(),
        "owner": owner.strip(),
        "narrative": narrative.strip(),
        "first_year": first_year.strip(),
        "years": years,
        "planned_start": planned_start,
        "actual_start": actual_start,
        "delay_months": delay_months,
        "delay_reason": delay_reason.strip(),
        "hurdle": Decimal(hurdle),
        "approved_by": approved_by.strip(),
        "approved_on": approved_on,
    }
    for key, value in values.items():
        setattr(programme, key, value)
    full_clean(programme, exclude=["authority"])
    _refuse_profile_outside_years(programme)
    programme.save()
    after = _programme_state(programme)
    if before != after:
        audit_record(
            authority=authority,
            user=user,
            action="programme.create" if before is None else "programme.update",
            obj=programme,
            before=before,
            after=after,
        )
    return programme


def _refuse_profile_outside_years(programme: Programme) -> None:
    """Shortening a programme must not strand benefits or costs already profiled beyond its end."""
    stored_years: set[str] = set()
    if programme.pk:
        stored_years = set(programme.benefits.values_list("year_label", flat=True))
        stored_years |= set(programme.costs.values_list("year_label", flat=True))
    outside = stored_years - set(programme.profile_years)
    if outside:
        raise SavingInputError(
            [
                f"the profile has benefits in {', '.join(sorted(set(outside)))}, outside the programme's "
                f"years {programme.profile_years[0]} to {programme.profile_years[-1]}; change the profile first"
            ]
        )


def _money_problems(label: str, values: Mapping[str, int], years: list[str]) -> list[str]:
    problems = []
    for year, amount in values.items():
        if year not in years:
            problems.append(f"{label} {year}: outside the programme's years {years[0]} to {years[-1]}")
        elif int(amount) < 0:
            problems.append(f"{label} {year}: {pounds(amount)} is negative; write benefits and costs as positive")
    return problems


@transaction.atomic
def programme_profiles_set(
    *,
    authority: Authority,
    user: User | None,
    programme: Programme,
    target: Mapping[str, int],
    stretch: Mapping[str, int],
    costs: Mapping[str, int],
) -> None:
    """Replace a programme's target and stretch benefit profiles and implementation costs (pence by FY).

    Years left out have no row (the engine counts a gap inside a profile as 0).
    """
    same_authority(authority, programme)
    years = programme.profile_years
    problems = (
        _money_problems("target benefit", target, years)
        + _money_problems("stretch benefit", stretch, years)
        + _money_problems("implementation cost", costs, years)
    )
    if problems:
        raise SavingInputError(problems)
    before = _programme_profiles_state(programme)
    programme.benefits.all().delete()
    programme.costs.all().delete()
    ProgrammeBenefit.objects.bulk_create(
        [
            ProgrammeBenefit(programme=programme, profile=ProgrammeBenefit.Profile.TARGET, year_label=y, amount=int(a))
            for y, a in target.items()
        ]
        + [
            ProgrammeBenefit(programme=programme, profile=ProgrammeBenefit.Profile.STRETCH, year_label=y, amount=int(a))
            for y, a in stretch.items()
        ]
    )
    ProgrammeCost.objects.bulk_create(
        [ProgrammeCost(programme=programme, year_label=y, amount=int(a)) for y, a in costs.items()]
    )
    after = _programme_profiles_state(programme)
    if before != after:
        audit_record(
            authority=authority, user=user, action="programme.profiles_set", obj=programme, before=before, after=after
        )


def _programme_profiles_state(programme: Programme) -> dict[str, Any]:
    state: dict[str, dict[str, int]] = {"target": {}, "stretch": {}, "costs": {}}
    for profile, year, amount in programme.benefits.values_list("profile", "year_label", "amount"):
        state[profile][year] = amount
    for year, amount in programme.costs.values_list("year_label", "amount"):
        state["costs"][year] = amount
    return state


@transaction.atomic
def programme_investment_add(
    *,
    authority: Authority,
    user: User | None,
    programme: Programme,
    description: str,
    amount: int,
    funding_source: str,
) -> ProgrammeInvestment:
    same_authority(authority, programme)
    problems = []
    if int(amount) <= 0:
        problems.append("amount: an investment must be more than £0")
    if not description.strip():
        problems.append("description: say what the investment pays for")
    if not funding_source.strip():
        problems.append("funding source: say where the money comes from")
    if problems:
        raise SavingInputError(problems)
    investment = ProgrammeInvestment.objects.create(
        programme=programme,
        description=description.strip(),
        amount=int(amount),
        funding_source=funding_source.strip(),
    )
    audit_record(
        authority=authority,
        user=user,
        action="programme.investment_add",
        obj=programme,
        object_repr=f"{programme.code}: {investment.description}"[:250],
        after={
            "description": investment.description,
            "amount": investment.amount,
            "funding_source": investment.funding_source,
        },
    )
    return investment
