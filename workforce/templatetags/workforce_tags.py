"""Showing FTE and rates as the workforce reports write them: 12.5 FTE, 30 FTE, 15.2% (the
`wording` rules)."""

from __future__ import annotations

import math
from decimal import Decimal

from django import template

import wording

register = template.Library()


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


@register.filter
def fte(value: object, places: int = 1) -> str:
    """An FTE figure to one decimal, without a '.0' on whole numbers (`wording.decimal_count`):
    12.5, 30; blank when there is none. `places` is kept for older templates."""
    if _blank(value):
        return ""
    return wording.decimal_count(str(value))


@register.filter
def rate(value: object, places: int = 1) -> str:
    """A fraction as a percentage to one decimal (0.152 → 15.2%); blank where the rate has no
    denominator."""
    if _blank(value):
        return ""
    return wording.percent(Decimal(str(value)) * 100)


@register.filter
def pct(value: object, places: int = 1) -> str:
    """A percentage already × 100, to one decimal (54.17 → 54.2%)."""
    if _blank(value):
        return ""
    return wording.percent(str(value))


@register.filter
def lookup(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key) if mapping else None
