"""`import_data savings FILE` (DATA_FORMATS.md, Savings): a good file, a re-import, and every kind
of bad input getting a clear message (file, row, column, value, what is wrong) with nothing written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from accounts.models import AuditEvent
from core.services import import_run
from savings import selectors
from savings.models import MediumTermPlan, Saving, SavingAmount, SavingUpdate, SavingVersion
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
    assert result == {"created": 4, "updated": 0, "cycles": 4}
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
    assert result == {"created": 0, "updated": 0, "cycles": 0}
    assert SavingUpdate.objects.count() == 4 and SavingVersion.objects.count() == 6


def test_a_reimport_replaces_the_years_it_describes_and_records_a_new_cycle(ready) -> None:  # type: ignore[no-untyped-def]
    run(ready, GOOD)
    start = "CHS/SAV/1,NGY grant,Early Help,EH-YTH,funding_switch,Head of Early Help,"
    changed = GOOD.replace(start + 'on_track,,,approved,"£200,000",180000,', start + 'achieved,,,approved,"£200,000",,')
    plan, result = run(ready, changed, as_at="2022-12-31")
    assert plan.ok, errors(plan)
    assert result == {"created": 0, "updated": 1, "cycles": 1}
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
        "programme does not exist",
        "X1,T,Early Help,,,,absorbed,,NOPE,,100,100,",
        "savings.csv row 2, column programme: is not a programme of this authority; add the programme on the "
        "savings pages first (value: 'NOPE')",
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


def test_absorbed_into_a_programme_with_no_benefit_profile_is_refused(ready, finance_officer) -> None:  # type: ignore[no-untyped-def]
    programme_save(authority=ready, user=finance_officer, code="EMPTY", name="No profile yet", first_year="2022/23")
    plan, _ = run(ready, HEADER + "\nX1,T,Early Help,,,,absorbed,,EMPTY,,100,100,\n")
    assert any("it is absorbed into programme 'EMPTY', which has no benefit profile" in e for e in errors(plan))


def test_every_error_in_the_file_is_reported_at_once(ready) -> None:  # type: ignore[no-untyped-def]
    text = (
        HEADER + "\nX1,T,Early Help,,,,done,,,,100,100,\nX2,T,Early Help,,,,on_track,pink,,,abc,100,\n"
        "X3,T,Early Help,,,,absorbed,,GHOST,,100,100,\n"
    )
    plan, _ = run(ready, text)
    rows = sorted((p.row, p.column) for p in plan.errors)
    assert rows == [(2, "status"), (3, "2022/23"), (3, "rag"), (4, "programme")]


def test_another_authoritys_programme_is_not_found(other_authority, ready) -> None:  # type: ignore[no-untyped-def]
    # The other authority has no programme CTP or service area Early Help of its own.
    plan, _ = import_run(
        authority=other_authority,
        kind="savings",
        source="s.csv",
        data=(HEADER + "\nX1,T,Early Help,,,,absorbed,,CTP,,100,100,\n").encode(),
        options={"year": "2022/23"},
        user=None,
    )
    assert {p.column for p in plan.errors} >= {"programme", "service_area"}


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
