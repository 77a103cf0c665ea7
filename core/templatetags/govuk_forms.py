"""The error summary and the "Error: " title prefix, worked out once for every page."""

from __future__ import annotations

from typing import Any

from django import forms, template

from core.forms import error_items, has_errors

register = template.Library()


@register.inclusion_tag("govuk/forms/error_summary.html")
def error_summary(*forms_: forms.BaseForm | None, title: str = "There is a problem") -> dict[str, Any]:
    """GOV.UK's error summary of the given forms, each error linked to its field."""
    return {"items": error_items(*forms_), "title": title}


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """ "Error: " when the page shows a bound form with errors, so that a screen reader hears it first."""
    for scope in context.dicts:
        if any(has_errors(value) for value in scope.values()):
            return "Error: "
    return ""


@register.inclusion_tag("govuk/forms/checkbox_group.html")
def checkbox_group(legend: str, *fields: Any, small: bool = False) -> dict[str, Any]:
    """Several yes/no fields under one legend (a filter's "Show only"), each its own box."""
    return {"legend": legend, "fields": fields, "small": small}
