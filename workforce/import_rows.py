"""Reading a workforce file (the `workforce` import): its as-at date, and each row as a team, a
post or a worker. Every problem is recorded in the plan with its row, column and value, in the
order the file is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from accounts.models import Authority
from core.importing import ImportPlan, RowReader
from core.tabular import Table
from forecasting.models import BudgetLine
from forecasting.parsing import (
    MAX_CASELOAD,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_money,
    text_parser,
)
from workforce.models import Absence, AgencyReason, Post, Team, Worker, WorkerType
from workforce.rules import WorkerValues, annual_cost_problems, fte_problems, worker_problems


@dataclass
class TeamSpec:
    code: str  # as the authority knows it (existing team's code, else as written)
    name: str | None = None
    hard_to_retain: bool | None = None
    manageable_caseload: int | None = None
    line: BudgetLine | None = None
    existing: Team | None = None
    first_row: int = 0


@dataclass
class PostRow:
    row: int
    team: str
    ref: str
    role: str
    fte: Decimal
    annual_cost: int


@dataclass
class WorkerRow:
    row: int
    team: str
    ref: str
    post_ref: str
    role: str
    worker_type: str
    fte: Decimal
    start_date: date
    end_date: date | None
    annual_cost: int | None
    weekly_rate: int | None
    agency_reason: str
    absence: str
    caseload: int | None
    asye: bool


@dataclass
class WorkforcePayload:
    as_at: date
    update_current: bool
    teams: dict[str, TeamSpec] = field(default_factory=dict)  # by upper-case code
    posts: list[PostRow] = field(default_factory=list)
    workers: list[WorkerRow] = field(default_factory=list)


def fte_value(text: str) -> Decimal:
    # No bound here: fte_problems says what a row's FTE may be, in its own words.
    value = parse_decimal(text, low=None, high=None, places=15, what="a full-time equivalent")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"'{text}' has more than 2 decimal places; give FTE like 0.8")
    # Stored with 2 decimals: compare like with like so a re-import of "1" over 1.00 is unchanged.
    return value.quantize(Decimal("0.01"))


# --------------------------------------------------------------------------------------------
# the as-at date


def file_as_at(plan: ImportPlan, table: Table, options: dict[str, Any]) -> date | None:
    """One as-at date for the file: --as-at (or the upload page's field) and/or an as_at column."""
    given: date | None = None
    if options.get("as_at"):
        try:
            given = parse_date(str(options["as_at"]))
        except ValueError as error:
            plan.error(None, "as_at", options["as_at"], f"the as-at date given for the import is not usable: {error}")
            return None
    if "as_at" in table.frame.columns:
        found = _as_at_column(plan, table, given)
        if given is None and len(found) > 1:
            dates = ", ".join(f"{d.isoformat()} (row {r})" for d, r in sorted(found.items()))
            plan.error(None, "as_at", "", f"the file holds several as-at dates ({dates}); import one date per file")
            return None
        if given is None and found:
            given = next(iter(found))
    if given is None and not plan.errors:
        plan.error(None, "as_at", "", "no as-at date: give --as-at 2019-07-31 (or the as-at field) or an as_at column")
    return given


def _as_at_column(plan: ImportPlan, table: Table, given: date | None) -> dict[date, int]:
    """The dates of the as_at column, each with the first row that gives it."""
    found: dict[date, int] = {}
    for row, text in zip(table.row_numbers, table.frame["as_at"], strict=True):
        if not str(text).strip():
            if given is None:
                plan.error(row, "as_at", "", "is blank and no as-at date was given for the import")
            continue
        try:
            value = parse_date(str(text))
        except ValueError as error:
            plan.error(row, "as_at", text, str(error))
            continue
        if given is not None and value != given:
            plan.error(row, "as_at", text, f"differs from the as-at date given for the import ({given.isoformat()})")
        found.setdefault(value, row)
    return found


# --------------------------------------------------------------------------------------------
# the rows


@dataclass
class Known:
    """What the authority already has that a row may name: teams, and budget lines by code and
    by team code."""

    teams: dict[str, Team]  # by upper-case code
    lines_by_code: dict[str, BudgetLine]
    lines_by_team: dict[str, BudgetLine]
    other_lines: set[str]  # codes of lines that are not workforce lines

    @classmethod
    def of(cls, authority: Authority) -> Known:
        workforce_lines = list(BudgetLine.objects.filter(authority=authority, category=BudgetLine.Category.WORKFORCE))
        return cls(
            teams={t.code.upper(): t for t in Team.objects.filter(authority=authority).select_related("budget_line")},
            lines_by_code={line.code.upper(): line for line in workforce_lines},
            lines_by_team={line.team_code.upper(): line for line in workforce_lines if line.team_code},
            other_lines=set(
                BudgetLine.objects.filter(authority=authority)
                .exclude(category=BudgetLine.Category.WORKFORCE)
                .values_list("code", flat=True)
            ),
        )


def read_rows(plan: ImportPlan, table: Table, payload: WorkforcePayload, known: Known) -> None:
    """Every good row into the payload: its teams, posts and workers."""
    reader = RowReader(table, plan)
    seen: dict[tuple[str, str], int] = {}
    for row, values in reader:
        errors_before = len(plan.errors)
        record = reader.cell(row, values, "record", lambda t: parse_choice(t, ("post", "worker")), required=True)
        team_text = reader.cell(row, values, "team", text_parser(Team, "code"), required=True)
        ref = reader.cell(row, values, "ref", text_parser(Post, "ref"), required=True)
        role = reader.cell(row, values, "role", text_parser(Post, "role")) or ""
        fte = reader.cell(row, values, "fte", fte_value, required=True)
        for column, message in fte_problems(fte):
            plan.error(row, column, values.get(column, ""), message)
        spec = _team_spec(plan, reader, row, values, team_text, known, payload) if team_text else None
        if ref and record:
            key = (record, ref.upper())
            if key in seen:
                plan.error(row, "ref", ref, f"{record} {ref} appears twice in the file (also row {seen[key]})")
            else:
                seen[key] = row
        if record == "post":
            cost = reader.cell(row, values, "annual_cost", parse_money, required=True)
            for column, message in annual_cost_problems(cost, fte):
                plan.error(row, column, values.get(column, ""), message)
            if len(plan.errors) == errors_before and spec is not None:
                payload.posts.append(PostRow(row, spec.code, ref, role, fte, cost))
        elif record == "worker":
            worker = _worker_row(plan, reader, row, values, spec, ref, fte, role)
            if worker is not None and len(plan.errors) == errors_before:
                payload.workers.append(worker)


# --------------------------------------------------------------------------------------------
# a row's team


def _team_spec(
    plan: ImportPlan,
    reader: RowReader,
    row: int,
    values: dict[str, str],
    text: str,
    known: Known,
    payload: WorkforcePayload,
) -> TeamSpec | None:
    """The team a row belongs to, as the file describes it; rows of one team must agree."""
    key = text.strip().upper()
    name = reader.cell(row, values, "team_name", text_parser(Team, "name"))
    htr = reader.cell(row, values, "hard_to_retain", parse_bool)
    manageable = reader.cell(
        row,
        values,
        "manageable_caseload",
        lambda t: parse_int(t, low=1, high=100, what="a number of cases (1–100)"),
    )
    line_code = reader.cell(row, values, "line_code")
    spec = payload.teams.get(key)
    if spec is None:
        spec = _new_team_spec(plan, row, text, line_code, known)
        if spec is None:
            return None
        payload.teams[key] = spec
    elif spec.line is None and spec.existing is None:
        return None  # already reported on the team's first row
    for column, value, current in (
        ("team_name", name, "name"),
        ("hard_to_retain", htr, "hard_to_retain"),
        ("manageable_caseload", manageable, "manageable_caseload"),
    ):
        if value is None:
            continue
        before = getattr(spec, current)
        if before is not None and before != value:
            plan.error(
                row,
                column,
                values.get(column, ""),
                f"differs from what row {spec.first_row} says for team {spec.code} ({before})",
            )
        else:
            setattr(spec, current, value)
    return spec


def _new_team_spec(plan: ImportPlan, row: int, text: str, line_code: str | None, known: Known) -> TeamSpec | None:
    """A team's first row: a known team, or a new one paid for by a workforce line (named by
    line_code, else the line whose team code is the team's)."""
    key = text.strip().upper()
    team = known.teams.get(key)
    spec = TeamSpec(code=team.code if team else text.strip(), existing=team, first_row=row)
    if line_code:
        line = known.lines_by_code.get(line_code.strip().upper())
        if line is None:
            why = (
                "is not a workforce line"
                if line_code.strip() in known.other_lines
                else "is not a budget line of this authority"
            )
            plan.error(
                row,
                "line_code",
                line_code,
                f"{why}; give the code of the workforce line that pays for this team",
            )
            return None
        spec.line = line
    elif team is None:
        spec.line = known.lines_by_team.get(key)
        if spec.line is None:
            plan.error(
                row,
                "team",
                text,
                "is not a known team: no team and no workforce budget line has this "
                "team code; import the budget first, correct the code, or give the line_code of the "
                "workforce line that pays for it",
            )
            return None
    return spec


# --------------------------------------------------------------------------------------------
# a worker row


@dataclass
class WorkerCells:
    """A worker row's cells as read (None where blank or not readable)."""

    worker_type: str | None
    fte: Decimal | None
    start: date | None
    end: date | None
    cost: int | None
    rate: int | None
    reason: str | None
    absence: str | None
    caseload: int | None
    asye: bool | None


def _worker_rules(plan: ImportPlan, row: int, values: dict[str, str], cells: WorkerCells) -> None:
    """The rules every worker keeps (workforce.rules), on columns not already reported."""
    already = {p.column for p in plan.errors if p.row == row}
    entered = WorkerValues(
        cells.worker_type, cells.fte, cells.start, cells.end, cells.cost, cells.rate, cells.reason, cells.caseload
    )
    for column, message in worker_problems(entered):
        if column not in already:
            plan.error(row, column, values.get(column, ""), message)


def _agency_worker_not_absent(plan: ImportPlan, row: int, values: dict[str, str], cells: WorkerCells) -> None:
    if cells.worker_type == WorkerType.AGENCY and cells.absence:
        plan.error(
            row,
            "absence",
            cells.absence,
            "absences are recorded for permanent staff; an agency worker who is away is not engaged",
        )


def _permanent_weekly_rate_ignored(plan: ImportPlan, row: int, values: dict[str, str], cells: WorkerCells) -> None:
    if cells.worker_type == WorkerType.PERMANENT and cells.rate is not None:
        plan.warn(
            row,
            "weekly_rate",
            values.get("weekly_rate", ""),
            "a permanent worker is costed from their annual cost; the weekly rate was ignored",
        )


def _agency_annual_cost_ignored(plan: ImportPlan, row: int, values: dict[str, str], cells: WorkerCells) -> None:
    if cells.worker_type == WorkerType.AGENCY and cells.cost is not None:
        plan.warn(
            row,
            "annual_cost",
            values.get("annual_cost", ""),
            "an agency worker is costed from their weekly rate; the annual cost was ignored",
        )


# What a worker row is checked for once its cells are read, in this order.
WORKER_CHECKS = (
    _worker_rules,
    _agency_worker_not_absent,
    _permanent_weekly_rate_ignored,
    _agency_annual_cost_ignored,
)


def _worker_row(
    plan: ImportPlan,
    reader: RowReader,
    row: int,
    values: dict[str, str],
    spec: TeamSpec | None,
    ref: str | None,
    fte: Decimal | None,
    role: str,
) -> WorkerRow | None:
    cells = WorkerCells(
        worker_type=reader.cell(
            row, values, "worker_type", lambda t: parse_choice(t, WorkerType.values), required=True
        ),
        fte=fte,
        start=reader.cell(row, values, "start_date", parse_date, required=True),
        end=reader.cell(row, values, "end_date", parse_date),
        cost=reader.cell(row, values, "annual_cost", parse_money),
        rate=reader.cell(row, values, "weekly_rate", parse_money),
        reason=reader.cell(row, values, "agency_reason", lambda t: parse_choice(t, AgencyReason.values)),
        absence=reader.cell(row, values, "absence", lambda t: parse_choice(t, Absence.values)),
        caseload=reader.cell(
            row, values, "caseload", lambda t: parse_int(t, low=0, high=MAX_CASELOAD, what="a number of cases")
        ),
        asye=reader.cell(row, values, "asye", parse_bool),
    )
    post_ref = reader.cell(row, values, "post_ref", text_parser(Worker, "ref")) or ""
    for check in WORKER_CHECKS:
        check(plan, row, values, cells)
    if spec is None or ref is None or fte is None or cells.worker_type is None or cells.start is None:
        return None
    agency = cells.worker_type == WorkerType.AGENCY
    return WorkerRow(
        row=row,
        team=spec.code,
        ref=ref,
        post_ref=post_ref,
        role=role,
        worker_type=cells.worker_type,
        fte=fte,
        start_date=cells.start,
        end_date=cells.end,
        annual_cost=None if agency else cells.cost,
        weekly_rate=cells.rate if agency else None,
        agency_reason=(cells.reason or "") if agency else "",
        absence=cells.absence or "",
        caseload=cells.caseload,
        asye=bool(cells.asye),
    )
