"""The changes an import of placements lists in its preview: one per placement of the file, in the
order of the references, then one per stored placement the file no longer has."""

from __future__ import annotations

import pandas as pd

from core.importing import Change
from placements.import_changes import describe_changes


def rows(*values: tuple[str, str, str, str, int]) -> pd.DataFrame:
    """(placement_ref, child_ref, type, start, weekly pence) as an import's rows."""
    frame = pd.DataFrame(values, columns=["placement_ref", "child_ref", "placement_type", "start_date", "weekly_cost"])
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["end_date"] = pd.NaT
    frame["planned_end_date"] = pd.NaT
    for column in ("health_contribution", "education_contribution"):
        frame[column] = 0
    frame["provider"] = frame["procurement"] = ""
    frame["uasc"] = False
    frame["line_id"] = 7
    return frame


def test_each_placement_is_created_updated_unchanged_or_deleted_with_its_latest_weekly_cost() -> None:
    stored = rows(
        ("P2", "C2", "fostering_ifa", "2019-04-01", 90_000),
        ("P1", "C1", "fostering_in_house", "2019-06-01", 45_000),
        ("P1", "C1", "fostering_in_house", "2019-04-01", 44_000),
        ("P4", "C4", "residential_external", "2018-01-01", 500_000),
    )
    new = rows(
        ("P3", "C3", "fostering_kinship", "2020-01-01", 30_000),
        ("P1", "C1", "fostering_in_house", "2019-04-01", 44_000),
        ("P2", "C2", "fostering_ifa", "2019-04-01", 95_050),
        ("P1", "C1", "fostering_in_house", "2019-06-01", 45_000),
    )
    assert describe_changes(None, new, stored) == [  # type: ignore[arg-type]
        Change(
            "unchanged",
            "P1",
            "P1: fostering_in_house for child C1, 2 rate row(s)",
            "£450.00 a week",
            "£450.00 a week",
        ),
        Change("update", "P2", "P2: fostering_ifa for child C2, 1 rate row(s)", "£900.00 a week", "£950.50 a week"),
        Change("create", "P3", "P3: fostering_kinship for child C3, 1 rate row(s)", "", "£300.00 a week"),
        Change(
            "delete", "P4", "P4: residential_external for child C4 (no longer in the files)", "£5,000.00 a week", ""
        ),
    ]


def test_into_nothing_stored_every_placement_is_created_and_of_rows_starting_the_same_day_the_last_counts() -> None:
    new = rows(
        ("B", "C1", "fostering_ifa", "2019-04-01", 10_000),
        ("A", "C1", "fostering_in_house", "2019-04-01", 20_000),
        ("A", "C1", "fostering_in_house", "2019-04-01", 30_000),
    )
    changes = describe_changes(None, new, rows())  # type: ignore[arg-type]
    assert [(c.action, c.key, c.after) for c in changes] == [
        ("create", "A", "£300.00 a week"),
        ("create", "B", "£100.00 a week"),
    ]
    assert changes[0].description == "A: fostering_in_house for child C1, 2 rate row(s)"
