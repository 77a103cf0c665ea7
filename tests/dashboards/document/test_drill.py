"""The drill-down: from a service's lines to the register, the team pages and the months behind."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboards.document.drill import line_links, placement_rows, workforce_rows
from forecasting.engine.calendar import FinancialYear as Calendar

FY = Calendar(2019)
SERVICE = {
    "name": "Children in Care",
    "lines": [
        {"line_code": "CIC-RES-EXT", "placement_type": "residential_external", "team": None},
        {"line_code": "SW-CP", "placement_type": None, "team": "CP"},
        {"line_code": "INC-UASC", "placement_type": None, "team": None},
    ],
}


def test_each_line_links_to_the_register_open_at_the_as_at_date_or_to_its_teams() -> None:
    links = line_links(
        SERVICE,
        as_at=date(2019, 7, 31),
        register_url="/placements/",
        team_links=[("/workforce/teams/4/", "Child protection", "SW-CP"), (None, "Gone", "SW-CP")],
    )
    assert links == {
        "CIC-RES-EXT": [
            (
                "/placements/?placement_type=residential_external&open_on=31%2F07%2F2019",
                "Placements open on 31 July 2019 in the register",
            )
        ],
        "SW-CP": [("/workforce/teams/4/", "Team: Child protection")],
        "INC-UASC": [],
    }
    assert line_links(SERVICE, as_at=date(2019, 7, 31), register_url=None, team_links=[])["CIC-RES-EXT"] == []


def test_the_months_behind_a_placement_line_and_a_team_line() -> None:
    placements = pd.DataFrame(
        {
            "scenario": ["middle", "middle", "worst"],
            "placement_type": ["residential_external"] * 3,
            "period": [2, 1, 1],
            "is_actual": [True, True, True],
            "month_end_number": [9.0, 10.0, 99.0],
            "average_number": [9.5, 10.0, 99.0],
            "number_p10": [None, None, None],
            "number_p90": [None, None, None],
            "net_cost": [200_000, 210_000, 0],
        }
    )
    (found,) = placement_rows(placements, SERVICE, scenario="middle", calendar=FY)
    assert [(r["month"], r["month_end_number"], r["net_cost"]) for r in found["rows"]] == [
        ("Apr 2019", 10.0, 210_000),
        ("May 2019", 9.0, 200_000),
    ]
    workforce = pd.DataFrame(
        {
            "scenario": ["middle"] * 2,
            "team": ["CP"] * 2,
            "period": [4, 5],
            "permanent_fte": [8.0, 8.0],
            "agency_fte": [3.0, 2.9],
            "vacancies": [2.0, 2.0],
            "total_cost": [9_000_000, 8_900_000],
        }
    )
    (team,) = workforce_rows(workforce, SERVICE, scenario="middle", calendar=FY, period=4)
    # July (period 4) is the last actual month.
    assert [(r["month"], r["actual"]) for r in team["rows"]] == [("Jul 2019", True), ("Aug 2019", False)]
    assert placement_rows(None, SERVICE, scenario="middle", calendar=FY) == []
