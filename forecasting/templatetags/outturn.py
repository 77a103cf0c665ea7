"""Showing money and dates as councils write them: £1,234,567 and 31 July 2019."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template

from forecasting.engine.money import pence_to_pounds
from forecasting.parsing import format_date_uk

register = template.Library()


@register.filter
def pounds(pence: int | str | None, places: int = 0) -> str:
    """Integer pence -> '£1,234' (or with pence when places=2); negative as '-£1,234'."""
    if pence is None or pence == "":
        return ""
    value = pence_to_pounds(int(pence))
    if int(places) == 0:
        value = value.quantize(Decimal(1))
        text = f"£{abs(value):,}"
    else:
        text = f"£{abs(value):,.2f}"
    return f"-{text}" if value < 0 else text


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
