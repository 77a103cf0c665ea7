"""The import framework every kind of file goes through (DATA_FORMATS.md, top).

An importer turns the files of an upload into a plan without writing anything: every error
(file, row, column, value, what is wrong) and every change it would make. Only a plan with no
errors can be applied, in one transaction, so an import is all or nothing. The same file
imported twice replaces what it describes rather than adding to it.

Most kinds are one file, read as a Table; a kind that reads several files together (the SSDA903
return's header, episodes and UASC files of every year) sets `multi_file` and overrides `plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from accounts.models import Authority, User
from core.tabular import Table, TableError, read_table

# The columns of an issue: a record the importer corrected or left out, with its file and row
# (the SSDA903 cleaner's dropped, ignored, corrected and merged episodes).
ISSUE_COLUMNS = ("file", "row", "column", "value", "reason", "action", "rule", "record")


@dataclass(frozen=True)
class SourceFile:
    """One file of an upload, as the officer chose it or as named on the command line."""

    name: str
    data: bytes


def files_title(names: Sequence[str]) -> str:
    """How pages and the audit trail name an upload: its files, or the first two of many."""
    if len(names) <= 3:
        return ", ".join(names)
    return f"{', '.join(names[:2])} and {len(names) - 2} more files"


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    """The entries that can be stored as JSON as they are (a payload's frames cannot)."""
    return {k: v for k, v in values.items() if isinstance(v, int | str | float | bool | list | dict | None)}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    help: str = ""


@dataclass(frozen=True)
class Problem:
    source: str
    row: int | None  # spreadsheet row number; None for the file as a whole
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}"
        if self.row is not None:
            where += f" row {self.row}"
        if self.column:
            where += f", column {self.column}"
        if self.value and f"'{self.value}'" not in self.message:
            return f"{where}: {self.message} (value: '{self.value}')"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class Change:
    action: str  # create | update | unchanged | delete
    key: str
    description: str
    before: str = ""
    after: str = ""


@dataclass
class ImportPlan:
    kind: str
    source: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    payload: Any = None  # what apply() needs; built by plan()

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, column: str, value: object, message: str) -> None:
        self.errors.append(Problem(self.source, row, column, "" if value is None else str(value), message))

    def warn(self, row: int | None, column: str, value: object, message: str) -> None:
        self.warnings.append(Problem(self.source, row, column, "" if value is None else str(value), message))

    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for change in self.changes:
            result[change.action] = result.get(change.action, 0) + 1
        return result


@dataclass
class PlanRecord:
    """What of a plan is kept with its upload, as JSON: the summary, errors, warnings and issues."""

    summary: dict[str, Any]
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    issues: list[dict[str, Any]] = field(default_factory=list)


class RowReader:
    """Walks a Table's rows, parsing cells and recording every problem in the plan."""

    def __init__(self, table: Table, plan: ImportPlan):
        self.table = table
        self.plan = plan

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        records = self.table.frame.to_dict("records")
        for number, record in zip(self.table.row_numbers, records, strict=True):
            yield number, {str(k): str(v) for k, v in record.items()}

    def cell(
        self,
        row: int,
        values: dict[str, str],
        column: str,
        parser: Callable[[str], Any] | None = None,
        *,
        required: bool = False,
    ) -> Any:
        """The parsed value, None when blank and optional; records an error and returns None when bad."""
        text = values.get(column, "").strip()
        if text == "":
            if required:
                self.plan.error(row, column, "", "is blank; a value is required")
            return None
        if parser is None:
            return text
        try:
            return parser(text)
        except ValueError as error:
            self.plan.error(row, column, text, str(error))
            return None


class Importer:
    """Base class: subclasses set kind and columns and implement build_plan and apply."""

    kind: ClassVar[str]
    title: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    needs_year: ClassVar[bool] = False
    needs_as_at: ClassVar[bool] = False
    multi_file: ClassVar[bool] = False
    # A kind loaded once for the whole deployment by the command line (DfE's published
    # statistics, the same for every council), never through an authority's upload pages.
    deployment_wide: ClassVar[bool] = False
    # What messages call the files of a several-file kind ("The SSDA903 files were imported.").
    files_label: ClassVar[str] = ""

    def plan(self, *, authority: Authority, files: Sequence[SourceFile], options: dict[str, Any]) -> ImportPlan:
        """Check every file of the upload and work out what it would change. Writes nothing.

        A one-file kind reads its file as a Table and refuses a second file."""
        if len(files) != 1:
            plan = ImportPlan(kind=self.kind, source=files_title([f.name for f in files]) or self.kind)
            plan.error(None, "", "", f"a {self.kind} import takes one file; {len(files)} were given")
            return plan
        name, data = files[0].name, files[0].data
        try:
            table = read_table(name, data)
        except TableError as error:
            plan = ImportPlan(kind=self.kind, source=name)
            plan.error(None, "", "", str(error).removeprefix(f"{name}: "))
            return plan
        return self.plan_table(authority=authority, table=table, options=options)

    def plan_table(self, *, authority: Authority, table: Table, options: dict[str, Any]) -> ImportPlan:
        """The checks every one-file kind shares (columns, formulas, no rows), then build_plan."""
        plan = ImportPlan(kind=self.kind, source=table.source)
        known = {column.name for column in self.columns} | set(self.extra_column_names(table))
        missing = [c.name for c in self.columns if c.required and c.name not in table.frame.columns]
        if missing:
            plan.error(None, "", "", "the header row lacks the required column(s): " + ", ".join(missing))
        for name in table.frame.columns:
            if name not in known:
                plan.warn(None, str(name), "", "this column is not used and was ignored")
        for row, column, formula in table.formula_cells:
            plan.error(row, column, formula, "the cell holds a formula; save the sheet with values only")
        if len(table) == 0:
            plan.error(None, "", "", "the file has a header row but no data rows")
        if plan.errors:
            return plan
        self.build_plan(plan, authority=authority, table=table, options=options)
        return plan

    def extra_column_names(self, table: Table) -> list[str]:
        """Columns that are known but not fixed (e.g. one per financial year)."""
        return []

    def build_plan(self, plan: ImportPlan, *, authority: Authority, table: Table, options: dict[str, Any]) -> None:
        raise NotImplementedError

    def apply(self, plan: ImportPlan, *, authority: Authority, user: User | None) -> dict[str, Any]:
        """Write the plan; called inside a transaction, only when plan.ok."""
        raise NotImplementedError

    def record(self, plan: ImportPlan) -> PlanRecord:
        """What of the plan its upload keeps for the preview page (a kind with issues overrides)."""
        return PlanRecord(
            summary={"counts": plan.counts(), **jsonable(plan.summary)},
            errors=[p.as_dict() for p in plan.errors],
            warnings=[p.as_dict() for p in plan.warnings],
        )


_REGISTRY: dict[str, Importer] = {}


def register(importer_class: type[Importer]) -> type[Importer]:
    _REGISTRY[importer_class.kind] = importer_class()
    return importer_class


def importer_for(kind: str) -> Importer:
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise KeyError(f"'{kind}' is not a kind of import; use one of {', '.join(sorted(_REGISTRY))}") from None


def importers() -> dict[str, Importer]:
    """The kinds an officer uploads through the pages: every kind but the deployment-wide ones."""
    return dict(sorted((kind, imp) for kind, imp in _REGISTRY.items() if not imp.deployment_wide))


def every_importer() -> dict[str, Importer]:
    """Every kind, the command line's deployment-wide ones included."""
    return dict(sorted(_REGISTRY.items()))


def duplicate_rows(frame: pd.DataFrame, key: list[str], row_numbers: list[int]) -> list[tuple[int, int, str]]:
    """(row, first row with the same key, key text) for every repeated key."""
    if frame.empty:
        return []
    keys = frame[key].apply(lambda r: " / ".join(str(v).strip().lower() for v in r), axis=1)
    first: dict[str, int] = {}
    repeats = []
    for number, value in zip(row_numbers, keys, strict=True):
        if value in first:
            repeats.append((number, first[value], value))
        else:
            first[value] = number
    return repeats
