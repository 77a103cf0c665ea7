"""The charts' HTML is kept in the cache by content and kind of page: a chart drawn for the live
dashboard is never shown with the live links on a published page, or in print, and a changed
chart is drawn again."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.template import Context, Template

from dashboards.display import chart_digest, display_document

BODY = Template(
    "{% load chart_tags %}{% drawn_charts doc.sections as drawn %}"
    "{% for section, charts in doc.sections %}{% for chart in charts %}{{ drawn|chart_html:chart }}"
    "{% endfor %}{% endfor %}"
)


def _chart(value: int) -> dict[str, Any]:
    return {
        "key": "children",
        "section": "Children",
        "title": "Children in care",
        "summary": "How many children.",
        "figure": None,
        "table": {
            "caption": "Children by month",
            "columns": [
                {"key": "month", "label": "Month", "kind": "text"},
                {"key": "n", "label": "Children", "kind": "integer"},
            ],
            "rows": [{"month": "Apr 2019", "n": value}],
        },
    }


def _draw(chart: dict[str, Any], **context: Any) -> str:
    return BODY.render(Context({"doc": display_document({"charts": [chart]}), **context}))


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_the_same_chart_is_drawn_with_the_links_of_its_page() -> None:
    chart = _chart(1234)
    live = _draw(chart, query="year=2019-20&period=4")
    published = _draw(chart, published=SimpleNamespace(pk=7))
    printed = _draw(chart, print=True)
    assert "1,234" in live and "1,234" in published and "1,234" in printed
    assert "/dashboards/tables/children.csv?year=2019-20&amp;period=4" in live
    assert "/dashboards/published/7/tables/children.csv" in published and "?year=" not in published
    assert "Download this table" not in printed
    assert _draw(chart, query="year=2019-20&period=4") == live  # from the cache, the same


def test_a_changed_chart_is_drawn_again_and_equal_content_has_one_digest() -> None:
    assert "1,234" in _draw(_chart(1234), print=True)
    assert "1,235" in _draw(_chart(1235), print=True)
    reordered = dict(reversed(list(_chart(1234).items())))  # as read back from JSON, keys in another order
    assert chart_digest(reordered) == chart_digest(_chart(1234))
    assert chart_digest(_chart(1235)) != chart_digest(_chart(1234))
