"""The frames the forecast engine reads (forecasting/engine/inputs.py WORKERS_COLUMNS, POSTS_COLUMNS)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.inputs import POSTS_COLUMNS, WORKERS_COLUMNS
from forecasting.engine.workforce import worker_costs
from tests.workforce.conftest import GOOD, HEADER, errors, run_import
from workforce import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(authority, workforce_lines):  # type: ignore[no-untyped-def]
    text = (
        HEADER.rstrip("\n")
        + ",line_code,manageable_caseload,asye\n"
        + "".join(line + ",,,\n" for line in GOOD.splitlines()[1:])
        + "post,CP-S,CP South,Y,S1,,social worker,1,41600,,,,,,,,SW-CP,20,\n"
        + "worker,CP-S,,,N1,S1,social worker,1,30000,permanent,,,,2019-09-02,,,,,Y\n"
    )
    plan, _ = run_import(authority, text)
    assert plan.ok, errors(plan)


def test_the_workers_frame_has_the_engines_columns_and_types(authority, loaded) -> None:  # type: ignore[no-untyped-def]
    frame = selectors.workers_frame(authority=authority)
    assert list(frame.columns) == list(WORKERS_COLUMNS)
    assert frame["fte"].dtype == np.float64
    assert frame["annual_cost"].dtype == np.int64 and frame["weekly_rate"].dtype == np.int64
    assert str(frame["start_date"].dtype).startswith("datetime64")
    assert str(frame["end_date"].dtype).startswith("datetime64")
    assert frame["caseload"].dtype == np.float64 and frame["asye"].dtype == bool
    w = frame.set_index("worker_ref")
    assert w.loc["A1", "end_date"] == pd.Timestamp("2019-12-31")  # inclusive last day, unchanged
    assert pd.isna(w.loc["W1", "end_date"])
    assert w.loc["A1", "annual_cost"] == 0 and w.loc["A1", "weekly_rate"] == 120_000
    assert w.loc["W2", "absence"] == "maternity" and w.loc["W1", "absence"] is None
    assert w.loc["W1", "agency_reason"] is None and w.loc["A2", "agency_reason"] == "vacancy"
    assert np.isnan(w.loc["W2", "caseload"]) and w.loc["W1", "caseload"] == 18.0
    assert bool(w.loc["N1", "asye"]) and not bool(w.loc["W1", "asye"])
    assert w.loc["W1", "post_ref"] == "P1" and w.loc["A1", "post_ref"] is None


def test_sub_teams_are_named_by_their_budget_lines_team_code_for_the_engine(authority, loaded) -> None:  # type: ignore[no-untyped-def]
    workers = selectors.workers_frame(authority=authority).set_index("worker_ref")
    assert workers.loc["N1", "team"] == "CP"  # CP-S is paid from SW-CP, whose team code is CP
    assert set(selectors.posts_frame(authority=authority)["team"]) == {"CP"}
    by_team = selectors.workers_frame(authority=authority, level="team").set_index("worker_ref")
    assert by_team.loc["N1", "team"] == "CP-S"


def test_the_posts_and_teams_frames(authority, loaded) -> None:  # type: ignore[no-untyped-def]
    posts = selectors.posts_frame(authority=authority)
    assert list(posts.columns) == list(POSTS_COLUMNS)
    assert posts["fte"].dtype == np.float64 and posts["annual_cost"].dtype == np.int64
    assert posts["annual_cost"].sum() == 5 * 4_160_000
    teams = selectors.teams_frame(authority=authority, level="team").set_index("team")
    assert list(teams.columns) == ["team_name", "hard_to_retain", "manageable_caseload"]
    assert teams.loc["CP-S", "manageable_caseload"] == 20.0 and bool(teams.loc["CP-S", "hard_to_retain"])
    assert np.isnan(teams.loc["CP", "manageable_caseload"])
    budget = selectors.teams_frame(authority=authority).set_index("team")
    # At the budget level CP and CP-S are one row: the line's name; hard to retain; manageable
    # caseload the post-FTE-weighted average of those given (only CP-S gives one) = 20.
    assert list(budget.index) == ["CP"]
    assert budget.loc["CP", "team_name"] == "Child protection teams"
    assert budget.loc["CP", "manageable_caseload"] == 20.0


def test_the_engine_costs_the_frame_as_stored(authority, loaded) -> None:  # type: ignore[no-untyped-def]
    costs = worker_costs(selectors.workers_frame(authority=authority), Calendar.from_label("2019/20"))
    n1 = costs[costs["worker_ref"] == "N1"].set_index("period")["cost"]
    # N1 starts 2 September 2019 at £30,000: £2,500 × 29/30 = £2,416.67 → 241,667p; October £2,500.
    assert n1.loc[5] == 0 and n1.loc[6] == 241_667 and n1.loc[7] == 250_000


def test_frames_are_scoped_to_the_authority(authority, other_authority, loaded, other_workforce_lines) -> None:  # type: ignore[no-untyped-def]
    assert selectors.workers_frame(authority=other_authority).empty
    assert list(selectors.workers_frame(authority=other_authority).columns) == list(WORKERS_COLUMNS)
    assert selectors.posts_frame(authority=other_authority).empty


def test_the_frames_are_read_in_a_handful_of_queries(authority, loaded, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(4):
        selectors.workers_frame(authority=authority)
        selectors.posts_frame(authority=authority)
        selectors.teams_frame(authority=authority)
