"""The error summary and the "Error: " title prefix, worked out once for every page."""

from __future__ import annotations

from typing import Any

from django import forms, template

from core.forms import error_items, has_errors

register = template.Library()


@register.inclusion_tag("govuk/forms/error_summary.html")
def error_summary(*forms_: forms.BaseForm | None) -> dict[str, Any]:
    """GOV.UK's error summary of the given forms, each error linked to its field."""
    return {"items": error_items(*forms_)}


@register.simple_tag(takes_context=True)
def error_title_prefix(context: template.Context) -> str:
    """ "Error: " when the page shows a form with errors, or its view says it shows errors
    (`page_errors`), so that a screen reader hears it first."""
    for scope in context.dicts:
        for name, value in scope.items():
            if name == "page_errors" and value:
                return "Error: "
            if has_errors(value):
                return "Error: "
    return ""
