"""The medium-term financial plan: the years every saving's amounts must fall in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, User
from forecasting.engine.calendar import CalendarError, parse_year_label
from savings.models import MediumTermPlan
from savings.services.problems import full_clean


def _plan_state(plan: MediumTermPlan) -> dict[str, Any]:
    return {
        "first_year": plan.first_year,
        "last_year": plan.last_year,
        "approved_by": plan.approved_by,
        "approved_on": plan.approved_on,
    }


@transaction.atomic
def medium_term_plan_set(
    *,
    authority: Authority,
    user: User | None,
    first_year: str,
    last_year: str,
    approved_by: str = "",
    approved_on: date | None = None,
) -> MediumTermPlan:
    """Set the years of the authority's MTFP. Amounts already entered for other years are kept
    (they are the history of earlier plans) but new amounts must fall inside the plan."""
    plan = MediumTermPlan.objects.select_for_update().filter(authority=authority).first()
    before = _plan_state(plan) if plan else None
    plan = plan or MediumTermPlan(authority=authority)
    plan.first_year, plan.last_year = first_year.strip(), last_year.strip()
    plan.approved_by, plan.approved_on = approved_by.strip(), approved_on
    full_clean(plan, exclude=["authority"])
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
