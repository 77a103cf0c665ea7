"""The import framework every kind of file goes through (DATA_FORMATS.md, top).

An importer turns a Table into a plan without writing anything: every error (file, row,
column, value, what is wrong) and every change it would make. Only a plan with no errors can be
applied, in one transaction, so an import is all or nothing. The same file imported twice
replaces what it describes rather than adding to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from accounts.models import Authority, User
from core.tabular import Table


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

    def plan(self, *, authority: Authority, table: Table, options: dict[str, Any]) -> ImportPlan:
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
