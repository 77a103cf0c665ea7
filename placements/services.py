"""Writes to the placement register and its reference data, one thing at a time (the pages).
Every change is audited.

Services take keyword-only arguments, check the rules of `placements.rules` and raise
ValidationError (field → message) for the page to show. Imports, and the re-pricing of SSDA903
placements when a unit cost changes, write many rows at once through
`placements.register_writes`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from accounts.audit import audit_record
from accounts.models import Authority, User
from forecasting.models import BudgetLine, PlacementType
from placements import rules
from placements.models import Child, CodeMapping, Placement, UnitCost
from placements.register_writes import children_uasc_refresh as children_uasc_refresh  # used by the demo
from placements.register_writes import ssda903_reprice


def _row_dict(row: Placement) -> dict[str, Any]:
    return {
        "placement_ref": row.placement_ref,
        "child_ref": row.child.child_ref,
        "placement_type": row.placement_type.code,
        "provider": row.provider,
        "procurement": row.procurement,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "planned_end_date": row.planned_end_date,
        "weekly_cost": row.weekly_cost,
        "health_contribution": row.health_contribution,
        "education_contribution": row.education_contribution,
        "uasc": row.uasc,
        "line": row.line.code if row.line else None,
    }


# --------------------------------------------------------------------------------------------
# One placement at a time (the register pages)
# --------------------------------------------------------------------------------------------


def _check_money(errors: dict[str, str], field: str, pence: int | None, what: str) -> None:
    if pence is None:
        return
    problem = rules.weekly_money_problem(pence, what)
    if problem:
        errors[field] = f"The {what} {problem}"


def _overlaps(authority: Authority, ref: str, start: date, end: date | None, exclude: list[int]) -> Placement | None:
    rows = Placement.objects.filter(authority=authority, placement_ref=ref).exclude(pk__in=exclude)
    rows = rows.filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
    if end is not None:
        rows = rows.filter(start_date__lt=end)
    return rows.first()


@transaction.atomic
def placement_add(
    *,
    authority: Authority,
    user: User,
    child_ref: str,
    child_dob: date,
    placement_type: PlacementType,
    start_date: date,
    weekly_cost: int,
    placement_ref: str = "",
    provider: str = "",
    procurement: str = "",
    end_date: date | None = None,
    planned_end_date: date | None = None,
    health_contribution: int = 0,
    education_contribution: int = 0,
    uasc: bool = False,
    line: BudgetLine | None = None,
    today: date | None = None,
) -> Placement:
    """Add a placement (its first row). The child is created if new; an existing child must have
    the same date of birth."""
    errors: dict[str, str] = {}
    child_ref = child_ref.strip()
    child = _child_problems(
        errors,
        authority=authority,
        child_ref=child_ref,
        child_dob=child_dob,
        placement_type=placement_type,
        start_date=start_date,
        today=today or date.today(),
    )
    for field, value, label in (
        ("end_date", end_date, "end date"),
        ("planned_end_date", planned_end_date, "planned end date"),
    ):
        if value is not None:
            problem = rules.end_problem(value, start_date, label)
            if problem:
                errors[field] = problem[0].upper() + problem[1:]
    _check_money(errors, "weekly_cost", weekly_cost, "weekly cost")
    _check_money(errors, "health_contribution", health_contribution, "contribution")
    _check_money(errors, "education_contribution", education_contribution, "contribution")
    if procurement and procurement not in Placement.Procurement.values:
        errors["procurement"] = "Choose a procurement route"
    if line is not None and line.authority_id != authority.pk:
        errors["line"] = "Choose a budget line of this authority"
    placement_ref = placement_ref.strip() or _new_ref(authority, child_ref, start_date)
    _placement_ref_problems(errors, authority=authority, placement_ref=placement_ref)
    if errors:
        raise ValidationError(errors)
    if child is None:
        child = Child.objects.create(authority=authority, child_ref=child_ref, date_of_birth=child_dob, uasc=uasc)
    elif uasc and not child.uasc:
        Child.objects.filter(pk=child.pk).update(uasc=True)
    row = Placement.objects.create(
        authority=authority,
        placement_ref=placement_ref,
        child=child,
        placement_type=placement_type,
        provider=provider.strip(),
        procurement=procurement,
        start_date=start_date,
        end_date=end_date,
        planned_end_date=planned_end_date,
        weekly_cost=weekly_cost,
        health_contribution=health_contribution,
        education_contribution=education_contribution,
        uasc=uasc,
        line=line or _placements_line(authority, placement_type),
        source=Placement.Source.MANUAL,
    )
    audit_record(authority=authority, user=user, action="placement.add", obj=row, after=_row_dict(row))
    return row


def _child_problems(
    errors: dict[str, str],
    *,
    authority: Authority,
    child_ref: str,
    child_dob: date,
    placement_type: PlacementType,
    start_date: date,
    today: date,
) -> Child | None:
    """Record what is wrong with the child's reference and date of birth; the child if known."""
    problem = rules.child_ref_problem(child_ref)
    if problem:
        errors["child_ref"] = f"The child reference {problem}"
    child = Child.objects.filter(authority=authority, child_ref=child_ref).first()
    if child is not None and child.date_of_birth != child_dob:
        errors["child_dob"] = (
            f"Child {child_ref} is recorded with the date of birth {child.date_of_birth:%d/%m/%Y}; "
            "one child has one date of birth"
        )
    if child_dob > today:
        errors["child_dob"] = "The date of birth is in the future"
    elif child_dob > start_date:
        errors["child_dob"] = "The date of birth is after the start date"
    else:
        age = rules.age_on(child_dob, start_date)
        problem = rules.age_problem(age, placement_type.code, placement_type.continues_after_18)
        if problem:
            errors["child_dob"] = problem
    return child


def _placement_ref_problems(errors: dict[str, str], *, authority: Authority, placement_ref: str) -> None:
    if len(placement_ref) > rules.PLACEMENT_REF_MAX:
        errors["placement_ref"] = f"The placement reference is longer than {rules.PLACEMENT_REF_MAX} characters"
    elif Placement.objects.filter(authority=authority, placement_ref=placement_ref).exists():
        errors["placement_ref"] = (
            f"Placement {placement_ref} already exists; change its rate or end it from its history page"
        )


def _placements_line(authority: Authority, placement_type: PlacementType) -> BudgetLine | None:
    """The placements budget line of the type (the first by code), for a placement given none."""
    return (
        BudgetLine.objects.filter(
            authority=authority, category=BudgetLine.Category.PLACEMENTS, placement_type=placement_type
        )
        .order_by("code")
        .first()
    )


def _new_ref(authority: Authority, child_ref: str, start: date) -> str:
    base = f"P-{child_ref}-{start:%Y%m%d}"
    ref, n = base, 1
    while Placement.objects.filter(authority=authority, placement_ref=ref).exists():
        n += 1
        ref = f"{base}-{n}"
    return ref


def _rows_of(authority: Authority, placement_ref: str) -> list[Placement]:
    rows = list(
        Placement.objects.select_for_update(of=("self",))
        .filter(authority=authority, placement_ref=placement_ref)
        .select_related("child", "placement_type", "line")
        .order_by("start_date")
    )
    if not rows:
        raise ValidationError({"placement_ref": f"There is no placement {placement_ref}"})
    return rows


@transaction.atomic
def placement_end(
    *, authority: Authority, user: User, placement_ref: str, end_date: date, reason: str = ""
) -> Placement:
    """End a placement: its last row ends on `end_date` (exclusive: the first day no longer in
    placement). Rows starting on or after that date would be lost, so they are refused."""
    rows = _rows_of(authority, placement_ref)
    last = rows[-1]
    problem = rules.end_problem(end_date, last.start_date)
    if problem:
        raise ValidationError({"end_date": problem[0].upper() + problem[1:] + " of the current rate"})
    if last.end_date is not None and end_date > last.end_date:
        raise ValidationError(
            {
                "end_date": f"The placement already ended on {last.end_date:%d/%m/%Y}; an end date can "
                "only be brought forward here"
            }
        )
    before = _row_dict(last)
    last.end_date = end_date
    last.save(update_fields=["end_date", "updated_at"])
    audit_record(
        authority=authority,
        user=user,
        action="placement.end",
        obj=last,
        before=before,
        after=_row_dict(last),
        reason=reason,
    )
    return last


@transaction.atomic
def placement_rate_change(
    *,
    authority: Authority,
    user: User,
    placement_ref: str,
    from_date: date,
    weekly_cost: int,
    health_contribution: int | None = None,
    education_contribution: int | None = None,
    reason: str = "",
) -> Placement:
    """Change the weekly rate from a date: the row active on that date is split in two
    contiguous rows (the old rate up to the day before, the new rate from that day)."""
    errors: dict[str, str] = {}
    _check_money(errors, "weekly_cost", weekly_cost, "weekly cost")
    _check_money(errors, "health_contribution", health_contribution, "contribution")
    _check_money(errors, "education_contribution", education_contribution, "contribution")
    if errors:
        raise ValidationError(errors)
    rows = _rows_of(authority, placement_ref)
    current = next(
        (r for r in rows if r.start_date <= from_date and (r.end_date is None or from_date < r.end_date)), None
    )
    if current is None:
        raise ValidationError(
            {
                "from_date": f"Placement {placement_ref} is not open on {from_date:%d/%m/%Y}; a rate "
                "can only change while the placement runs"
            }
        )
    health = current.health_contribution if health_contribution is None else health_contribution
    education = current.education_contribution if education_contribution is None else education_contribution
    before = _row_dict(current)
    if from_date == current.start_date:
        # The new rate applies from the row's own start: no split, the row's rate changes.
        current.weekly_cost, current.health_contribution, current.education_contribution = (
            weekly_cost,
            health,
            education,
        )
        current.save(update_fields=["weekly_cost", "health_contribution", "education_contribution", "updated_at"])
        audit_record(
            authority=authority,
            user=user,
            action="placement.rate_change",
            obj=current,
            before=before,
            after=_row_dict(current),
            reason=reason,
        )
        return current
    new = Placement.objects.create(
        authority=authority,
        placement_ref=current.placement_ref,
        child=current.child,
        placement_type=current.placement_type,
        provider=current.provider,
        procurement=current.procurement,
        start_date=from_date,
        end_date=current.end_date,
        planned_end_date=current.planned_end_date,
        weekly_cost=weekly_cost,
        health_contribution=health,
        education_contribution=education,
        uasc=current.uasc,
        line=current.line,
        source=Placement.Source.MANUAL,
    )
    current.end_date = from_date
    current.save(update_fields=["end_date", "updated_at"])
    audit_record(
        authority=authority,
        user=user,
        action="placement.rate_change",
        obj=new,
        before=before,
        after={"ended_row": _row_dict(current), "new_row": _row_dict(new)},
        reason=reason,
    )
    return new


# --------------------------------------------------------------------------------------------
# Reference data: the SSDA903 code mapping (administrators) and unit costs (finance officers)
# --------------------------------------------------------------------------------------------


def _mapping_dict(row: CodeMapping) -> dict[str, Any]:
    return {
        "place": row.place,
        "place_provider": row.place_provider,
        "valid_from_year": row.valid_from_year,
        "valid_to_year": row.valid_to_year,
        "placement_type": row.placement_type.code,
    }


@transaction.atomic
def code_mapping_save(
    *,
    authority: Authority,
    user: User,
    place: str,
    place_provider: str,
    valid_from_year: int | None,
    valid_to_year: int | None,
    placement_type: PlacementType,
    mapping: CodeMapping | None = None,
) -> CodeMapping:
    """Add or change a mapping row. Two rows for the same PLACE and provider may not cover the
    same collection year: the cleaner could not choose between them."""
    place, place_provider = place.strip().upper(), place_provider.strip().upper()
    errors: dict[str, str] = {}
    if not place or len(place) > 5:
        errors["place"] = "Enter the SSDA903 PLACE code, e.g. U4"
    if place_provider and place_provider not in {f"PR{i}" for i in range(6)}:
        errors["place_provider"] = "Enter PR0 to PR5, or leave blank for any provider"
    if valid_from_year is not None and valid_to_year is not None and valid_to_year < valid_from_year:
        errors["valid_to_year"] = "The last year is before the first year"
    if errors:
        raise ValidationError(errors)
    low, high = valid_from_year or 0, valid_to_year or 9999
    clash = (
        CodeMapping.objects.filter(authority=authority, place=place, place_provider=place_provider)
        .exclude(pk=mapping.pk if mapping else 0)
        .filter(Q(valid_from_year__isnull=True) | Q(valid_from_year__lte=high))
        .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=low))
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {"place": f"{clash} ({clash.years_text}) already covers these years; change the years of one of them"}
        )
    before = _mapping_dict(mapping) if mapping else None
    row = mapping or CodeMapping(authority=authority)
    row.place, row.place_provider, row.placement_type = place, place_provider, placement_type
    row.valid_from_year, row.valid_to_year = valid_from_year, valid_to_year
    row.save()
    audit_record(
        authority=authority,
        user=user,
        action="placement_mapping.save",
        obj=row,
        before=before,
        after=_mapping_dict(row),
    )
    return row


@transaction.atomic
def code_mapping_delete(*, authority: Authority, user: User, mapping: CodeMapping) -> None:
    if mapping.authority_id != authority.pk:
        raise ValidationError("Not this authority's mapping")
    audit_record(
        authority=authority, user=user, action="placement_mapping.delete", obj=mapping, before=_mapping_dict(mapping)
    )
    mapping.delete()


@transaction.atomic
def unit_cost_save(
    *,
    authority: Authority,
    user: User,
    placement_type: PlacementType,
    effective_from: date,
    weekly_cost: int,
) -> UnitCost:
    """Set the unit cost of a type from a date (replacing one already set for that date), then
    re-price the placements that came from SSDA903 returns."""
    problem = rules.weekly_money_problem(weekly_cost, "unit cost")
    if problem:
        raise ValidationError({"weekly_cost": f"The unit cost {problem}"})
    row = UnitCost.objects.filter(
        authority=authority, placement_type=placement_type, effective_from=effective_from
    ).first()
    before = {"weekly_cost": row.weekly_cost} if row else None
    if row is None:
        row = UnitCost(authority=authority, placement_type=placement_type, effective_from=effective_from)
    row.weekly_cost = weekly_cost
    row.save()
    audit_record(
        authority=authority,
        user=user,
        action="placement_unit_cost.save",
        obj=row,
        before=before,
        after={"placement_type": placement_type.code, "effective_from": effective_from, "weekly_cost": weekly_cost},
    )
    ssda903_reprice(authority=authority, user=user, placement_type=placement_type)
    return row


@transaction.atomic
def unit_cost_delete(*, authority: Authority, user: User, unit_cost: UnitCost) -> None:
    if unit_cost.authority_id != authority.pk:
        raise ValidationError("Not this authority's unit cost")
    placement_type = unit_cost.placement_type
    audit_record(
        authority=authority,
        user=user,
        action="placement_unit_cost.delete",
        obj=unit_cost,
        before={
            "placement_type": placement_type.code,
            "effective_from": unit_cost.effective_from,
            "weekly_cost": unit_cost.weekly_cost,
        },
    )
    unit_cost.delete()
    ssda903_reprice(authority=authority, user=user, placement_type=placement_type)
