"""Single objects and short lists for the pages, scoped to the authority (another authority's id
is simply not found)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Authority
from forecasting.models import FinancialYear, ServiceArea
from savings.models import MediumTermPlan, Programme, Saving, SavingVersion


def plan_for(*, authority: Authority) -> MediumTermPlan | None:
    return MediumTermPlan.objects.filter(authority=authority).first()


def saving_for(*, authority: Authority, saving_id: int) -> Saving:
    try:
        return Saving.objects.select_related("service_area", "line", "programme").get(pk=saving_id, authority=authority)
    except Saving.DoesNotExist:
        raise Http404("No such saving") from None


def programme_for(*, authority: Authority, programme_id: int) -> Programme:
    try:
        return Programme.objects.get(pk=programme_id, authority=authority)
    except Programme.DoesNotExist:
        raise Http404("No such programme") from None


def default_year(*, authority: Authority, plan: MediumTermPlan | None) -> str | None:
    """The year the tracker opens on: the latest budget year when it is in the plan, else the
    plan's first year."""
    latest = FinancialYear.objects.filter(authority=authority).order_by("-start_year").values_list("label", flat=True)
    label = latest.first()
    if plan is None:
        return label
    return label if label in plan.years else plan.first_year


def service_area_names(*, authority: Authority) -> QuerySet[ServiceArea, str]:
    """The tracker's service area filter."""
    return ServiceArea.objects.filter(authority=authority).values_list("name", flat=True)


def saving_current_amounts(*, saving: Saving) -> dict[str, int]:
    """The profile a re-profile starts from: the re-profile if there is one, else the approved."""
    current: dict[str, int] = {}
    for version in (SavingVersion.Version.APPROVED, SavingVersion.Version.REPROFILED):
        row = saving.versions.filter(version=version).first()
        if row is not None:
            current = dict(row.amounts.values_list("year_label", "amount"))
    return current


def saving_approved_total(*, saving: Saving) -> int | None:
    """The approved lifetime total a re-profile must keep (None before approval)."""
    approved = saving.versions.filter(version=SavingVersion.Version.APPROVED).first()
    return sum(approved.amounts.values_list("amount", flat=True)) if approved else None


def programme_profile_amounts(*, programme: Programme) -> tuple[list[tuple[str, str, int]], list[tuple[str, int]]]:
    """(profile, year, pence) of every benefit and (year, pence) of every cost, as stored."""
    benefits = list(programme.benefits.values_list("profile", "year_label", "amount"))
    costs = list(programme.costs.values_list("year_label", "amount"))
    return benefits, costs
