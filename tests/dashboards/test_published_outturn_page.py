"""The back-test page's section on published forecasts against the outturn, through the test
client, on the small county (tests/dashboards/county.py).

The county's actuals are the same every month: external residential £195,000, IFA £70,000,
child protection £90,000, legal £24,000 and the UASC grant −£24,500, £354,500 a month in all.
Once all twelve periods of 2019/20 have them and are submitted, the outturn over the five lines
is 12 × £354,500 = £4,254,000; external residential's is 12 × £195,000 = £2,340,000 and IFA's
12 × £70,000 = £840,000.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Authority, User
from dashboards import services
from dashboards.selectors import _published_forecast, published_outturn_section
from forecasting.engine.money import pounds_text
from forecasting.models import FinancialYear
from forecasting.services import actuals_save, budget_set, financial_year_get_or_create, period_submit
from tests.dashboards.county import build_county, everything_looked_at, run_forecast

pytestmark = pytest.mark.django_db

MONTHLY = {
    "CIC-RES-EXT": 19_500_000,
    "CIC-FOS-IFA": 7_000_000,
    "SW-CP": 9_000_000,
    "LEG-EXT": 2_400_000,
    "INC-UASC": -2_450_000,
}
OUTTURN = 425_400_000  # 12 × £354,500


def _close_the_year(authority: Authority, user: User, year: FinancialYear) -> None:
    """Periods 5 to 12 get the county's monthly actuals; all twelve are submitted."""
    lines = {line.code: line.pk for line in authority.budget_lines.all()}
    for number in range(5, 13):
        period = year.periods.get(number=number)
        actuals_save(authority=authority, user=user, period=period, amounts={lines[c]: a for c, a in MONTHLY.items()})
    for period in year.periods.order_by("number"):
        period_submit(period=period, user=user, forecast=False)


def _next_year_published(authority: Authority, finance_officer: User, director: User) -> None:
    """2020/21 with the same budgets, forecast as at period 0 (on 31 March 2020, while the
    county's agency workers are still engaged) and published."""
    year = financial_year_get_or_create(authority=authority, label="2020/21")
    budgets = {"CIC-RES-EXT": 200_000_000, "CIC-FOS-IFA": 90_000_000, "SW-CP": 100_000_000, "LEG-EXT": 26_000_000}
    lines = {line.code: line for line in authority.budget_lines.all()}
    for code, amount in {**budgets, "INC-UASC": -29_400_000}.items():
        budget_set(authority=authority, user=finance_officer, line=lines[code], year=year, amount=amount, reason="")
    run = run_forecast(authority=authority, year=year, period=0, user=finance_officer)
    services.period_sign_off(
        authority=authority, user=director, run=run, comment="April.", acknowledged=everything_looked_at(run)
    )


def test_a_published_period_of_a_closed_year_is_compared_and_one_of_an_open_year_awaits(
    run, county, authority, finance_officer, director, client_for
) -> None:  # type: ignore[no-untyped-def]
    published = services.period_sign_off(
        authority=authority, user=director, run=run, comment="For committee.", acknowledged=everything_looked_at(run)
    )
    _next_year_published(authority, finance_officer, director)
    page = client_for(finance_officer).get(reverse("forecast_runs:backtest"))
    (section,) = page.context["sections"]
    assert section.context["outturn"].compared == []  # 2019/20 has only four periods of actuals
    assert "2 published periods are awaiting their outturn" in page.content.decode()

    _close_the_year(authority, finance_officer, county)
    response = client_for(director).get(reverse("forecast_runs:backtest"))
    html = response.content.decode()
    outturn = response.context["sections"][0].context["outturn"]
    (row,) = outturn.compared
    forecast = published.document["department"]["outturn"]
    assert (row.label, row.forecast, row.outturn) == ("Period 4, July 2019", forecast, OUTTURN)
    assert row.difference == forecast - OUTTURN
    side = "over" if forecast > OUTTURN else "under"
    assert row.difference_words == f"{side} by {pounds_text(abs(forecast - OUTTURN))}"
    # The middle scenario has a likely range (residential by the statistical model), kept in the snapshot.
    low, high = published.document["department"]["likely_low"], published.document["department"]["likely_high"]
    assert low < forecast < high
    assert row.within_range is (low <= OUTTURN <= high)
    assert row.range_words.endswith(f"likely between {pounds_text(low)} and {pounds_text(high)}")
    assert [(line.label, line.outturn) for line in row.lines] == [
        ("Independent fostering", 84_000_000),
        ("External residential", 234_000_000),
    ]
    table = html.split('id="published-outturn">')[1].split("</table>")[0]
    assert "Period 4, July 2019" in table and "£4,254,000" in table and row.difference_words in table
    assert "-£" not in table
    assert outturn.awaiting == ["Period 0, before April 2020"]
    assert "1 published period is awaiting its outturn" in html and "Period 0, before April 2020" in html


def test_a_snapshot_without_a_range_says_so(run, county, authority, finance_officer, director) -> None:  # type: ignore[no-untyped-def]
    published = services.period_sign_off(
        authority=authority, user=director, run=run, comment="ok", acknowledged=everything_looked_at(run)
    )
    _close_the_year(authority, finance_officer, county)
    department = published.document["department"]
    assert department["likely_low"] is not None
    # As a snapshot made before ranges were published reads: no words, no ends.
    stripped = {
        **published.document,
        "department": {**department, "likely_range": "", "likely_low": None, "likely_high": None},
    }
    published.document = stripped  # in memory only: the row itself stays frozen
    forecast = _published_forecast(published)
    assert (forecast.likely_low, forecast.likely_high) == (None, None)
    # A snapshot whose headline gave the range in words but kept no ends takes its run's range.
    published.document = {**stripped, "department": {**stripped["department"], "likely_range": "likely between"}}
    forecast = _published_forecast(published)
    assert (forecast.likely_low, forecast.likely_high) == (department["likely_low"], department["likely_high"])


def test_only_the_signed_in_users_authority_is_shown(
    run, county, authority, finance_officer, director, other_authority, other_finance_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    services.period_sign_off(
        authority=authority, user=director, run=run, comment="ok", acknowledged=everything_looked_at(run)
    )
    _close_the_year(authority, finance_officer, county)
    # Another county with the same line codes and the same year, closed too: its actuals must not
    # be added to ours (our outturn would read £8,508,000), and it sees none of our periods.
    other_year, _ = build_county(authority=other_authority, user=other_finance_officer)
    _close_the_year(other_authority, other_finance_officer, other_year)

    ours = published_outturn_section(authority).context["outturn"]
    assert [(row.label, row.outturn) for row in ours.compared] == [("Period 4, July 2019", OUTTURN)]
    theirs = client_for(other_finance_officer).get(reverse("forecast_runs:backtest"))
    html = theirs.content.decode()
    assert theirs.status_code == 200
    assert theirs.context["sections"][0].context["outturn"].compared == []
    assert 'id="published-outturn-none"' in html and "Period 4, July 2019" not in html
