"""Template tags of the dashboards: the published periods for pages outside the app (the committee
member's home page), the scenarios' words, and the live dashboard's body kept once drawn."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from dashboards import selectors
from dashboards.document import CACHE_SECONDS

register = template.Library()


@register.simple_tag
def published_periods(user: User) -> dict[str, Any]:
    """The user's authority's published versions and which of them are current."""
    if not isinstance(user, User) or user.authority is None:
        return {"versions": [], "current": set()}
    versions = selectors.published_versions(authority=user.authority)
    return {"versions": versions, "current": {p.pk for p in selectors.current_versions(authority=user.authority)}}


class _KeptNode(Node):
    def __init__(self, nodelist: NodeList, name: str, key: FilterExpression):
        self.nodelist, self.name, self.key = nodelist, name, key

    def render(self, context: Context) -> SafeString:
        key = self.key.resolve(context)
        if not key:
            return self.nodelist.render(context)
        cache_key = f"dashboards:kept:{self.name}:{key}"
        html: str | None = cache.get(cache_key)
        if html is None:
            html = self.nodelist.render(context)
            # No longer than the run's document it was drawn from may be kept.
            cache.set(cache_key, html, CACHE_SECONDS)
        return mark_safe(html)  # noqa: S308 - what the template itself drew, escaped as it was drawn


@register.tag("kept")
def kept(parser: Parser, token: Token) -> _KeptNode:
    """`{% kept "name" key %}...{% endkept %}`: what is inside, drawn once per key and
    then read from the cache (drawn every time when the key is empty). The key must change
    whenever anything drawn inside could (`dashboards.document.live_body`); nothing inside may
    depend on the user or the request."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError('{% kept "name" key %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return _KeptNode(nodelist, bits[1].strip("\"'"), parser.compile_filter(bits[2]))
