"""The workforce import (DATA_FORMATS.md, Workforce): a good file, re-imports, snapshots, and
every kind of bad input getting a row-level message with nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from tests.workforce.conftest import GOOD, HEADER, errors, run_import
from workforce.models import Post, SnapshotRow, Team, Worker, WorkforceSnapshot

pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return not (
        Team.objects.exists() or Post.objects.exists() or Worker.objects.exists() or WorkforceSnapshot.objects.exists()
    )


def test_a_good_file_creates_the_team_posts_workers_and_the_snapshot_of_its_date(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    plan, result = run_import(authority, GOOD)
    assert plan.ok, errors(plan)
    team = Team.objects.get(authority=authority, code="CP")
    assert team.name == "Child protection North" and team.hard_to_retain
    assert team.budget_line == workforce_lines["CP"]
    assert Post.objects.get(ref="P1").annual_cost == 4_160_000  # £41,600 → pence
    w2 = Worker.objects.get(ref="W2")
    assert w2.absence == "maternity" and w2.absence_since == date(2019, 7, 31)
    a1 = Worker.objects.get(ref="A1")
    assert a1.weekly_rate == 120_000 and a1.annual_cost is None and a1.end_date == date(2019, 12, 31)
    assert Worker.objects.get(ref="A2").fte == Decimal("0.50")
    snapshot = WorkforceSnapshot.objects.get(authority=authority)
    assert snapshot.as_at == date(2019, 7, 31) and snapshot.source == "workforce.csv"
    assert snapshot.rows.count() == 8
    assert result["workers_created"] == 4 and result["posts_created"] == 4
    assert AuditEvent.objects.filter(action="workforce.import").count() == 8
    assert AuditEvent.objects.filter(action="import.workforce").count() == 1


def test_importing_the_same_file_twice_changes_nothing(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    run_import(authority, GOOD)
    plan, result = run_import(authority, GOOD)
    assert plan.ok
    assert {c.action for c in plan.changes if not c.key.startswith("snapshot")} == {"unchanged"}
    assert Worker.objects.count() == 4 and Post.objects.count() == 4
    assert SnapshotRow.objects.count() == 8  # replaced, not added to
    assert result["workers_updated"] == 0 and result["workers_ended"] == 0


def test_a_later_file_ends_workers_it_leaves_out_and_removes_posts_it_leaves_out(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    run_import(authority, GOOD)
    later = "\n".join(line for line in GOOD.splitlines() if not line.startswith(("worker,CP,,,W1", "post,CP,,,P4")))
    plan, result = run_import(authority, later.replace("W1,P1", "W1,P1") + "\n", as_at="2019-08-31")
    assert plan.ok, errors(plan)
    # W1 was engaged on 31 August by the stored dates but is not in the file: left by 30 August.
    assert Worker.objects.get(ref="W1").end_date == date(2019, 8, 30)
    assert not Post.objects.filter(ref="P4").exists()
    assert result["workers_ended"] == 1 and result["posts_removed"] == 1
    # Both months are kept.
    assert list(WorkforceSnapshot.objects.values_list("as_at", flat=True).order_by("as_at")) == [
        date(2019, 7, 31),
        date(2019, 8, 31),
    ]


def test_an_older_file_fills_in_its_own_snapshot_but_leaves_the_current_list_alone(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    run_import(authority, GOOD)
    older = GOOD.replace(
        "W1,P1,social worker,1,36000,permanent,,,,2015-01-05,,18",
        "W1,P1,social worker,1,36000,permanent,,,,2015-01-05,,25",
    )
    plan, _ = run_import(authority, older, as_at="2019-06-30")
    assert plan.ok
    assert any("only replaces its own date's snapshot" in str(w) for w in plan.warnings)
    assert Worker.objects.get(ref="W1").caseload == 18  # current list unchanged
    june = WorkforceSnapshot.objects.get(as_at=date(2019, 6, 30))
    assert june.rows.get(ref="W1").caseload == 25


def test_a_file_for_some_teams_replaces_only_those_teams_rows_in_that_dates_snapshot(
    authority, workforce_lines
) -> None:  # type: ignore[no-untyped-def]
    run_import(authority, GOOD)
    assessment = HEADER + (
        "post,AS,Assessment East,N,AP1,,social worker,1,41600,,,,,,,\n"
        "worker,AS,,,AW1,AP1,social worker,1,36000,permanent,,,,2018-01-01,,14\n"
    )
    plan, _ = run_import(authority, assessment)
    assert plan.ok, errors(plan)
    snapshot = WorkforceSnapshot.objects.get()
    assert snapshot.rows.filter(team="CP").count() == 8 and snapshot.rows.filter(team="AS").count() == 2
    assert Worker.objects.filter(team__code="CP", end_date__isnull=True).count() == 3  # CP untouched


def test_the_as_at_date_can_come_from_an_as_at_column(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    text = "as_at," + GOOD.replace("\n", "\n2019-07-31,", GOOD.count("\n") - 1)
    plan, _ = run_import(authority, text, as_at=None)
    assert plan.ok, errors(plan)
    assert WorkforceSnapshot.objects.get().as_at == date(2019, 7, 31)


def test_a_dry_run_writes_nothing(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    plan, result = run_import(authority, GOOD, dry_run=True)
    assert plan.ok and result is None
    assert nothing_written()


def test_a_sub_team_can_name_the_workforce_line_that_pays_for_it(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER.rstrip("\n") + ",line_code,manageable_caseload\n"
        "post,CP-N2,Child protection North 2,Y,Q1,,social worker,1,41600,,,,,,,,SW-CP,20\n"
    )
    plan, _ = run_import(authority, text)
    assert plan.ok, errors(plan)
    team = Team.objects.get(code="CP-N2")
    assert team.budget_line.code == "SW-CP" and team.manageable_caseload == 20
    assert team.budget_team == "CP"


# --------------------------------------------------------------------------------------------
# bad input: every problem named by file, row, column and value; nothing written


def bad(authority, row: str, **kwargs):  # type: ignore[no-untyped-def]
    plan, result = run_import(authority, GOOD + row, **kwargs)
    assert not plan.ok and result is None
    assert nothing_written()
    return errors(plan)


def test_a_worker_in_an_unknown_team_is_refused(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, "worker,XYZ,,,W9,,social worker,1,36000,permanent,,,,2019-01-01,,\n")
    assert problems == [
        "workforce.csv row 10, column team: is not a known team: no team and no workforce budget line has this "
        "team code; import the budget first, correct the code, or give the line_code of the workforce line that "
        "pays for it (value: 'XYZ')"
    ]


def test_an_agency_row_without_a_rate_is_refused(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, "worker,CP,,,A9,,social worker,1,,agency,,vacancy,,2019-01-01,,\n")
    assert problems == [
        "workforce.csv row 10, column weekly_rate: is blank; an agency worker needs a weekly rate to be costed"
    ]


def test_a_permanent_row_without_a_cost_is_refused(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, "worker,CP,,,W9,,social worker,1,,permanent,,,,2019-01-01,,\n")
    assert problems == [
        "workforce.csv row 10, column annual_cost: is blank; a permanent worker needs their annual cost to be costed"
    ]


@pytest.mark.parametrize(
    ("fte", "words"), [("0", "must be more than 0"), ("1.6", "must be at most 1.5"), ("37", "must be at most 1.5")]
)
def test_an_fte_of_zero_or_above_one_and_a_half_is_refused(authority, workforce_lines, fte, words) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, f"worker,CP,,,W9,,social worker,{fte},36000,permanent,,,,2019-01-01,,\n")
    assert len(problems) == 1
    assert problems[0].startswith("workforce.csv row 10, column fte: FTE " + words)
    assert f"(value: '{fte}')" in problems[0]


def test_an_end_before_the_start_is_refused(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, "worker,CP,,,W9,,social worker,1,36000,permanent,,,,2019-05-01,2019-04-30,\n")
    assert problems == [
        "workforce.csv row 10, column end_date: the last day (2019-04-30) is before the start date (2019-05-01); "
        "the end date is the last day worked (value: '2019-04-30')"
    ]


def test_a_worker_filling_a_post_of_another_team_is_refused(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, "worker,AS,Assessment,,W9,P3,social worker,1,36000,permanent,,,,2019-01-01,,\n")
    assert problems == [
        "workforce.csv row 10, column post_ref: post P3 belongs to team CP, not AS; a worker fills a post of their "
        "own team (value: 'P3')"
    ]


def test_two_permanent_workers_in_one_full_time_post_over_the_same_dates_are_refused(
    authority, workforce_lines
) -> None:  # type: ignore[no-untyped-def]
    # W1 holds P1 (1.0 FTE) from 2015 with no end; W9 also 1.0 FTE in P1 from 2019-01-01.
    problems = bad(authority, "worker,CP,,,W9,P1,social worker,1,36000,permanent,,,,2019-01-01,,\n")
    assert problems == [
        "workforce.csv row 10, column post_ref: post P1 is 1 FTE but W9 (1 FTE from 2019-01-01) overlaps W1 (row 6) "
        "in it; two permanent workers cannot fill the same FTE over the same dates (value: 'P1')"
    ]


def test_job_sharers_and_a_successor_after_the_last_day_are_not_a_clash(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    text = HEADER + (
        "post,CP,,,P1,,social worker,1,41600,,,,,,,\n"
        "post,CP,,,P2,,social worker,1,41600,,,,,,,\n"
        "worker,CP,,,J1,P1,social worker,0.5,18000,permanent,,,,2015-01-05,,\n"
        "worker,CP,,,J2,P1,social worker,0.5,18000,permanent,,,,2016-01-05,,\n"
        "worker,CP,,,L1,P2,social worker,1,36000,permanent,,,,2015-01-05,2019-06-30,\n"
        "worker,CP,,,L2,P2,social worker,1,36000,permanent,,,,2019-07-01,,\n"
    )
    plan, _ = run_import(authority, text)
    assert plan.ok, errors(plan)


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (
            "worker,CP,,,A9,,social worker,1,,agency,45000,vacancy,,2019-01-01,,\n",
            "weekly_rate",
            "£45,000 a week at 1 FTE is £45,000 per full-time week, outside £250–£5,000",
        ),
        (
            "worker,CP,,,A9,,social worker,1,,agency,12,vacancy,,2019-01-01,,\n",
            "weekly_rate",
            "£12 a week at 1 FTE is £12 per full-time week, outside £250–£5,000",
        ),
        (
            "worker,CP,,,W9,,social worker,1,3600000,permanent,,,,2019-01-01,,\n",
            "annual_cost",
            "£3,600,000 a year at 1 FTE is £3,600,000 per full-time post, outside £10,000–£250,000",
        ),
        (
            "post,CP,,,P9,,social worker,0.5,900,,,,,,,\n",
            "annual_cost",
            "£900 a year at 0.5 FTE is £1,800 per full-time post, outside £10,000–£250,000",
        ),
    ],
)
def test_absurd_rates_and_costs_are_refused(authority, workforce_lines, row, column, words) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, row)
    assert len(problems) == 1
    assert problems[0].startswith(f"workforce.csv row 10, column {column}: {words}")


def test_every_problem_in_a_file_is_reported_at_once(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(
        authority,
        (
            "worker,XYZ,,,W8,,social worker,1,36000,permanent,,,,2019-01-01,,\n"
            "worker,CP,,,A9,,social worker,1,,agency,,vacancy,,2019-01-01,,\n"
            "worker,CP,,,W1,,social worker,1,36000,permanent,,,,2019-01-01,,\n"
            "worker,CP,,,W7,,social worker,1,36000,contractor,,,,31/02/2019,,\n"
            "worker,CP,,,A8,,social worker,1,,agency,1000,holiday,,2019-01-01,,\n"
        ),
    )
    assert [p.split(":")[0] for p in problems] == [
        "workforce.csv row 10, column team",
        "workforce.csv row 11, column weekly_rate",
        "workforce.csv row 12, column ref",
        "workforce.csv row 13, column worker_type",
        "workforce.csv row 13, column start_date",
        "workforce.csv row 14, column agency_reason",
    ]
    assert "worker W1 appears twice in the file (also row 6)" in problems[2]


def test_a_file_without_an_as_at_date_is_refused(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run_import(authority, GOOD, as_at=None)
    assert errors(plan) == [
        "workforce.csv, column as_at: no as-at date: give --as-at 2019-07-31 (or the as-at field) or an as_at column"
    ]
    assert nothing_written()


def test_missing_required_columns_are_named(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run_import(authority, "record,team,ref\npost,CP,P1\n")
    assert errors(plan) == ["workforce.csv: the header row lacks the required column(s): fte"]


def test_a_post_ref_that_is_nowhere_is_refused(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, "worker,CP,,,W9,P77,social worker,1,36000,permanent,,,,2019-01-01,,\n")
    assert problems == [
        "workforce.csv row 10, column post_ref: is not a post in the file or already stored; add a post row for it "
        "(value: 'P77')"
    ]


def test_an_agency_worker_cannot_be_marked_absent(authority, workforce_lines) -> None:  # type: ignore[no-untyped-def]
    problems = bad(authority, "worker,CP,,,A9,,social worker,1,,agency,1000,vacancy,maternity,2019-01-01,,\n")
    assert len(problems) == 1 and "column absence: absences are recorded for permanent staff" in problems[0]


def test_a_file_cannot_reach_another_authoritys_teams(
    authority,
    other_authority,
    workforce_lines,  # type: ignore[no-untyped-def]
    other_workforce_lines,
) -> None:
    # Dorset has team CP; Nottinghamshire's file creates its own CP on its own line.
    plan, _ = run_import(other_authority, GOOD)
    assert plan.ok
    plan, _ = run_import(authority, GOOD)
    assert plan.ok
    assert Team.objects.filter(code="CP").count() == 2
    mine = Team.objects.get(authority=authority, code="CP")
    assert mine.budget_line.authority == authority
    assert Worker.objects.filter(authority=authority).count() == 4
