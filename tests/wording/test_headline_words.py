"""The dashboard's headline and services table say an underspend in words, never with a minus
sign or brackets after "underspend of" (issue 12, point 4; the review's "underspend of -£50m")."""

from __future__ import annotations

import html
import re

from django.template.loader import render_to_string

DOC = {
    "department": {
        "budget": 12_702_000_000,
        "outturn": 7_657_368_500,
        "variance": -5_044_631_500,
        "variance_pct": -39.72,
    },
    "movement": {
        "previous_title": "2019/20 period 6",
        "department": {"movement": -20_000_000, "previous": 7_677_368_500},
        "services": [],
    },
    "services": [
        {
            "name": "Legal",
            "budget": 400_000_000,
            "actual_ytd": 1,
            "outturn": 350_000_000,
            "variance": -50_000_000,
            "variance_pct": -12.5,
            "lines": [],
            "movement": {"movement": 10_000_000},
        },
    ],
    "meta": {"scenario": "middle"},
}


def _text(template: str) -> str:
    page = render_to_string(template, {"doc": DOC, "drill": False})
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_an_underspend_reads_as_an_underspend_of_a_positive_amount() -> None:
    text = _text("dashboards/_headline.html")
    # £50,446,315 under a £127,020,000 budget is 39.7% of it; the movement is £200,000 down.
    assert "forecasting an underspend of £50,446,315 against a budget of £127,020,000 (39.7% of the budget)" in text
    assert "a reduction of £200,000 since 2019/20 period 6" in text
    assert "£50,446,315 underspend" in text and "£200,000 less since 2019/20 period 6" in text
    assert "-£" not in text and "of (£" not in text and "(outturn then £76,773,685)" in text


def test_the_services_table_says_over_or_under_with_the_amount_positive() -> None:
    text = _text("dashboards/_services.html")
    assert "£500,000 under" in text and "£50,446,315 under" in text
    assert "-£" not in text and "(£500,000)" not in text and "(£50,446,315)" not in text
