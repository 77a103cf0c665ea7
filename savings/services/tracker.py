"""The savings tracker: adding a saving, changing what it is, its reporting cycles and mitigations."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, User
from forecasting.engine.calendar import CalendarError, parse_year_label
from forecasting.engine.savings import SavingsError, derive_rag
from forecasting.models import BudgetLine, ServiceArea
from savings.models import Mitigation, Programme, Saving, SavingUpdate, SavingVersion, Status
from savings.services.problems import SavingInputError, same_authority
from savings.services.versions import APPROVED, VersionInput, amount_problems, saving_versions_set


def _saving_state(saving: Saving) -> dict[str, Any]:
    return {
        "ref": saving.ref,
        "title": saving.title,
        "service_area": saving.service_area.name,
        "line": saving.line.code if saving.line else None,
        "saving_type": saving.saving_type,
        "owner": saving.owner,
        "narrative": saving.narrative,
        "programme": saving.programme.code if saving.programme else None,
        "start_date": saving.start_date,
        "full_year_effect": saving.full_year_effect,
    }


def _detail_problems(
    authority: Authority,
    *,
    ref: str,
    title: str,
    service_area: ServiceArea | None,
    line: BudgetLine | None,
    saving_type: str,
    programme: Programme | None,
    full_year_effect: int | None,
    saving: Saving | None,
) -> list[str]:
    same_authority(authority, service_area, line, programme)
    problems = []
    if not ref.strip():
        problems.append("reference: enter the saving's reference")
    elif (
        Saving.objects.filter(authority=authority, ref__iexact=ref.strip())
        .exclude(
            pk=saving.pk if saving else None  # type: ignore[misc]
        )
        .exists()
    ):
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


def _status_problems(
    status: str, rag: str | None, programme: Programme | None, forecast_delivery: int | None
) -> list[str]:
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


@transaction.atomic
def saving_create(
    *,
    authority: Authority,
    user: User | None,
    ref: str,
    title: str,
    service_area: ServiceArea,
    amounts: Mapping[str, int],
    status: str,
    as_at: date,
    year_label: str,
    line: BudgetLine | None = None,
    saving_type: str = Saving.Type.SPEND_REDUCTION,
    owner: str = "",
    narrative: str = "",
    programme: Programme | None = None,
    start_date: date | None = None,
    full_year_effect: int | None = None,
    version: str = APPROVED,
    approved_by: str = "",
    approved_on: date | None = None,
    rag: str | None = None,
    forecast_delivery: int | None = None,
    progress: str = "",
    period: int | None = None,
) -> Saving:
    """Add a saving with its first profile (consultation or approved) and first status update."""
    problems = _detail_problems(
        authority,
        ref=ref,
        title=title,
        service_area=service_area,
        line=line,
        saving_type=saving_type,
        programme=programme,
        full_year_effect=full_year_effect,
        saving=None,
    )
    if version not in (SavingVersion.Version.CONSULTATION, APPROVED):
        problems.append("version: a new saving starts as a consultation or an approved proposal; re-profile it later")
    problems += _status_problems(status, rag, programme, forecast_delivery)
    problems += amount_problems(authority, amounts)
    if problems:
        raise SavingInputError(problems)
    saving = Saving.objects.create(
        authority=authority,
        ref=ref.strip(),
        title=title.strip(),
        service_area=service_area,
        line=line,
        saving_type=saving_type,
        owner=owner.strip(),
        narrative=narrative.strip(),
        programme=programme,
        start_date=start_date,
        full_year_effect=full_year_effect,
        status=status,
        rag=derive_rag(status, rag),
    )
    audit_record(authority=authority, user=user, action="saving.create", obj=saving, after=_saving_state(saving))
    saving_versions_set(
        authority=authority,
        user=user,
        saving=saving,
        versions={version: VersionInput(amounts=amounts, approved_by=approved_by, approved_on=approved_on)},
    )
    saving_status_record(
        authority=authority,
        user=user,
        saving=saving,
        as_at=as_at,
        year_label=year_label,
        status=status,
        rag=rag,
        forecast_delivery=forecast_delivery,
        narrative=progress,
        period=period,
    )
    return saving


@transaction.atomic
def saving_details_save(
    *,
    authority: Authority,
    user: User | None,
    saving: Saving,
    title: str,
    service_area: ServiceArea,
    line: BudgetLine | None = None,
    saving_type: str = Saving.Type.SPEND_REDUCTION,
    owner: str = "",
    narrative: str = "",
    programme: Programme | None = None,
    start_date: date | None = None,
    full_year_effect: int | None = None,
    ref: str | None = None,
) -> Saving:
    """Change what a saving is (not its amounts, status or history, which have their own services)."""
    same_authority(authority, saving)
    saving = (
        Saving.objects.select_for_update(of=("self",))
        .select_related("service_area", "line", "programme")
        .get(pk=saving.pk)
    )
    ref = saving.ref if ref is None else ref
    problems = _detail_problems(
        authority,
        ref=ref,
        title=title,
        service_area=service_area,
        line=line,
        saving_type=saving_type,
        programme=programme,
        full_year_effect=full_year_effect,
        saving=saving,
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


@transaction.atomic
def saving_status_record(
    *,
    authority: Authority,
    user: User | None,
    saving: Saving,
    as_at: date,
    year_label: str,
    status: str,
    rag: str | None = None,
    forecast_delivery: int | None = None,
    narrative: str = "",
    period: int | None = None,
) -> SavingUpdate:
    """Record one reporting cycle: status, RAG (derived from the status when blank), forecast
    delivery for the FY and the progress narrative. The saving shows its latest cycle by date."""
    same_authority(authority, saving)
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
        saving=saving,
        as_at=as_at,
        year_label=year_label,
        period=period,
        status=status,
        rag=derive_rag(status, rag),
        forecast_delivery=forecast_delivery,
        narrative=narrative.strip(),
        recorded_by=user,
    )
    latest = saving.updates.order_by("-as_at", "-id").first()
    assert latest is not None
    before = {"status": saving.status, "rag": saving.rag}
    saving.status, saving.rag = latest.status, latest.rag
    saving.save(update_fields=["status", "rag", "updated_at"])
    audit_record(
        authority=authority,
        user=user,
        action="saving.status",
        obj=saving,
        before=before,
        after={
            "as_at": as_at,
            "year": year_label,
            "period": period,
            "status": update.status,
            "rag": update.rag,
            "forecast_delivery": forecast_delivery,
            "narrative": update.narrative,
        },
    )
    return update


@transaction.atomic
def saving_mitigation_add(
    *,
    authority: Authority,
    user: User | None,
    saving: Saving,
    year_label: str,
    amount: int,
    source: str,
    description: str = "",
) -> Mitigation:
    """Record how part of a saving's shortfall in a year is covered (amount and source)."""
    same_authority(authority, saving)
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
        saving=saving,
        year_label=year_label,
        amount=int(amount),
        source=source,
        description=description.strip(),
        recorded_by=user,
    )
    audit_record(
        authority=authority,
        user=user,
        action="saving.mitigation_add",
        obj=saving,
        after={
            "year": year_label,
            "amount": mitigation.amount,
            "source": source,
            "description": mitigation.description,
        },
    )
    return mitigation
