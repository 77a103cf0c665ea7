"""Reading the rows of a savings tracker file (the `savings` import): one SavingRow per good row,
every problem recorded in the plan with its row, column and value."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from accounts.models import Authority
from core.importing import ImportPlan, RowReader
from core.tabular import Table
from forecasting.engine.savings import SavingsError, derive_rag
from forecasting.models import BudgetLine, ServiceArea
from forecasting.parsing import MAX_PERIOD, parse_choice, parse_date, parse_int, parse_money, text_parser
from savings.models import Programme, Saving, SavingUpdate, SavingVersion, Status


def saving_money(text: str) -> int:
    """Pounds, positive. Committee papers bracket savings, "(0.200)" in £m: say how to write it."""
    stripped = text.strip()
    if stripped.startswith("(") and stripped.endswith(")"):
        raise ValueError(
            f"'{text}' is in brackets; write savings as positive pounds (e.g. 200000 for a saving of £0.200m)"
        )
    pence = parse_money(stripped)
    if pence < 0:
        raise ValueError(f"'{text}' is negative; write a saving as a positive amount in pounds")
    return pence


@dataclass
class SavingRow:
    row: int
    ref: str
    title: str
    service_area: ServiceArea
    line: BudgetLine | None
    saving_type: str
    owner: str
    narrative: str
    status: str
    rag: str | None
    programme: Programme | None
    new_programme: str | None  # the name of a programme the import creates, as first written
    version: str
    amounts: dict[str, int]
    forecast_delivery: int | None
    progress: str
    approved_by: str
    approved_on: date | None
    start_date: date | None
    full_year_effect: int | None
    period: int | None


def programme_key(text: str) -> str:
    """How a file's programme is matched: in any case, spaces between words as one."""
    return " ".join(text.split()).lower()


@dataclass
class _Known:
    """The authority's service areas, lines and programmes, by lower-case name or code."""

    areas: dict[str, ServiceArea]
    lines: dict[str, BudgetLine]
    programmes: dict[str, Programme]
    new_programmes: dict[str, str] = field(default_factory=dict)  # lower-case name → as first written

    @classmethod
    def of(cls, authority: Authority) -> _Known:
        programmes: dict[str, Programme] = {}
        for programme in Programme.objects.filter(authority=authority):
            programmes.setdefault(programme_key(programme.name), programme)
            programmes[programme_key(programme.code)] = programme  # codes win over names
        return cls(
            areas={a.name.lower(): a for a in ServiceArea.objects.filter(authority=authority)},
            lines={line.code.lower(): line for line in BudgetLine.objects.filter(authority=authority)},
            programmes=programmes,
        )


def read_rows(
    plan: ImportPlan, authority: Authority, table: Table, years: list[str], plan_years: list[str]
) -> tuple[list[SavingRow], dict[str, str]]:
    """Every row without a problem, and the programmes the file names that do not exist yet
    (lower-case name → name as first written); `years` are the file's year columns,
    `plan_years` the MTFP's."""
    known = _Known.of(authority)
    reader = RowReader(table, plan)
    rows = []
    for row, values in reader:
        errors_before = len(plan.errors)
        saving = _read_row(plan, reader, known, row, values, years, plan_years)
        if saving is not None and len(plan.errors) == errors_before:
            rows.append(saving)
    return rows, known.new_programmes


def _read_row(
    plan: ImportPlan,
    reader: RowReader,
    known: _Known,
    row: int,
    values: dict[str, str],
    years: list[str],
    plan_years: list[str],
) -> SavingRow | None:
    ref = reader.cell(row, values, "ref", text_parser(Saving, "ref"), required=True)
    title = reader.cell(row, values, "title", text_parser(Saving, "title"), required=True)
    owner = reader.cell(row, values, "owner", text_parser(Saving, "owner"))
    narrative = reader.cell(row, values, "narrative", text_parser(Saving, "narrative"))
    progress = reader.cell(row, values, "progress", text_parser(SavingUpdate, "narrative"))
    approved_by = reader.cell(row, values, "approved_by", text_parser(SavingVersion, "approved_by"))
    area = _service_area(plan, reader, known, row, values)
    line = _line(plan, reader, known, row, values)
    saving_type = reader.cell(row, values, "saving_type", lambda t: parse_choice(t, Saving.Type.values))
    status, rag = _status(plan, row, values)
    programme, new_programme = _programme(plan, reader, known, row, values, status)
    version = reader.cell(row, values, "version", lambda t: parse_choice(t, SavingVersion.Version.values))
    amounts = _amounts(plan, row, values, years, plan_years)
    forecast = reader.cell(row, values, "forecast_delivery", saving_money)
    fye = reader.cell(row, values, "full_year_effect", saving_money)
    approved_on = reader.cell(row, values, "approved_on", parse_date)
    start_date = reader.cell(row, values, "start_date", parse_date)
    period = reader.cell(row, values, "period", lambda t: parse_int(t, low=1, high=MAX_PERIOD, what="a period (1–12)"))
    if status is None or area is None:  # both already reported
        return None
    return SavingRow(
        row=row,
        ref=ref,
        title=title,
        service_area=area,
        line=line,
        saving_type=saving_type or Saving.Type.SPEND_REDUCTION,
        owner=owner or "",
        narrative=narrative or "",
        status=status,
        rag=rag,
        programme=programme,
        new_programme=new_programme,
        version=version or SavingVersion.Version.APPROVED,
        amounts=amounts,
        forecast_delivery=forecast,
        progress=progress or "",
        approved_by=approved_by or "",
        approved_on=approved_on,
        start_date=start_date,
        full_year_effect=fye,
        period=period,
    )


def _service_area(
    plan: ImportPlan, reader: RowReader, known: _Known, row: int, values: dict[str, str]
) -> ServiceArea | None:
    name = reader.cell(row, values, "service_area", required=True)
    area = known.areas.get(name.lower()) if name else None
    if name and area is None:
        names = ", ".join(sorted(a.name for a in known.areas.values())) or "none yet; import the budget first"
        plan.error(row, "service_area", name, f"is not a service area of this authority (known: {names})")
    return area


def _line(plan: ImportPlan, reader: RowReader, known: _Known, row: int, values: dict[str, str]) -> BudgetLine | None:
    code = reader.cell(row, values, "line_code")
    line = known.lines.get(code.lower()) if code else None
    if code and line is None:
        plan.error(row, "line_code", code, "is not a budget line of this authority; import the budget first")
    return line


def _programme(
    plan: ImportPlan, reader: RowReader, known: _Known, row: int, values: dict[str, str], status: str | None
) -> tuple[Programme | None, str | None]:
    """(the stored programme a row names, by code or name; or else the name of the new programme
    the import will create for it)."""
    name = reader.cell(row, values, "programme", text_parser(Programme, "name"))
    if status == Status.ABSORBED and not name and not values.get("programme", "").strip():
        plan.error(row, "programme", "", "is blank; an absorbed saving must name the programme that absorbed it")
    if not name:
        return None, None
    programme = known.programmes.get(programme_key(name))
    if programme is not None:
        return programme, None
    return None, known.new_programmes.setdefault(programme_key(name), " ".join(name.split()))


def _status(plan: ImportPlan, row: int, values: dict[str, str]) -> tuple[str | None, str | None]:
    status_text = values.get("status", "").strip()
    rag_text = values.get("rag", "").strip()
    if not status_text:
        plan.error(row, "status", "", f"is blank; use one of {', '.join(Status.values)}")
        return None, None
    status, rag = status_text.lower(), rag_text.lower() or None
    try:
        # The engine's rule: a RAG given is kept; blank takes the one the status implies.
        return status, derive_rag(status, rag)
    except SavingsError as error:
        column, value = ("status", status_text) if status not in Status.values else ("rag", rag_text)
        plan.error(row, column, value, str(error))
        return None, None


def _amounts(
    plan: ImportPlan,
    row: int,
    values: dict[str, str],
    years: list[str],
    plan_years: list[str],
) -> dict[str, int]:
    amounts: dict[str, int] = {}
    for year in years:
        text = values.get(year, "").strip()
        if not text:
            continue
        try:
            amount = saving_money(text)
        except ValueError as error:
            plan.error(row, year, text, str(error))
            continue
        if year not in plan_years:
            plan.error(
                row,
                year,
                text,
                f"{year} is outside the medium-term financial plan ({plan_years[0]} to {plan_years[-1]})",
            )
            continue
        amounts[year] = amount
    if not any(values.get(y, "").strip() for y in years):
        plan.error(row, ", ".join(years), "", "no year has an amount; give the saving in at least one year")
    return amounts
