"""Linking an authority to its DfE LA number (an administrator's setting), audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_record
from accounts.models import Authority, User
from benchmarks.models import Area, AuthorityLink, PublishedValue


def _check(la_number: int) -> None:
    """A council of the loaded statistics that still reports; any number 1 to 999 before a release
    is loaded (the page says the figures will follow)."""
    if not 1 <= la_number <= 999:
        raise ValidationError("Enter the council's DfE LA number, a whole number from 1 to 999, such as 886.")
    if not Area.objects.exists():
        return
    area = Area.objects.filter(la_number=la_number).first()
    if area is None:
        raise ValidationError(f"There is no council with LA number {la_number} in DfE's published statistics.")
    if area.kind != Area.Kind.COUNCIL:
        raise ValidationError(f"LA number {la_number} is {area.name}, not a council; enter the council's own number.")
    years = list(
        PublishedValue.objects.filter(area=area, value__isnull=False, measure__code="LACnum").values_list(
            "year", flat=True
        )
    )
    latest = list(
        PublishedValue.objects.filter(measure__code="LACnum", value__isnull=False).values_list("year", flat=True)
    )
    if latest and years and max(years) < max(latest):
        raise ValidationError(
            f"LA number {la_number} is {area.name}, which has no published figures after {max(years)}: the "
            "council has been reorganised. Enter the number of the council that replaced it."
        )


def authority_link_set(*, authority: Authority, la_number: int, user: User) -> AuthorityLink:
    _check(la_number)
    with transaction.atomic():
        link = AuthorityLink.objects.select_for_update().filter(authority=authority).first()
        before = {"la_number": link.la_number} if link is not None else None
        if link is None:
            link = AuthorityLink.objects.create(authority=authority, la_number=la_number)
        elif link.la_number != la_number:
            link.la_number = la_number
            link.save(update_fields=["la_number", "updated_at"])
        else:
            return link
        audit_record(
            authority=authority,
            user=user,
            action="benchmarks.la_number",
            obj=link,
            object_repr=f"DfE LA number of {authority.name}",
            before=before,
            after={"la_number": la_number},
        )
    return link
