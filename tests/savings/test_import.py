"""`import_data savings FILE` (DATA_FORMATS.md, Savings): a good file, a re-import, and every kind
of bad input getting a clear message (file, row, column, value, what is wrong) with nothing written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from accounts.models import AuditEvent
from core.importing import SourceFile, importer_for
from core.services import import_plan_apply, import_run
from savings import selectors
from savings.models import MediumTermPlan, Programme, Saving, SavingAmount, SavingUpdate, SavingVersion
from savings.services import programme_save

pytestmark = pytest.mark.django_db

HEADER = (
    "ref,title,service_area,line_code,saving_type,owner,status,rag,programme,version,2022/23,2023/24,forecast_delivery"
)
GOOD = (
    HEADER + "\n"
    "CHS/SAV/1,NGY grant,Early Help,EH-YTH,funding_switch,Head of Early Help,on_track,,,approved,"
    '"£200,000",180000,\n'
    "CHS/SAV/2,Play and youth,Early Help,EH-YTH,,,at_risk,red,,approved,537000,733000,300000\n"
    "CHS/SAV/2,Play and youth,Early Help,EH-YTH,,,at_risk,red,,consultation,500000,700000,300000\n"
    "CHS/SAV/3,Targeted support,Early Help,EH-FAM,cost_avoidance,,absorbed,,CTP,approved,309000,309000,\n"
    "CHS/SAV/4,Short breaks,Strategy,MGT-BS,,,on_track,,,approved,100000,100000,\n"
    "CHS/SAV/4,Short breaks,Strategy,MGT-BS,,,on_track,,,reprofiled,50000,150000,\n"
)


def run(
    authority,
    text: str,
    *,
    name: str = "savings.csv",
    dry_run: bool = False,
    year: str | None = "2022/23",  # type: ignore[no-untyped-def]
    as_at: str | None = "2022-09-30",
):
    return import_run(
        authority=authority,
        kind="savings",
        source=name,
        data=text.encode("utf-8"),
        options={"year": year, "as_at": as_at},
        user=None,
        dry_run=dry_run,
    )


def errors(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in plan.errors]


@pytest.fixture
def ready(authority, plan, programme, savings_lines):  # type: ignore[no-untyped-def]
    return authority


def assert_nothing_written(authority) -> None:  # type: ignore[no-untyped-def]
    assert not Saving.objects.filter(authority=authority).exists()
    assert not SavingAmount.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="saving.").exists()


def test_a_good_file_creates_savings_versions_and_a_reporting_cycle(ready) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(ready, GOOD)
    assert plan.ok, errors(plan)
    assert result == {"created": 4, "updated": 0, "cycles": 4, "programmes_created": 0}
    s1 = Saving.objects.get(ref="CHS/SAV/1")
    assert (s1.status, s1.rag, s1.saving_type, s1.line.code) == ("on_track", "green", "funding_switch", "EH-YTH")
    approved = dict(s1.versions.get(version="approved").amounts.values_list("year_label", "amount"))
    assert approved == {"2022/23": 20_000_000, "2023/24": 18_000_000}
    s2 = Saving.objects.get(ref="CHS/SAV/2")
    assert s2.rag == "red"  # the officer's RAG is kept even though at risk implies amber
    assert set(s2.versions.values_list("version", flat=True)) == {"approved", "consultation"}
    assert Saving.objects.get(ref="CHS/SAV/3").programme.code == "CTP"
    cycle = SavingUpdate.objects.get(saving=s2)
    assert (str(cycle.as_at), cycle.year_label, cycle.forecast_delivery) == ("2022-09-30", "2022/23", 30_000_000)
    frame = selectors.savings_frame(authority=ready, year_label="2022/23").set_index("ref")
    assert frame.loc["CHS/SAV/4", "planned"] == 5_000_000  # the re-profile
    assert AuditEvent.objects.filter(action="import.savings").count() == 1
    assert AuditEvent.objects.filter(action="saving.create").count() == 4


def test_reimporting_the_same_file_changes_nothing(ready) -> None:  # type: ignore[no-untyped-def]
    run(ready, GOOD)
    plan, result = run(ready, GOOD)
    assert plan.ok and set(plan.counts()) == {"unchanged"}
    assert result == {"created": 0, "updated": 0, "cycles": 0, "programmes_created": 0}
    assert SavingUpdate.objects.count() == 4 and SavingVersion.objects.count() == 6


def test_a_reimport_replaces_the_years_it_describes_and_records_a_new_cycle(ready) -> None:  # type: ignore[no-untyped-def]
    run(ready, GOOD)
    start = "CHS/SAV/1,NGY grant,Early Help,EH-YTH,funding_switch,Head of Early Help,"
    changed = GOOD.replace(start + 'on_track,,,approved,"£200,000",180000,', start + 'achieved,,,approved,"£200,000",,')
    plan, result = run(ready, changed, as_at="2022-12-31")
    assert plan.ok, errors(plan)
    assert result == {"created": 0, "updated": 1, "cycles": 1, "programmes_created": 0}
    s1 = Saving.objects.get(ref="CHS/SAV/1")
    assert s1.status == "achieved"
    # The blank 2023/24 cell removes that year's amount: the file describes 2022/23 and 2023/24.
    assert dict(s1.versions.get(version="approved").amounts.values_list("year_label", "amount")) == {
        "2022/23": 20_000_000
    }
    assert s1.updates.count() == 2


def test_a_dry_run_writes_nothing(ready) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(ready, GOOD, dry_run=True)
    assert plan.ok and result is None
    assert_nothing_written(ready)


def test_without_a_plan_the_files_years_become_the_plan(authority, programme, savings_lines) -> None:  # type: ignore[no-untyped-def]
    MediumTermPlan.objects.filter(authority=authority).delete()
    plan, _ = run(authority, HEADER.replace(",2023/24", ",2024/25") + "\nX1,T,Early Help,,,,on_track,,,,1000,2000,\n")
    assert plan.ok, errors(plan)
    stored = MediumTermPlan.objects.get(authority=authority)
    # One contiguous run of years from the first column to the last.
    assert stored.years == ["2022/23", "2023/24", "2024/25"]


# -- bad input: every error, named, and nothing written ------------------------------------------

BAD_CASES = [
    (
        "unknown status",
        "X1,T,Early Help,,,,done,,,,100,100,",
        "savings.csv row 2, column status: status 'done' is not one of achieved, on_track, at_risk, undeliverable, "
        "absorbed",
    ),
    ("status hint", "X1,T,Early Help,,,,on track,,,,100,100,", "(did you mean on_track?)"),
    (
        "unknown RAG",
        "X1,T,Early Help,,,,on_track,purple,,,100,100,",
        "savings.csv row 2, column rag: RAG 'purple' is not one of green, amber, red",
    ),
    (
        "not money",
        "X1,T,Early Help,,,,on_track,,,,12k,100,",
        "savings.csv row 2, column 2022/23: '12k' is not an amount of money in pounds",
    ),
    (
        "bracketed",
        "X1,T,Early Help,,,,on_track,,,,(0.200),100,",
        "'(0.200)' is in brackets; write savings as positive pounds",
    ),
    ("negative", "X1,T,Early Help,,,,on_track,,,,-200,100,", "'-200' is negative"),
    ("too many decimals", "X1,T,Early Help,,,,on_track,,,,1.234,100,", "has more than 2 decimal places"),
    (
        "programme name too long",
        "X1,T,Early Help,,,,on_track,,{},,100,100,".format("P" * 201),
        "savings.csv row 2, column programme: '{}...' is 201 characters long; at most 200 fit".format("P" * 40),
    ),
    (
        "absorbed with no programme",
        "X1,T,Early Help,,,,absorbed,,,,100,100,",
        "column programme: is blank; an absorbed saving must name the programme that absorbed it",
    ),
    ("unknown line", "X1,T,Early Help,NOPE,,,on_track,,,,100,100,", "column line_code: is not a budget line"),
    ("unknown service area", "X1,T,Nowhere,,,,on_track,,,,100,100,", "column service_area: is not a service area"),
    ("unknown version", "X1,T,Early Help,,,,on_track,,,draft,100,100,", "column version: 'draft' is not one of"),
    ("no amounts", "X1,T,Early Help,,,,on_track,,,,,,", "no year has an amount"),
    (
        "forecast not money",
        "X1,T,Early Help,,,,on_track,,,,100,100,lots",
        "column forecast_delivery: 'lots' is not an amount of money",
    ),
    ("blank ref", ",T,Early Help,,,,on_track,,,,100,100,", "row 2, column ref: is blank; a value is required"),
]


@pytest.mark.parametrize(("case", "row", "message"), BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_bad_rows_are_refused_with_a_clear_message(ready, case: str, row: str, message: str) -> None:
    plan, result = run(ready, HEADER + "\n" + row + "\n")
    assert result is None and not plan.ok
    assert any(message in e for e in errors(plan)), errors(plan)
    assert_nothing_written(ready)


def test_years_outside_the_plan_are_refused(ready) -> None:  # type: ignore[no-untyped-def]
    text = "ref,title,service_area,status,2025/26,2026/27\nX1,T,Early Help,on_track,100,200\n"
    plan, _ = run(ready, text)
    assert errors(plan) == [
        "savings.csv row 2, column 2026/27: 2026/27 is outside the medium-term financial plan (2022/23 to 2025/26) "
        "(value: '200')"
    ]
    assert_nothing_written(ready)


def test_a_badly_written_year_column_is_reported_not_ignored(ready) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run(ready, "ref,title,service_area,status,2022/2023\nX1,T,Early Help,on_track,100\n")
    assert any("column 2022/2023: the column name is not a financial year" in e for e in errors(plan)), errors(plan)


def test_a_file_with_no_year_columns_is_refused(ready) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run(ready, "ref,title,service_area,status\nX1,T,Early Help,on_track\n")
    assert errors(plan) == [
        "savings.csv: the file has no amount columns; add one column per financial year, e.g. 2022/23"
    ]


def test_duplicate_references_are_refused(ready) -> None:  # type: ignore[no-untyped-def]
    text = HEADER + "\nX1,T,Early Help,,,,on_track,,,,100,100,\nx1,T,Early Help,,,,on_track,,,approved,100,100,\n"
    plan, _ = run(ready, text)
    assert any(
        "row 3, column ref: the reference appears twice for the approved version (also row 2)" in e
        for e in errors(plan)
    ), errors(plan)
    assert_nothing_written(ready)


def test_rows_of_one_saving_must_agree(ready) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER + "\nX1,T,Early Help,,,,on_track,,,approved,100,100,\n"
        "X1,T,Early Help,,,,at_risk,,,consultation,100,100,\n"
    )
    plan, _ = run(ready, text)
    assert any(
        "row 3, column status: differs from row 2 ('on_track') for the same saving X1" in e for e in errors(plan)
    ), errors(plan)


def test_a_reprofile_that_changes_the_lifetime_total_is_refused(ready) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER + "\nX1,T,Early Help,,,,on_track,,,approved,100000,100000,\n"
        "X1,T,Early Help,,,,on_track,,,reprofiled,50000,100000,\n"
    )
    plan, _ = run(ready, text)
    # £150,000 re-profiled against £200,000 approved: the total may not change.
    assert errors(plan) == [
        "savings.csv row 3, column version: saving X1: the re-profile totals £150,000.00 over its lifetime but the "
        "profile it replaces totals £200,000.00 (a difference of (£50,000.00)); a re-profile may move savings "
        "between years but must not change the total (value: 'reprofiled')"
    ]
    assert_nothing_written(ready)


def test_a_reprofile_is_checked_against_the_stored_approved_profile(ready) -> None:  # type: ignore[no-untyped-def]
    run(ready, GOOD)
    # CHS/SAV/4 is approved at £100,000 + £100,000; a new re-profile of £250,000 + £0 is refused...
    text = HEADER + "\nCHS/SAV/4,Short breaks,Strategy,MGT-BS,,,on_track,,,reprofiled,250000,0,\n"
    plan, _ = run(ready, text)
    assert any("the re-profile totals £250,000.00" in e for e in errors(plan)), errors(plan)
    # ...but £0 + £200,000 keeps the total and is accepted.
    plan, _ = run(ready, text.replace("250000,0,", "0,200000,"))
    assert plan.ok, errors(plan)


def test_a_reprofile_needs_an_approved_profile(ready) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run(ready, HEADER + "\nX1,T,Early Help,,,,on_track,,,reprofiled,100,100,\n")
    assert any("has no approved profile for this re-profile to replace" in e for e in errors(plan)), errors(plan)


def test_absorbed_into_a_programme_with_no_benefit_profile_is_a_warning(ready, finance_officer) -> None:  # type: ignore[no-untyped-def]
    programme_save(authority=ready, user=finance_officer, code="EMPTY", name="No profile yet", first_year="2022/23")
    plan, _ = run(ready, HEADER + "\nX1,T,Early Help,,,,absorbed,,EMPTY,,100,100,\n")
    assert plan.ok, errors(plan)
    assert [str(w) for w in plan.warnings] == [
        "savings.csv row 2, column programme: saving X1: it is absorbed into programme 'EMPTY', which has no "
        "benefit profile yet, so the saving is counted in no total until its target profile is entered on the "
        "programme's page"
    ]
    assert Saving.objects.get(ref="X1").programme.code == "EMPTY"


def test_a_programme_the_file_names_is_created_and_shown_in_the_preview(ready) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER + "\nX1,T,Early Help,,,,absorbed,,Edge of Care Transformation,,100,100,\n"
        "X2,T2,Early Help,,,,on_track,,edge  of care   TRANSFORMATION,,50,50,\n"  # the same programme
    )
    plan, _ = run(ready, text, dry_run=True)
    assert plan.ok, errors(plan)
    assert not Saving.objects.filter(authority=ready).exists()
    assert Programme.objects.filter(authority=ready).count() == 1  # the fixture's CTP only
    new = [(c.action, c.description) for c in plan.changes if c.key.startswith("programme ")]
    assert new == [("create", "new programme Edge of Care Transformation, 8 years from 2022/23")]
    # Absorbed into a programme with no benefit profile yet: shown, not blocking.
    assert [w.row for w in plan.warnings] == [2]
    plan, result = run(ready, text)
    assert plan.ok, errors(plan)
    assert result["programmes_created"] == 1
    programme = Programme.objects.get(authority=ready, code="Edge of Care Transformation")
    assert (programme.name, programme.first_year, programme.years) == ("Edge of Care Transformation", "2022/23", 8)
    assert set(Saving.objects.filter(programme=programme).values_list("ref", flat=True)) == {"X1", "X2"}
    # Imported again, the programme is found by its name: nothing new.
    plan, result = run(ready, text)
    assert plan.ok and result["programmes_created"] == 0
    assert Programme.objects.filter(authority=ready).count() == 2  # CTP of the fixture, and this one


def test_a_new_programme_name_longer_than_a_code_gets_a_code_cut_to_40_characters(ready) -> None:  # type: ignore[no-untyped-def]
    name = "Placement sufficiency and edge of care transformation"  # 54 characters
    programme_save(authority=ready, user=None, code=name[:40].strip(), name="Already here", first_year="2022/23")
    plan, result = run(ready, HEADER + f"\nX1,T,Early Help,,,,on_track,,{name},,100,100,\n")
    assert plan.ok, errors(plan)
    created = Programme.objects.get(authority=ready, name=name)
    # The first 40 characters are taken by another programme's code: cut to 38 and numbered.
    assert created.code == name[:38].strip() + "-2"
    assert len(created.code) <= 40


def test_every_error_in_the_file_is_reported_at_once(ready) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER + "\nX1,T,Early Help,,,,done,,,,100,100,\nX2,T,Early Help,,,,on_track,pink,,,abc,100,\n"
        "X3,T,Early Help,,,,absorbed,,,,100,100,\n"
    )
    plan, _ = run(ready, text)
    rows = sorted((p.row, p.column) for p in plan.errors)
    assert rows == [(2, "status"), (3, "2022/23"), (3, "rag"), (4, "programme")]


def test_another_authoritys_programme_is_not_found(other_authority, ready) -> None:  # type: ignore[no-untyped-def]
    # The other authority has no programme CTP or service area Early Help of its own: its CTP
    # would be a new programme of its own, never the first authority's.
    plan, _ = import_run(
        authority=other_authority,
        kind="savings",
        source="s.csv",
        data=(HEADER + "\nX1,T,Early Help,,,,absorbed,,CTP,,100,100,\n").encode(),
        options={"year": "2022/23"},
        user=None,
    )
    assert {p.column for p in plan.errors} == {"service_area"}


def test_an_xlsx_file_imports_the_same(ready) -> None:  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.append(["Ref", "Title", "Service_area", "Status", "2022/23", "2023/24"])
    sheet.append(["X1", "From a workbook", "Early Help", "on_track", 1234.56, 200])
    out = io.BytesIO()
    book.save(out)
    plan, _ = import_run(
        authority=ready,
        kind="savings",
        source="tracker.xlsx",
        data=out.getvalue(),
        options={"year": "2022/23"},
        user=None,
    )
    assert plan.ok, errors(plan)
    amounts = dict(SavingAmount.objects.values_list("year_label", "amount"))
    assert amounts == {"2022/23": 123_456, "2023/24": 20_000}


def test_the_import_data_command(ready, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "savings.csv"
    good.write_text(GOOD, encoding="utf-8")
    call_command("import_data", "savings", str(good), "--year", "2022/23", "--as-at", "2022-09-30")
    assert Saving.objects.filter(authority=ready).count() == 4
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "\nX9,T,Early Help,,,,done,,,,100,100,\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", "savings", str(bad), "--year", "2022/23")
    assert exit_info.value.code == 1
    assert "bad.csv row 2, column status" in capsys.readouterr().err
    assert not Saving.objects.filter(ref="X9").exists()


def test_a_tracker_whose_programmes_are_all_new_imports_from_the_command_line_in_one_go(  # type: ignore[no-untyped-def]
    authority, savings_lines, tmp_path, capsys
) -> None:
    # No plan and no programme yet: the file's years become the plan and its programmes are made.
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(
        "ref,title,service_area,status,programme,2023/24,2024/25\n"
        "CS/23/01,Reunification with families,Children in Care,absorbed,Edge of Care and Reunification,150000,250000\n"
        "CS/23/02,Step down from residential,Children in Care,on_track,Placement Sufficiency Strategy 2023-2028,"
        '"300,000",\n'
        "CS/23/03,Family group conferencing,Early Help,absorbed,edge of care and reunification,50000,50000\n"
        "CS/23/04,Review of transport,Strategy,on_track,,20000,20000\n",
        encoding="utf-8",
    )
    call_command("import_data", "savings", str(tracker), "--authority", "NOTTS", "--as-at", "2023-09-30")
    out, err = capsys.readouterr()
    assert "Imported tracker.csv: created 4, updated 0, cycles 4, programmes_created 2" in out
    # Absorbed into programmes with no benefit profile yet: warned, not refused.
    assert err.count("WARNING") == 2 and "ERROR" not in err
    assert "which has no benefit profile yet" in err
    programmes = {p.code: (p.name, p.first_year) for p in Programme.objects.filter(authority=authority)}
    assert programmes == {
        "Edge of Care and Reunification": ("Edge of Care and Reunification", "2023/24"),
        "Placement Sufficiency Strategy 2023-2028": ("Placement Sufficiency Strategy 2023-2028", "2023/24"),
    }
    linked = dict(Saving.objects.filter(authority=authority).values_list("ref", "programme__code"))
    assert linked == {
        "CS/23/01": "Edge of Care and Reunification",
        "CS/23/02": "Placement Sufficiency Strategy 2023-2028",
        "CS/23/03": "Edge of Care and Reunification",
        "CS/23/04": None,
    }
    plan = MediumTermPlan.objects.get(authority=authority)
    assert (plan.first_year, plan.last_year) == ("2023/24", "2024/25")


def test_a_programme_made_between_the_preview_and_the_confirm_is_used_not_made_twice(ready) -> None:  # type: ignore[no-untyped-def]
    text = HEADER + "\nX1,T,Early Help,,,,on_track,,Edge of Care,,100,100,\n"
    plan = importer_for("savings").plan(
        authority=ready, files=[SourceFile("savings.csv", text.encode())], options={"year": "2022/23"}
    )
    assert plan.ok, errors(plan)
    made = programme_save(authority=ready, user=None, code="EOC", name="Edge of Care", first_year="2022/23")
    result = import_plan_apply(authority=ready, plan=plan, names=["savings.csv"], user=None)
    assert result["programmes_created"] == 0
    assert Saving.objects.get(ref="X1").programme == made
