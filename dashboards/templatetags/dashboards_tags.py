"""Template tags of the dashboards: the published periods for pages outside the app (the committee
member's home page) and the scenarios' words."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from dashboards import selectors

register = template.Library()


@register.simple_tag
def published_periods(user: User) -> dict[str, Any]:
    """The user's authority's published versions and which of them are current."""
    if not isinstance(user, User) or user.authority is None:
        return {"versions": [], "current": set()}
    versions = selectors.published_versions(authority=user.authority)
    return {"versions": versions, "current": {p.pk for p in selectors.current_versions(authority=user.authority)}}
