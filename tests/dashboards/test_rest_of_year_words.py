"""Profile and run-rate lines say "Budget profile" / "Run rate" where placement lines say
"Committed" (issue 12, point 5): the service drill-down names how each line's rest of the year is
forecast, and its drill-down links sit in the first column."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from dashboards.line_words import rest_of_year_word

pytestmark = pytest.mark.django_db


def _service(client, run, name: str) -> str:  # type: ignore[no-untyped-def]
    query = f"year={run.year.label}&period={run.period}&run={run.pk}&service={name}"
    response = client.get(f"{reverse('dashboards:service')}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, code: str) -> str:
    found = re.search(rf'<tr class="govuk-table__row" id="line-{code.lower()}">(.*?)</tr>', html, re.S)
    assert found, code
    return found.group(1)


def _rest_of_year(row: str) -> str:
    cell = re.search(r'data-label="Rest of the year"><span>(.*?)<span class="ot-cell-note">(.*?)</span>', row, re.S)
    assert cell
    return f"{cell.group(1)} | {cell.group(2)}"


def test_each_line_says_how_its_rest_of_the_year_is_forecast(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    care = _service(client, run, "Children in Care")
    assert ">Rest of the year</th>" in care and ">Committed</th>" not in care
    # External residential: 9 children placed at July; the rest of their year is committed.
    assert _rest_of_year(_row(care, "CIC-RES-EXT")).endswith("| Committed: children already placed")
    # The UASC grant (income, no method set): the budget profile's last eight months,
    # −£294,000 × 8 / 12 = −£196,000.
    assert _rest_of_year(_row(care, "INC-UASC")) == "(£196,000) | Budget profile"
    legal = _service(client, run, "Legal")
    # External legal costs on the run rate: £24,000 a month for 4 months, so 8 more months at
    # £24,000 = £192,000.
    assert _rest_of_year(_row(legal, "LEG-EXT")) == "£192,000 | Run rate"
    social = _service(client, run, "Social Work")
    assert _rest_of_year(_row(social, "SW-CP")).endswith("| Committed: staff in post")


def test_the_drill_down_links_are_in_the_first_column(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    care = _service(client_for(director), run, "Children in Care")
    row = _row(care, "CIC-RES-EXT")
    first = re.match(r"\s*<th scope=\"row\"[^>]*>(.*?)</th>", row, re.S)
    assert first, row[:200]
    assert "External residential" in first.group(1)
    assert "placement_type=residential_external" in first.group(1)
    assert 'href="#placements-residential_external">Numbers by month<' in first.group(1)
    assert ">Behind the figure<" not in care  # no separate last column any more


def test_the_words_for_each_kind_of_line() -> None:
    assert rest_of_year_word("placements", "profile") == "Committed: children already placed"
    assert rest_of_year_word("workforce", "profile") == "Committed: staff in post"
    assert rest_of_year_word("other", "run_rate") == "Run rate"
    assert rest_of_year_word("other", "budget") == "Budget"
    assert rest_of_year_word("income", None) == "Budget profile"


def test_a_variance_is_written_over_or_under_never_minus_under(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    from dashboards.templatetags.variance_tags import over_under

    assert (over_under(72_681_300), over_under(-30_410_400), over_under(0)) == ("£726,813 over", "£304,104 under", "£0")
    assert over_under(-30_410_400, "spend") == "£304,104 underspend"
    social = _service(client_for(director), run, "Social Work")
    assert "under" in social and "-£" not in _row(social, "SW-CP").split('data-label="Variance">')[1]
    assert "underspend (" in social and ": -£" not in social  # the page's opening sentence
