"""The ssda903 import: several files, the cleaning of placements/ssda903.py, every record it
cannot use reported, unit costs for placements without costs, replace by child."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from core.importing import SourceFile, importers
from core.models import ImportBatch
from core.services import import_batch_apply, import_batch_create, import_plan_build, import_run
from placements import services
from placements.models import Child, Placement, UnitCost
from tests.placements.test_ssda903 import episodes_file, header_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "ssda903-sample"
OPTIONS = {"today": "2024-06-01"}


def plan_for(authority, *files, options=None):
    return import_plan_build(
        authority=authority, kind="ssda903", files=[SourceFile(*f) for f in files], options=options or OPTIONS
    )


def upload_903(authority, user, files):
    """An SSDA903 upload of several files, previewed and waiting for confirmation."""
    batch, _plan = import_batch_create(
        authority=authority, kind="ssda903", files=[SourceFile(*f) for f in files], options=OPTIONS, user=user
    )
    return batch


def fixture(name: str) -> tuple[str, bytes]:
    return name, (FIXTURES / name).read_bytes()


def test_five_years_of_the_sample_import_from_the_command_line_and_every_fault_is_reported(
    authority, placement_lines, capsys
):
    files = sorted(str(p) for p in SAMPLE.glob("*.csv"))
    assert len(files) == 15
    out, err = StringIO(), StringIO()
    call_command("import_data", "ssda903", *files, "--authority", authority.code, stdout=out, stderr=err)
    placements = Placement.objects.filter(authority=authority, source="ssda903")
    # 3,737 episode rows: 910 repeats of an episode in a later return, 431 short breaks,
    # 23 episodes in R2/P3 (no finance type), 541 merged into the placement before them,
    # leaving 1,832 placements (docs/ssda903.md, What the sample returns contain).
    assert placements.values("placement_ref").distinct().count() == 1832
    assert Child.objects.filter(authority=authority).count() == 740
    report = err.getvalue()
    assert report.count("WARNING") >= 431 + 23 + 48
    assert report.count("ignored: short-break episode") == 431
    assert report.count("dropped: no finance placement type for PLACE") == 23
    assert report.count("corrected: overlaps the child's next episode") == 28
    assert report.count("corrected: open episode is missing from the later return(s)") == 20
    assert "2017-episodes.csv row " in report  # every report names its file and row
    assert "Imported" in out.getvalue() and "episodes_used 1832" in out.getvalue()


def test_the_sample_accounts_for_every_episode(authority):
    plan = plan_for(authority, *[(p.name, p.read_bytes()) for p in sorted(SAMPLE.glob("*.csv"))])
    s = plan.summary
    assert s["episodes_read"] == 3737 and s["unaccounted"] == 0
    assert s["used"] + s["duplicates_removed"] + s["merged"] + s["dropped"] + s["ignored"] == 3737
    assert (s["duplicates_removed"], s["merged"], s["dropped"], s["ignored"]) == (910, 541, 23, 431)
    assert s["dropped_by_reason"] == {"no_mapping": 23}
    assert len(plan.payload.issues) == 23 + 431 + 541 + 48  # every record, with file and row
    assert plan.payload.issues["row"].min() >= 2


def test_the_messy_fixture_reports_each_fault_with_file_row_and_reason(authority, placement_lines):
    plan = plan_for(
        authority,
        fixture("messy-2019-episodes.csv"),
        fixture("messy-2019-header.csv"),
        fixture("messy-2020-episodes.csv"),
        fixture("messy-2020-header.csv"),
        fixture("messy-2020-uasc.csv"),
    )
    assert plan.ok
    reported = {(w.source, w.row, w.column): w.message for w in plan.warnings if w.row}
    assert reported[("messy-2019-episodes.csv", 4, "CHILD")] == "dropped: no child reference (CHILD is blank)"
    assert reported[("messy-2019-episodes.csv", 5, "DECOM")] == "dropped: no start date (DECOM is blank)"
    assert reported[("messy-2019-episodes.csv", 6, "DEC")].startswith("dropped: DEC (03/06/2019) is before DECOM")
    assert reported[("messy-2019-episodes.csv", 7, "LS")].startswith("ignored: short-break episode")
    assert "date of birth is in the future" in reported[("messy-2019-episodes.csv", 11, "DOB")]
    assert plan.summary["unaccounted"] == 0


def test_a_file_mixing_shapes_is_refused_and_nothing_is_written(authority, placement_lines):
    mixed = ("mixed.csv", b"LA,CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC\nX,1,01/04/2019,S,C2,N1,U4,PR1,\n")
    plan = plan_for(authority, mixed, header_file("h.csv", ("1", "01/01/2010")))
    assert [(p.source, p.message) for p in plan.errors] == [
        ("mixed.csv", "mixes the DfE and regional shapes: it has a LA column but no YEAR (regional files need both)")
    ]
    header_and_episodes = ("both.csv", b"CHILD,DOB,UPN,DECOM,PLACE\n1,01/01/2010,X,01/04/2019,U4\n")
    plan = plan_for(authority, header_and_episodes)
    assert "mixes the columns of episodes and header files" in plan.errors[0].message
    assert Placement.objects.count() == 0


def test_files_without_episodes_or_headers_are_refused(authority):
    plan = plan_for(authority, header_file("2019-header.csv", ("1", "01/01/2010")))
    assert [p.message for p in plan.errors][0].startswith("there is no episodes file")


def test_a_child_of_25_in_a_children_s_placement_is_refused_with_the_reason(authority, placement_lines):
    plan = plan_for(
        authority,
        header_file("2019-header.csv", ("1", "01/01/1994"), ("2", "01/01/2010")),
        episodes_file("2019-episodes.csv", "1,01/04/2019,S,C2,U4,PR4,", "2,01/04/2019,S,C2,U4,PR4,"),
    )
    problem = next(w for w in plan.warnings if w.row == 2 and w.column == "DOB")
    assert problem.source == "2019-episodes.csv"
    assert problem.message == (
        "dropped: the child is 25 at DECOM 01/04/2019 (date of birth 01/01/1994); a fostering_ifa "
        "placement is for children under 18 (the whole placement, 903-1-20190401)"
    )
    assert list(plan.payload.rows["placement_ref"]) == ["903-2-20190401"]
    assert plan.summary["placements_refused_by_import_checks"] == 1


def test_placements_without_costs_take_the_unit_cost_and_split_where_it_changes(
    authority, placement_lines, placement_types, finance_officer
):
    UnitCost.objects.create(
        authority=authority,
        placement_type=placement_types["fostering_ifa"],
        effective_from=date(2019, 4, 1),
        weekly_cost=90_000,
    )
    UnitCost.objects.create(
        authority=authority,
        placement_type=placement_types["fostering_ifa"],
        effective_from=date(2020, 4, 1),
        weekly_cost=93_000,
    )
    files = [
        header_file("2020-header.csv", ("7", "01/01/2010")),
        episodes_file("2020-episodes.csv", "7,01/01/2020,S,C2,U4,PR4,01/06/2020"),
    ]
    upload = upload_903(authority, finance_officer, files)
    assert upload.status == ImportBatch.Status.PREVIEWED
    upload = import_batch_apply(batch_id=upload.pk, user=finance_officer)
    assert upload.status == ImportBatch.Status.APPLIED
    rows = list(
        Placement.objects.filter(authority=authority)
        .order_by("start_date")
        .values_list("placement_ref", "start_date", "end_date", "weekly_cost", "line__code")
    )
    # Before 1 April 2020 at £900 (the rate from April 2019), from then at £930.
    assert rows == [
        ("903-7-20200101", date(2020, 1, 1), date(2020, 4, 1), 90_000, "CIC-FOS-IFA"),
        ("903-7-20200101", date(2020, 4, 1), date(2020, 6, 1), 93_000, "CIC-FOS-IFA"),
    ]
    # A new unit cost re-prices the SSDA903 placements of its type.
    services.unit_cost_save(
        authority=authority,
        user=finance_officer,
        placement_type=placement_types["fostering_ifa"],
        effective_from=date(2020, 5, 1),
        weekly_cost=95_000,
    )
    costs = list(
        Placement.objects.filter(authority=authority)
        .order_by("start_date")
        .values_list("start_date", "end_date", "weekly_cost")
    )
    assert costs == [
        (date(2020, 1, 1), date(2020, 4, 1), 90_000),
        (date(2020, 4, 1), date(2020, 5, 1), 93_000),
        (date(2020, 5, 1), date(2020, 6, 1), 95_000),
    ]


def test_a_type_without_a_unit_cost_is_a_warning(authority, placement_lines):
    plan = plan_for(
        authority, header_file("h.csv", ("7", "01/01/2010")), episodes_file("e.csv", "7,01/01/2020,S,C2,U4,PR4,")
    )
    assert any(w.message.startswith("there is no unit cost for fostering_ifa: 1 placement(s)") for w in plan.warnings)
    assert list(plan.payload.rows["weekly_cost"]) == [0]


def test_a_reimport_replaces_the_903_placements_of_its_children_and_keeps_register_rows(
    authority, placement_lines, placement_types, finance_officer
):
    first = [
        header_file("h.csv", ("7", "01/01/2010"), ("8", "01/01/2011")),
        episodes_file("e.csv", "7,01/01/2020,S,C2,U4,PR4,", "8,01/02/2020,S,C2,U4,PR1,"),
    ]
    upload = upload_903(authority, finance_officer, first)
    import_batch_apply(batch_id=upload.pk, user=finance_officer)
    # The register gives child 8's placement its real cost under the same reference.
    row = Placement.objects.get(placement_ref="903-8-20200201")
    Placement.objects.filter(pk=row.pk).update(source="register", weekly_cost=47_500)
    # Child 7's placement is now closed in the new return; child 8's is left as the register has it.
    second = [
        header_file("h.csv", ("7", "01/01/2010"), ("8", "01/01/2011")),
        episodes_file("e.csv", "7,01/01/2020,S,C2,U4,PR4,01/03/2020", "8,01/02/2020,S,C2,U4,PR1,"),
    ]
    plan = plan_for(authority, *second)
    assert {(c.action, c.key) for c in plan.changes} == {("update", "903-7-20200101")}
    assert any("1 placement(s) are already in the register" in w.message for w in plan.warnings)
    upload = upload_903(authority, finance_officer, second)
    import_batch_apply(batch_id=upload.pk, user=finance_officer)
    assert Placement.objects.get(placement_ref="903-7-20200101").end_date == date(2020, 3, 1)
    assert Placement.objects.get(placement_ref="903-8-20200201").weekly_cost == 47_500


def test_a_regional_file_of_several_councils_uses_this_authority_s_rows(placement_types):
    from tests.factories import AuthorityFactory

    barnet = AuthorityFactory(code="BARNET", name="Barnet")
    plan = plan_for(barnet, fixture("regional-episodes.csv"), fixture("regional-header.csv"))
    assert plan.ok, plan.errors
    assert plan.summary["episodes_other_authorities"] == 2
    assert set(plan.payload.rows["child_ref"]) == {"B1"}


def test_the_apply_runs_once_even_if_confirmed_twice(authority, placement_lines, finance_officer):
    files = [header_file("h.csv", ("7", "01/01/2010")), episodes_file("e.csv", "7,01/01/2020,S,C2,U4,PR4,")]
    upload = upload_903(authority, finance_officer, files)
    import_batch_apply(batch_id=upload.pk, user=finance_officer)
    again = import_batch_apply(batch_id=upload.pk, user=finance_officer)
    assert again.status == ImportBatch.Status.APPLIED
    assert Placement.objects.filter(authority=authority).count() == 1


def test_one_903_file_through_the_general_upload_is_read_with_its_row_numbers(authority, placement_lines):
    # The general upload page sends one file; it is read as the SSDA903 reader reads any file.
    name, data = episodes_file("2019-episodes.csv", "7,01/01/2020,S,C2,U4,PR4,")
    plan, result = import_run(authority=authority, kind="ssda903", source=name, data=data, options={}, user=None)
    assert result is None
    assert [p.message for p in plan.errors] == [
        "there is no header file (CHILD, SEX, DOB ...) among the files: the dates of birth are in the header file"
    ]
    # A blank line keeps the later row numbers: the episode without a start is row 4.
    _, header = header_file("2019-header.csv", ("7", "01/01/2010"), ("8", "01/01/2010"))
    episodes = data.replace(b"\n7,", b"\n\n7,") + b"8,,S,C2,N1,U4,PR4,,,,,,\n"
    plan, _ = import_run(
        authority=authority,
        kind="ssda903",
        files=[SourceFile("2019-header.csv", header), SourceFile(name, episodes)],
        options=OPTIONS,
        user=None,
        dry_run=True,
    )
    blank_start = [w for w in plan.warnings if w.column == "DECOM"]
    assert [(w.source, w.row, w.message) for w in blank_start] == [(name, 4, "dropped: no start date (DECOM is blank)")]


def test_a_one_file_kind_refuses_a_second_file_with_a_clear_message(authority, placement_lines):
    plan = import_plan_build(
        authority=authority,
        kind="placements",
        files=[SourceFile("a.csv", b"placement_ref\n"), SourceFile("b.csv", b"placement_ref\n")],
        options={},
    )
    assert [p.message for p in plan.errors] == ["a placements import takes one file; 2 were given"]


def test_returns_that_disagree_reach_the_preview_as_issues_with_file_row_and_child(authority, placement_lines):
    # Child 1's episode ends on 01/02/2019 in the 2018/19 return and is open in 2019/20's.
    plan = plan_for(
        authority,
        header_file("2019-header.csv", ("1", "01/01/2010")),
        episodes_file("2018-episodes.csv", "1,01/05/2018,S,C2,U4,PR4,01/02/2019"),
        episodes_file("2019-episodes.csv", "1,01/05/2018,S,C2,U4,PR4,"),
    )
    assert plan.ok and plan.summary["returns_disagree"] == 1
    warning = next(w for w in plan.warnings if "returns disagree" in w.message)
    assert (warning.source, warning.row, warning.column, warning.value) == ("2018-episodes.csv", 2, "DEC", "01/02/2019")
    assert warning.message.startswith("corrected: returns disagree on child 1's episode from 01/05/2018")
    assert [i["rule"] for i in importers()["ssda903"].record(plan).issues] == ["returns_disagree"]
    assert plan.payload.rows["end_date"].isna().all()  # the later return's open episode is used
