"""The chart sections' HTML, drawn once per content and kind of page.

A chart's table is the heaviest part of the dashboard to draw (hundreds of cells, each formatted
in the councils' words), and its content never changes for a run. So each chart's HTML is kept
in the cache under a digest of the chart itself (`display.chart_digest`) and of what else the
section shows (the live downloads' query, the published version's links, or none in print): the
same key can only ever mean the same HTML, so nothing needs expiring when a run or a period
changes. All of a page's charts are fetched in one round trip to the cache."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from dashboards.display import display_chart

register = template.Library()

CACHE_SECONDS = 3600  # content-addressed: the lifetime only bounds the cache's size


@register.simple_tag(takes_context=True)
def drawn_charts(context: template.Context, sections: list[tuple[str, list[dict[str, Any]]]]) -> dict[str, SafeString]:
    """Each chart's section HTML by its digest: `{% drawn_charts doc.sections as drawn %}`."""
    published = context.get("published")
    query, printed = str(context.get("query") or ""), bool(context.get("print"))
    shown_as = {"query": query, "published": published, "print": printed}
    suffix = f"{getattr(published, 'pk', None)}:{int(printed)}:{query}"
    charts = {chart["digest"]: chart for _, in_section in sections for chart in in_section}
    keys = {digest: f"dashboards:chart-html:{digest}:{suffix}" for digest in charts}
    found = cache.get_many(list(keys.values()))
    drawn: dict[str, SafeString] = {}
    missing: dict[str, str] = {}
    for digest, chart in charts.items():
        html = found.get(keys[digest])
        if html is None:
            html = render_to_string("dashboards/_chart.html", {"chart": display_chart(chart), **shown_as})
            missing[keys[digest]] = html
        drawn[digest] = mark_safe(html)  # noqa: S308 - drawn by _chart.html, which escapes every value
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    return drawn


@register.filter
def chart_html(drawn: dict[str, SafeString], chart: dict[str, Any]) -> SafeString:
    return drawn[chart["digest"]]
