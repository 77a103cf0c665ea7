"""Writes for the financial core: years, periods, lines, budgets and actuals. All audited."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_bulk, audit_record
from accounts.models import Authority, User
from forecasting.engine.calendar import parse_year_label
from forecasting.models import (
    Actual,
    Budget,
    BudgetLine,
    BudgetRevision,
    FinancialYear,
    Period,
    PeriodLockedError,
    PlacementType,
    ServiceArea,
    period_status_change,
)
from forecasting.period_rules import (
    PeriodNotReadyError,
    TransitionError,
    lock_refusal,
    reopen_refusal,
    submit_refusal,
    unlock_refusal,
)
from forecasting.signals import period_submitted

__all__ = ["PeriodNotReadyError", "TransitionError"]  # raised by the period services below


@transaction.atomic
def financial_year_get_or_create(*, authority: Authority, label: str) -> FinancialYear:
    start_year = parse_year_label(label)
    year, created = FinancialYear.objects.get_or_create(
        authority=authority, label=label.strip(), defaults={"start_year": start_year}
    )
    if created:
        Period.objects.bulk_create([Period(year=year, number=n) for n in range(1, 13)])
    return year


def service_area_get_or_create(*, authority: Authority, name: str) -> ServiceArea:
    area, _ = ServiceArea.objects.get_or_create(authority=authority, name=name.strip())
    return area


def _line_state(line: BudgetLine) -> dict[str, object]:
    return {
        "code": line.code,
        "name": line.name,
        "service_area": line.service_area.name,
        "category": line.category,
        "placement_type": line.placement_type.code if line.placement_type else None,
        "team": line.team_code,
        "method": line.method,
    }


@transaction.atomic
def budget_line_save(
    *,
    authority: Authority,
    user: User | None,
    code: str,
    name: str,
    service_area: str,
    category: str,
    placement_type: PlacementType | None = None,
    team_code: str = "",
    method: str = BudgetLine.Method.PROFILE,
    line: BudgetLine | None = None,
) -> BudgetLine:
    """Create a budget line, or change `line` (its code may not change once it has actuals)."""
    area = service_area_get_or_create(authority=authority, name=service_area)
    if line is None:
        line = BudgetLine(authority=authority)
        before = None
    else:
        line = BudgetLine.objects.select_for_update().get(pk=line.pk, authority=authority)
        before = _line_state(line)
    line.code, line.name, line.service_area, line.category = code.strip(), name.strip(), area, category
    line.placement_type = placement_type if category == BudgetLine.Category.PLACEMENTS else None
    line.team_code = team_code.strip() if category == BudgetLine.Category.WORKFORCE else ""
    line.method = method
    line.full_clean()
    line.save()
    after = _line_state(line)
    if before != after:
        audit_record(
            authority=authority,
            user=user,
            action="budget_line.create" if before is None else "budget_line.update",
            obj=line,
            before=before,
            after=after,
        )
    return line


@transaction.atomic
def budget_set(
    *,
    authority: Authority,
    user: User | None,
    line: BudgetLine,
    year: FinancialYear,
    amount: int,
    reason: str,
    budget_numbers: Decimal | None = None,
) -> Budget:
    """Set a line's budget for a year. The first amount is the original budget; later changes are
    revisions, each with a reason (required)."""
    if line.authority_id != authority.pk or year.authority_id != authority.pk:
        raise ValueError("The line and the year must belong to the same authority")
    budget = Budget.objects.select_for_update().filter(line=line, year=year).first()
    if budget is None:
        budget = Budget.objects.create(
            line=line, year=year, original_amount=amount, amount=amount, budget_numbers=budget_numbers
        )
        audit_record(
            authority=authority,
            user=user,
            action="budget.set",
            obj=budget,
            after={"amount": amount, "budget_numbers": budget_numbers},
            reason=reason or "original budget",
        )
        return budget
    before = {"amount": budget.amount, "budget_numbers": budget.budget_numbers}
    if budget.amount == amount and budget.budget_numbers == budget_numbers:
        return budget
    if budget.amount != amount:
        if not reason.strip():
            raise ValueError("Give a reason for changing the budget")
        BudgetRevision.objects.create(
            budget=budget, before=budget.amount, after=amount, reason=reason.strip(), changed_by=user
        )
    budget.amount = amount
    budget.budget_numbers = budget_numbers
    budget.save(update_fields=["amount", "budget_numbers"])
    audit_record(
        authority=authority,
        user=user,
        action="budget.revise",
        obj=budget,
        before=before,
        after={"amount": amount, "budget_numbers": budget_numbers},
        reason=reason,
    )
    return budget


def _lock_period(period: Period) -> Period:
    return Period.objects.select_for_update().select_related("year").get(pk=period.pk)


@transaction.atomic
def actuals_save(
    *,
    authority: Authority,
    user: User | None,
    period: Period,
    amounts: dict[int, int | None],
    action: str = "actuals.save",
) -> dict[str, int]:
    """Set a period's actuals: {line id: pence, or None to clear}. Refused for a locked period.

    The period row is locked for the transaction so that a director locking the period at the
    same moment waits for this save (or this save sees the lock and stops).
    """
    locked_period = _lock_period(period)
    if locked_period.year.authority_id != authority.pk:
        raise ValueError("The period belongs to another authority")
    if locked_period.is_locked:
        raise PeriodLockedError(f"{locked_period} is locked; its actuals cannot be changed")
    lines = {line.pk: line for line in BudgetLine.objects.filter(authority=authority, pk__in=amounts.keys())}
    unknown = set(amounts) - set(lines)
    if unknown:
        raise ValueError(f"Unknown budget line id(s): {sorted(unknown)}")
    existing = {a.line_id: a for a in Actual.objects.filter(period=locked_period, line_id__in=amounts.keys())}
    to_create: list[Actual] = []
    to_update: list[Actual] = []
    to_delete: list[int] = []
    changes: list[tuple[str, str, str, dict[str, int] | None, dict[str, int] | None]] = []
    for line_id, amount in amounts.items():
        current = existing.get(line_id)
        line = lines[line_id]
        if amount is None:
            if current is not None:
                to_delete.append(current.pk)
                changes.append(
                    (
                        "forecasting.Actual",
                        str(current.pk),
                        f"{line.code} {locked_period}",
                        {"amount": current.amount},
                        None,
                    )
                )
            continue
        if current is None:
            to_create.append(Actual(line=line, period=locked_period, amount=amount, updated_by=user))
            changes.append(("forecasting.Actual", "", f"{line.code} {locked_period}", None, {"amount": amount}))
        elif current.amount != amount:
            changes.append(
                (
                    "forecasting.Actual",
                    str(current.pk),
                    f"{line.code} {locked_period}",
                    {"amount": current.amount},
                    {"amount": amount},
                )
            )
            current.amount = amount
            current.updated_by = user
            # bulk_update skips auto_now: set it, so that "changed after the forecast" is true.
            current.updated_at = timezone.now()
            to_update.append(current)
    if to_delete:
        Actual.objects.filter(pk__in=to_delete).delete()
    if to_create:
        Actual.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        Actual.objects.bulk_update(to_update, ["amount", "updated_by", "updated_at"], batch_size=1000)
    audit_bulk(authority=authority, user=user, action=action, changes=changes)
    return {"created": len(to_create), "updated": len(to_update), "cleared": len(to_delete)}


def _transition(period: Period, *, user: User | None, to: str, reason: str = "") -> Period:
    before = period.status
    period.status = to
    now = timezone.now()
    if to == Period.Status.SUBMITTED:
        period.submitted_at, period.submitted_by = now, user
    elif to == Period.Status.LOCKED:
        period.locked_at, period.locked_by = now, user
    with period_status_change():  # the only place a status changes; audited just below
        period.save()
    audit_record(
        authority=period.year.authority,
        user=user,
        action=f"period.{to}",
        obj=period,
        before={"status": before},
        after={"status": to},
        reason=reason,
    )
    return period


@transaction.atomic
def period_submit(*, period: Period, user: User | None, forecast: bool = True) -> Period:
    """The finance officer says the period's actuals are complete; that requests a forecast as at
    the period (the run is dispatched once this transaction commits). Refused unless every earlier
    period is submitted or locked and every line has an actual for every period up to this one."""
    period = _lock_period(period)
    problem = submit_refusal(period)
    if problem is not None:
        raise problem
    period = _transition(period, user=user, to=Period.Status.SUBMITTED)
    period_submitted.send(sender=Period, period=period, user=user, forecast=forecast)
    return period


@transaction.atomic
def period_lock(*, period: Period, user: User | None) -> Period:
    """A director locks a submitted period: its actuals can no longer change by any route."""
    period = _lock_period(period)
    problem = lock_refusal(period)
    if problem is not None:
        raise problem
    return _transition(period, user=user, to=Period.Status.LOCKED)


@transaction.atomic
def period_unlock(*, period: Period, user: User | None, reason: str) -> Period:
    """A director reopens a locked period, recording why (corrections after lock are rare)."""
    if not reason.strip():
        raise TransitionError("Give the reason for unlocking the period")
    period = _lock_period(period)
    problem = unlock_refusal(period)
    if problem is not None:
        raise problem
    return _transition(period, user=user, to=Period.Status.OPEN, reason=reason.strip())


@transaction.atomic
def period_reopen(*, period: Period, user: User | None, reason: str) -> Period:
    """A director sends a submitted period back to the finance officer."""
    if not reason.strip():
        raise TransitionError("Give the reason for sending the period back")
    period = _lock_period(period)
    problem = reopen_refusal(period)
    if problem is not None:
        raise problem
    return _transition(period, user=user, to=Period.Status.OPEN, reason=reason.strip())


def period_change(*, period: Period, user: User, action: str, reason: str = "") -> Period:
    """The confirmation pages' one entry point: `action` is submit, lock, unlock or reopen."""
    if action == "submit":
        return period_submit(period=period, user=user)
    if action == "lock":
        return period_lock(period=period, user=user)
    if action == "unlock":
        return period_unlock(period=period, user=user, reason=reason)
    if action == "reopen":
        return period_reopen(period=period, user=user, reason=reason)
    raise ValueError(f"Unknown period action {action!r}")
