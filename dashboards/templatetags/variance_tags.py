"""A variance in words for the services and lines tables: "£726,813 over", "£304,104 under",
"£0" — never "-£304,104 under", which says the direction twice and reads as a double negative."""

from __future__ import annotations

from django import template

from forecasting.engine.money import pounds_text

register = template.Library()


@register.filter
def over_under(pence: int | str | None, suffix: str = "") -> str:
    """`suffix` "spend" writes "£726,813 overspend" / "£304,104 underspend"."""
    if pence is None or pence == "":
        return ""
    value = int(pence)
    if value == 0:
        return pounds_text(0)
    return f"{pounds_text(abs(value))} {'over' if value > 0 else 'under'}{suffix}"
