"""Showing placement KPIs: unrounded averages and changes as councils write them."""

from __future__ import annotations

import math
from typing import Any

from django import template

import wording
from forecasting.engine.money import pounds_text, round_pence_array

register = template.Library()


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


@register.filter
def weekly(pence: Any) -> str:
    """An average weekly cost in (fractional) pence → '£1,234.56', rounded half up."""
    if _missing(pence):
        return "–"
    return pounds_text(int(round_pence_array([float(pence)])[0]), 2)


@register.filter
def number(value: Any, places: int = 1) -> str:
    """A number of children: whole for places=0, else to one decimal without a '.0' (393, 385.6)."""
    if _missing(value):
        return "–"
    if int(places) == 0:
        return wording.count(value)
    if int(places) == 1:
        return wording.decimal_count(value)
    return f"{float(value):,.{int(places)}f}"


@register.filter
def signed(value: Any, places: int = 0) -> str:
    """A change with its sign: +3, -1.5."""
    if _missing(value):
        return "–"
    return f"{float(value):+,.{int(places)}f}"


@register.filter
def signed_pounds(pence: Any) -> str:
    if _missing(pence):
        return "–"
    """A change in money in words: '£1,234 more', '£1,234 less' or 'no change'."""
    return wording.change_phrase(int(pence), short=False)


@register.filter
def share(value: Any) -> str:
    if _missing(value):
        return "–"
    return wording.percent(float(value) * 100)


@register.filter
def item(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
