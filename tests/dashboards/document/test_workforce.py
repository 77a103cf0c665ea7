"""The social work staffing part: agency workers, rates and caseloads, from hand-made frames
(2019/20 as at period 4, 31 July 2019)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from dashboards.document.workforce import agency_chart, agency_reason_chart, caseload_chart, rates_chart
from forecasting.engine.calendar import FinancialYear as Calendar

FY = Calendar(2019)
AS_AT = date(2019, 7, 31)


def _column(chart: dict, key: str) -> list:
    return [row[key] for row in chart["table"]["rows"]]


def test_agency_fte_is_actual_to_the_as_at_month_then_the_trajectory() -> None:
    rows = []
    for period in range(1, 13):
        rows.append({"team": "CP", "period": period, "agency_fte": 2.0 if period <= 4 else 1.0})
        rows.append({"team": "EH", "period": period, "agency_fte": 1.0})
    workforce = pd.DataFrame(rows).assign(permanent_fte=8.0, vacancies=2.0)
    (chart,) = agency_chart(workforce, calendar=FY, period=4)
    # Both teams: 2 + 1 = 3 FTE to July, then 1 + 1 = 2; the trajectory starts at July's 3.
    assert _column(chart, "actual") == [3.0] * 4 + [None] * 8
    assert _column(chart, "trajectory") == [None] * 3 + [3.0] + [2.0] * 8
    assert set(_column(chart, "permanent")) == {16.0}
    assert chart["summary"] == "Agency social workers: 3 FTE at 31 July 2019, 2 FTE by March on the trajectory."
    assert agency_chart(workforce.assign(agency_fte=0.0), calendar=FY, period=4) == []


def test_agency_workers_engaged_at_the_as_at_date_by_reason_largest_first() -> None:
    workers = pd.DataFrame(
        {
            "worker_type": ["agency", "agency", "agency", "agency", "agency", "permanent"],
            "agency_reason": ["vacancy", "vacancy", "maternity", None, "vacancy", None],
            "fte": [1.0, 0.5, 1.0, 0.6, 1.0, 1.0],
            "start_date": pd.to_datetime(["2019-01-01"] * 6),
            # The fifth left on 30 June; end dates are the last day worked.
            "end_date": pd.to_datetime([None, "2019-07-31", None, None, "2019-06-30", None]),
        }
    )
    (chart,) = agency_reason_chart(workers, as_at=AS_AT, reason_labels={"vacancy": "Vacancy", "maternity": "Maternity"})
    # Vacancy 1.0 + 0.5 = 1.5 FTE (2 workers), maternity 1.0, no reason 0.6.
    assert _column(chart, "reason") == ["Vacancy", "Maternity", "No reason recorded"]
    assert _column(chart, "workers") == [2, 1, 1]
    assert chart["summary"] == "Agency FTE by reason at 31 July 2019: Vacancy 1.5; Maternity 1; No reason recorded 0.6."
    assert agency_reason_chart(workers[workers["worker_type"] == "permanent"], as_at=AS_AT, reason_labels={}) == []


def _kpis() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": ["CP", "EH", "LAC"],
            "team_name": ["Child protection", "Early help", "Children looked after"],
            "budgeted_fte": [10.0, 0.0, 5.0],
            "fte_in_post": [8.0, 0.0, 5.0],
            "vacancies": [2.0, 0.0, 0.0],
            "agency_fte": [3.0, 0.0, 0.0],
            "vacancy_rate": [0.2, math.nan, 0.0],
            "agency_rate": [3 / 11, math.nan, 0.0],
            "average_caseload": [21.5, math.nan, 15.0],
            "manageable_caseload": [20.0, 18.0, math.nan],
        }
    )


def test_rates_are_per_cent_by_team_and_overall_on_the_dfe_definition() -> None:
    (chart,) = rates_chart(_kpis(), as_at=AS_AT)
    # Early help has no budget and no agency staff: left out.
    assert chart["teams"] == ["CP", "LAC"]
    # CP: 2 / 10 = 20%; agency 3 / (8 + 3) = 27.27%.
    assert (_column(chart, "vacancy_rate")[0], _column(chart, "agency_rate")[0]) == (20.0, 27.27)
    # Overall: 2 of 15 budgeted FTE = 13.3%; agency 3 / (13 + 3) = 18.75% → 18.8% (to one place).
    assert chart["summary"] == (
        "Vacancy rate 13.3% (2 of 15 budgeted FTE); agency rate 18.8% (DfE definition) at 31 July 2019."
    )


def test_caseloads_name_the_teams_above_their_manageable_caseload() -> None:
    (chart,) = caseload_chart(_kpis())
    assert _column(chart, "team_name") == ["Child protection", "Children looked after"]
    assert chart["summary"] == (
        "Average caseload per case-holding FTE by team. "
        "Above a manageable caseload: Child protection (21.5 against 20)."
    )
    calm = caseload_chart(_kpis().assign(average_caseload=[10.0, math.nan, 15.0]))
    assert calm[0]["summary"].endswith("No team is above its manageable caseload.")
    assert caseload_chart(_kpis().assign(average_caseload=math.nan)) == []
