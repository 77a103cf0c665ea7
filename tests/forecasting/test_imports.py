"""The budget and actuals imports (DATA_FORMATS.md): good files, and every kind of bad input
getting a clear message with nothing written."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from accounts.models import AuditEvent
from core.services import import_run
from forecasting.models import Actual, Budget, BudgetLine, BudgetRevision, FinancialYear

pytestmark = pytest.mark.django_db

BUDGET = (
    "line_code,line_name,service_area,category,placement_type,team,annual_budget,method,budget_numbers\n"
    "CIC-RES-EXT,External residential placements,Children in Care,placements,residential_external,,"
    '"£22,400,000.00",,82\n'
    "SW-ASSESS,Assessment teams,Social Work,workforce,,ASSESS,5620000,,\n"
    "LEG-EXT,External legal costs,Legal,other,,,2600000,run_rate,\n"
    "INC-UASC,Home Office UASC grant,Income,income,,,-2940000.50,,\n"
)


def run(
    authority,
    kind: str,
    text: str | bytes,
    *,
    name: str = "file.csv",
    year: str | None = "2019/20",  # type: ignore[no-untyped-def]
    dry_run: bool = False,
):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_run(
        authority=authority, kind=kind, source=name, data=data, options={"year": year}, user=None, dry_run=dry_run
    )


def messages(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in plan.errors]


@pytest.fixture
def budget_loaded(authority, placement_types):  # type: ignore[no-untyped-def]
    plan, result = run(authority, "budget", BUDGET, name="budget.csv")
    assert plan.ok, messages(plan)
    return FinancialYear.objects.get(authority=authority, label="2019/20")


def test_a_budget_file_creates_the_year_its_periods_lines_and_budgets_in_pence(authority, placement_types) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(authority, "budget", BUDGET, name="budget.csv")
    assert plan.ok and result == {"lines": 4}
    year = FinancialYear.objects.get(authority=authority, label="2019/20")
    assert year.periods.count() == 12
    budgets = {b.line.code: b for b in Budget.objects.select_related("line")}
    assert budgets["CIC-RES-EXT"].amount == 2_240_000_000  # £22,400,000.00 = 2,240,000,000p
    assert budgets["CIC-RES-EXT"].budget_numbers == 82
    assert budgets["INC-UASC"].amount == -294_000_050  # -£2,940,000.50
    assert BudgetLine.objects.get(code="SW-ASSESS").team_code == "ASSESS"
    assert BudgetLine.objects.get(code="LEG-EXT").method == "run_rate"
    assert AuditEvent.objects.filter(action="budget.set").count() == 4


def test_importing_the_same_budget_twice_changes_nothing(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run(authority, "budget", BUDGET, name="budget.csv")
    assert plan.counts() == {"unchanged": 4}
    assert BudgetLine.objects.count() == 4 and Budget.objects.count() == 4
    assert not BudgetRevision.objects.exists()


def test_a_changed_budget_is_a_revision_with_its_reason(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    plan, _ = run(authority, "budget", BUDGET.replace("2600000", "2900000"), name="budget-v2.csv")
    assert plan.counts() == {"unchanged": 3, "update": 1}
    revision = BudgetRevision.objects.get()
    assert (revision.before, revision.after) == (260_000_000, 290_000_000)
    assert revision.reason == "budget file budget-v2.csv"
    budget = Budget.objects.get(line__code="LEG-EXT")
    assert budget.original_amount == 260_000_000 and budget.amount == 290_000_000


def test_actuals_are_stored_in_pence_and_a_reimport_replaces_them(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(authority, "actuals", 'line_code,period,amount\nLEG-EXT,1,"£216,666.67"\nINC-UASC,1,-245000\n')
    assert plan.ok and result == {"created": 2, "updated": 0, "cleared": 0}
    assert Actual.objects.get(line__code="LEG-EXT").amount == 21_666_667
    plan, result = run(authority, "actuals", "line_code,period,amount\nLEG-EXT,1,200000\n")
    assert result == {"created": 0, "updated": 1, "cleared": 0}
    assert Actual.objects.count() == 2
    assert Actual.objects.get(line__code="LEG-EXT").amount == 20_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("line_code,period,amount\nNOPE-1,1,100\n", "file.csv row 2, column line_code: is not a budget line"),
        ("line_code,period,amount\nLEG-EXT,13,100\n", "row 2, column period: '13' is outside 1–12"),
        ("line_code,period,amount\nLEG-EXT,0,100\n", "row 2, column period: '0' is outside 1–12"),
        ("line_code,period,amount\nLEG-EXT,1.5,100\n", "row 2, column period: '1.5' is not a period"),
        ("line_code,period,amount\nLEG-EXT,1,ten pounds\n", "row 2, column amount: 'ten pounds' is not an amount"),
        ("line_code,period,amount\nLEG-EXT,1,12.345\n", "row 2, column amount: '12.345' has more than 2 decimal"),
        ("line_code,period,amount\nLEG-EXT,1,\n", "row 2, column amount: is blank"),
        ("line_code,period,amount\nLEG-EXT,1,10\nleg-ext,1,20\n", "row 3, column line_code"),
        ("line_code,period\nLEG-EXT,1\n", "lacks the required column(s): amount"),
        ("line_code,period,amount\n", "has a header row but no data rows"),
    ],
)
def test_bad_actuals_get_a_clear_message_and_nothing_is_written(budget_loaded, authority, text, expected) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(authority, "actuals", text)
    assert result is None and not plan.ok
    assert any(expected in m for m in messages(plan)), messages(plan)
    assert not Actual.objects.exists()


def test_one_bad_row_stops_the_whole_file_and_every_error_is_listed(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    text = "line_code,period,amount\nLEG-EXT,1,100\nNOPE,2,5\nLEG-EXT,14,5\nINC-UASC,3,abc\n"
    plan, result = run(authority, "actuals", text)
    assert result is None
    assert [p.row for p in plan.errors] == [3, 4, 5]
    assert not Actual.objects.exists()


def test_actuals_for_a_year_that_does_not_exist_are_refused(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(authority, "actuals", "line_code,period,amount\nLEG-EXT,1,5\n", year="2031/32")
    assert result is None
    assert "2031/32 does not exist yet" in " ".join(messages(plan)).replace("value: '2031/32'", "") or any(
        "does not exist yet" in m for m in messages(plan)
    )
    plan, _ = run(authority, "actuals", "line_code,period,amount\nLEG-EXT,1,5\n", year="2019/21")
    assert any("not a financial year" in m for m in messages(plan))
    plan, _ = run(authority, "actuals", "line_code,period,amount\nLEG-EXT,1,5\n", year=None)
    assert any("no financial year" in m for m in messages(plan))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BUDGET.replace("placements,residential_external", "placements,castle"),
            "column placement_type: is not a finance",
        ),
        (BUDGET.replace("placements,residential_external", "placements,"), "a placements line needs a placement type"),
        (BUDGET.replace("workforce,,ASSESS", "workforce,,"), "a workforce line needs a team code"),
        (BUDGET.replace(",other,", ",misc,"), "column category: 'misc' is not one of"),
        (BUDGET.replace("run_rate", "guess"), "column method: 'guess' is not one of"),
        (
            BUDGET + "LEG-EXT,Again,Legal,other,,,1,,\n",
            "row 6, column line_code: appears twice in the file (also row 4)",
        ),
        (BUDGET.replace("2600000", "2.6m"), "column annual_budget: '2.6m' is not an amount"),
    ],
)
def test_bad_budget_rows_get_a_clear_message_and_nothing_is_written(authority, placement_types, text, expected) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(authority, "budget", text)
    assert result is None
    assert any(expected in m for m in messages(plan)), messages(plan)
    assert not BudgetLine.objects.exists() and not FinancialYear.objects.exists()


def test_extra_columns_are_ignored_with_a_warning(authority, placement_types) -> None:  # type: ignore[no-untyped-def]
    text = BUDGET.replace("budget_numbers\n", "budget_numbers,Cost Centre\n", 1)
    text = "\n".join(line + ",X1" if i and line else line for i, line in enumerate(text.split("\n")))
    plan, result = run(authority, "budget", text)
    assert plan.ok, messages(plan)
    assert [str(w) for w in plan.warnings] == ["file.csv, column cost centre: this column is not used and was ignored"]


def test_column_names_match_whatever_their_case_and_spaces_and_a_bom_is_fine(authority, placement_types) -> None:  # type: ignore[no-untyped-def]
    header, *rest = BUDGET.split("\n")
    text = "\ufeff" + ",".join(f" {c.upper()} " for c in header.split(",")) + "\n" + "\n".join(rest)
    plan, result = run(authority, "budget", text)
    assert plan.ok, messages(plan)


def _xlsx(rows: list[list[object]], *, blank_rows: int = 0) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if blank_rows:
        # Formatting far below the data makes Excel store thousands of empty rows.
        sheet.cell(row=len(rows) + blank_rows, column=1).number_format = "0.00"
        sheet.cell(row=len(rows) + blank_rows, column=1).value = None
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_budget_with_thousands_of_empty_rows_imports(authority, placement_types) -> None:  # type: ignore[no-untyped-def]
    rows = [line.split(",") for line in BUDGET.replace('"£22,400,000.00"', "22400000").strip().split("\n")]
    rows = [rows[0]] + [[float(c) if c.replace("-", "").replace(".", "").isdigit() else c for c in r] for r in rows[1:]]
    plan, result = run(authority, "budget", _xlsx(rows, blank_rows=5000), name="budget.xlsx")
    assert plan.ok, messages(plan)
    assert Budget.objects.get(line__code="INC-UASC").amount == -294_000_050


def test_an_xlsx_with_formulas_is_refused_naming_the_cell(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    data = _xlsx([["line_code", "period", "amount"], ["LEG-EXT", 1, 100], ["LEG-EXT", 2, "=B2*100"]])
    plan, result = run(authority, "actuals", data, name="actuals.xlsx")
    assert result is None
    assert messages(plan) == [
        "actuals.xlsx row 3, column amount: the cell holds a formula; save the sheet with values only"
        " (value: '=B2*100')"
    ]
    assert not Actual.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\n\n  \n", "the file is empty"),
        ("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV or XLSX file"),
        ("utf16.csv", "line_code,period,amount\n".encode("utf-16"), "UTF-16 text, which is not read"),
        ("fake.xlsx", b"line_code,period,amount\n", "not an XLSX workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel (.xls) files are not read"),
        ("broken.xlsx", b"PK\x03\x04garbage", "cannot be opened"),
    ],
)
def test_files_that_are_not_csv_or_xlsx_are_refused(budget_loaded, authority, name, data, expected) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(authority, "actuals", data, name=name)
    assert result is None
    assert any(expected in m and m.startswith(name) for m in messages(plan)), messages(plan)


def test_a_50_mb_file_is_refused_before_it_is_read(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    data = b"line_code,period,amount\n" + b"LEG-EXT,1,100\n" * (50 * 1024 * 1024 // 14)
    plan, result = run(authority, "actuals", data, name="huge.csv")
    assert result is None
    assert messages(plan) == ["huge.csv: the file is 50.0 MB; the largest file accepted is 20.0 MB"]


def test_a_dry_run_checks_and_writes_nothing(budget_loaded, authority) -> None:  # type: ignore[no-untyped-def]
    plan, result = run(authority, "actuals", "line_code,period,amount\nLEG-EXT,1,100\n", dry_run=True)
    assert plan.ok and result is None
    assert plan.counts() == {"create": 1}
    assert not Actual.objects.exists()


def test_a_failure_while_writing_leaves_nothing_half_written(budget_loaded, authority, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from forecasting import importers

    calls = {"n": 0}
    real = importers.actuals_save

    def fail_on_second_period(**kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(importers, "actuals_save", fail_on_second_period)
    with pytest.raises(RuntimeError):
        run(authority, "actuals", "line_code,period,amount\nLEG-EXT,1,100\nLEG-EXT,2,100\n")
    assert not Actual.objects.exists()
