"""`import_data statistical_neighbours FILE`: DfE's statistical-neighbours workbook.

The workbook's first two rows number its columns (A, B, ... and 1, 2, ...); the third is the
header: LA num, LA Name, LA number, GOInd, GOReg, then SN1, SNP, SN2, SNP ... SN10, SNP (each
neighbour's LA number and how close it is). A workbook whose header differs is refused, naming
the cell, rather than read by guesswork. The workbook is the whole list: importing it replaces
the neighbours of every council, and importing it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accounts.models import Authority, User
from benchmarks import reading
from benchmarks.models import Area, Release, StatisticalNeighbour
from core.importing import Change, Column, Importer, ImportPlan, SourceFile, register
from core.tabular import normalise_column, reading_limits
from tablereader import ReadError, read_sheet
from tablereader.limits import column_letters

NEIGHBOURS = 10
HEADER = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"] + [
    name for n in range(1, NEIGHBOURS + 1) for name in (f"SN{n}", "SNP")
]
HEADER_SEARCH_ROWS = 5


@dataclass
class NeighbourPayload:
    day: reading.ReleaseDate
    rows: dict[int, list[tuple[int, str]]]  # LA number -> [(neighbour, closeness)] in order
    unchanged: bool


def _header_row(plan: ImportPlan, rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if row and normalise_column(row[0]) == "la num":
            cells = [normalise_column(cell) for cell in row] + [""] * len(HEADER)
            for position, expected in enumerate(HEADER):
                if cells[position] != normalise_column(expected):
                    plan.error(
                        index + 1,
                        column_letters(position + 1),
                        row[position] if position < len(row) else "",
                        f"the header has changed: DfE's statistical neighbours workbook has '{expected}' here; "
                        "check the workbook is the statistical neighbours list and its columns are as published",
                    )
                    return None
            return index
    plan.error(
        None,
        "",
        "",
        "this is not DfE's statistical neighbours workbook: none of its first five rows is the header "
        f"({', '.join(HEADER[:7])} ...)",
    )
    return None


def _number(plan: ImportPlan, row: int, column: int, text: str) -> int | None:
    try:
        number = int(text.strip())
    except ValueError:
        plan.error(row, column_letters(column + 1), text, "is not a DfE LA number (a whole number such as 886)")
        return None
    if not 1 <= number <= 32767:
        plan.error(row, column_letters(column + 1), text, "is not a DfE LA number (a whole number such as 886)")
        return None
    return number


def _read_row(plan: ImportPlan, number: int, row: list[str]) -> tuple[int, list[tuple[int, str]]] | None:
    cells = row + [""] * len(HEADER)
    la = _number(plan, number, 2, cells[2])
    neighbours: list[tuple[int, str]] = []
    for n in range(NEIGHBOURS):
        column = 5 + 2 * n
        neighbour = _number(plan, number, column, cells[column])
        if neighbour is None:
            continue
        if neighbour == la:
            plan.error(number, column_letters(column + 1), cells[column], "a council cannot be its own neighbour")
        elif neighbour in [n for n, _ in neighbours]:
            plan.error(number, column_letters(column + 1), cells[column], "this neighbour appears twice in the row")
        neighbours.append((neighbour, cells[column + 1].strip()[:40]))
    if la is None or len(neighbours) != NEIGHBOURS:
        return None
    return la, neighbours


def _warn_unknown(plan: ImportPlan, rows: dict[int, list[tuple[int, str]]], where: dict[int, int]) -> None:
    """Councils with no published figures (reorganised since, or statistics not loaded yet)."""
    known = set(Area.objects.filter(kind=Area.Kind.COUNCIL).values_list("la_number", flat=True))
    if not known:
        return
    for la, neighbours in rows.items():
        missing = [n for n, _ in neighbours if n not in known]
        if la not in known:
            plan.warn(where[la], "C", la, "this council has no published figures (reorganised?); its row is kept")
        if missing:
            plan.warn(
                where[la],
                "",
                ", ".join(map(str, missing)),
                "neighbour(s) with no published figures (reorganised councils); averages use the others",
            )


@register
class StatisticalNeighboursImporter(Importer):
    kind = "statistical_neighbours"
    title = "DfE statistical neighbours"
    deployment_wide = True
    columns = tuple(Column(name, True) for name in HEADER[:7])

    def plan(self, *, authority: Authority, files: Sequence[SourceFile], options: dict[str, Any]) -> ImportPlan:
        source = files[0].name if len(files) == 1 else self.kind
        plan = ImportPlan(kind=self.kind, source=source)
        if len(files) != 1:
            plan.error(None, "", "", f"a {self.kind} import takes one file; {len(files)} were given")
            return plan
        try:
            day = reading.release_date(source, options.get("as_at"))
            sheet = read_sheet(source, files[0].data, reading_limits())
        except (ValueError, ReadError) as error:
            plan.error(None, "", "", str(error).removeprefix(f"{source}: "))
            return plan
        header = _header_row(plan, sheet.rows)
        if header is None:
            return plan
        rows: dict[int, list[tuple[int, str]]] = {}
        where: dict[int, int] = {}
        for index in range(header + 1, len(sheet.rows)):
            cells = sheet.rows[index]
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < 3 or not cells[2].strip():
                # A heading within the list: DfE's workbook ends with "Old SNs:", the councils
                # since reorganised, whose rows are kept as they are.
                label = next(cell.strip() for cell in cells if cell.strip())
                plan.warn(
                    index + 1, "", label, "read as a heading within the list; the rows after it are read as usual"
                )
                continue
            read = _read_row(plan, index + 1, cells)
            if read is None:
                continue
            la, neighbours = read
            if la in rows:
                plan.error(index + 1, "C", la, f"this council's neighbours are given twice (first in row {where[la]})")
                continue
            rows[la], where[la] = neighbours, index + 1
        if not rows and not plan.errors:
            plan.error(None, "", "", "the workbook has a header but no councils")
        if plan.errors:
            return plan
        _warn_unknown(plan, rows, where)
        self._changes(plan, rows, day)
        return plan

    def _changes(self, plan: ImportPlan, rows: dict[int, list[tuple[int, str]]], day: reading.ReleaseDate) -> None:
        stored: dict[int, list[tuple[int, str]]] = {}
        for la, neighbour, closeness in StatisticalNeighbour.objects.order_by("la_number", "position").values_list(
            "la_number", "neighbour_number", "closeness"
        ):
            stored.setdefault(la, []).append((neighbour, closeness))
        release = Release.objects.filter(kind=Release.Kind.NEIGHBOURS, neighbours__isnull=False).first()
        same_release = release is not None and release.published_on == day.day
        for la, neighbours in sorted(rows.items()):
            action = "create" if la not in stored else "unchanged" if stored[la] == neighbours else "update"
            plan.changes.append(Change(action, str(la), ", ".join(str(n) for n, _ in neighbours)))
        for la in sorted(set(stored) - set(rows)):
            plan.changes.append(Change("delete", str(la), "no longer in the workbook"))
        unchanged = same_release and stored == rows
        plan.summary.update({"published_on": day.day.isoformat(), "councils": len(rows)})
        plan.payload = NeighbourPayload(day=day, rows=rows, unchanged=unchanged)

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        payload: NeighbourPayload = plan.payload
        if payload.unchanged:
            return {"councils_written": 0}
        release, _ = Release.objects.update_or_create(
            kind=Release.Kind.NEIGHBOURS,
            published_on=payload.day.day,
            defaults={"source_name": plan.source[:255], "month_only": payload.day.month_only},
        )
        StatisticalNeighbour.objects.all().delete()
        StatisticalNeighbour.objects.bulk_create(
            StatisticalNeighbour(
                la_number=la, position=position, neighbour_number=neighbour, closeness=closeness, release=release
            )
            for la, neighbours in payload.rows.items()
            for position, (neighbour, closeness) in enumerate(neighbours, start=1)
        )
        Release.objects.filter(kind=Release.Kind.NEIGHBOURS, neighbours__isnull=True).delete()
        return {"councils_written": len(payload.rows)}
