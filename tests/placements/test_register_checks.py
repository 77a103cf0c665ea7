"""The register checks (placements/register_checks.py) one at a time: a check is a function of
the rows being checked, so it can be tried on a tiny hand-made frame without a file or an import."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.importing import ImportPlan
from core.services import import_run
from placements import importers
from placements.register_checks import REGISTER_CHECKS, RegisterRows, money_amounts, overlaps_and_gaps
from tests.placements.conftest import register_csv


def checked(**columns: list[str]) -> RegisterRows:
    """Rows 2, 3 ... of a register file with only the columns given (the others are blank)."""
    frame = pd.DataFrame(columns)
    return RegisterRows(
        plan=ImportPlan(kind="placements", source="register.csv"),
        authority=None,  # type: ignore[arg-type]  # these checks look nothing up
        frame=frame,
        rows=np.arange(2, len(frame) + 2),
        today=pd.Timestamp(2024, 6, 1),
    )


def problems(rows: RegisterRows) -> list[tuple[str, int | None, str, str, str]]:
    found = [("error", p.row, p.column, p.value, p.message) for p in rows.plan.errors]
    return found + [("warning", p.row, p.column, p.value, p.message) for p in rows.plan.warnings]


def test_money_amounts_on_its_own():
    rows = checked(
        weekly_cost=["950", "-5", "60000", "100"],
        health_contribution=["", "", "", "150"],
    )
    money_amounts(rows)
    assert problems(rows) == [
        ("error", 3, "weekly_cost", "-5", "is negative; a weekly cost is £0 or more a week"),
        (
            "error",
            4,
            "weekly_cost",
            "60000",
            "is more than £50,000 a week; check the figure (is it an annual cost?)",
        ),
        # £0 of contributions is more than a cost of -£5 (the error above is the one to fix).
        (
            "warning",
            3,
            "health_contribution",
            "",
            "the contributions are more than the weekly cost: the net cost is negative",
        ),
        (
            "warning",
            5,
            "health_contribution",
            "150",
            "the contributions are more than the weekly cost: the net cost is negative",
        ),
    ]


def test_overlaps_and_gaps_on_its_own():
    rows = checked(
        placement_ref=["P1", "P1", "P2", "P2"],
        start_date=["2019-04-01", "2019-06-01", "2019-04-01", "2019-06-01"],
        end_date=["2019-07-01", "", "2019-05-01", ""],
    )
    overlaps_and_gaps(rows)
    assert problems(rows) == [
        (
            "error",
            3,
            "start_date",
            "2019-06-01",
            "overlaps row 2 of placement P1, which ends 01/07/2019; rows of one placement must not overlap "
            "(end the earlier row on the day the new rate starts)",
        ),
        (
            "warning",
            5,
            "start_date",
            "2019-06-01",
            "starts after row 4 of placement P2 ends 01/05/2019: the placement has a gap",
        ),
    ]


def test_every_check_is_a_named_function_run_once():
    names = [check.__name__ for check in REGISTER_CHECKS]
    assert len(names) == len(set(names)) and "<lambda>" not in names


@pytest.mark.django_db
def test_a_check_added_to_the_tuple_is_run_by_the_import(authority, placement_lines, monkeypatch):
    def no_spot_purchases(rows: RegisterRows) -> None:
        procurement = rows.text("procurement")
        rows.report(procurement == "spot", "procurement", procurement, "spot purchases need approval first")

    monkeypatch.setattr(importers, "REGISTER_CHECKS", (*REGISTER_CHECKS, no_spot_purchases))
    data = register_csv(
        "P1,C001,2010-05-01,fostering_ifa,,framework,2019-04-01,,,950,,,N,",
        "P2,C002,2010-05-01,fostering_ifa,,spot,2019-04-01,,,950,,,N,",
    )
    plan, result = import_run(
        authority=authority, kind="placements", source="register.csv", data=data, options={}, user=None
    )
    assert result is None
    assert [(p.row, p.column, p.message) for p in plan.errors] == [
        (3, "procurement", "spot purchases need approval first")
    ]
