"""Showing FTE and rates as the workforce reports write them: 12.5 FTE, 15.2%."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


def _blank(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


@register.filter
def fte(value: object, places: int = 1) -> str:
    """An FTE figure to `places` decimals; blank when there is none."""
    if _blank(value):
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    return f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)}"


@register.filter
def rate(value: object, places: int = 1) -> str:
    """A fraction as a percentage (0.152 → 15.2%); blank where the rate has no denominator."""
    if _blank(value):
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    return f"{(Decimal(str(value)) * 100).quantize(quantum, rounding=ROUND_HALF_UP)}%"


@register.filter
def pct(value: object, places: int = 1) -> str:
    """A percentage already × 100 (54.17 → 54.2%)."""
    if _blank(value):
        return ""
    quantum = Decimal(1).scaleb(-int(places))
    return f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)}%"


@register.filter
def lookup(mapping: dict[object, object], key: object) -> object:
    return mapping.get(key) if mapping else None
