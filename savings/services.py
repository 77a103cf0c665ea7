"""Writes for the savings tracker and programmes. Every change is audited.

Each service checks its input and raises SavingInputError listing every problem (in the words a
finance officer would use) before anything is written; each runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, User
from forecasting.engine.calendar import CalendarError, parse_year_label
from forecasting.engine.savings import SavingsError, derive_rag, reprofile_problem
from forecasting.models import BudgetLine, ServiceArea
from savings.models import (
    MediumTermPlan,
    Mitigation,
    Programme,
    ProgrammeBenefit,
    ProgrammeCost,
    ProgrammeInvestment,
    Saving,
    SavingAmount,
    SavingUpdate,
    SavingVersion,
    Status,
)

APPROVED = SavingVersion.Version.APPROVED
REPROFILED = SavingVersion.Version.REPROFILED


class SavingInputError(ValueError):
    """Input a service refuses; `problems` lists each one, str() joins them."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(int(pence)), 100)
    return f"{sign}£{whole:,}.{part:02d}"


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            label = "" if name == "__all__" else f"{name.replace('_', ' ')}: "
            problems += [f"{label}{m}" for m in messages]
        raise SavingInputError(problems) from None


def _same_authority(authority: Authority, *objects: Any) -> None:
    """Refuse rows of another authority passed in by mistake (views scope them already)."""
    for obj in objects:
        if obj is not None and getattr(obj, "authority_id", authority.pk) != authority.pk:
            raise SavingInputError([f"{obj} belongs to another authority"])


# ---------------------------------------------------------------------------------------------
# The medium-term financial plan
# ---------------------------------------------------------------------------------------------


def _plan_state(plan: MediumTermPlan) -> dict[str, Any]:
    return {"first_year": plan.first_year, "last_year": plan.last_year, "approved_by": plan.approved_by,
            "approved_on": plan.approved_on}


@transaction.atomic
def medium_term_plan_set(
    *, authority: Authority, user: User | None, first_year: str, last_year: str, approved_by: str = "",
    approved_on: date | None = None,
) -> MediumTermPlan:
    """Set the years of the authority's MTFP. Amounts already entered for other years are kept
    (they are the history of earlier plans) but new amounts must fall inside the plan."""
    plan = MediumTermPlan.objects.select_for_update().filter(authority=authority).first()
    before = _plan_state(plan) if plan else None
    plan = plan or MediumTermPlan(authority=authority)
    plan.first_year, plan.last_year = first_year.strip(), last_year.strip()
    plan.approved_by, plan.approved_on = approved_by.strip(), approved_on
    _full_clean(plan, exclude=["authority"])
    plan.save()
    after = _plan_state(plan)
    if before != after:
        audit_record(authority=authority, user=user, action="savings_plan.set", obj=plan, before=before, after=after)
    return plan


def plan_years_problems(authority: Authority, years: Iterable[str], *, what: str = "") -> list[str]:
    """Years that are not labels, or fall outside the authority's MTFP."""
    plan = MediumTermPlan.objects.filter(authority=authority).first()
    prefix = f"{what}: " if what else ""
    problems = []
    for label in years:
        try:
            parse_year_label(label)
        except CalendarError as error:
            problems.append(f"{prefix}{error}")
            continue
        if plan is None:
            problems.append(f"{prefix}there is no medium-term financial plan yet; set its years first")
            break
        if label not in plan.years:
            problems.append(
                f"{prefix}{label} is outside the medium-term financial plan ({plan.first_year} to {plan.last_year})"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------------------------

_PROGRAMME_FIELDS = (
    "code", "name", "owner", "narrative", "first_year", "years", "planned_start", "actual_start",
    "delay_months", "delay_reason", "hurdle", "approved_by", "approved_on",
)


def _programme_state(programme: Programme) -> dict[str, Any]:
    return {name: getattr(programme, name) for name in _PROGRAMME_FIELDS}


@transaction.atomic
def programme_save(
    *, authority: Authority, user: User | None, code: str, name: str, first_year: str, years: int = 8,
    owner: str = "", narrative: str = "", planned_start: date | None = None, actual_start: date | None = None,
    delay_months: int = 0, delay_reason: str = "", hurdle: Decimal = Decimal(3), approved_by: str = "",
    approved_on: date | None = None, programme: Programme | None = None,
) -> Programme:
    """Create a programme, or change `programme`. Changing `delay_months` re-profiles every
    benefit profile on the fly (engine delay_profile); the approved profiles are kept as entered."""
    _same_authority(authority, programme)
    if programme is None:
        programme, before = Programme(authority=authority), None
    else:
        programme = Programme.objects.select_for_update().get(pk=programme.pk, authority=authority)
        before = _programme_state(programme)
    clash = Programme.objects.filter(authority=authority, code__iexact=code.strip()).exclude(pk=programme.pk)
    if clash.exists():
        raise SavingInputError([f"code: a programme with code '{code.strip()}' already exists"])
    values = {
        "code": code.strip(), "name": name.strip(), "owner": owner.strip(), "narrative": narrative.strip(),
        "first_year": first_year.strip(), "years": years, "planned_start": planned_start,
        "actual_start": actual_start, "delay_months": delay_months, "delay_reason": delay_reason.strip(),
        "hurdle": Decimal(hurdle), "approved_by": approved_by.strip(), "approved_on": approved_on,
    }
    for key, value in values.items():
        setattr(programme, key, value)
    _full_clean(programme, exclude=["authority"])
    stored_years: set[str] = set()
    if programme.pk:
        stored_years = set(programme.benefits.values_list("year_label", flat=True))
        stored_years |= set(programme.costs.values_list("year_label", flat=True))
    outside = stored_years - set(programme.profile_years)
    if outside:
        raise SavingInputError([
            f"the profile has benefits in {', '.join(sorted(set(outside)))}, outside the programme's "
            f"years {programme.profile_years[0]} to {programme.profile_years[-1]}; change the profile first"
        ])
    programme.save()
    after = _programme_state(programme)
    if before != after:
        audit_record(
            authority=authority, user=user, action="programme.create" if before is None else "programme.update",
            obj=programme, before=before, after=after,
        )
    return programme


def _money_problems(label: str, values: Mapping[str, int], years: list[str]) -> list[str]:
    problems = []
    for year, amount in values.items():
        if year not in years:
            problems.append(f"{label} {year}: outside the programme's years {years[0]} to {years[-1]}")
        elif int(amount) < 0:
            problems.append(f"{label} {year}: {_pounds(amount)} is negative; write benefits and costs as positive")
    return problems


@transaction.atomic
def programme_profiles_set(
    *, authority: Authority, user: User | None, programme: Programme, target: Mapping[str, int],
    stretch: Mapping[str, int], costs: Mapping[str, int],
) -> None:
    """Replace a programme's target and stretch benefit profiles and implementation costs (pence by FY).

    Years left out have no row (the engine counts a gap inside a profile as 0).
    """
    _same_authority(authority, programme)
    years = programme.profile_years
    problems = (_money_problems("target benefit", target, years) + _money_problems("stretch benefit", stretch, years)
                + _money_problems("implementation cost", costs, years))
    if problems:
        raise SavingInputError(problems)
    before = _programme_profiles_state(programme)
    programme.benefits.all().delete()
    programme.costs.all().delete()
    ProgrammeBenefit.objects.bulk_create(
        [ProgrammeBenefit(programme=programme, profile=ProgrammeBenefit.Profile.TARGET, year_label=y, amount=int(a))
         for y, a in target.items()]
        + [ProgrammeBenefit(programme=programme, profile=ProgrammeBenefit.Profile.STRETCH, year_label=y,
                            amount=int(a)) for y, a in stretch.items()]
    )
    ProgrammeCost.objects.bulk_create(
        [ProgrammeCost(programme=programme, year_label=y, amount=int(a)) for y, a in costs.items()]
    )
    after = _programme_profiles_state(programme)
    if before != after:
        audit_record(authority=authority, user=user, action="programme.profiles_set", obj=programme,
                     before=before, after=after)


def _programme_profiles_state(programme: Programme) -> dict[str, Any]:
    state: dict[str, dict[str, int]] = {"target": {}, "stretch": {}, "costs": {}}
    for profile, year, amount in programme.benefits.values_list("profile", "year_label", "amount"):
        state[profile][year] = amount
    for year, amount in programme.costs.values_list("year_label", "amount"):
        state["costs"][year] = amount
    return state


@transaction.atomic
def programme_investment_add(
    *, authority: Authority, user: User | None, programme: Programme, description: str, amount: int,
    funding_source: str,
) -> ProgrammeInvestment:
    _same_authority(authority, programme)
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
        programme=programme, description=description.strip(), amount=int(amount),
        funding_source=funding_source.strip(),
    )
    audit_record(
        authority=authority, user=user, action="programme.investment_add", obj=programme,
        object_repr=f"{programme.code}: {investment.description}"[:250],
        after={"description": investment.description, "amount": investment.amount,
               "funding_source": investment.funding_source},
    )
    return investment


# ---------------------------------------------------------------------------------------------
# Savings
# ---------------------------------------------------------------------------------------------


@dataclass
class VersionInput:
    """A version's amounts (pence by FY) and who approved it.

    `replace_years`: the years this input describes. None means the whole profile (years not in
    `amounts` are removed); an import passes its year columns, so years it does not mention stay.
    """

    amounts: Mapping[str, int]
    approved_by: str = ""
    approved_on: date | None = None
    note: str = ""
    replace_years: Iterable[str] | None = None


def _saving_state(saving: Saving) -> dict[str, Any]:
    return {
        "ref": saving.ref, "title": saving.title, "service_area": saving.service_area.name,
        "line": saving.line.code if saving.line else None, "saving_type": saving.saving_type,
        "owner": saving.owner, "narrative": saving.narrative,
        "programme": saving.programme.code if saving.programme else None, "start_date": saving.start_date,
        "full_year_effect": saving.full_year_effect,
    }


def _detail_problems(
    authority: Authority, *, ref: str, title: str, service_area: ServiceArea | None, line: BudgetLine | None,
    saving_type: str, programme: Programme | None, full_year_effect: int | None, saving: Saving | None,
) -> list[str]:
    _same_authority(authority, service_area, line, programme)
    problems = []
    if not ref.strip():
        problems.append("reference: enter the saving's reference")
    elif Saving.objects.filter(authority=authority, ref__iexact=ref.strip()).exclude(
        pk=saving.pk if saving else None  # type: ignore[misc]
    ).exists():
        problems.append(f"reference: a saving with reference '{ref.strip()}' already exists")
    if not title.strip():
        problems.append("title: enter the saving's title")
    if service_area is None:
        problems.append("service area: choose the service area")
    if saving_type not in Saving.Type.values:
        problems.append(f"type: '{saving_type}' is not one of {', '.join(Saving.Type.values)}")
    if full_year_effect is not None and full_year_effect < 0:
        problems.append("full-year effect: write it as a positive amount")
    return problems


@transaction.atomic
def saving_create(
    *, authority: Authority, user: User | None, ref: str, title: str, service_area: ServiceArea,
    amounts: Mapping[str, int], status: str, as_at: date, year_label: str, line: BudgetLine | None = None,
    saving_type: str = Saving.Type.SPEND_REDUCTION, owner: str = "", narrative: str = "",
    programme: Programme | None = None, start_date: date | None = None, full_year_effect: int | None = None,
    version: str = APPROVED, approved_by: str = "", approved_on: date | None = None, rag: str | None = None,
    forecast_delivery: int | None = None, progress: str = "", period: int | None = None,
) -> Saving:
    """Add a saving with its first profile (consultation or approved) and first status update."""
    problems = _detail_problems(
        authority, ref=ref, title=title, service_area=service_area, line=line, saving_type=saving_type,
        programme=programme, full_year_effect=full_year_effect, saving=None,
    )
    if version not in (SavingVersion.Version.CONSULTATION, APPROVED):
        problems.append("version: a new saving starts as a consultation or an approved proposal; re-profile it later")
    problems += _status_problems(status, rag, programme, forecast_delivery)
    problems += _amount_problems(authority, amounts)
    if problems:
        raise SavingInputError(problems)
    saving = Saving.objects.create(
        authority=authority, ref=ref.strip(), title=title.strip(), service_area=service_area, line=line,
        saving_type=saving_type, owner=owner.strip(), narrative=narrative.strip(), programme=programme,
        start_date=start_date, full_year_effect=full_year_effect, status=status,
        rag=derive_rag(status, rag),
    )
    audit_record(authority=authority, user=user, action="saving.create", obj=saving, after=_saving_state(saving))
    saving_versions_set(
        authority=authority, user=user, saving=saving,
        versions={version: VersionInput(amounts=amounts, approved_by=approved_by, approved_on=approved_on)},
    )
    saving_status_record(
        authority=authority, user=user, saving=saving, as_at=as_at, year_label=year_label, status=status, rag=rag,
        forecast_delivery=forecast_delivery, narrative=progress, period=period,
    )
    return saving


@transaction.atomic
def saving_details_save(
    *, authority: Authority, user: User | None, saving: Saving, title: str, service_area: ServiceArea,
    line: BudgetLine | None = None, saving_type: str = Saving.Type.SPEND_REDUCTION, owner: str = "",
    narrative: str = "", programme: Programme | None = None, start_date: date | None = None,
    full_year_effect: int | None = None, ref: str | None = None,
) -> Saving:
    """Change what a saving is (not its amounts, status or history, which have their own services)."""
    _same_authority(authority, saving)
    saving = (Saving.objects.select_for_update(of=("self",)).select_related("service_area", "line", "programme")
              .get(pk=saving.pk))
    ref = saving.ref if ref is None else ref
    problems = _detail_problems(
        authority, ref=ref, title=title, service_area=service_area, line=line, saving_type=saving_type,
        programme=programme, full_year_effect=full_year_effect, saving=saving,
    )
    if saving.status == Status.ABSORBED and programme is None:
        problems.append("programme: the saving is absorbed, so it must stay linked to the programme that absorbed it")
    if problems:
        raise SavingInputError(problems)
    before = _saving_state(saving)
    saving.ref, saving.title, saving.service_area, saving.line = ref.strip(), title.strip(), service_area, line
    saving.saving_type, saving.owner, saving.narrative = saving_type, owner.strip(), narrative.strip()
    saving.programme, saving.start_date, saving.full_year_effect = programme, start_date, full_year_effect
    saving.save()
    after = _saving_state(saving)
    if before != after:
        audit_record(authority=authority, user=user, action="saving.update", obj=saving, before=before, after=after)
    return saving


def _amount_problems(authority: Authority, amounts: Mapping[str, int], *, what: str = "amounts") -> list[str]:
    problems = plan_years_problems(authority, amounts.keys(), what=what)
    for year, amount in amounts.items():
        if int(amount) < 0:
            problems.append(f"{what} {year}: {_pounds(amount)} is negative; write a saving as a positive amount")
    return problems


def _status_problems(status: str, rag: str | None, programme: Programme | None,
                     forecast_delivery: int | None) -> list[str]:
    problems = []
    try:
        derive_rag(status, rag)
    except SavingsError as error:
        problems.append(str(error))
    if status == Status.ABSORBED and programme is None:
        problems.append("status: an absorbed saving must name the programme that absorbed it")
    if forecast_delivery is not None and forecast_delivery < 0:
        problems.append("forecast delivery: write it as a positive amount (0 if nothing will be delivered)")
    return problems


def saving_versions_check(
    *, authority: Authority, saving: Saving | None, versions: Mapping[str, VersionInput], ref: str | None = None,
) -> list[str]:
    """Every problem with setting these versions, judged on the profiles as they would end up."""
    ref = ref or (saving.ref if saving else "")
    problems: list[str] = []
    stored: dict[str, dict[str, int]] = {}
    if saving is not None and saving.pk:
        for version, year, amount in SavingAmount.objects.filter(version__saving=saving).values_list(
            "version__version", "year_label", "amount"
        ):
            stored.setdefault(version, {})[year] = amount
    final = {k: dict(v) for k, v in stored.items()}
    for version, given in versions.items():
        if version not in SavingVersion.Version.values:
            problems.append(f"version '{version}' is not one of {', '.join(SavingVersion.Version.values)}")
            continue
        problems += _amount_problems(authority, given.amounts, what=f"{SavingVersion.Version(version).label} amounts")
        final[version] = _merged(stored.get(version, {}), given)
        if not final[version]:
            problems.append(f"{SavingVersion.Version(version).label.lower()}: give an amount for at least one year")
    if REPROFILED in final and (REPROFILED in versions or APPROVED in versions):
        if APPROVED not in final:
            problems.append(f"saving {ref}: a re-profile replaces the approved profile, which it does not have yet")
        else:
            # FORECAST.md / the seed: "over the lifetime of the programme the savings will be the same".
            message = reprofile_problem(ref, sum(final[APPROVED].values()), sum(final[REPROFILED].values()))
            if message:
                problems.append(message)
    return problems


def _merged(stored: Mapping[str, int], given: VersionInput) -> dict[str, int]:
    if given.replace_years is None:
        return {y: int(a) for y, a in given.amounts.items()}
    described = set(given.replace_years)
    kept = {y: a for y, a in stored.items() if y not in described}
    kept.update({y: int(a) for y, a in given.amounts.items()})
    return kept


@transaction.atomic
def saving_versions_set(
    *, authority: Authority, user: User | None, saving: Saving, versions: Mapping[str, VersionInput],
) -> dict[str, str]:
    """Set one or more versions' yearly amounts together (so an approved change and its re-profile
    can arrive in the same file). Returns {version: create|update|unchanged}."""
    _same_authority(authority, saving)
    problems = saving_versions_check(authority=authority, saving=saving, versions=versions)
    if problems:
        raise SavingInputError(problems)
    outcome: dict[str, str] = {}
    for version, given in versions.items():
        row, created = SavingVersion.objects.get_or_create(saving=saving, version=version)
        stored = dict(row.amounts.values_list("year_label", "amount"))
        wanted = _merged(stored, given)
        meta_before = (row.approved_by, row.approved_on, row.note)
        row.approved_by = given.approved_by.strip() or row.approved_by
        row.approved_on = given.approved_on or row.approved_on
        row.note = given.note.strip() or row.note
        if (row.approved_by, row.approved_on, row.note) != meta_before:
            row.save()
        if wanted == stored and not created and (row.approved_by, row.approved_on, row.note) == meta_before:
            outcome[version] = "unchanged"
            continue
        row.amounts.all().delete()
        SavingAmount.objects.bulk_create(
            [SavingAmount(version=row, year_label=y, amount=a)
             for y, a in sorted(wanted.items(), key=lambda p: parse_year_label(p[0]))]
        )
        audit_record(
            authority=authority, user=user, action=f"saving.{version}", obj=saving,
            object_repr=f"{saving.ref} {row.get_version_display()}",
            before=None if created else {"amounts": stored, "approved_by": meta_before[0],
                                         "approved_on": meta_before[1]},
            after={"amounts": wanted, "approved_by": row.approved_by, "approved_on": row.approved_on},
            reason=row.note,
        )
        outcome[version] = "create" if created else "update"
    return outcome


@transaction.atomic
def saving_status_record(
    *, authority: Authority, user: User | None, saving: Saving, as_at: date, year_label: str, status: str,
    rag: str | None = None, forecast_delivery: int | None = None, narrative: str = "", period: int | None = None,
) -> SavingUpdate:
    """Record one reporting cycle: status, RAG (derived from the status when blank), forecast
    delivery for the FY and the progress narrative. The saving shows its latest cycle by date."""
    _same_authority(authority, saving)
    saving = Saving.objects.select_for_update(of=("self",)).select_related("programme").get(pk=saving.pk)
    problems = _status_problems(status, rag, saving.programme, forecast_delivery)
    try:
        parse_year_label(year_label)
    except CalendarError as error:
        problems.append(f"year: {error}")
    if period is not None and not 1 <= period <= 12:
        problems.append("period: must be 1 to 12")
    if problems:
        raise SavingInputError(problems)
    update = SavingUpdate.objects.create(
        saving=saving, as_at=as_at, year_label=year_label, period=period, status=status,
        rag=derive_rag(status, rag), forecast_delivery=forecast_delivery, narrative=narrative.strip(),
        recorded_by=user,
    )
    latest = saving.updates.order_by("-as_at", "-id").first()
    assert latest is not None
    before = {"status": saving.status, "rag": saving.rag}
    saving.status, saving.rag = latest.status, latest.rag
    saving.save(update_fields=["status", "rag", "updated_at"])
    audit_record(
        authority=authority, user=user, action="saving.status", obj=saving, before=before,
        after={"as_at": as_at, "year": year_label, "period": period, "status": update.status, "rag": update.rag,
               "forecast_delivery": forecast_delivery, "narrative": update.narrative},
    )
    return update


@transaction.atomic
def saving_mitigation_add(
    *, authority: Authority, user: User | None, saving: Saving, year_label: str, amount: int, source: str,
    description: str = "",
) -> Mitigation:
    """Record how part of a saving's shortfall in a year is covered (amount and source)."""
    _same_authority(authority, saving)
    problems = []
    try:
        parse_year_label(year_label)
    except CalendarError as error:
        problems.append(f"year: {error}")
    if int(amount) <= 0:
        problems.append("amount: a mitigation must be more than £0")
    if source not in Mitigation.Source.values:
        problems.append(f"source: '{source}' is not one of {', '.join(Mitigation.Source.values)}")
    if problems:
        raise SavingInputError(problems)
    mitigation = Mitigation.objects.create(
        saving=saving, year_label=year_label, amount=int(amount), source=source, description=description.strip(),
        recorded_by=user,
    )
    audit_record(
        authority=authority, user=user, action="saving.mitigation_add", obj=saving,
        after={"year": year_label, "amount": mitigation.amount, "source": source,
               "description": mitigation.description},
    )
    return mitigation
