"""Small hand-made placement registers for the engine tests (explicit dates, never today)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd
import pytest

REGISTER_COLUMNS = [
    "placement_ref",
    "child_ref",
    "child_dob",
    "placement_type",
    "start_date",
    "end_date",
    "planned_end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
    "uasc",
    "line_code",
]


def placement(
    ref: str,
    start: str,
    end: str | None = None,
    *,
    weekly: int = 70_000,
    placement_type: str = "fostering_ifa",
    dob: str = "2010-01-01",
    planned_end: str | None = None,
    health: int = 0,
    education: int = 0,
    uasc: bool = False,
    line: str | None = None,
    child: str | None = None,
) -> dict[str, object]:
    """One register row; money in pence per week, dates ISO, end dates exclusive."""
    return {
        "placement_ref": ref,
        "child_ref": child or f"C{ref}",
        "child_dob": pd.Timestamp(dob),
        "placement_type": placement_type,
        "start_date": pd.Timestamp(start),
        "end_date": pd.Timestamp(end) if end else pd.NaT,
        "planned_end_date": pd.Timestamp(planned_end) if planned_end else pd.NaT,
        "weekly_cost": weekly,
        "health_contribution": health,
        "education_contribution": education,
        "uasc": uasc,
        "line_code": line or f"L-{placement_type}",
    }


def register(rows: Sequence[dict[str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=REGISTER_COLUMNS)
    for column in ("child_dob", "start_date", "end_date", "planned_end_date"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("weekly_cost", "health_contribution", "education_contribution"):
        frame[column] = frame[column].astype("int64")
    frame["uasc"] = frame["uasc"].astype(bool)
    return frame


def register_from_path(
    path: Sequence[int], first_month: date, *, placement_type: str = "fostering_ifa", weekly: int = 70_000
) -> pd.DataFrame:
    """A register whose month-end numbers follow `path`: rises are new open placements starting
    on the 1st of the month, falls end the newest placements on the 1st (exclusive end)."""
    rows: list[dict[str, object]] = []
    open_refs: list[int] = []
    previous = 0
    for i, target in enumerate(path):
        index = first_month.month - 1 + i
        first = date(first_month.year + index // 12, index % 12 + 1, 1).isoformat()
        for _ in range(target - previous):
            ref = len(rows)
            rows.append(placement(str(ref), first, placement_type=placement_type, weekly=weekly))
            open_refs.append(ref)
        for _ in range(previous - target):
            ref = open_refs.pop()
            rows[ref]["end_date"] = pd.Timestamp(first)
        previous = target
    return register(rows)


TYPE_ROWS = [
    ("fostering_in_house", False),
    ("fostering_ifa", False),
    ("residential_external", False),
    ("secure", False),
    ("staying_put", True),
    ("leaving_care", True),
]


@pytest.fixture
def types() -> pd.DataFrame:
    return pd.DataFrame({"code": [c for c, _ in TYPE_ROWS], "continues_after_18": [f for _, f in TYPE_ROWS]})
