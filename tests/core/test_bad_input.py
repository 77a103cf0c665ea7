"""No 500 from any input (issue 13, point 4): for every kind of import, tables made by hypothesis
from good rows with cells replaced by bad values (random and unicode text, huge numbers,
exponents, \\N, blanks, very long text), and files with columns missing or repeated. Each must
give a plan that either lists problems in words or applies cleanly: never an exception, and
planning writes nothing. The catalogue of the review's bad values is at the end.

Every example is counted; the totals are printed at the end of the run (pytest -s shows them)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

import pandas as pd
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent, Authority
from core.importing import ImportPlan, SourceFile, importer_for, importers
from core.services import import_plan_apply
from core.tabular import Table
from forecasting.models import Actual, Budget, BudgetLine, ScenarioAssumption, ServiceArea
from forecasting.services import financial_year_get_or_create
from placements.models import Child, Placement
from savings.models import Programme, Saving, SavingAmount
from tests.factories import BudgetLineFactory, ServiceAreaFactory
from workforce.models import Post, Team, Worker

pytestmark = pytest.mark.django_db

CASES: Counter[str] = Counter()
WATCHED = (Actual, Budget, BudgetLine, ServiceArea, ScenarioAssumption, Child, Placement, Saving, SavingAmount)
WATCHED += (Programme, Team, Post, Worker, AuditEvent)

# One good row per kind (a dict: column -> cell), and the options of its import.
GOOD: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "budget": (
        {
            "line_code": "NEW-1",
            "line_name": "A new line",
            "service_area": "Early Help",
            "category": "placements",
            "placement_type": "fostering_ifa",
            "team": "",
            "annual_budget": "£1,250,000.50",
            "method": "profile",
            "budget_numbers": "12.5",
            "financial_year": "2019/20",
        },
        {"year": "2019/20"},
    ),
    "actuals": (
        {"line_code": "LEG-EXT", "period": "3", "amount": "-1,234.56", "financial_year": "2019/20"},
        {"year": "2019/20"},
    ),
    "scenarios": (
        {
            "scenario": "middle",
            "placement_type": "fostering_ifa",
            "demand_method": "net_change",
            "net_change": "5",
            "new_unit_cost": "950",
            "fee_uplift_pct": "3.1",
            "fee_uplift_from": "2019-10-01",
            "agency_target_fte": "4",
            "team": "CP",
            "billable_factor": "0.88",
            "delivery_achieved_pct": "100",
            "delivery_on_track_pct": "90",
            "delivery_at_risk_pct": "50%",
            "delivery_undeliverable_pct": "0",
        },
        {},
    ),
    "placements": (
        {
            "placement_ref": "P1",
            "child_ref": "C001",
            "child_dob": "2010-05-01",
            "placement_type": "fostering_ifa",
            "provider": "Brightpath",
            "procurement": "framework",
            "start_date": "2019-04-01",
            "end_date": "",
            "planned_end_date": "2020-03-01",
            "weekly_cost": "950.00",
            "health_contribution": "10",
            "education_contribution": "",
            "uasc": "N",
            "line_code": "",
        },
        {"today": "2024-06-01"},
    ),
    "workforce": (
        {
            "record": "worker",
            "team": "CP",
            "team_name": "Child protection",
            "hard_to_retain": "Y",
            "ref": "W1",
            "post_ref": "",
            "role": "social worker",
            "fte": "0.8",
            "annual_cost": "36000",
            "worker_type": "permanent",
            "weekly_rate": "",
            "agency_reason": "",
            "absence": "",
            "start_date": "2015-01-05",
            "end_date": "",
            "caseload": "18",
        },
        {"as_at": "2019-07-31"},
    ),
    "savings": (
        {
            "ref": "CHS/SAV/1",
            "title": "Youth grant",
            "service_area": "Early Help",
            "line_code": "LEG-EXT",
            "saving_type": "income",
            "owner": "Head of Early Help",
            "narrative": "On track",
            "status": "absorbed",
            "rag": "",
            "programme": "Edge of care",
            "version": "approved",
            "2022/23": "200,000",
            "2023/24": "100000",
            "forecast_delivery": "",
            "progress": "",
            "period": "6",
            "approved_by": "Full Council",
            "approved_on": "07/03/2022",
            "start_date": "",
            "full_year_effect": "",
        },
        {"year": "2022/23", "as_at": "2022-09-30"},
    ),
}
ONE_FILE_KINDS = sorted(GOOD)

# The review's bad values (REVIEW-2026-11.md, section 3) and others like them.
BAD_VALUES = [
    "",
    " ",
    "\\N",
    "1e3",
    "+45",
    "1.23E+07",
    "1e30",
    "-1e30",
    "99999999999999999",
    "-99999999999999999",
    "1000000000.01",
    "9" * 400,
    "(12.00)",
    "1,23",
    "0.001",
    "NaN",
    "Infinity",
    "-",
    "£",
    "31/02/2019",
    "9999-12-31",
    "0001-01-01",
    "9999/00",
    "2019/2020",
    "=SUM(A1:A2)",
    '"quoted"',
    "tab\there",
    "two\nlines",
    "nul\x00here",
    "Ω≈ç√∫ 日本語 🙂",
    "x" * 300,
    "X" * 5000,
]
# Values at the edge of what is allowed, each good somewhere: where they are, the plan is clean
# and the apply must then write them (a 40-character code, £1bn, a provider called \N).
EDGE_VALUES = [
    "1000000000",
    "-1,000,000,000.00",
    "£0.01",
    "0",
    "10000",
    "1.5",
    "X" * 40,
    "X" * 60,
    "X" * 120,
    "X" * 200,
    "X" * 250,
    "\\N",
    "Ω≈ç√ 日本語",
    "31/12/2019",
]
cell = st.one_of(
    st.sampled_from(EDGE_VALUES),
    st.sampled_from(BAD_VALUES),
    st.text(max_size=30),
    st.text(min_size=41, max_size=260),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
)


@pytest.fixture
def world(authority: Authority, placement_types) -> Authority:  # type: ignore[no-untyped-def]
    """What the good rows name: a year, a service area, placements, workforce and other lines."""
    financial_year_get_or_create(authority=authority, label="2019/20")
    area = ServiceAreaFactory(authority=authority, name="Early Help")
    BudgetLineFactory(authority=authority, code="LEG-EXT", name="External legal costs", service_area=area)
    BudgetLineFactory(
        authority=authority,
        code="CIC-FOS-IFA",
        category=BudgetLine.Category.PLACEMENTS,
        placement_type=placement_types["fostering_ifa"],
        service_area=area,
    )
    BudgetLineFactory(
        authority=authority, code="SW-CP", category=BudgetLine.Category.WORKFORCE, team_code="CP", service_area=area
    )
    return authority


def counts() -> dict[str, int]:
    """Rows in each watched table, in one query (it runs twice for every example)."""
    parts = ", ".join(f"(SELECT count(*) FROM {connection.ops.quote_name(m._meta.db_table)})" for m in WATCHED)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return {model.__name__: int(n) for model, n in zip(WATCHED, row, strict=True)}


class Rollback(Exception):
    """Raised to undo an apply that succeeded: each example starts from the same database."""


def check(authority: Authority, kind: str, plan_of: Any) -> ImportPlan:
    """Plan (must not raise, must write nothing); a clean plan must then apply without error."""
    before = counts()
    plan = plan_of()
    assert counts() == before, f"planning a {kind} import wrote to the database"
    for problem in plan.errors + plan.warnings:
        assert problem.message.strip(), f"a {kind} problem has no words: {problem!r}"
        assert "Traceback" not in problem.message and "object has no attribute" not in problem.message
    CASES[f"{kind}: {'refused' if plan.errors else 'clean'}"] += 1
    if plan.ok:
        try:
            with transaction.atomic():
                import_plan_apply(authority=authority, plan=plan, names=[plan.source], user=None)
                raise Rollback
        except Rollback:
            pass
        assert counts() == before
    return plan


def table_of(rows: list[dict[str, str]]) -> Table:
    frame = pd.DataFrame(rows, dtype=object).fillna("")
    return Table(source="bad.csv", frame=frame, row_numbers=list(range(2, len(rows) + 2)))


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


UNIQUE_PER_ROW = {
    "budget": ("line_code",),
    "placements": ("placement_ref", "child_ref"),
    "workforce": ("ref",),
    "savings": ("ref",),
}


@st.composite
def mutated_rows(draw: st.DrawFn, kind: str) -> list[dict[str, str]]:
    good = GOOD[kind][0]
    rows = []
    for number in range(draw(st.integers(min_value=1, max_value=3))):
        row = dict(good)
        # Each row its own line, period, placement, child, worker or saving (what must not repeat).
        for key in UNIQUE_PER_ROW.get(kind, ()):
            row[key] = f"{row[key]}{number}"
        if kind == "actuals":
            row["period"] = str(number + 1)
        for column in draw(st.lists(st.sampled_from(sorted(good)), max_size=3, unique=True)):
            row[column] = draw(cell)
        rows.append(row)
    return rows


@pytest.mark.parametrize("kind", ONE_FILE_KINDS)
@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_bad_cells_get_a_message_or_apply_cleanly(world: Authority, kind: str, data: st.DataObject) -> None:
    rows = data.draw(mutated_rows(kind))
    importer, options = importer_for(kind), GOOD[kind][1]
    check(world, kind, lambda: importer.plan_table(authority=world, table=table_of(rows), options=options))


@pytest.mark.parametrize("kind", ONE_FILE_KINDS)
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_files_with_columns_missing_repeated_or_unknown_get_a_message(
    world: Authority, kind: str, data: st.DataObject
) -> None:
    good, options = GOOD[kind]
    columns = data.draw(st.lists(st.sampled_from(sorted(good)), max_size=len(good) + 2))
    extra = data.draw(st.lists(st.sampled_from(["", "unknown", "2022/2023", "9999/00", "\\N", " "]), max_size=2))
    header = columns + extra
    rows = [[data.draw(st.one_of(st.just(good.get(c, "")), cell)) for c in header] for _ in range(2)]
    files = [SourceFile("bad.csv", csv_bytes(header, rows))]
    check(world, kind, lambda: importer_for(kind).plan(authority=world, files=files, options=options))


SSDA903_HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
SSDA903_EPISODES = [
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
]
SSDA903_GOOD_HEADER = ["640353", "1", "19/02/2004", "REFU", "Z053273524673", "", ""]
SSDA903_GOOD_EPISODE = ["640353", "01/03/2019", "P", "C2", "N2", "U4", "PR1", "21/08/2019", "E46", ""]


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_bad_ssda903_returns_get_a_message(world: Authority, data: st.DataObject) -> None:
    def mutated(good: list[str]) -> list[str]:
        row = list(good)
        for index in data.draw(st.lists(st.integers(0, len(good) - 1), max_size=3, unique=True)):
            row[index] = data.draw(cell)
        return row

    files = [
        SourceFile("2019-header.csv", csv_bytes(SSDA903_HEADER, [mutated(SSDA903_GOOD_HEADER)])),
        SourceFile("2019-episodes.csv", csv_bytes(SSDA903_EPISODES, [mutated(SSDA903_GOOD_EPISODE)])),
    ]
    check(world, "ssda903", lambda: importer_for("ssda903").plan(authority=world, files=files, options={}))


def test_every_kind_of_import_is_covered() -> None:
    assert set(importers()) == {*ONE_FILE_KINDS, "ssda903"}


# --------------------------------------------------------------------------------------------
# The review's catalogue: each named bad value, in the column where it was found, gets a clear
# message naming the file, row, column and value.

CATALOGUE = [
    ("budget", "annual_budget", "99999999999999999", "is more than £1,000,000,000 (£1bn) either way"),
    ("budget", "annual_budget", "1e30", "is written as a power of ten"),
    ("budget", "annual_budget", "1e3", "is written as a power of ten"),
    ("budget", "annual_budget", "+45", "has a plus sign"),
    ("budget", "annual_budget", "1.23E+07", "is written as a power of ten"),
    ("budget", "line_name", "L" * 201, "is 201 characters long; at most 200 fit"),
    ("budget", "line_code", "C" * 41, "is 41 characters long; at most 40 fit"),
    ("budget", "service_area", "S" * 121, "is 121 characters long; at most 120 fit"),
    ("budget", "budget_numbers", "1e30", "is written as a power of ten"),
    ("budget", "budget_numbers", "99999999", "is outside 0–10,000"),
    ("budget", "financial_year", "9999/00", "is outside the years 1990/91 to 2100/01"),
    ("actuals", "amount", "99999999999999999", "is more than £1,000,000,000 (£1bn) either way"),
    ("actuals", "amount", "1e30", "is written as a power of ten"),
    ("actuals", "period", "1e1", "is written as a power of ten"),
    ("scenarios", "net_change", "1e30", "is written as a power of ten"),
    ("scenarios", "net_change", "99999999", "is outside -10,000–10,000"),
    ("scenarios", "new_unit_cost", "99999999999999999", "is more than £1,000,000,000 (£1bn) either way"),
    ("scenarios", "billable_factor", "0.8855", "has more than 3 decimal places"),
    ("scenarios", "team", "T" * 41, "is 41 characters long; at most 40 fit"),
    ("scenarios", "agency_target_fte", "99999999", "is outside 0–10,000"),
    ("placements", "weekly_cost", "99999999999999999", "is more than £1,000,000,000 (£1bn) either way"),
    ("placements", "weekly_cost", "1e3", "is written as a power of ten"),
    ("placements", "weekly_cost", "+45", "has a plus sign"),
    ("placements", "health_contribution", "1.23E+07", "is written as a power of ten"),
    ("placements", "provider", "P" * 201, "is longer than 200 characters"),
    ("placements", "placement_ref", "R" * 61, "is longer than 60 characters"),
    ("placements", "provider", "nul\x00here", "contains a control character"),
    ("workforce", "annual_cost", "99999999999999999", "is more than £1,000,000,000 (£1bn) either way"),
    ("workforce", "team_name", "N" * 201, "is 201 characters long; at most 200 fit"),
    ("workforce", "ref", "W" * 61, "is 61 characters long; at most 60 fit"),
    ("workforce", "role", "R" * 121, "is 121 characters long; at most 120 fit"),
    ("workforce", "fte", "1e3", "is written as a power of ten"),
    ("workforce", "caseload", "99999", "is outside 0–200"),
    ("savings", "2022/23", "99999999999999999", "is more than £1,000,000,000 (£1bn) either way"),
    ("savings", "2022/23", "1e3", "is written as a power of ten"),
    ("savings", "title", "T" * 251, "is 251 characters long; at most 250 fit"),
    ("savings", "ref", "R" * 41, "is 41 characters long; at most 40 fit"),
    ("savings", "owner", "O" * 151, "is 151 characters long; at most 150 fit"),
    ("savings", "programme", "P" * 201, "is 201 characters long; at most 200 fit"),
    ("savings", "narrative", "nul\x00here", "contains a control character (U+0000)"),
]


@pytest.mark.parametrize(("kind", "column", "value", "message"), CATALOGUE)
def test_the_reviews_bad_values_each_get_a_clear_message(
    world: Authority, kind: str, column: str, value: str, message: str
) -> None:
    good, options = GOOD[kind]
    row = {**good, column: value}
    plan = check(
        world, kind, lambda: importer_for(kind).plan_table(authority=world, table=table_of([row]), options=options)
    )
    found = [p for p in plan.errors if p.column == column]
    assert found, [str(p) for p in plan.errors]
    assert message in found[0].message
    assert found[0].row == 2
    assert str(found[0]).startswith(f"bad.csv row 2, column {column}: ")


# Values exactly at the limits: each plan is clean, so each must apply (check() applies it).
AT_THE_LIMIT = [
    ("budget", "line_code", "C" * 40),
    ("budget", "line_name", "L" * 200),
    ("budget", "service_area", "S" * 120),
    ("budget", "annual_budget", "£1,000,000,000.00"),
    ("budget", "annual_budget", "-1000000000"),
    ("budget", "budget_numbers", "10000"),
    ("budget", "financial_year", "2100/01"),
    ("actuals", "amount", "-1,000,000,000.00"),
    ("scenarios", "net_change", "-10000"),
    ("scenarios", "billable_factor", "1.5"),
    ("scenarios", "team", "T" * 40),
    ("scenarios", "agency_target_fte", "10000"),
    ("scenarios", "new_unit_cost", "1000000000"),
    ("placements", "provider", "\\N" + "P" * 198),
    ("placements", "provider", 'Tab\there, "quoted"\nand a new line'),
    ("placements", "placement_ref", "R" * 60),
    ("workforce", "team_name", "N" * 200),
    ("workforce", "ref", "W" * 60),
    ("workforce", "role", "R" * 120),
    ("workforce", "caseload", "200"),
    ("savings", "ref", "R" * 40),
    ("savings", "title", "T" * 250),
    ("savings", "programme", "P" * 200),
    ("savings", "2022/23", "1000000000"),
    ("savings", "narrative", "Ω≈ç√ 日本語 \\N"),
]


@pytest.mark.parametrize(("kind", "column", "value"), AT_THE_LIMIT)
def test_values_at_the_limit_are_clean_and_apply(world: Authority, kind: str, column: str, value: str) -> None:
    good, options = GOOD[kind]
    if column == "financial_year":
        options = {}  # the file's own year, with none given for the whole import
    table = table_of([{**good, column: value}])
    plan = check(world, kind, lambda: importer_for(kind).plan_table(authority=world, table=table, options=options))
    assert plan.ok, [str(p) for p in plan.errors]


@pytest.mark.parametrize("kind", ONE_FILE_KINDS)
def test_each_good_row_imports(world: Authority, kind: str) -> None:
    # The property tests start from these rows: each must be clean on its own, and apply.
    good, options = GOOD[kind]
    plan = check(
        world, kind, lambda: importer_for(kind).plan_table(authority=world, table=table_of([good]), options=options)
    )
    assert plan.ok, [str(p) for p in plan.errors]


def test_zz_report_the_number_of_cases() -> None:
    # Runs last in this file (pytest keeps the order of a file): the cases counted above.
    total = sum(CASES.values())
    print(f"\nbad-input cases checked: {total}")
    for name, count in sorted(CASES.items()):
        print(f"  {name}: {count}")
