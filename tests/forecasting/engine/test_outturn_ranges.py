"""The likely range of the reported outturn: the tiny authority of test_run (2019/20 as at
period 4), its IFA type forecast by `auto`, the back-test having chosen commitments with a
10–90% interval of 0.5 to 1.5 times the committed numbers at every horizon. Money in pence.

IFA committed numbers after July: August 2 children (A and B), September to March 1 (A).
The new placement cost is £700 a week = £100 a day, the same as A's and B's. So the p10 path
halves N̂: (0.5 C − C) × £100 a day:
  August −0.5 × 2 × 31 days × £100 = −£3,100.00; September..March −0.5 × 1 × 213 × £100 =
  −£10,650.00; the year −£13,750.00 (each month already a whole number of pence).
The p90 path is +£13,750.00. PL-IFA's middle outturn is £29,000 actual + £27,500 committed =
£56,500.00. Residential is forecast by commitments with no interval: its range is its outturn.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from forecasting.engine.outturn_ranges import (
    LIKELY_RANGE_HEADERS,
    OUTTURN_RANGE_COLUMNS,
    likely_range_frame,
    likely_range_rows,
    outturn_ranges,
)
from forecasting.engine.result import EXPORT_COLUMNS, to_export_frames
from forecasting.engine.run import run_engine
from forecasting.engine.scenarios import ChosenDemand, PlacementAssumption, Scenario
from tests.forecasting.engine.test_run import tiny_authority

CHOSEN = ChosenDemand(
    methods={"fostering_ifa": "commitments"},
    intervals={"fostering_ifa": {h: (0.5, 1.5) for h in range(1, 13)}},
)


def _auto_authority() -> Any:
    inputs = tiny_authority()
    scenarios = [
        Scenario(
            "middle",
            placements={
                "*": PlacementAssumption(demand_method="commitments"),
                "fostering_ifa": PlacementAssumption(demand_method="auto", new_unit_cost=70_000),
            },
            billable_factor=0.9,
        ),
        *[s for s in inputs.scenarios if s.name != "middle"],
    ]
    return tiny_authority(scenarios=scenarios, chosen_demand=CHOSEN)


@pytest.fixture(scope="module")
def ranges() -> pd.DataFrame:
    return run_engine(_auto_authority()).outturn_ranges


def _row(ranges: pd.DataFrame, code: str | None) -> pd.Series:
    if code is None:
        return ranges[ranges["level"] == "department"].iloc[0]
    return ranges[ranges["line_code"] == code].iloc[0]


def test_a_line_whose_type_has_an_interval_has_the_hand_computed_range(ranges: pd.DataFrame) -> None:
    ifa = _row(ranges, "PL-IFA")
    assert ifa["outturn"] == 5_650_000
    assert ifa["outturn_p10"] == 5_650_000 - 1_375_000
    assert ifa["outturn_p90"] == 5_650_000 + 1_375_000


def test_a_line_whose_type_has_no_interval_has_a_range_equal_to_its_outturn(ranges: pd.DataFrame) -> None:
    res = _row(ranges, "PL-RES")
    assert res["outturn_p10"] == res["outturn"] == res["outturn_p90"]


def test_the_department_range_adds_the_lines_differences_to_the_middle_outturn() -> None:
    result = run_engine(_auto_authority())
    middle = int(result.lines.loc[result.lines["scenario"] == "middle", "forecast_outturn"].sum())
    department = _row(result.outturn_ranges, None)
    assert department["outturn"] == middle
    assert department["outturn_p10"] == middle - 1_375_000
    assert department["outturn_p90"] == middle + 1_375_000
    assert list(result.outturn_ranges.columns) == list(OUTTURN_RANGE_COLUMNS)
    assert set(result.outturn_ranges["scenario"]) == {"middle"}
    assert set(result.outturn_ranges["line_code"].dropna()) == {"PL-IFA", "PL-RES"}  # placements lines only


def test_the_ranges_leave_the_other_outputs_and_the_export_columns_unchanged() -> None:
    result = run_engine(tiny_authority())
    assert (result.outturn_ranges["outturn_p10"] == result.outturn_ranges["outturn"]).all()  # commitments only
    frames = to_export_frames(result)
    assert set(frames) == set(EXPORT_COLUMNS)
    for name, columns in EXPORT_COLUMNS.items():
        assert tuple(frames[name].columns) == columns


def test_summing_the_lines_differences_is_cautious_a_hand_made_frame() -> None:
    lines = pd.DataFrame(
        {
            "line_code": ["A", "B", "C"],
            "category": ["placements", "placements", "other"],
            "forecast_outturn": [1_000, 2_000, 500],
        }
    )
    by_line = pd.DataFrame({"line_code": ["A", "B"], "committed_remaining": [100, 200], "projected_change": [0, 0]})
    low = by_line.assign(projected_change=[-30, -5])
    high = by_line.assign(projected_change=[40, 7])
    frame = outturn_ranges(lines, scenario="middle", middle_by_line=by_line, p10_by_line=low, p90_by_line=high)
    assert frame["outturn_p10"].tolist() == [970, 1_995, 3_465]
    assert frame["outturn_p90"].tolist() == [1_040, 2_007, 3_547]
    assert frame["outturn"].tolist() == [1_000, 2_000, 3_500]


def test_the_likely_range_table_lists_lines_in_code_order_then_the_department_in_pounds() -> None:
    ranges = pd.DataFrame(
        [
            # PL-RES: £1,000 either side of £50,000; PL-IFA: no interval; the department adds them.
            ("middle", "line", "PL-RES", 4_900_000, 5_000_000, 5_100_000),
            ("middle", "line", "PL-IFA", 5_650_000, 5_650_000, 5_650_000),
            ("middle", "department", None, 12_900_000, 13_000_000, 13_100_000),
            ("worst", "department", None, 1, 2, 3),
        ],
        columns=list(OUTTURN_RANGE_COLUMNS),
    )
    rows = likely_range_rows(ranges, scenario="middle", line_names={"PL-RES": "External residential"})
    assert [(r["line_code"], r["line_name"], r["low"], r["outturn"], r["high"]) for r in rows] == [
        ("PL-IFA", "PL-IFA", 5_650_000, 5_650_000, 5_650_000),  # no name given: the code
        ("PL-RES", "External residential", 4_900_000, 5_000_000, 5_100_000),
        ("", "", 12_900_000, 13_000_000, 13_100_000),
    ]
    frame = likely_range_frame(rows)
    assert list(frame.columns) == list(LIKELY_RANGE_HEADERS)
    assert frame.iloc[2].tolist() == [
        "",
        "Department total",
        Decimal("129000.00"),
        Decimal("130000.00"),
        Decimal("131000.00"),
    ]
    assert likely_range_rows(ranges, scenario="best", line_names={}) == []
    assert likely_range_rows(pd.DataFrame(), scenario="middle", line_names={}) == []
