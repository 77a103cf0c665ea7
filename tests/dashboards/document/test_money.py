"""The spend and variance part: placement spend and the variance bridge, from hand-made lines."""

from __future__ import annotations

import pandas as pd

from dashboards.document.money import bridge_charts, spend_chart


def _lines() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_code": ["CIC-FOS-IFA", "CIC-RES-EXT", "LEG-EXT"],
            "line_name": ["Independent fostering", "External residential", "External legal costs"],
            "category": ["placements", "placements", "other"],
            "annual_budget": [90_000_000, 200_000_000, 26_000_000],
            "actual_ytd": [28_000_000, 78_000_000, 9_600_000],
            "forecast_outturn": [85_000_000, 231_000_000, 28_800_000],
            "variance": [-5_000_000, 31_000_000, 2_800_000],
        }
    )


def _explained() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "line_code": ["CIC-RES-EXT"],
            "budget": [200_000_000],
            "volume": [25_000_000],
            "price": [4_000_000],
            "other": [2_000_000],
            "forecast": [231_000_000],
        }
    )


def _column(chart: dict, key: str) -> list:
    return [row[key] for row in chart["table"]["rows"]]


def test_spend_shows_placement_lines_largest_budget_first_and_names_the_largest_variance() -> None:
    (chart,) = spend_chart(_lines())
    assert _column(chart, "line") == ["External residential", "Independent fostering"]
    # Budget 2,000,000 + 900,000 = £2,900,000; spent 780,000 + 280,000 = £1,060,000;
    # outturn 2,310,000 + 850,000 = £3,160,000; residential's +£310,000 is the largest variance.
    assert chart["summary"] == (
        "Placements: budget £2,900,000, spent £1,060,000 to date, forecast outturn £3,160,000. "
        "The largest variance is External residential: £310,000 overspend."
    )
    assert spend_chart(_lines()[_lines()["category"] == "other"]) == []


def test_the_bridge_goes_from_budget_through_volume_price_and_other_to_the_outturn() -> None:
    bridge, explained = bridge_charts(_lines(), _explained())
    # Budget 900,000 + 2,000,000 + 260,000 = £3,160,000 … outturn 850,000 + 2,310,000 + 288,000 =
    # £3,448,000; variance £288,000 = volume £250,000 + price £40,000 + other −£2,000.
    assert _column(bridge, "amount") == [316_000_000, 25_000_000, 4_000_000, -200_000, 344_800_000]
    assert bridge["summary"] == (
        "Budget £3,160,000; volume £250,000 more; price £40,000 more; other £2,000 less; "
        "forecast outturn £3,448,000 (an overspend of £288,000)."
    )
    assert explained["figure"] is None and _column(explained, "line") == ["External residential"]


def test_without_budgeted_numbers_there_is_a_bridge_and_no_table() -> None:
    charts = bridge_charts(_lines(), pd.DataFrame())
    assert [c["key"] for c in charts] == ["bridge"]
    assert _column(charts[0], "amount")[1:4] == [0, 0, 28_800_000]


def test_a_scenario_without_lines_has_a_bridge_of_zeros_and_a_run_without_lines_none() -> None:
    (bridge,) = bridge_charts(_lines().iloc[0:0], pd.DataFrame())
    assert _column(bridge, "amount") == [0, 0, 0, 0, 0]
    assert "other £0 change" in bridge["summary"]
    assert bridge_charts(pd.DataFrame(), pd.DataFrame()) == []
