"""The placement cost register import: every rule with a row-level message, all or nothing,
re-import replaces what the file describes."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import AuditEvent
from core.services import import_run
from placements.models import Child, Placement
from tests.placements.conftest import register_csv

pytestmark = pytest.mark.django_db

GOOD = (
    'P1,C001,2010-05-01,fostering_ifa,Brightpath,framework,2019-04-01,2019-06-01,,"£950.00",,,N,',
    'P1,C001,2010-05-01,fostering_ifa,Brightpath,framework,01/06/2019,,2020-03-01,"1,000",10.50,,N,',
    "P2,C002,01/02/2005,residential_external,Meadowbank,spot,01/04/2019,,,4500.5,500,250,Y,CIC-RES-EXT",
)


def run(authority, data, *, user=None, dry_run=False):
    return import_run(
        authority=authority,
        kind="placements",
        source="register.csv",
        data=data,
        options={"today": "2024-06-01"},
        user=user,
        dry_run=dry_run,
    )


def messages(plan):
    return [(p.row, p.column, p.message) for p in plan.errors]


def test_a_good_register_is_imported_with_rate_changes_as_rows(authority, placement_lines, finance_officer):
    plan, result = run(authority, register_csv(*GOOD), user=finance_officer)
    assert plan.ok, plan.errors
    assert result["rows_written"] == 3 and result["placements_created"] == 2
    rows = list(Placement.objects.filter(authority=authority).order_by("placement_ref", "start_date"))
    first, second, third = rows
    assert (first.start_date, first.end_date, first.weekly_cost) == (date(2019, 4, 1), date(2019, 6, 1), 95_000)
    assert (second.start_date, second.end_date, second.weekly_cost) == (date(2019, 6, 1), None, 100_000)
    assert second.health_contribution == 1_050 and second.planned_end_date == date(2020, 3, 1)
    # £4,500.50 a week, £500 health, £250 education
    assert (third.weekly_cost, third.health_contribution, third.education_contribution) == (450_050, 50_000, 25_000)
    assert third.uasc and third.child.uasc and not first.child.uasc
    assert first.line.code == "CIC-FOS-IFA"  # the placements line of the type, by default
    assert third.line.code == "CIC-RES-EXT" and third.procurement == "spot" and third.source == "register"
    assert Child.objects.get(authority=authority, child_ref="C002").date_of_birth == date(2005, 2, 1)
    assert AuditEvent.objects.filter(authority=authority, action="import.placements").count() == 1


def test_importing_the_same_file_twice_changes_nothing(authority, placement_lines):
    run(authority, register_csv(*GOOD))
    ids = set(Placement.objects.values_list("placement_ref", "start_date", "weekly_cost"))
    plan, result = run(authority, register_csv(*GOOD))
    assert plan.counts() == {"unchanged": 2}
    assert result["rows_replaced"] == 3 and result["rows_written"] == 3
    assert set(Placement.objects.values_list("placement_ref", "start_date", "weekly_cost")) == ids


def test_a_new_file_replaces_only_the_placements_it_contains(authority, placement_lines, finance_officer):
    run(authority, register_csv(*GOOD))
    changed = "P2,C002,01/02/2005,residential_external,Meadowbank,spot,01/04/2019,01/09/2019,,4800,,,Y,"
    plan, result = run(authority, register_csv(changed), user=finance_officer)
    assert plan.counts() == {"update": 1}
    assert Placement.objects.filter(placement_ref="P1").count() == 2  # untouched: not in the file
    p2 = Placement.objects.get(placement_ref="P2")
    assert (p2.weekly_cost, p2.end_date) == (480_000, date(2019, 9, 1))
    event = AuditEvent.objects.get(action="placements.import", object_id="P2")
    assert event.before == {"weekly": "£4,500.50 a week"} and event.after == {"weekly": "£4,800.00 a week"}


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        (
            "P9,C009,2010-01-01,made_up,,,2019-04-01,,,100,,,N,",
            "placement_type",
            "'made_up' is not a finance placement type code",
        ),
        (
            "P9,C009,2010-01-01,fostering_ifa,,weird,2019-04-01,,,100,,,N,",
            "procurement",
            "'weird' is not one of: in_house, framework, block, spot",
        ),
        (
            "P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,2019-03-01,,100,,,N,",
            "end_date",
            "the end date (01/03/2019) is before the start date (01/04/2019)",
        ),
        (
            "P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,,,-5,,,N,",
            "weekly_cost",
            "is negative; a weekly cost is £0 or more a week",
        ),
        ("P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,,,50000.01,,,N,", "weekly_cost", "is more than £50,000 a week"),
        ("P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,,,100,-1,,N,", "health_contribution", "is negative"),
        (
            "P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,,,12.345,,,N,",
            "weekly_cost",
            "'12.345' has more than 2 decimal places",
        ),
        (
            "P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,,,lots,,,N,",
            "weekly_cost",
            "'lots' is not an amount of money in pounds",
        ),
        ("P9,C009,2090-01-01,fostering_ifa,,,2019-04-01,,,100,,,N,", "child_dob", "the date of birth is in the future"),
        (
            "P9,C009,2019-05-01,fostering_ifa,,,2019-04-01,,,100,,,N,",
            "child_dob",
            "the date of birth is after the start date (01/04/2019)",
        ),
        (
            "P9,C009,1994-01-01,fostering_ifa,,,2019-04-01,,,100,,,N,",
            "child_dob",
            "the child is 25 on the start date (01/04/2019); a fostering_ifa placement is for children",
        ),
        (
            "P9,C009,1990-01-01,staying_put,,,2019-04-01,,,100,,,N,",
            "child_dob",
            "the young person is 29 on the start date",
        ),
        ("P9,C009,31/02/2010,fostering_ifa,,,2019-04-01,,,100,,,N,", "child_dob", "'31/02/2010' is not a real date"),
        (
            "P9,C009,2010-01-01,fostering_ifa,,,April 2019,,,100,,,N,",
            "start_date",
            "'April 2019' is not a date; write it as 2019-07-31 or 31/07/2019",
        ),
        ("P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,,,100,,,maybe,", "uasc", "'maybe' is not yes or no"),
        (
            "P9,Jane Smith,2010-01-01,fostering_ifa,,,2019-04-01,,,100,,,N,",
            "child_ref",
            "is not a pseudonymous child reference",
        ),
        (
            "P9,C009,2010-01-01,fostering_ifa,,,2019-04-01,,,100,,,N,NOPE",
            "line_code",
            "'NOPE' is not a budget line of this authority",
        ),
        (",C009,2010-01-01,fostering_ifa,,,2019-04-01,,,100,,,N,", "placement_ref", "is blank; a value is required"),
    ],
)
def test_each_bad_value_is_reported_with_its_row_and_column_and_nothing_is_written(
    authority, placement_lines, row, column, expected
):
    plan, result = run(authority, register_csv(GOOD[0], row))
    assert result is None
    assert any(r == 3 and c == column and expected in m for r, c, m in messages(plan)), messages(plan)
    assert not any(r == 2 for r, _c, _m in messages(plan))  # the good row has no error
    assert Placement.objects.count() == 0 and Child.objects.count() == 0


def test_overlapping_rows_of_one_placement_are_refused(authority, placement_lines):
    plan, _ = run(
        authority,
        register_csv(
            "P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,2019-07-01,,950,,,N,",
            "P1,C001,2010-05-01,fostering_ifa,,,2019-06-01,,,1000,,,N,",
        ),
    )
    assert messages(plan) == [
        (
            3,
            "start_date",
            "overlaps row 2 of placement P1, which ends 01/07/2019; rows of one "
            "placement must not overlap (end the earlier row on the day the new rate starts)",
        )
    ]


def test_an_open_row_followed_by_another_row_is_an_overlap(authority, placement_lines):
    plan, _ = run(
        authority,
        register_csv(
            "P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,,,950,,,N,",
            "P1,C001,2010-05-01,fostering_ifa,,,2019-06-01,,,1000,,,N,",
        ),
    )
    assert [m for _r, _c, m in messages(plan)] == [
        "overlaps row 2 of placement P1, which is open; rows of one placement must not overlap (end the earlier row "
        "on the day the new rate starts)"
    ]


def test_one_child_has_one_date_of_birth_and_one_placement_one_child(authority, placement_lines):
    plan, _ = run(
        authority,
        register_csv(
            "P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,2019-06-01,,950,,,N,",
            "P1,C002,2010-05-01,fostering_ifa,,,2019-06-01,,,950,,,N,",
            "P3,C001,2010-06-01,fostering_ifa,,,2020-06-01,,,950,,,N,",
            "P3,C001,2010-05-01,fostering_ifa,,,2020-06-01,,,950,,,N,",
        ),
    )
    found = messages(plan)
    assert (3, "child_ref", "placement P1 belongs to child C001 in row 2") in found
    assert (
        4,
        "child_dob",
        "child C001 has the date of birth 01/05/2010 in row 2; one child has one date of birth",
    ) in found
    assert any(
        r == 5 and c == "start_date" and "another row starting on the same day (row 4)" in m for r, c, m in found
    )


def test_every_error_of_a_row_is_reported_not_just_the_first(authority, placement_lines):
    plan, _ = run(authority, register_csv("P9,C009,2090-01-01,nonsense,,,2019-04-01,2019-03-01,,-5,,,maybe,"))
    assert {c for _r, c, _m in messages(plan)} == {"placement_type", "end_date", "weekly_cost", "child_dob", "uasc"}


def test_a_file_without_a_required_column_is_refused(authority, placement_lines):
    data = b"placement_ref,child_ref,placement_type,start_date\nP1,C001,fostering_ifa,2019-04-01\n"
    plan, result = run(authority, data)
    assert result is None
    assert "lacks the required column(s): child_dob, weekly_cost" in plan.errors[0].message


def test_contributions_above_the_weekly_cost_are_a_warning(authority, placement_lines):
    plan, _ = run(authority, register_csv("P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,,,100,150,,N,"))
    assert plan.ok
    assert any("the net cost is negative" in w.message for w in plan.warnings)


def test_a_young_person_of_18_to_24_in_a_children_s_placement_is_a_warning(authority, placement_lines):
    plan, result = run(authority, register_csv("P1,C001,2000-05-01,fostering_ifa,,,2019-04-01,,,950,,,N,"))
    assert plan.ok and result["rows_written"] == 1
    assert [w.message for w in plan.warnings if w.row == 2] == [
        "the young person is 18 on the start date (01/04/2019); a fostering_ifa placement ends at 18 in the "
        "forecast (use staying_put or leaving_care after 18)"
    ]


def test_a_planned_end_before_the_start_is_a_warning(authority, placement_lines):
    plan, result = run(authority, register_csv("P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,,2019-01-01,950,,,N,"))
    assert plan.ok and result["rows_written"] == 1
    assert [w.message for w in plan.warnings if w.row == 2] == [
        "the planned end date (01/01/2019) is on or before the start date (01/04/2019): the forecast counts no day "
        "of this row; update or clear the planned end"
    ]


def test_a_row_ending_the_day_it_starts_is_left_out_with_a_warning(authority, placement_lines):
    plan, result = run(
        authority,
        register_csv(
            "P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,2019-04-01,,950,,,N,",
            "P1,C001,2010-05-01,fostering_ifa,,,2019-04-01,,,1000,,,N,",
        ),
    )
    assert plan.ok and result["rows_written"] == 1
    assert Placement.objects.get().weekly_cost == 100_000
    assert any("the row ends the day it starts" in w.message for w in plan.warnings)


def test_a_dry_run_writes_nothing(authority, placement_lines):
    plan, result = run(authority, register_csv(*GOOD), dry_run=True)
    assert plan.ok and result is None and Placement.objects.count() == 0


def test_the_import_is_scoped_to_the_authority(authority, other_authority, placement_lines):
    run(authority, register_csv(*GOOD))
    plan, _ = import_run(
        authority=other_authority, kind="placements", source="r.csv", data=register_csv(GOOD[2]), options={}, user=None
    )
    # Another council's budget line is not found ...
    assert [p.message for p in plan.errors] == ["'CIC-RES-EXT' is not a budget line of this authority"]
    plan, _ = import_run(
        authority=other_authority,
        kind="placements",
        source="r.csv",
        data=register_csv(GOOD[2].removesuffix("CIC-RES-EXT")),
        options={},
        user=None,
    )
    assert plan.counts() == {"create": 1}  # ... and the same reference there is another placement
    assert Placement.objects.filter(authority=authority).count() == 3
    assert Placement.objects.filter(authority=other_authority).count() == 1
