"""Showing money and dates as councils write them: £1,234,567 and 31 July 2019."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils.text import capfirst

from forecasting.engine.money import pence_to_pounds, pounds_text
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.parsing import format_date_uk

register = template.Library()


@register.filter
def pounds(pence: int | str | None, places: int = 0) -> str:
    """Integer pence -> '£1,234' (or with pence when places=2); negative as '-£1,234'."""
    if pence is None or pence == "":
        return ""
    return pounds_text(int(pence), int(places))


@register.filter
def pounds_input(pence: int | str | None) -> str:
    """The value to put back in a form field: 1234.56, no £ or commas."""
    if pence is None or pence == "":
        return ""
    return f"{pence_to_pounds(int(pence))}"


@register.filter
def date_uk(value: date | datetime | None) -> str:
    return format_date_uk(value)


@register.filter
def percent(value: float | Decimal | None, places: int = 1) -> str:
    if value is None or value == "":
        return ""
    return f"{Decimal(str(value)):.{int(places)}f}%"


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
