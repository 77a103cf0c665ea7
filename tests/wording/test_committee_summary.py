"""Page 1 of the committee pack (issue 12, point 7): the summary's words and figures, by hand."""

from __future__ import annotations

import pandas as pd

from dashboards.document.summary import committee_summary, placement_costs


def _document(movement: dict | None) -> dict:  # type: ignore[type-arg]
    return {
        "meta": {"month": "Jul 2019"},
        "department": {
            "budget": 12_702_000_000,
            "outturn": 12_728_806_703,
            "variance": 26_806_703,
            "variance_pct": 0.21,
            "likely_range": "likely between £119.1m and £144.5m",
        },
        "services": [
            {"name": "Children in Care", "budget": 6_067_000_000, "outturn": 6_017_607_200, "variance": -49_392_800},
            {"name": "Legal", "budget": 400_000_000, "outturn": 400_000_000, "variance": 0},
        ],
        "movement": movement,
        "placement_costs": [
            {
                "placement_type": "External residential",
                "children": 76,
                "budgeted": 82.0,
                "weekly_cost": 475_600,
                "budget_weekly_cost": 525_300,
            }
        ],
        "charts": [
            {
                "key": "agency",
                "table": {
                    "rows": [
                        {"month": "Jul 2019", "actual": 74.0, "trajectory": 74.0},
                        {"month": "Aug 2019", "actual": None, "trajectory": 70.5},
                        {"month": "Mar 2020", "actual": None, "trajectory": 60.0},
                    ]
                },
            },
            {
                "key": "savings-rag",
                "table": {
                    "rows": [
                        {
                            "label": "Red",
                            "savings": 1,
                            "planned": 20_000_000,
                            "forecast_delivery": 0,
                            "shortfall": 20_000_000,
                        }
                    ]
                },
            },
        ],
    }


def test_the_summary_says_the_headline_services_children_agency_and_savings_in_words() -> None:
    summary = committee_summary(_document(None))
    assert summary is not None
    # £127,288,067.03 is £127.3m; £127,020,000 is £127.0m; £268,067.03 is £268k; 0.21% is 0.2%.
    assert summary["headline"] == (
        "Children's services are forecast to spend £127.3m against a budget of £127.0m: an overspend of £268k "
        "(0.2% of the budget). The outturn is likely between £119.1m and £144.5m."
    )
    assert summary["movement"].startswith("This is the first period of the year to be published")
    assert summary["services"][0] == {
        "name": "Children in Care",
        "budget": "£60,670,000",
        "outturn": "£60,176,072",
        "variance": "£493,928",
        "direction": "Underspend",
    }
    assert summary["services"][1]["direction"] == "On budget"
    assert summary["total"]["direction"] == "Overspend" and summary["total"]["variance"] == "£268,067"
    assert summary["placements"] == [
        {
            "name": "External residential",
            "children": "76",
            "budgeted": "82",
            "weekly_cost": "£4,756",
            "budget_weekly_cost": "£5,253",
        }
    ]
    assert summary["agency"] == (
        "Agency social workers: 74 FTE at Jul 2019, against a trajectory of 74 FTE; "
        "the trajectory is 60 FTE by Mar 2020."
    )
    assert summary["savings"] == [
        {"rag": "Red", "savings": "1", "planned": "£200,000", "forecast_delivery": "£0", "shortfall": "£200,000"}
    ]


def test_the_movement_names_the_largest_changes_by_service() -> None:
    movement = {
        "previous_title": "2019/20 period 3",
        "department": {"movement": -150_000_000},
        "services": [
            {"service": "Legal", "movement": 30_000_000},
            {"service": "Children in Care", "movement": -200_000_000},
            {"service": "Income", "movement": None},
            {"service": "Social Work", "movement": 20_000_000},
            {"service": "Early Help", "movement": 1_000_000},
        ],
    }
    assert committee_summary(_document(movement))["movement"] == (  # type: ignore[index]
        "Since 2019/20 period 3 the forecast outturn has fallen by £1.5m; the largest changes are in "
        "Children in Care (£2.0m less), Legal (£300k more) and Social Work (£200k more)."
    )


def test_placement_costs_weight_each_lines_weekly_cost_by_its_numbers() -> None:
    explained = pd.DataFrame(
        [
            # Two lines of one type: 10 children budgeted at £1,000 a week and 30 at £2,000.
            {
                "line_code": "A",
                "budget_numbers": 10.0,
                "budget_unit_cost": 100_000.0,
                "forecast_fye_number": 20.0,
                "forecast_unit_cost": 110_000.0,
            },
            {
                "line_code": "B",
                "budget_numbers": 30.0,
                "budget_unit_cost": 200_000.0,
                "forecast_fye_number": 20.0,
                "forecast_unit_cost": 210_000.0,
            },
            {
                "line_code": "C",
                "budget_numbers": None,
                "budget_unit_cost": None,
                "forecast_fye_number": None,
                "forecast_unit_cost": None,
            },
        ]
    )
    placements = pd.DataFrame(
        [
            {"placement_type": "ifa", "period": 4, "month_end_number": 41.0},
            {"placement_type": "ifa", "period": 3, "month_end_number": 39.0},
        ]
    )
    found = placement_costs(
        explained, placements, period=4, line_types={"A": "ifa", "B": "ifa", "C": "legal"}, type_names={"ifa": "IFA"}
    )
    # Budget: (10 × £1,000 + 30 × £2,000) / 40 = £1,750; forecast: (20 × £1,100 + 20 × £2,100) / 40 = £1,600.
    assert found == [
        {
            "placement_type": "IFA",
            "children": 41,
            "budgeted": 40.0,
            "weekly_cost": 160_000,
            "budget_weekly_cost": 175_000,
        }
    ]
