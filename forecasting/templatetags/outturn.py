"""Template filters for what people read: money, percentages, counts, dates and times, all by
the rules of `wording` (one formatter each, shared with the PDF, the downloads and the engine)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.text import capfirst

import wording
from accounts import audit
from forecasting import scenarios
from forecasting.engine.money import pence_to_pounds
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import PlacementType

register = template.Library()


def _pence(value: int | str | None) -> int | None:
    return None if value is None or value == "" else int(value)


@register.filter
def pounds(pence: int | str | None, places: int = 0) -> str:
    """Integer pence -> '£1,234' (or with pence when places=2); negative in brackets."""
    return wording.money(_pence(pence), int(places))


@register.filter
def pounds_short(pence: int | str | None) -> str:
    """'£1.2m', '£950k'."""
    return wording.money_short(_pence(pence))


@register.filter
def variance_words(pence: int | str | None, style: str = "short") -> str:
    """'an overspend of £1.2m', 'an underspend of £1.2m' or 'on budget'."""
    return wording.variance_phrase(_pence(pence), short=style != "full")


@register.filter
def pounds_input(pence: int | str | None) -> str:
    """The value to put back in a form field: 1234.56, no £ or commas."""
    if pence is None or pence == "":
        return ""
    return f"{pence_to_pounds(int(pence))}"


@register.filter
def date_uk(value: date | datetime | None) -> str:
    """31 July 2019 (a date-time is shown as the local date)."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return wording.date_text(value)


@register.filter
def time_uk(value: datetime | None) -> str:
    """2:15pm, in local time."""
    if value is None or value == "":
        return ""
    return wording.time_text(timezone.localtime(value) if timezone.is_aware(value) else value)


@register.filter
def datetime_uk(value: datetime | None) -> str:
    """2:15pm on 3 May 2026, in local time."""
    if value is None or value == "":
        return ""
    return wording.datetime_text(timezone.localtime(value) if timezone.is_aware(value) else value)


@register.filter
def percent(value: float | Decimal | None, places: int = 1) -> str:
    """One decimal place everywhere (issue 12): `places` is accepted from older templates and
    ignored, so like figures always read alike."""
    return wording.percent(value)


@register.filter
def whole(value: float | Decimal | None) -> str:
    """A count of children or workers: 998.0 -> '998'."""
    return wording.count(value)


@register.filter
def fte(value: float | Decimal | None) -> str:
    """FTE or an average number: 12.0 -> '12', 12.46 -> '12.5'."""
    return wording.decimal_count(value)


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key) if mapping else None


@register.simple_tag
def reported_scenario() -> str:
    """The scenario that is reported (published and compared across periods): middle."""
    return REPORTED_SCENARIO


@register.filter
def scenario_name(name: str) -> str:
    """A scenario as the pages name it: Best, Middle (reported), Worst."""
    return f"{capfirst(name)}{' (reported)' if name == REPORTED_SCENARIO else ''}"


@register.filter
def assumption_words(row: Any) -> str:
    """A scenario assumption in words: "Agency workers by March: 50" (never its column codes)."""
    names = dict(PlacementType.objects.values_list("code", "name"))
    return scenarios.assumption_words(row, names)


@register.filter
def placement_type_name(code: str | None) -> str:
    """A placement type's name from its code: fostering_ifa -> Independent fostering agency."""
    if not code:
        return ""
    found = PlacementType.objects.filter(code=code).values_list("name", flat=True).first()
    return found or str(code)


@register.filter
def status_words(code: str | None) -> str:
    """A status code as words: at_risk -> At risk, on_track -> On track, red -> Red."""
    return capfirst(str(code or "").replace("_", " ").strip())


@register.filter
def audit_change(event: Any) -> str:
    """An audit event's kind of change in words: "Signed off 2019/20 period 7 version 1"."""
    return audit.event_words(event.action, event.object_repr)


@register.filter
def audit_action(action: str) -> str:
    return audit.action_words(action)


@register.filter
def audit_values(values: Any) -> str:
    """An audit event's before or after values in words, amounts in pounds."""
    return audit.changes_words(values)


@register.filter
def pounds_abs(pence: int | str | None) -> str:
    """The size of an amount, for a sentence or cell that says over or under in words."""
    value = _pence(pence)
    return wording.money(None if value is None else abs(value))


@register.filter
def change_words(pence: int | str | None) -> str:
    """A movement cell: '£1,234 more', '£1,234 less' or 'no change'."""
    return wording.change_phrase(_pence(pence), short=False)


@register.filter
def percent_size(value: float | Decimal | None) -> str:
    """A percentage without its sign, for a sentence that says over or under: -2.71 -> '2.7%'."""
    return wording.signed_percent(value)


@register.filter
def share_percent(value: float | Decimal | None) -> str:
    """A share (0.823) as a percentage to one decimal: 82.3%."""
    if value is None or value == "":
        return ""
    return wording.percent(Decimal(str(value)) * 100)
